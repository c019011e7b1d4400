//! `/transactions`: every transaction of an end-user, of whatever type, as
//! QuickBooks lists them. The sandbox keeps one view of each transaction
//! record, written whenever the record is.

use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::money::{decimal, money};

use super::store::Company;
use crate::api::shape::conform;

/// Where the transaction views are kept.
pub(crate) const TRANSACTIONS: &str = "transactions";

/// Whether the records of a resource are transactions.
pub(crate) fn is_transaction(slug: &str) -> bool {
    transaction_type(slug).is_some() || slug == "time-tracking-activities"
}

/// The `transactionType` of the records of a resource that holds
/// transactions.
pub(crate) fn transaction_type(slug: &str) -> Option<&'static str> {
    Some(match slug {
        "bill-check-payments" => "bill_payment_check",
        "bill-credit-card-payments" => "bill_payment_credit_card",
        "bills" => "bill",
        "build-assemblies" => "build_assembly",
        "checks" => "check",
        "credit-card-charges" => "credit_card_charge",
        "credit-card-credits" => "credit_card_credit",
        "credit-card-refunds" => "ar_refund_credit_card",
        "credit-memos" => "credit_memo",
        "deposits" => "deposit",
        "estimates" => "estimate",
        "inventory-adjustments" => "inventory_adjustment",
        "invoices" => "invoice",
        "item-receipts" => "item_receipt",
        "journal-entries" => "journal_entry",
        "purchase-orders" => "purchase_order",
        "receive-payments" => "receive_payment",
        "sales-orders" => "sales_order",
        "sales-receipts" => "sales_receipt",
        "sales-tax-payment-checks" => "sales_tax_payment_check",
        "transfers" => "transfer",
        "vendor-credits" => "vendor_credit",
        _ => return None,
    })
}

/// The total of a transaction of `slug`: what it settles or credits, is
/// settled by, or moves. An invoice's is its subtotal and its sales tax.
pub(crate) fn total_of(slug: &str, record: &Value) -> Decimal {
    let amount = |name: &str| decimal(&record[name]).unwrap_or_default();
    match slug {
        "invoices" => amount("subtotal") + amount("salesTaxTotal"),
        "bills" => amount("amountDue"),
        "vendor-credits" => amount("creditAmount"),
        "bill-check-payments"
        | "bill-credit-card-payments"
        | "checks"
        | "credit-card-charges"
        | "credit-card-credits" => amount("amount"),
        _ => amount("totalAmount"),
    }
}

/// The first of `fields` that `record` has set.
fn first<'a>(record: &'a Value, fields: &[&str]) -> &'a Value {
    fields.iter().map(|field| &record[*field]).find(|value| !value.is_null()).unwrap_or(&Value::Null)
}

/// A transaction record as `/transactions` shows it.
fn view(slug: &str, record: &Value, transaction_type: &str) -> Value {
    let view = json!({
        "transactionId": record["id"],
        "transactionType": transaction_type,
        "transactionLineId": null,
        "refNumber": record["refNumber"],
        "transactionDate": record["transactionDate"],
        "memo": record["memo"],
        "createdAt": record["createdAt"],
        "updatedAt": record["updatedAt"],
        "amount": money(total_of(slug, record)),
        "currency": record["currency"],
        "exchangeRate": record["exchangeRate"],
        "entity": first(record, &["customer", "vendor", "payee", "entity"]),
        "account": first(record, &["receivablesAccount", "payablesAccount", "bankAccount", "account", "depositToAccount"]),
    });
    conform("Transaction", view)
}

/// Writes the view of the record `id` as it now stands, or removes it when
/// the record is gone or is not a transaction `/transactions` lists.
pub(crate) fn reindex(company: &mut Company, id: &str) {
    let view = company.find(id).and_then(|(slug, record)| Some(view(slug, record, transaction_type(slug)?)));
    match view {
        Some(view) => {
            if company.get(TRANSACTIONS, id) != Some(&view) {
                company.put_view(TRANSACTIONS, id, view);
            }
        }
        None => {
            company.take(TRANSACTIONS, id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_view_takes_what_the_transaction_says() {
        let invoice = json!({
            "id": "I-1", "refNumber": "INV-1", "transactionDate": "2024-10-01", "subtotal": "9.00", "salesTaxTotal": "1.00",
            "customer": {"id": "C-1", "fullName": "Ann"}, "receivablesAccount": {"id": "A-1", "fullName": "AR"},
        });
        let view = view("invoices", &invoice, "invoice");
        assert_eq!((view["transactionId"].as_str(), view["transactionType"].as_str()), (Some("I-1"), Some("invoice")));
        assert_eq!((view["amount"].as_str(), view["entity"]["fullName"].as_str()), (Some("10.00"), Some("Ann")));
        assert_eq!(view["account"]["id"], "A-1");
        assert_eq!(transaction_type("customers"), None);
    }
}
