//! `/transactions`: every transaction of an end-user, of whatever type, as
//! QuickBooks lists them. The sandbox keeps one view of each transaction
//! record, written whenever the record is.

use serde_json::{Value, json};

use super::shape::conform;
use super::store::Company;

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

/// The first of `fields` that `record` has set.
fn first<'a>(record: &'a Value, fields: &[&str]) -> &'a Value {
    fields.iter().map(|field| &record[*field]).find(|value| !value.is_null()).unwrap_or(&Value::Null)
}

/// A transaction record as `/transactions` shows it.
fn view(record: &Value, transaction_type: &str) -> Value {
    let view = json!({
        "transactionId": record["id"],
        "transactionType": transaction_type,
        "transactionLineId": null,
        "refNumber": record["refNumber"],
        "transactionDate": record["transactionDate"],
        "memo": record["memo"],
        "createdAt": record["createdAt"],
        "updatedAt": record["updatedAt"],
        "amount": first(record, &["totalAmount", "amount", "creditAmount", "subtotal"]),
        "currency": record["currency"],
        "exchangeRate": record["exchangeRate"],
        "entity": first(record, &["customer", "vendor", "payee", "entity"]),
        "account": first(record, &["receivablesAccount", "payablesAccount", "bankAccount", "account", "depositToAccount"]),
    });
    conform("Transaction", view)
}

/// Writes the view of a record of the resource `slug`, if `/transactions`
/// lists its type.
pub(crate) fn index_transaction(company: &mut Company, slug: &str, record: &Value) {
    let (Some(kind), Some(id)) = (transaction_type(slug), record["id"].as_str()) else { return };
    company.put_view(TRANSACTIONS, id, view(record, kind));
}

/// Removes the view of a record of the resource `slug`.
pub(crate) fn unindex_transaction(company: &mut Company, slug: &str, id: &str) {
    if transaction_type(slug).is_some() {
        company.take(TRANSACTIONS, id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_view_takes_what_the_transaction_says() {
        let invoice = json!({
            "id": "I-1", "refNumber": "INV-1", "transactionDate": "2024-10-01", "totalAmount": "10.00",
            "customer": {"id": "C-1", "fullName": "Ann"}, "receivablesAccount": {"id": "A-1", "fullName": "AR"},
        });
        let view = view(&invoice, "invoice");
        assert_eq!((view["transactionId"].as_str(), view["transactionType"].as_str()), (Some("I-1"), Some("invoice")));
        assert_eq!((view["amount"].as_str(), view["entity"]["fullName"].as_str()), (Some("10.00"), Some("Ann")));
        assert_eq!(view["account"]["id"], "A-1");
        assert_eq!(transaction_type("customers"), None);
    }
}
