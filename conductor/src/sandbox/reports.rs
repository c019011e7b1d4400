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

use super::Op;
use super::ledger::{decimal, money};
use super::shape::conform;
use super::store::Company;

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
    /// The open transactions of this side: resource, the field with what is
    /// open, its sign, and the field naming who owes or is owed.
    fn open_fields(self) -> &'static [(&'static str, &'static str, i64, &'static str)] {
        match self {
            Side::Receivable => &[
                ("invoices", "balanceRemaining", 1, "customer"),
                ("credit-memos", "creditRemaining", -1, "customer"),
                ("receive-payments", "unusedPayment", -1, "customer"),
            ],
            Side::Payable => &[("bills", "openAmount", 1, "vendor"), ("vendor-credits", "openAmount", -1, "vendor")],
        }
    }

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

/// One row per open transaction of a side, oldest first, then their total.
fn open_rows(company: &Company, side: Side) -> Vec<Value> {
    let mut rows = Vec::new();
    let mut total = Decimal::ZERO;
    for (slug, field, sign, who) in side.open_fields() {
        for record in company.records(slug) {
            let open = decimal(&record[*field]).unwrap_or_default();
            if open <= Decimal::ZERO || company.ledger.is_voided(record["id"].as_str().unwrap_or_default()) {
                continue;
            }
            let amount = open * Decimal::from(*sign);
            total += amount;
            let cells = [
                record[*who]["fullName"].clone(),
                record["refNumber"].clone(),
                record["dueDate"].clone(),
                money(amount),
            ];
            let kind = super::transactions::transaction_type(slug).unwrap_or_default();
            rows.push(data_row(rows.len() + 2, kind, &record["id"], &cells));
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
    use crate::sandbox::table::OPERATIONS;

    #[test]
    fn an_aging_lists_what_is_open_and_its_total() {
        let mut company = Company::default();
        for (id, customer, balance) in [("i1", "Ann", "10.00"), ("i2", "Bob", "5.50"), ("i3", "Cy", "0.00")] {
            company.put(
                "invoices",
                json!({"id": id, "customer": {"id": "c", "fullName": customer}, "balanceRemaining": balance, "refNumber": id}),
            );
        }
        company.put(
            "credit-memos",
            json!({"id": "m1", "customer": {"id": "c", "fullName": "Ann"}, "creditRemaining": "2.00"}),
        );
        let aging = OPERATIONS.iter().find(|op| op.path.ends_with("/reports/aging")).unwrap();
        let pairs = [("reportType".to_owned(), "ar_aging_detail".to_owned())];
        let report = report(&company, aging, &pairs);
        let rows = report["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 4);
        assert_eq!(rows[0]["cells"][0]["value"], "Ann");
        assert_eq!(rows[1]["cells"][3]["value"], "5.50");
        assert_eq!(rows[2]["cells"][3]["value"], "-2.00");
        assert_eq!(rows[3]["kind"], "total");
        assert_eq!(rows[3]["cells"][3]["value"], "13.50");
        assert_eq!((report["category"].as_str(), report["objectType"].as_str()), (Some("aging"), Some("qbd_report")));
        assert_eq!(report["title"], "Ar Aging Detail");
    }
}
