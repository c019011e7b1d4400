//! A consistent company to test against: realistic invoices, created as
//! any client would create them, through QuickBooks' rules and ledger, for
//! customers and items that exist; every third one paid in full by a
//! received payment, so balances and reports add up.

use serde_json::{Value, json};

use super::store::Company;
use super::{Op, OpKind, table, writes};

/// How many customers the seeded invoices are spread over.
const CUSTOMERS: u64 = 40;

/// The operation of a resource of a kind.
fn op(slug: &str, kind: OpKind) -> &'static Op {
    (table::OPERATIONS.iter())
        .find(|op| op.slug() == slug && op.kind == kind)
        .unwrap_or_else(|| panic!("the description declares {kind:?} for {slug}"))
}

/// The id of the record of a resource with this name, created when there
/// is none.
fn named(company: &mut Company, slug: &str, name: &str) -> String {
    let found = company.records(slug).find(|record| record["name"] == name).and_then(|r| r["id"].as_str());
    if let Some(id) = found {
        return id.to_owned();
    }
    let Value::Object(body) = json!({"name": name}) else { unreachable!("an object") };
    let created = writes::create(company, op(slug, OpKind::Create), body).expect("a new name is free");
    created["id"].as_str().unwrap_or_default().to_owned()
}

impl Company {
    /// Creates seeded invoice number `n` (from 1) and, for every third,
    /// the payment that pays it; returns the invoice's id.
    pub(crate) fn seed_invoice(&mut self, n: u64) -> String {
        let customer = named(self, "customers", &format!("Customer {}", n % CUSTOMERS));
        let consulting = named(self, "service-items", "Consulting");
        let setup = named(self, "service-items", "Setup fee");
        let quantity = n % 7 + 1;
        let rate = 25 + (n % 13) * 5;
        let date = format!("2024-{:02}-{:02}", n % 12 + 1, n % 28 + 1);
        let Value::Object(body) = json!({
            "customerId": customer,
            "transactionDate": date,
            "dueDate": date,
            "refNumber": format!("INV-{n:05}"),
            "memo": format!("Seeded invoice {n}"),
            "lines": [
                {"itemId": consulting, "description": "Consulting hours", "quantity": quantity, "rate": format!("{rate}.00")},
                {"itemId": setup, "description": "One-time setup", "quantity": 1, "rate": "100.00"},
            ],
        }) else {
            unreachable!("an object")
        };
        let invoice = writes::create(self, op("invoices", OpKind::Create), body).expect("a seeded invoice checks out");
        let id = invoice["id"].as_str().unwrap_or_default().to_owned();
        if n % 3 == 0 {
            let total = invoice["balanceRemaining"].clone();
            let Value::Object(payment) = json!({
                "customerId": customer,
                "transactionDate": date,
                "totalAmount": total,
                "applyToTransactions": [{"transactionId": id, "paymentAmount": total}],
            }) else {
                unreachable!("an object")
            };
            writes::create(self, op("receive-payments", OpKind::Create), payment).expect("a payment of the balance");
        }
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_invoices_add_up_and_every_third_is_paid() {
        let mut company = Company::default();
        let ids: Vec<String> = (1..=6).map(|n| company.seed_invoice(n)).collect();
        let invoice = company.get("invoices", &ids[2]).unwrap();
        // Invoice 3: 4 hours at 40.00, and the setup fee.
        assert_eq!(invoice["subtotal"], "260.00");
        assert_eq!((invoice["isPaid"].as_bool(), invoice["balanceRemaining"].as_str()), (Some(true), Some("0.00")));
        let unpaid = company.get("invoices", &ids[1]).unwrap();
        assert_eq!((unpaid["isPaid"].as_bool(), unpaid["appliedAmount"].as_str()), (Some(false), Some("0.00")));
        assert_eq!(company.records("customers").count(), 6);
        assert_eq!(company.records("receive-payments").count(), 2);
        let customer = company.records("customers").find(|c| c["name"] == "Customer 2").unwrap();
        assert_eq!(customer["balance"], unpaid["balanceRemaining"]);
    }
}
