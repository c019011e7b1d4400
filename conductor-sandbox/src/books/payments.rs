//! What a write applies to other transactions: a payment's
//! `applyToTransactions` (or, for a received payment with `isAutoApply`,
//! what QuickBooks picks), an invoice's own `applyCredits` and the credit
//! memos it links, a refund's `refundAppliedToTransactions`.

use rust_decimal::Decimal;
use serde_json::Value;

use super::derive::open_amount;
use super::ledger::Application;
use super::linking::{Links, own_credits};
use super::money::{decimal, field, money};
use super::records::ref_id;
use super::store::Company;
use super::transactions::total_of;
use crate::failure::Failure;

/// The applications a write of `slug` states; `None` when it states none
/// (an update that leaves them as they were).
pub(crate) fn applications(
    company: &Company,
    slug: &str,
    id: &str,
    body: &Value,
    record: &Value,
    links: &Links,
) -> Result<Option<Vec<Application>>, Failure> {
    Ok(match slug {
        "receive-payments" | "bill-check-payments" | "bill-credit-card-payments" => {
            match (body.get("applyToTransactions"), body["isAutoApply"] == true) {
                (Some(_), true) => {
                    return Err(Failure::invalid_parameters(
                        "You must specify either `isAutoApply` or `applyToTransactions`, but never both.",
                    ));
                }
                (Some(items), false) => Some(applied(items)),
                (None, true) => {
                    let customer = ref_id(record, "customer").unwrap_or_default();
                    Some(auto_apply(company, customer, field(record, "totalAmount")))
                }
                (None, false) => None,
            }
        }
        "invoices" => {
            let capped = cap_linked_credits(record, body, links);
            let own = own_credits(id, body, &capped);
            (own.is_some() || body.get("applyCredits").is_some()).then(|| own.into_iter().collect())
        }
        "credit-card-refunds" => body.get("refundAppliedToTransactions").map(|items| {
            let credits = (items.as_array().into_iter().flatten())
                .filter_map(|item| {
                    Some((
                        item["transactionId"].as_str()?.to_owned(),
                        decimal(&item["refundAmount"]).unwrap_or_default(),
                    ))
                })
                .collect();
            vec![Application { target: id.to_owned(), payment: Decimal::ZERO, discount: Decimal::ZERO, credits }]
        }),
        _ => None,
    })
}

/// `applyToTransactions` as applications.
fn applied(items: &Value) -> Vec<Application> {
    (items.as_array().into_iter().flatten())
        .map(|item| Application {
            target: item["transactionId"].as_str().unwrap_or_default().to_owned(),
            payment: decimal(&item["paymentAmount"]).unwrap_or_default(),
            discount: decimal(&item["discountAmount"]).unwrap_or_default(),
            credits: (item["applyCredits"].as_array().into_iter().flatten())
                .map(|credit| {
                    let id = credit["creditTransactionId"].as_str().unwrap_or_default().to_owned();
                    (id, decimal(&credit["appliedAmount"]).unwrap_or_default())
                })
                .collect(),
        })
        .collect()
}

/// The credit memos an invoice links, each used for no more than the
/// invoice still owes after its own `applyCredits`.
fn cap_linked_credits(record: &Value, body: &Value, links: &Links) -> Links {
    let explicit: Decimal = (body["applyCredits"].as_array().into_iter().flatten())
        .filter_map(|credit| decimal(&credit["appliedAmount"]))
        .sum();
    let mut left = (total_of("invoices", record) - explicit).max(Decimal::ZERO);
    let credits = (links.credits.iter())
        .map(|(credit, remaining)| {
            let used = (*remaining).min(left);
            left -= used;
            (credit.clone(), used)
        })
        .filter(|(_, used)| !used.is_zero())
        .collect();
    Links { credits, ..Links::default() }
}

/// Where QuickBooks applies a received payment with `isAutoApply`: to an
/// open invoice of the customer whose balance is exactly the amount, else
/// to the oldest open invoices until the amount is used.
fn auto_apply(company: &Company, customer: &str, total: Decimal) -> Vec<Application> {
    let open: Vec<(String, Decimal)> = (company.records("invoices"))
        .filter(|invoice| ref_id(invoice, "customer") == Some(customer))
        .filter_map(|invoice| {
            let id = invoice["id"].as_str()?;
            let balance = open_amount(company, "invoices", id, invoice, "Receive Payment").ok()?;
            (balance > Decimal::ZERO && !company.ledger().is_voided(id)).then(|| (id.to_owned(), balance))
        })
        .collect();
    let pay = |target: &str, payment: Decimal| Application {
        target: target.to_owned(),
        payment,
        discount: Decimal::ZERO,
        credits: Vec::new(),
    };
    if let Some((id, _)) = open.iter().find(|(_, balance)| *balance == total) {
        return vec![pay(id, total)];
    }
    let mut left = total;
    let mut out = Vec::new();
    for (id, balance) in open {
        if left <= Decimal::ZERO {
            break;
        }
        let payment = balance.min(left);
        out.push(pay(&id, payment));
        left -= payment;
    }
    out
}

/// A bill payment's `amount`: what its applications pay, as QuickBooks
/// records the check or charge.
pub(crate) fn own_amount(slug: &str, applications: &[Application]) -> Option<Value> {
    matches!(slug, "bill-check-payments" | "bill-credit-card-payments")
        .then(|| money(applications.iter().map(|app| app.payment).sum()))
}
