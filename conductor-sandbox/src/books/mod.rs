//! QuickBooks Desktop's side: each end-user's company file, its rules and
//! its books, as plain methods named for what QuickBooks does. Nothing here
//! knows of HTTP: a request comes in as an operation of the description
//! with its id, query pairs and body, already checked as Conductor checks
//! them, and goes out as a JSON value or a refusal in Conductor's form.
//!
//! - `store`: end-users, company files and listings; writes whole or
//!   nothing.
//! - `rules`: what QuickBooks refuses; `refusals`: its errors.
//! - `records`: bodies as records; `pricing`: a transaction's own lines and
//!   totals; `linking`: orders pulled into invoices, bills and receipts;
//!   `payments`: what a write applies to others.
//! - `ledger` and `effects`: what each record does to the others;
//!   `derive`: the fields QuickBooks computes from them.
//! - `writes`: create, update, delete and void, step by step.
//! - `filters`, `transactions`, `deletions`, `reports`, `seeding`.

mod deletions;
mod derive;
mod effects;
mod filters;
mod ids;
mod ledger;
#[cfg(test)]
mod ledger_properties;
mod linking;
mod money;
mod payments;
mod pricing;
mod records;
pub(crate) mod refusals;
mod reports;
mod rules;
mod seeding;
mod store;
mod transactions;
mod writes;

use serde_json::{Map, Value, json};

pub(crate) use self::ids::{random_suffix, timestamp, unix_now};
pub use self::store::ConnectionState;
pub(crate) use self::store::Store;
use crate::api::shape::conform;
use crate::catalog::ops_of;
use crate::failure::{Failure, Outcome};
use crate::schema::{Op, OpKind};

/// The most records a page holds, and what a page holds when `limit` is
/// not given.
const PAGE_LIMIT: usize = 150;

/// The deletions a company keeps, when `slug` lists them.
fn deletions_listed(company: &store::Company, slug: &str, pairs: &[(String, String)]) -> Option<Vec<Value>> {
    match slug {
        "deleted-transactions" => Some(deletions::listed(
            company.deleted_transactions(),
            company.unix_now(),
            "transactionType",
            "transactionTypes",
            pairs,
        )),
        "deleted-list-objects" => Some(deletions::listed(
            company.deleted_list_objects(),
            company.unix_now(),
            "listType",
            "objectTypes",
            pairs,
        )),
        _ => None,
    }
}

fn list_envelope(url: &str, data: Vec<Value>) -> Value {
    json!({"objectType": "list", "url": url, "data": data})
}

impl Store {
    /// What QuickBooks does with a request for an end-user's company file:
    /// `op`, on the record `id` (empty when the path names none), with the
    /// query's pairs and the body.
    pub(crate) fn qbd(
        &mut self,
        end_user: &str,
        op: &'static Op,
        id: &str,
        pairs: &[(String, String)],
        body: Map<String, Value>,
    ) -> Outcome {
        let not_found = || Failure::not_found(&rules::words(op.item).to_lowercase(), id);
        match op.kind {
            OpKind::Page | OpKind::Whole | OpKind::WholeWithMore => self.list(op, end_user, pairs),
            OpKind::Retrieve => self.company(end_user).get(op.slug(), id).cloned().ok_or_else(not_found),
            OpKind::Singleton => Ok(singleton(op)),
            OpKind::Report => Ok(reports::report(self.company(end_user), op, pairs)),
            OpKind::Create | OpKind::Update | OpKind::Delete | OpKind::Void => {
                let company = self.company_mut(end_user).ok_or_else(|| Failure::not_found("end-user", end_user))?;
                write(company, op, id, body)
            }
        }
    }

    fn list(&mut self, op: &'static Op, end_user: &str, pairs: &[(String, String)]) -> Outcome {
        let url = format!("/v1{}", op.path);
        let slug = op.slug();
        let company = self.company(end_user);
        if let Some(listed) = deletions_listed(company, slug, pairs) {
            return Ok(list_envelope(&url, listed));
        }
        let cursor = pairs.iter().find(|(k, _)| k == "cursor").map(|(_, v)| v.as_str());
        if cursor.is_none() {
            rules::query_names_exist(company, slug, pairs)?;
        }
        let filters = filters::Filters::parse(pairs);
        let selected = |company: &store::Company| -> Vec<String> {
            (company.ids(slug).zip(company.records(slug)))
                .filter(|(id, record)| {
                    let behind =
                        (slug == transactions::TRANSACTIONS).then(|| company.find(id).map(|(_, r)| r)).flatten();
                    filters.matches_with(record, behind)
                })
                .map(|(id, _)| id.clone())
                .collect()
        };
        let answered = |store: &Store, ids: &[String]| -> Vec<Value> {
            let company = store.company(end_user);
            ids.iter().filter_map(|id| company.get(slug, id)).map(|record| filters.shape(record.clone())).collect()
        };
        if op.kind != OpKind::Page {
            // A list without a cursor answers at most `limit` records, and
            // the rest cannot be fetched, as the description says.
            let mut ids = selected(company);
            if let Some(limit) = pairs.iter().find(|(k, _)| k == "limit").and_then(|(_, v)| v.parse::<usize>().ok()) {
                ids.truncate(limit);
            }
            let mut envelope = list_envelope(&url, answered(self, &ids));
            if op.kind == OpKind::WholeWithMore {
                envelope["hasMore"] = json!(false);
                envelope["nextCursor"] = Value::Null;
                envelope["remainingCount"] = json!(0);
            }
            return Ok(envelope);
        }
        let limit = pairs.iter().find(|(k, _)| k == "limit").and_then(|(_, v)| v.parse().ok()).unwrap_or(PAGE_LIMIT);
        let page = self.page(cursor, (end_user, slug), limit.clamp(1, PAGE_LIMIT), selected)?;
        Ok(json!({
            "objectType": "list",
            "url": url,
            "data": answered(self, &page.ids),
            "nextCursor": page.cursor,
            "hasMore": page.cursor.is_some(),
            "remainingCount": page.remaining,
        }))
    }

    /// Adds `count` seeded invoices for an end-user; their ids.
    pub(crate) fn seed_invoices(&mut self, end_user: &str, count: usize) -> Result<Vec<String>, Failure> {
        let company = self.company_mut(end_user).ok_or_else(|| Failure::not_found("end-user", end_user))?;
        let first = company.records("invoices").count() as u64 + 1;
        (first..first + count as u64).map(|n| company.seed_invoice(n)).collect()
    }

    /// Stores a record as QuickBooks already holds it.
    pub(crate) fn insert(&mut self, end_user: &str, resource: &str, record: Value) -> Result<String, Failure> {
        let op = ops_of(resource).next().ok_or_else(|| Failure::not_found("resource", resource))?;
        let company = self.company_mut(end_user).ok_or_else(|| Failure::not_found("end-user", end_user))?;
        writes::insert(company, op, record)
    }

    /// Deletes a list object as someone working in QuickBooks would.
    pub(crate) fn delete_list_object(&mut self, end_user: &str, resource: &str, id: &str) -> Result<Value, Failure> {
        let op = ops_of(resource).next().ok_or_else(|| Failure::not_found("resource", resource))?;
        let company = self.company_mut(end_user).ok_or_else(|| Failure::not_found("end-user", end_user))?;
        writes::delete_list_object(company, op.slug(), id)
    }

    /// Every computed field of an end-user's company file that differs from
    /// what the ledger says it is.
    pub(crate) fn audit(&self, end_user: &str) -> Vec<String> {
        derive::audit(self.company(end_user))
    }
}

/// A write of `op` to a company file.
fn write(company: &mut store::Company, op: &'static Op, id: &str, body: Map<String, Value>) -> Outcome {
    match op.kind {
        OpKind::Create => writes::create(company, op, body),
        OpKind::Update => writes::update(company, op, id, body),
        OpKind::Delete => {
            let record = writes::delete(company, op, id)?;
            Ok(conform(op.record, json!({"id": id, "deleted": true, "refNumber": record.get("refNumber")})))
        }
        _ => {
            let record = writes::void(company, op, id)?;
            let confirmation = json!({
                "id": id,
                "voided": true,
                "refNumber": record.get("refNumber"),
                "createdAt": record.get("createdAt"),
                "updatedAt": record.get("updatedAt"),
            });
            Ok(conform(op.record, confirmation))
        }
    }
}

/// The one value of company, preferences and health check.
fn singleton(op: &Op) -> Value {
    let known = match op.record {
        "HealthCheck" => json!({"status": "ok", "duration": 12.0}),
        "Company" => json!({"companyName": "Sandbox Company", "legalCompanyName": "Sandbox Company LLC"}),
        _ => json!({}),
    };
    conform(op.record, known)
}
