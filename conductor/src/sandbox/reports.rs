//! Reports as the sandbox answers them: the report shape Conductor sends,
//! with rows from the records the sandbox holds where a report summarizes
//! them (what customers owe on open invoices: the accounts-receivable
//! agings, open invoices and customer balances), and no rows otherwise.

use serde_json::{Value, json};

use super::shape::conform;
use super::store::Store;
use super::{Op, ops_of};

/// The columns of an accounts-receivable aging: id, type, title.
const AGING_DETAIL: &[(&str, &str, &str)] = &[
    ("1", "customer", "Customer"),
    ("2", "ref_number", "Num"),
    ("3", "due_date", "Due Date"),
    ("4", "open_balance", "Open Balance"),
];

const AGING_SUMMARY: &[(&str, &str, &str)] = &[("1", "customer", "Customer"), ("2", "total", "Total")];

impl Store {
    pub(crate) fn report(&self, op: &Op, end_user: &str, pairs: &[(String, String)]) -> Value {
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
            // What customers owe: invoice by invoice, or customer by customer.
            "ar_aging_detail" | "open_invoices" | "customer_balance_detail" => {
                (AGING_DETAIL, self.open_invoice_rows(end_user))
            }
            "ar_aging_summary" | "customer_balance_summary" => (AGING_SUMMARY, self.balance_by_customer_rows(end_user)),
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

    /// The invoices with a balance left, as QuickBooks keeps them.
    fn open_invoices(&self, end_user: &str) -> Vec<&Value> {
        let Some(invoices) = ops_of("invoices").next() else { return Vec::new() };
        (self.records_of(end_user, invoices).iter())
            .filter(|invoice| balance(invoice) > 0.0 && !invoice["isPaid"].as_bool().unwrap_or(false))
            .collect()
    }

    /// One row per open invoice, then their total.
    fn open_invoice_rows(&self, end_user: &str) -> Vec<Value> {
        let open = self.open_invoices(end_user);
        let mut rows: Vec<Value> = (open.iter().enumerate())
            .map(|(i, invoice)| {
                let cells = [
                    invoice["customer"]["fullName"].clone(),
                    invoice["refNumber"].clone(),
                    invoice["dueDate"].clone(),
                    json!(format!("{:.2}", balance(invoice))),
                ];
                data_row(i + 2, "invoice", &invoice["id"], &cells)
            })
            .collect();
        let total: f64 = open.iter().map(|invoice| balance(invoice)).sum();
        rows.push(total_row(rows.len() + 2, &["TOTAL".into(), Value::Null, Value::Null, json!(format!("{total:.2}"))]));
        rows
    }

    /// One row per customer with open invoices, with what they owe, then
    /// the total.
    fn balance_by_customer_rows(&self, end_user: &str) -> Vec<Value> {
        let mut owed: Vec<(String, f64)> = Vec::new();
        for invoice in self.open_invoices(end_user) {
            let customer = invoice["customer"]["fullName"].as_str().unwrap_or_default().to_owned();
            match owed.iter_mut().find(|(name, _)| *name == customer) {
                Some((_, sum)) => *sum += balance(invoice),
                None => owed.push((customer, balance(invoice))),
            }
        }
        let total: f64 = owed.iter().map(|(_, sum)| sum).sum();
        let mut rows: Vec<Value> = (owed.iter().enumerate())
            .map(|(i, (customer, sum))| {
                data_row(i + 2, "customer", &json!(customer), &[json!(customer), json!(format!("{sum:.2}"))])
            })
            .collect();
        rows.push(total_row(rows.len() + 2, &["TOTAL".into(), json!(format!("{total:.2}"))]));
        rows
    }
}

fn balance(invoice: &Value) -> f64 {
    invoice["balanceRemaining"].as_str().and_then(|text| text.parse().ok()).unwrap_or(0.0)
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

    #[test]
    fn an_aging_lists_each_open_invoice_and_their_total() {
        let mut store = Store::default();
        let invoices = ops_of("invoices").next().unwrap();
        for (customer, balance, paid) in [("Ann", "10.00", false), ("Bob", "5.50", false), ("Cy", "7.00", true)] {
            let invoice = json!({
                "customer": {"id": "1", "fullName": customer},
                "subtotal": balance,
                "balanceRemaining": balance,
                "isPaid": paid,
                "lines": [{"amount": balance}],
            });
            store.insert("u", invoices, invoice);
        }
        let aging = super::super::table::OPERATIONS.iter().find(|op| op.path.ends_with("/reports/aging")).unwrap();
        let pairs = [("reportType".to_owned(), "ar_aging_detail".to_owned())];
        let report = store.report(aging, "u", &pairs);
        let rows = report["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0]["cells"][0]["value"], "Ann");
        assert_eq!(rows[1]["cells"][3]["value"], "5.50");
        assert_eq!(rows[2]["kind"], "total");
        assert_eq!(rows[2]["cells"][3]["value"], "15.50");
        assert_eq!((report["category"].as_str(), report["objectType"].as_str()), (Some("aging"), Some("qbd_report")));
        assert_eq!(report["title"], "Ar Aging Detail");
    }
}
