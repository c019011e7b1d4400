//! A property test of the books: random sequences of creates, updates,
//! voids and deletes of invoices, bills, payments, credit memos and vendor
//! credits, with random applications (negative, excessive and repeated ones
//! included). After every step:
//!
//! - recomputing every computed field from scratch gives what the sandbox
//!   holds, and no computed field names a record that is gone
//!   ([`audit`](super::derive::audit));
//! - a write that was refused changed nothing at all.

use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Map, Value, json};

use super::derive::audit;
use super::store::Company;
use super::writes;
use crate::catalog::op_of;
use crate::schema::OpKind;

/// An application a step makes: the transaction it pays (picked by
/// number), the amount, and a credit (picked by number) with its amount.
type Applied = (usize, i64, Option<(usize, i64)>);

/// One step a user might take.
#[derive(Clone, Debug)]
enum Step {
    Invoice {
        customer: usize,
        cents: i64,
    },
    CreditMemo {
        customer: usize,
        cents: i64,
    },
    Bill {
        vendor: usize,
        cents: i64,
    },
    VendorCredit {
        vendor: usize,
        cents: i64,
    },
    /// A received payment: its total, and what it applies to which earlier
    /// transactions (picked by number), with which credits.
    Payment {
        customer: usize,
        total: i64,
        applications: Vec<Applied>,
    },
    BillPayment {
        vendor: usize,
        applications: Vec<Applied>,
    },
    /// A payment's total changed.
    Retotal {
        pick: usize,
        total: i64,
    },
    /// An invoice's one line's amount changed.
    Reprice {
        pick: usize,
        cents: i64,
    },
    Void {
        pick: usize,
    },
    Delete {
        pick: usize,
    },
}

fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", cents.abs() / 100, cents.abs() % 100)
}

fn step() -> impl Strategy<Value = Step> {
    let amount = 1i64..20_000;
    // Applied amounts are sometimes negative, sometimes more than is open.
    let applied = -5_000i64..30_000;
    let application = (0usize..64, applied.clone(), prop::option::of((0usize..64, applied)));
    prop_oneof![
        (0usize..3, amount.clone()).prop_map(|(customer, cents)| Step::Invoice { customer, cents }),
        (0usize..3, amount.clone()).prop_map(|(customer, cents)| Step::CreditMemo { customer, cents }),
        (0usize..2, amount.clone()).prop_map(|(vendor, cents)| Step::Bill { vendor, cents }),
        (0usize..2, amount.clone()).prop_map(|(vendor, cents)| Step::VendorCredit { vendor, cents }),
        (0usize..3, 0i64..30_000, prop::collection::vec(application.clone(), 0..4))
            .prop_map(|(customer, total, applications)| Step::Payment { customer, total, applications }),
        (0usize..2, prop::collection::vec(application, 1..4))
            .prop_map(|(vendor, applications)| Step::BillPayment { vendor, applications }),
        (0usize..64, -1_000i64..30_000).prop_map(|(pick, total)| Step::Retotal { pick, total }),
        (0usize..64, amount).prop_map(|(pick, cents)| Step::Reprice { pick, cents }),
        (0usize..64).prop_map(|pick| Step::Void { pick }),
        (0usize..64).prop_map(|pick| Step::Delete { pick }),
    ]
}

/// The company file and the records made in it, by resource, in order
/// (gone ones included, so steps can name them).
struct Books {
    company: Company,
    customers: Vec<String>,
    vendors: Vec<String>,
    bank: String,
    made: Vec<(&'static str, String)>,
}

fn body(value: Value) -> Map<String, Value> {
    let Value::Object(map) = value else { unreachable!("a body is an object") };
    map
}

impl Books {
    fn new() -> Books {
        let mut company = Company::default();
        let mut create = |slug: &str, value: Value| {
            let op = op_of(slug, OpKind::Create).expect("a create");
            writes::create(&mut company, op, body(value)).expect("a new record")["id"].as_str().unwrap().to_owned()
        };
        let customers = (0..3).map(|n| create("customers", json!({"name": format!("Customer {n}")}))).collect();
        let vendors = (0..2).map(|n| create("vendors", json!({"name": format!("Vendor {n}")}))).collect();
        let bank = create("accounts", json!({"name": "Checking", "accountType": "bank"}));
        Books { company, customers, vendors, bank, made: Vec::new() }
    }

    /// The transaction picked by a number, of any of `kinds`.
    fn pick(&self, pick: usize, kinds: &[&str]) -> Option<(&'static str, String)> {
        let of_kind: Vec<&(&'static str, String)> = self.made.iter().filter(|(slug, _)| kinds.contains(slug)).collect();
        (!of_kind.is_empty()).then(|| of_kind[pick % of_kind.len()].clone())
    }

    fn applications(&self, applications: &[Applied], targets: &str, credits: &str) -> Vec<Value> {
        let mut out = Vec::new();
        for (pick, amount, credit) in applications {
            let Some((_, target)) = self.pick(*pick, &[targets]) else { continue };
            let mut application = json!({"transactionId": target, "paymentAmount": money(*amount)});
            if let Some((credit, applied)) = credit.and_then(|(p, a)| Some((self.pick(p, &[credits])?.1, a))) {
                application["applyCredits"] = json!([{"creditTransactionId": credit, "appliedAmount": money(applied)}]);
            }
            out.push(application);
        }
        out
    }

    /// The request a step makes: the resource, what is done, the record
    /// it is done to (empty for a create), and the body; `None` when it
    /// names nothing that exists yet.
    fn request(&self, step: &Step) -> Option<(&'static str, OpKind, String, Value)> {
        let line = |cents: i64| json!([{"description": "Work", "amount": money(cents)}]);
        let expense = |cents: i64| json!([{"amount": money(cents)}]);
        let customer = |n: usize| json!({"customerId": self.customers[n], "transactionDate": "2024-10-01"});
        let vendor = |n: usize| json!({"vendorId": self.vendors[n], "transactionDate": "2024-10-01"});
        let create = |slug, value| Some((slug, OpKind::Create, String::new(), value));
        match step {
            Step::Invoice { customer: n, cents } => create("invoices", with(customer(*n), "lines", line(*cents))),
            Step::CreditMemo { customer: n, cents } => {
                create("credit-memos", with(customer(*n), "lines", line(*cents)))
            }
            Step::Bill { vendor: n, cents } => create("bills", with(vendor(*n), "expenseLines", expense(*cents))),
            Step::VendorCredit { vendor: n, cents } => {
                create("vendor-credits", with(vendor(*n), "expenseLines", expense(*cents)))
            }
            Step::Payment { customer: n, total, applications } => {
                let apply = self.applications(applications, "invoices", "credit-memos");
                let body =
                    with(with(customer(*n), "totalAmount", json!(money(*total))), "applyToTransactions", json!(apply));
                create("receive-payments", body)
            }
            Step::BillPayment { vendor: n, applications } => {
                let apply = self.applications(applications, "bills", "vendor-credits");
                let body =
                    with(with(vendor(*n), "bankAccountId", json!(self.bank)), "applyToTransactions", json!(apply));
                create("bill-check-payments", body)
            }
            Step::Retotal { pick, total } => {
                let (slug, id) = self.pick(*pick, &["receive-payments"])?;
                Some((slug, OpKind::Update, id, json!({"totalAmount": money(*total)})))
            }
            Step::Reprice { pick, cents } => {
                let (slug, id) = self.pick(*pick, &["invoices"])?;
                let lines = json!({"lines": [{"id": "-1", "description": "Work", "amount": money(*cents)}]});
                Some((slug, OpKind::Update, id, lines))
            }
            Step::Void { pick } | Step::Delete { pick } => {
                let kinds =
                    ["invoices", "credit-memos", "bills", "vendor-credits", "receive-payments", "bill-check-payments"];
                let (slug, id) = self.pick(*pick, &kinds)?;
                let kind = if matches!(step, Step::Void { .. }) { OpKind::Void } else { OpKind::Delete };
                Some((slug, kind, id, Value::Null))
            }
        }
    }

    /// Carries out a step; what it refused, if anything.
    fn take(&mut self, step: &Step) -> Option<crate::failure::Failure> {
        let (slug, kind, id, mut value) = self.request(step)?;
        // Bill payments have no void.
        let op = op_of(slug, kind)?;
        if kind == OpKind::Update {
            if let Some(current) = self.company.get(slug, &id) {
                value["revisionNumber"] = current["revisionNumber"].clone();
            }
        }
        let company = &mut self.company;
        let done = match kind {
            OpKind::Create => writes::create(company, op, body(value)),
            OpKind::Update => writes::update(company, op, &id, body(value)),
            OpKind::Void => writes::void(company, op, &id),
            _ => writes::delete(company, op, &id),
        };
        match done {
            Ok(record) if kind == OpKind::Create => {
                self.made.push((slug, record["id"].as_str().unwrap_or_default().to_owned()));
                None
            }
            Ok(_) => None,
            Err(refusal) => Some(refusal),
        }
    }
}

/// `value` with `field` set.
fn with(mut value: Value, field: &str, set: Value) -> Value {
    value[field] = set;
    value
}

/// A check of the books that does not use the sandbox's own arithmetic:
/// every customer's and vendor's balance is what its open transactions, as
/// they read, add up to, and nothing is open below zero.
fn balances_add_up(books: &Books) -> Vec<String> {
    let company = &books.company;
    let amount = |record: &Value, field: &str| -> i64 {
        let text = record[field].as_str().unwrap_or("0.00");
        let (whole, cents) = text.trim_start_matches('-').split_once('.').unwrap_or((text, "00"));
        let value = whole.parse::<i64>().unwrap_or(0) * 100 + cents.parse::<i64>().unwrap_or(0);
        if text.starts_with('-') { -value } else { value }
    };
    let mut found = Vec::new();
    let sides = [
        (
            "customers",
            "customer",
            &books.customers,
            [
                ("invoices", "balanceRemaining", 1),
                ("credit-memos", "creditRemaining", -1),
                ("receive-payments", "unusedPayment", -1),
            ],
        ),
        (
            "vendors",
            "vendor",
            &books.vendors,
            [("bills", "openAmount", 1), ("vendor-credits", "openAmount", -1), ("bill-check-payments", "", -1)],
        ),
    ];
    for (entities, field, ids, parts) in sides {
        for id in ids {
            let mut total = 0;
            for (slug, open, sign) in parts {
                for record in company.records(slug).filter(|r| r[field]["id"] == id.as_str()) {
                    let left = match open {
                        // A bill payment's unapplied part: its amount less
                        // what it lists as applied.
                        "" => amount(record, "amount") - applied_by(company, record),
                        open => amount(record, open),
                    };
                    if left < 0 {
                        found.push(format!("{slug} {} is open below zero: {left}", record["id"]));
                    }
                    total += sign * left;
                }
            }
            let held = amount(company.get(entities, id).unwrap(), "balance");
            if held != total {
                found.push(format!("{entities} {id}: balance {held}, its transactions add up to {total}"));
            }
        }
    }
    found
}

/// What a bill payment pays of the bills it lists, from the bills' own
/// links to it.
fn applied_by(company: &Company, payment: &Value) -> i64 {
    let mut paid = 0;
    for bill in company.records("bills") {
        for link in bill["linkedTransactions"].as_array().into_iter().flatten().filter(|l| l["id"] == payment["id"]) {
            let text = link["amount"].as_str().unwrap_or("0.00").trim_start_matches('-');
            let (whole, cents) = text.split_once('.').unwrap_or((text, "00"));
            paid += whole.parse::<i64>().unwrap_or(0) * 100 + cents.parse::<i64>().unwrap_or(0);
        }
    }
    paid
}

/// How many sequences the property runs: `PROPTEST_CASES`, else 512.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|cases| cases.parse().ok()).unwrap_or(512)
}

#[test]
fn the_books_always_hold_and_a_refused_write_changes_nothing() {
    let (longest, steps_run, refused_steps) = (AtomicUsize::new(0), AtomicUsize::new(0), AtomicUsize::new(0));
    let mut runner = TestRunner::new(Config { cases: cases(), ..Config::default() });
    let result = runner.run(&prop::collection::vec(step(), 1..48), |steps| {
        let mut books = Books::new();
        longest.fetch_max(steps.len(), Ordering::Relaxed);
        for (n, step) in steps.iter().enumerate() {
            let before = books.company.fingerprint();
            let refused = books.take(step);
            steps_run.fetch_add(1, Ordering::Relaxed);
            if let Some(refusal) = &refused {
                refused_steps.fetch_add(1, Ordering::Relaxed);
                let after = books.company.fingerprint();
                prop_assert_eq!(
                    &after,
                    &before,
                    "step {} ({:?}) was refused ({}) but changed the books",
                    n,
                    step,
                    refusal.message
                );
            }
            let found = audit(&books.company);
            prop_assert!(found.is_empty(), "after step {} ({:?}): {:#?}", n, step, found);
            let found = balances_add_up(&books);
            prop_assert!(found.is_empty(), "after step {} ({:?}): {:#?}", n, step, found);
        }
        Ok(())
    });
    println!(
        "ledger property: {} cases, longest sequence {} steps; {} steps run, {} of them refused",
        cases(),
        longest.load(Ordering::Relaxed),
        steps_run.load(Ordering::Relaxed),
        refused_steps.load(Ordering::Relaxed)
    );
    if let Err(failure) = result {
        panic!("{failure}");
    }
}
