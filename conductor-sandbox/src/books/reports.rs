//! Reports as the sandbox answers them: the report shape Conductor sends,
//! with rows from the company's books where a report summarizes what
//! customers or vendors owe, and no rows otherwise. They read the same
//! ledger as the records: an invoice's `balanceRemaining`, a credit's
//! unused amount, a customer's `balance`.
//!
//! - What customers owe, transaction by transaction (`ar_aging_detail`,
//!   `open_invoices`, `customer_balance_detail`, `collections_report`):
//!   every invoice with a balance, and every credit memo or payment with
//!   credit left, as a negative amount; then the total.
//! - Customer by customer (`ar_aging_summary`, `customer_balance_summary`):
//!   each customer or job with a balance; then the total.
//! - What is owed to vendors, the same two ways (`ap_aging_detail`,
//!   `unpaid_bills_detail`, `vendor_balance_detail`; `ap_aging_summary`,
//!   `vendor_balance_summary`).

use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::derive::open_amount;
use super::money::{decimal, money};
use super::rules::words;
use super::store::Company;
use super::transactions::transaction_type;
use crate::api::shape::conform;
use crate::catalog::record_type_of;
use crate::schema::Op;

/// The columns of a detail report: id, type, title.
const DETAIL: &[(&str, &str, &str)] = &[
    ("1", "name", "Name"),
    ("2", "ref_number", "Num"),
    ("3", "due_date", "Due Date"),
    ("4", "open_balance", "Open Balance"),
];

const SUMMARY: &[(&str, &str, &str)] = &[("1", "name", "Name"), ("2", "total", "Total")];

/// Which side of the books a report reads.
#[derive(Clone, Copy)]
enum Side {
    Receivable,
    Payable,
}

impl Side {
    fn names(self) -> &'static str {
        match self {
            Side::Receivable => "customers",
            Side::Payable => "vendors",
        }
    }
}

pub(crate) fn report(company: &Company, op: &Op, pairs: &[(String, String)]) -> Value {
    let report_type = pairs.iter().find(|(key, _)| key == "reportType").map_or("", |(_, value)| value.as_str());
    let category = op.path.rsplit('/').next().unwrap_or_default().replace('-', "_");
    let title: Vec<String> = (report_type.split('_'))
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
        })
        .collect();
    let title = title.join(" ");
    let (columns, rows) = match report_type {
        "ar_aging_detail" | "open_invoices" | "customer_balance_detail" | "collections_report" => {
            (DETAIL, open_rows(company, Side::Receivable))
        }
        "ar_aging_summary" | "customer_balance_summary" => (SUMMARY, balance_rows(company, Side::Receivable)),
        "ap_aging_detail" | "unpaid_bills_detail" | "vendor_balance_detail" => {
            (DETAIL, open_rows(company, Side::Payable))
        }
        "ap_aging_summary" | "vendor_balance_summary" => (SUMMARY, balance_rows(company, Side::Payable)),
        _ => (&[][..], Vec::new()),
    };
    let columns: Vec<Value> = (columns.iter())
        .map(|(id, kind, title)| {
            json!({"columnId": id, "columnType": kind, "dataType": null, "titles": [{"rowNumber": 1, "value": title}]})
        })
        .collect();
    let report = json!({
        "reportType": report_type,
        "category": category,
        "title": title,
        "subtitle": "All Transactions",
        "basis": "accrual",
        "columnCount": columns.len(),
        "columnTitleRowCount": 1,
        "rowCount": rows.len(),
        "columns": columns,
        "rows": rows,
    });
    conform(op.record, report)
}

/// One row per open amount of a side, customer by customer (or vendor by
/// vendor): its opening balance, each transaction with something open, and
/// each journal entry line on its account; then their total, which is the
/// sum of their balances.
fn open_rows(company: &Company, side: Side) -> Vec<Value> {
    let mut rows = Vec::new();
    let mut total = Decimal::ZERO;
    for entity in company.records(side.names()) {
        let Some(entity_id) = entity["id"].as_str() else { continue };
        let name = entity.get("fullName").filter(|n| n.is_string()).unwrap_or(&entity["name"]).clone();
        for (by, effects) in company.ledger().touching(entity_id) {
            let Some((slug, record)) = company.find(by) else { continue };
            let fixed: Decimal = effects.owes.iter().filter(|(id, _)| id == entity_id).map(|(_, amount)| *amount).sum();
            let open = match effects.entity.as_deref() == Some(entity_id) {
                true => open_amount(company, slug, by, record, &words(record_type_of(slug))).unwrap_or_default(),
                false => Decimal::ZERO,
            };
            let amount = fixed + open;
            if amount.is_zero() {
                continue;
            }
            total += amount;
            let kind = if by == entity_id { "opening_balance" } else { transaction_type(slug).unwrap_or_default() };
            let cells = [name.clone(), record["refNumber"].clone(), record["dueDate"].clone(), money(amount)];
            rows.push(data_row(rows.len() + 2, kind, &json!(by), &cells));
        }
    }
    rows.push(total_row(rows.len() + 2, &["TOTAL".into(), Value::Null, Value::Null, money(total)]));
    rows
}

/// One row per customer (and job) or vendor with a balance, then the total.
fn balance_rows(company: &Company, side: Side) -> Vec<Value> {
    let mut rows = Vec::new();
    let mut total = Decimal::ZERO;
    for record in company.records(side.names()) {
        let balance = decimal(&record["balance"]).unwrap_or_default();
        if balance.is_zero() {
            continue;
        }
        total += balance;
        let name = record.get("fullName").filter(|n| n.is_string()).unwrap_or(&record["name"]).clone();
        let kind = if matches!(side, Side::Receivable) { "customer" } else { "vendor" };
        rows.push(data_row(rows.len() + 2, kind, &name, &[name.clone(), money(balance)]));
    }
    rows.push(total_row(rows.len() + 2, &["TOTAL".into(), money(total)]));
    rows
}

fn cells(values: &[Value]) -> Vec<Value> {
    (values.iter().enumerate())
        .map(|(i, value)| json!({"columnId": (i + 1).to_string(), "dataType": null, "value": value}))
        .collect()
}

fn data_row(number: usize, kind: &str, value: &Value, values: &[Value]) -> Value {
    json!({
        "kind": "data",
        "rowNumber": number,
        "rowDescriptor": {"type": kind, "value": value},
        "cells": cells(values),
    })
}

fn total_row(number: usize, values: &[Value]) -> Value {
    json!({"kind": "total", "rowNumber": number, "rowDescriptor": null, "cells": cells(values)})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::OPERATIONS;

    fn create(company: &mut Company, slug: &str, body: Value) -> String {
        let op = crate::catalog::op_of(slug, crate::schema::OpKind::Create).unwrap();
        let Value::Object(body) = body else { unreachable!() };
        super::super::writes::create(company, op, body).unwrap()["id"].as_str().unwrap().to_owned()
    }

    #[test]
    fn the_detail_and_the_summary_agree_with_the_balances() {
        let mut company = Company::default();
        let ann = create(&mut company, "customers", json!({"name": "Ann", "openingBalance": "20.00"}));
        let bob = create(&mut company, "customers", json!({"name": "Bob"}));
        for (customer, amount) in [(&ann, "10.00"), (&bob, "5.50")] {
            let line = json!([{"description": "Work", "amount": amount}]);
            create(
                &mut company,
                "invoices",
                json!({"customerId": customer, "transactionDate": "2024-10-01", "lines": line}),
            );
        }
        let line = json!([{"description": "Refund", "amount": "2.00"}]);
        create(
            &mut company,
            "credit-memos",
            json!({"customerId": ann, "transactionDate": "2024-10-02", "lines": line}),
        );
        let aging = OPERATIONS.iter().find(|op| op.path.ends_with("/reports/aging")).unwrap();
        let rows = |kind: &str| {
            let report = report(&company, aging, &[("reportType".to_owned(), kind.to_owned())]);
            report["rows"].as_array().unwrap().clone()
        };
        let detail = rows("ar_aging_detail");
        let amounts: Vec<&str> = detail.iter().map(|row| row["cells"][3]["value"].as_str().unwrap()).collect();
        assert_eq!(amounts, ["20.00", "10.00", "-2.00", "5.50", "33.50"]);
        assert_eq!(detail[0]["rowDescriptor"]["type"], "opening_balance");
        let summary = rows("ar_aging_summary");
        let totals: Vec<&str> = summary.iter().map(|row| row["cells"][1]["value"].as_str().unwrap()).collect();
        assert_eq!(totals, ["28.00", "5.50", "33.50"]);
        let report = report(&company, aging, &[("reportType".to_owned(), "ar_aging_detail".to_owned())]);
        assert_eq!((report["category"].as_str(), report["objectType"].as_str()), (Some("aging"), Some("qbd_report")));
        assert_eq!(report["title"], "Ar Aging Detail");
    }
}
