//! The fields QuickBooks computes, worked out from the ledger: never
//! patched, always what the effects of the records that still exist add
//! up to.
//!
//! - An invoice's `appliedAmount` (negative, as QuickBooks reports it),
//!   `balanceRemaining`, `isPaid` and `linkedTransactions`; a bill's
//!   `openAmount`, `isPaid` and `linkedTransactions`: the payments,
//!   discounts and credits applied to it by transactions that exist and
//!   are not voided.
//! - A credit memo's `creditRemaining` and a vendor credit's `openAmount`:
//!   what is left after what it credits to transactions that exist and are
//!   not voided.
//! - A received payment's `unusedPayment` and `appliedToTransactions`, a
//!   bill payment's `appliedToTransactions`.
//! - A sales order's lines' `quantityInvoiced` and `isFullyInvoiced`, a
//!   purchase order's lines' `receivedQuantity`, `unbilledQuantity` and
//!   `isBilled`, and `isFullyReceived`; their `linkedTransactions`.
//! - An inventory item's `quantityOnHand`, `quantityOnSalesOrder` and
//!   `quantityOnPurchaseOrder`.
//! - A customer's `balance` (what its own transactions leave open, with its
//!   opening balance and its journal entries) and `totalBalance` (with its
//!   jobs'); a vendor's `balance`.
//!
//! [`settle`] works out again everything a write touched, and what depends
//! on it, and refuses a write that would leave the books as QuickBooks
//! never does: an invoice or bill paid beyond what it owes, a credit used
//! beyond what it holds, a payment applying more than it is. [`audit`]
//! works out every record from scratch and lists what differs from what is
//! held: the invariant the tests hold the sandbox to.

use std::collections::BTreeSet;

use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::ledger::{Application, FillKind};
use super::money::{Checked, decimal, field, money, quantity, sum};
use super::records::ref_id;
use super::refusals;
use super::rules::{ancestors, words};
use super::store::Company;
use super::transactions::{self, total_of, transaction_type};
use crate::catalog::record_type_of;
use crate::failure::Failure;

/// Transactions others pay or credit.
const TARGETS: &[&str] = &["invoices", "bills", "credit-card-refunds"];
/// Transactions whose credit others use.
const CREDITS: &[&str] = &["credit-memos", "vendor-credits"];
const PAYMENTS: &[&str] = &["receive-payments", "bill-check-payments", "bill-credit-card-payments"];
const ORDERS: &[&str] = &["sales-orders", "purchase-orders", "estimates"];
const ITEMS: &[&str] = &["inventory-items", "inventory-assembly-items"];
const ENTITIES: &[&str] = &["customers", "vendors"];

/// Whether a transaction exists and is not voided: what applications to
/// it, and credits of it, need to count.
fn live(company: &Company, id: &str) -> bool {
    company.find(id).is_some() && !company.ledger().is_voided(id)
}

/// What a write needs worked out again: the records it touched, and each
/// record that depends on one of them (the payments listing a target, the
/// customers above a job).
fn closure(company: &Company, touched: BTreeSet<String>) -> BTreeSet<String> {
    let mut out = touched.clone();
    for id in &touched {
        out.extend(company.ledger().touching(id).map(|(other, _)| other.clone()));
    }
    let customers: Vec<String> = out.iter().filter(|id| company.home(id) == Some("customers")).cloned().collect();
    for customer in customers {
        out.extend(ancestors(company, &customer));
    }
    out
}

/// Works out again the computed fields of every record a write touched and
/// every record that depends on one, and writes them; then checks the
/// books. `check` is off for records inserted as QuickBooks already holds
/// them. On a refusal the caller's write undoes everything.
pub(crate) fn settle(company: &mut Company, touched: BTreeSet<String>, check: bool) -> Result<(), Failure> {
    let all = closure(company, touched);
    let in_phase = |company: &Company, kinds: &[&str]| -> Vec<(&'static str, String)> {
        (all.iter())
            .filter_map(|id| Some((company.home(id)?, id.clone())))
            .filter(|(slug, _)| kinds.contains(slug))
            .collect()
    };
    // Each phase reads what the phases before it wrote.
    let targets: Vec<&str> = TARGETS.iter().chain(CREDITS).chain(ORDERS).copied().collect();
    for kinds in [&targets[..], PAYMENTS, ITEMS, ENTITIES] {
        for (slug, id) in in_phase(company, kinds) {
            for (field, value) in derived(company, slug, &id)? {
                company.set_field(slug, &id, field, value);
            }
        }
    }
    for (_, id) in in_phase(company, &["customers"]) {
        let total = total_balance(company, &id)?;
        company.set_field("customers", &id, "totalBalance", money(total));
    }
    for id in &all {
        transactions::reindex(company, id);
    }
    if check {
        for id in &all {
            books_hold(company, id)?;
        }
    }
    Ok(())
}

/// Every record whose computed fields differ from what the ledger says
/// they are, with the field, what is held and what it should be.
pub(crate) fn audit(company: &Company) -> Vec<String> {
    let mut found = Vec::new();
    for (slug, id) in company.all_ids() {
        let Some(record) = company.get(slug, &id) else { continue };
        let mut expected = derived(company, slug, &id).unwrap_or_default();
        if slug == "customers" {
            expected.extend(total_balance(company, &id).ok().map(|total| ("totalBalance", money(total))));
        }
        for (field, value) in expected {
            if record.get(field) != Some(&value) {
                found.push(format!("{slug} {id} {field}: holds {}, should be {value}", record[field]));
            }
        }
        found.extend(dangling(company, slug, &id, record));
    }
    found
}

/// Links that name a record that no longer exists.
fn dangling(company: &Company, slug: &str, id: &str, record: &Value) -> Vec<String> {
    let mut named: Vec<&str> = Vec::new();
    for link in record["linkedTransactions"].as_array().into_iter().flatten() {
        named.extend(link["id"].as_str());
    }
    for applied in record["appliedToTransactions"].as_array().into_iter().flatten() {
        named.extend(applied["transactionId"].as_str());
    }
    (named.into_iter())
        .filter(|other| company.find(other).is_none())
        .map(|other| format!("{slug} {id} names {other}, which does not exist"))
        .collect()
}

/// The computed fields of one record, as the ledger now stands.
pub(crate) fn derived(company: &Company, slug: &str, id: &str) -> Result<Vec<(&'static str, Value)>, Failure> {
    let object = words(record_type_of(slug));
    let Some(record) = company.get(slug, id) else { return Ok(Vec::new()) };
    Ok(match slug {
        "invoices" | "bills" => target(company, slug, id, record, &object)?,
        "credit-card-refunds" => Vec::new(),
        "credit-memos" | "vendor-credits" => credit(company, slug, id, record, &object)?,
        _ if PAYMENTS.contains(&slug) => payment(company, slug, id, record, &object)?,
        _ if ORDERS.contains(&slug) => order(company, slug, id, record, &object)?,
        _ if ITEMS.contains(&slug) => item(company, id, &object)?,
        _ if ENTITIES.contains(&slug) => vec![("balance", money(balance(company, id, &object)?))],
        _ => Vec::new(),
    })
}

/// A linked transaction as QuickBooks lists it on the other side.
fn link(company: &Company, id: &str, amount: Decimal, link_type: &str) -> Value {
    let Some((slug, record)) = company.find(id) else { return Value::Null };
    json!({
        "id": id,
        "objectType": "qbd_linked_transaction",
        "transactionType": transaction_type(slug).unwrap_or_default(),
        "transactionDate": record["transactionDate"],
        "refNumber": record["refNumber"],
        "linkType": link_type,
        "amount": money(amount),
    })
}

/// The applications of live transactions to `target`, with who made each.
fn applied_to<'a>(company: &'a Company, target: &'a str) -> impl Iterator<Item = (&'a String, &'a Application)> + 'a {
    (company.ledger().touching(target)).filter(|(by, _)| live(company, by)).flat_map(move |(by, effects)| {
        effects.applications.iter().filter(move |app| app.target == target).map(move |app| (by, app))
    })
}

/// What settles `target`, by whom: each payment's amount and discount, and
/// each credit applied to it.
fn settled_by(company: &Company, target: &str) -> Vec<(String, Decimal)> {
    if !live(company, target) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (by, app) in applied_to(company, target) {
        let paid = app.payment + app.discount;
        if !paid.is_zero() && by != target {
            out.push((by.clone(), paid));
        }
        for (credit, amount) in app.credits.iter().filter(|(credit, _)| live(company, credit)) {
            out.push((credit.clone(), *amount));
        }
    }
    out
}

/// The order lines a transaction fills, by order: the amount they come to.
fn orders_filled(company: &Company, id: &str) -> Vec<(String, Decimal)> {
    let mut out: Vec<(String, Decimal)> = Vec::new();
    for fill in company.ledger().effects(id).map(|e| e.fills.as_slice()).unwrap_or_default() {
        if fill.kind == FillKind::Receive && company.home(id) == Some("bills") {
            continue;
        }
        let Some((_, order)) = company.find(&fill.order) else { continue };
        let rate = (order["lines"].as_array().into_iter().flatten())
            .find(|line| line["id"] == fill.line.as_str())
            .and_then(|line| decimal(&line["rate"]))
            .unwrap_or_default();
        let amount = rate * fill.quantity;
        match out.iter_mut().find(|(seen, _)| *seen == fill.order) {
            Some((_, total)) => *total += amount,
            None => out.push((fill.order.clone(), amount)),
        }
    }
    out
}

fn target(
    company: &Company,
    slug: &str,
    id: &str,
    record: &Value,
    object: &str,
) -> Result<Vec<(&'static str, Value)>, Failure> {
    let by = settled_by(company, id);
    let settled = sum(by.iter().map(|(_, amount)| *amount), object)?;
    let open = total_of(slug, record).minus(settled, object)?;
    let mut links: Vec<Value> = by.iter().map(|(other, amount)| link(company, other, -*amount, "amount")).collect();
    links.extend(
        orders_filled(company, id).into_iter().map(|(order, amount)| link(company, &order, amount, "quantity")),
    );
    let mut out = vec![("isPaid", json!(open <= Decimal::ZERO)), ("linkedTransactions", Value::Array(links))];
    match slug {
        "invoices" => out.extend([("appliedAmount", money(-settled)), ("balanceRemaining", money(open))]),
        _ => out.push(("openAmount", money(open))),
    }
    Ok(out)
}

/// How much of the credit `credit` live transactions use, on live targets,
/// and where.
fn used_of(company: &Company, credit: &str) -> Vec<(String, Decimal)> {
    if !live(company, credit) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (_, effects) in company.ledger().touching(credit).filter(|(by, _)| live(company, by)) {
        for app in effects.applications.iter().filter(|app| live(company, &app.target)) {
            for (_, amount) in app.credits.iter().filter(|(id, _)| id == credit) {
                out.push((app.target.clone(), *amount));
            }
        }
    }
    out
}

fn credit(
    company: &Company,
    slug: &str,
    id: &str,
    record: &Value,
    object: &str,
) -> Result<Vec<(&'static str, Value)>, Failure> {
    let used = used_of(company, id);
    let left = total_of(slug, record).minus(sum(used.iter().map(|(_, amount)| *amount), object)?, object)?;
    let links: Vec<Value> = used.iter().map(|(target, amount)| link(company, target, *amount, "amount")).collect();
    let field = if slug == "credit-memos" { "creditRemaining" } else { "openAmount" };
    Ok(vec![(field, money(left)), ("linkedTransactions", Value::Array(links))])
}

/// A payment's applications to live targets.
fn live_applications(company: &Company, id: &str) -> Vec<Application> {
    let effects = company.ledger().effects(id);
    (effects.map(|effects| effects.applications.as_slice()).unwrap_or_default().iter())
        .filter(|app| app.target != id && live(company, &app.target))
        .cloned()
        .collect()
}

/// What of a payment is not applied: its total, less what it pays of live
/// targets and what refunds take of it.
fn unapplied(company: &Company, slug: &str, id: &str, record: &Value, object: &str) -> Result<Decimal, Failure> {
    if !live(company, id) {
        return Ok(Decimal::ZERO);
    }
    let paid = sum(live_applications(company, id).iter().map(|app| app.payment), object)?;
    let refunded = sum(used_of(company, id).into_iter().map(|(_, amount)| amount), object)?;
    total_of(slug, record).minus(paid, object)?.minus(refunded, object)
}

fn payment(
    company: &Company,
    slug: &str,
    id: &str,
    record: &Value,
    object: &str,
) -> Result<Vec<(&'static str, Value)>, Failure> {
    let mut listed = Vec::new();
    for app in live_applications(company, id) {
        let Some((target_slug, target)) = company.find(&app.target) else { continue };
        let credits: Vec<Value> = (app.credits.iter())
            .filter(|(credit, _)| live(company, credit))
            .map(|(credit, amount)| link(company, credit, -*amount, "amount"))
            .collect();
        let open = target.get("balanceRemaining").or_else(|| target.get("openAmount")).cloned().unwrap_or(Value::Null);
        listed.push(json!({
            "transactionId": app.target,
            "transactionType": transaction_type(target_slug).unwrap_or_default(),
            "transactionDate": target["transactionDate"],
            "refNumber": target["refNumber"],
            "balanceRemaining": open,
            "amount": money(total_of(target_slug, target)),
            "discountAmount": money(app.discount),
            "discountAccount": null,
            "discountClass": null,
            "linkedTransactions": credits,
        }));
    }
    let mut out = vec![("appliedToTransactions", Value::Array(listed))];
    if slug == "receive-payments" {
        out.push(("unusedPayment", money(unapplied(company, slug, id, record, object)?)));
        out.push(("unusedCredits", money(Decimal::ZERO)));
    }
    Ok(out)
}

fn order(
    company: &Company,
    slug: &str,
    id: &str,
    record: &Value,
    object: &str,
) -> Result<Vec<(&'static str, Value)>, Failure> {
    let mut fills: Vec<(String, FillKind, Decimal)> = Vec::new();
    let mut by: Vec<(String, Decimal)> = Vec::new();
    for (other, effects) in company.ledger().touching(id) {
        for fill in effects.fills.iter().filter(|fill| fill.order == id) {
            fills.push((fill.line.clone(), fill.kind, fill.quantity));
            let rate = (record["lines"].as_array().into_iter().flatten())
                .find(|line| line["id"] == fill.line.as_str())
                .map_or(Decimal::ZERO, |line| field(line, "rate"));
            let billed_receipt = fill.kind == FillKind::Receive && company.home(other) == Some("bills");
            if !billed_receipt {
                match by.iter_mut().find(|(seen, _)| seen == other) {
                    Some((_, total)) => *total += rate * fill.quantity,
                    None => by.push((other.clone(), rate * fill.quantity)),
                }
            }
        }
    }
    let done = |line: &str, kind: FillKind| -> Decimal {
        fills.iter().filter(|(l, k, _)| l == line && *k == kind).map(|(_, _, q)| *q).sum()
    };
    let mut lines = record["lines"].clone();
    let mut complete = true;
    for line in lines.as_array_mut().into_iter().flatten() {
        let line_id = line["id"].as_str().unwrap_or_default().to_owned();
        let ordered = decimal(&line["quantity"]).unwrap_or(Decimal::ONE);
        let closed = line["isManuallyClosed"] == true;
        match slug {
            "sales-orders" => {
                let invoiced = done(&line_id, FillKind::Invoice);
                line["quantityInvoiced"] = quantity(invoiced);
                complete &= closed || invoiced >= ordered;
            }
            "purchase-orders" => {
                let (received, billed) = (done(&line_id, FillKind::Receive), done(&line_id, FillKind::Bill));
                line["receivedQuantity"] = quantity(received);
                line["unbilledQuantity"] = quantity(ordered.minus(billed, object)?.max(Decimal::ZERO));
                line["isBilled"] = json!(billed >= ordered);
                complete &= !closed && received >= ordered;
            }
            _ => {}
        }
    }
    let links: Vec<Value> = by.iter().map(|(other, amount)| link(company, other, *amount, "quantity")).collect();
    let mut out = vec![("linkedTransactions", Value::Array(links))];
    match slug {
        "sales-orders" => out.extend([("lines", lines), ("isFullyInvoiced", json!(complete))]),
        "purchase-orders" => out.extend([("lines", lines), ("isFullyReceived", json!(complete))]),
        _ => {}
    }
    Ok(out)
}

/// An item's quantity on hand (what live transactions moved, with its
/// opening quantity), and what is open on sales and purchase orders.
fn item(company: &Company, id: &str, object: &str) -> Result<Vec<(&'static str, Value)>, Failure> {
    let mut on_hand = Decimal::ZERO;
    let (mut on_sales_order, mut on_purchase_order) = (Decimal::ZERO, Decimal::ZERO);
    for (by, effects) in company.ledger().touching(id) {
        for (_, moved) in effects.stock.iter().filter(|(item, _)| item == id) {
            on_hand = on_hand.plus(*moved, object)?;
        }
        if !effects.on_order.iter().any(|item| item == id) {
            continue;
        }
        let Some((slug, order)) = company.find(by) else { continue };
        for line in order["lines"].as_array().into_iter().flatten().filter(|line| ref_id(line, "item") == Some(id)) {
            if line["isManuallyClosed"] == true {
                continue;
            }
            let ordered = decimal(&line["quantity"]).unwrap_or(Decimal::ONE);
            match slug {
                "sales-orders" => {
                    let open = ordered - field(line, "quantityInvoiced");
                    on_sales_order = on_sales_order.plus(open.max(Decimal::ZERO), object)?;
                }
                _ => {
                    let open = ordered - field(line, "receivedQuantity");
                    on_purchase_order = on_purchase_order.plus(open.max(Decimal::ZERO), object)?;
                }
            }
        }
    }
    Ok(vec![
        ("quantityOnHand", quantity(on_hand)),
        ("quantityOnSalesOrder", quantity(on_sales_order)),
        ("quantityOnPurchaseOrder", quantity(on_purchase_order)),
    ])
}

/// What a transaction leaves open in its customer's or vendor's balance:
/// an invoice's or bill's balance, less a credit's unused amount, a
/// payment's unapplied amount; a refund's unapplied amount.
pub(crate) fn open_amount(
    company: &Company,
    slug: &str,
    id: &str,
    record: &Value,
    object: &str,
) -> Result<Decimal, Failure> {
    Ok(match slug {
        "invoices" => field(record, "balanceRemaining"),
        "bills" => field(record, "openAmount"),
        "credit-memos" => -field(record, "creditRemaining"),
        "vendor-credits" => -field(record, "openAmount"),
        "credit-card-refunds" => {
            let settled = sum(settled_by(company, id).into_iter().map(|(_, amount)| amount), object)?;
            total_of(slug, record).minus(settled, object)?
        }
        _ if PAYMENTS.contains(&slug) => -unapplied(company, slug, id, record, object)?,
        _ => Decimal::ZERO,
    })
}

/// A customer's or vendor's balance: what its transactions leave open, and
/// the fixed amounts (its opening balance, journal entries) added to it.
fn balance(company: &Company, entity: &str, object: &str) -> Result<Decimal, Failure> {
    let mut total = Decimal::ZERO;
    for (by, effects) in company.ledger().touching(entity) {
        for (_, amount) in effects.owes.iter().filter(|(id, _)| id == entity) {
            total = total.plus(*amount, object)?;
        }
        if effects.entity.as_deref() == Some(entity) {
            if let Some((slug, record)) = company.find(by) {
                total = total.plus(open_amount(company, slug, by, record, object)?, object)?;
            }
        }
    }
    Ok(total)
}

/// A customer's balance with its jobs', and theirs, all the way down.
fn total_balance(company: &Company, customer: &str) -> Result<Decimal, Failure> {
    let mut below = vec![customer.to_owned()];
    below.extend(super::rules::descendants(company, "customers", customer));
    let balances = below.iter().filter_map(|id| company.get("customers", id)).map(|c| field(c, "balance"));
    sum(balances, "Customer")
}

/// The rules the books keep after every write: nothing paid beyond what it
/// owes, no credit used beyond what it holds, no payment applying more
/// than it is.
fn books_hold(company: &Company, id: &str) -> Result<(), Failure> {
    let Some((slug, record)) = company.find(id) else { return Ok(()) };
    let object = words(record_type_of(slug));
    let negative = |field: &str| decimal(&record[field]).is_some_and(|amount| amount < Decimal::ZERO);
    let refused = |reason: &str| Err(refusals::cannot_save(&object, reason));
    match slug {
        "invoices" if negative("balanceRemaining") => refused("The amount applied is more than the balance due."),
        "bills" if negative("openAmount") => refused("The amount applied is more than the balance due."),
        "credit-memos" if negative("creditRemaining") => {
            refused("The credit applied is more than the credit remaining.")
        }
        "vendor-credits" if negative("openAmount") => refused("The credit applied is more than the credit remaining."),
        _ if PAYMENTS.contains(&slug) && unapplied(company, slug, id, record, &object)? < Decimal::ZERO => {
            refused("The amount applied is more than the amount of the payment.")
        }
        "credit-card-refunds" if open_amount(company, slug, id, record, &object)? < Decimal::ZERO => {
            refused("The amount refunded is more than the credit available.")
        }
        _ => Ok(()),
    }
}
