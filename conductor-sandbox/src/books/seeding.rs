//! A consistent company to test against: realistic invoices, created as
//! any client would create them, through QuickBooks' rules and ledger, for
//! customers and items that exist; every third one paid in full by a
//! received payment, so balances and reports add up.

use serde_json::{Value, json};

use super::rules::known_name;
use super::store::Company;
use super::writes;
use crate::catalog::op_of;
use crate::failure::Failure;
use crate::schema::OpKind;

/// How many customers the seeded invoices are spread over.
const CUSTOMERS: u64 = 40;

/// Creates a record of a resource from `body`, through QuickBooks' rules.
fn create(company: &mut Company, slug: &str, body: Value) -> Result<Value, Failure> {
    let op = op_of(slug, OpKind::Create).ok_or_else(|| Failure::internal(&format!("{slug} has no create")))?;
    let Value::Object(body) = body else { return Err(Failure::internal("a body is an object")) };
    writes::create(company, op, body)
}

/// The id of the record of a resource named `name` (whatever its case),
/// created when there is none; when the name is taken in its name space by
/// a record of another resource, the new one is named `name (2)`, and so
/// on.
fn named(company: &mut Company, slug: &str, name: &str) -> Result<String, Failure> {
    for n in 1.. {
        let wanted = if n == 1 { name.to_owned() } else { format!("{name} ({n})") };
        let found = (company.records(slug))
            .find(|record| known_name(record).is_some_and(|known| known.eq_ignore_ascii_case(&wanted)))
            .and_then(|record| record["id"].as_str());
        if let Some(id) = found {
            return Ok(id.to_owned());
        }
        match create(company, slug, json!({"name": wanted})) {
            Ok(created) => return Ok(created["id"].as_str().unwrap_or_default().to_owned()),
            Err(refusal) if refusal.integration_code.as_deref() == Some("3100") => continue,
            Err(other) => return Err(other),
        }
    }
    unreachable!("an unbounded counter finds a free name")
}

impl Company {
    /// Creates seeded invoice number `n` (from 1) and, for every third,
    /// the payment that pays it; returns the invoice's id.
    pub(crate) fn seed_invoice(&mut self, n: u64) -> Result<String, Failure> {
        let customer = named(self, "customers", &format!("Customer {}", n % CUSTOMERS))?;
        let consulting = named(self, "service-items", "Consulting")?;
        let setup = named(self, "service-items", "Setup fee")?;
        let quantity = n % 7 + 1;
        let rate = 25 + (n % 13) * 5;
        let date = format!("2024-{:02}-{:02}", n % 12 + 1, n % 28 + 1);
        let invoice = create(
            self,
            "invoices",
            json!({
                "customerId": customer,
                "transactionDate": date,
                "dueDate": date,
                "refNumber": format!("INV-{n:05}"),
                "memo": format!("Seeded invoice {n}"),
                "lines": [
                    {"itemId": consulting, "description": "Consulting hours", "quantity": quantity, "rate": format!("{rate}.00")},
                    {"itemId": setup, "description": "One-time setup", "quantity": 1, "rate": "100.00"},
                ],
            }),
        )?;
        let id = invoice["id"].as_str().unwrap_or_default().to_owned();
        if n % 3 == 0 {
            let total = invoice["balanceRemaining"].clone();
            create(
                self,
                "receive-payments",
                json!({
                    "customerId": customer,
                    "transactionDate": date,
                    "totalAmount": total,
                    "applyToTransactions": [{"transactionId": id, "paymentAmount": total}],
                }),
            )?;
        }
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_invoices_add_up_and_every_third_is_paid() {
        let mut company = Company::default();
        let ids: Vec<String> = (1..=6).map(|n| company.seed_invoice(n).unwrap()).collect();
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

    #[test]
    fn a_name_taken_in_another_case_or_list_is_no_panic() {
        let mut company = Company::default();
        create(&mut company, "customers", json!({"name": "customer 1"})).unwrap();
        create(&mut company, "non-inventory-items", json!({"name": "CONSULTING"})).unwrap();
        let invoice = company.seed_invoice(1).unwrap();
        let invoice = company.get("invoices", &invoice).unwrap();
        assert_eq!(invoice["customer"]["fullName"], "customer 1", "the customer of that name, whatever its case");
        assert_eq!(invoice["lines"][0]["item"]["fullName"], "Consulting (2)", "a name a vendor has is taken");
    }
}
