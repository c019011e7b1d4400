//! What QuickBooks does with a write, step by step: its rules first (a
//! refusal stores nothing), then the record as QuickBooks keeps it, then
//! the bookkeeping the write causes.

use serde_json::{Map, Value, json};

use super::ids::{now, record_id, revision};
use super::records::{ASSIGNED, from_body, name_references, rename_references};
use super::reply::{Reply, not_found};
use super::shape::conform;
use super::store::Company;
use super::transactions::{index_transaction, is_transaction, unindex_transaction};
use super::{Op, deletions, ledger, rules};

/// The record of `op`'s resource with this id, or Conductor's 404.
fn existing<'a>(company: &'a Company, op: &Op, id: &str) -> Result<&'a Value, Reply> {
    company.get(op.slug(), id).ok_or_else(|| not_found(&rules::words(op.item).to_lowercase(), id))
}

/// A payment's applications: those the body gives, or for a received
/// payment with `isAutoApply`, those QuickBooks picks; checked as
/// QuickBooks checks them.
fn applications(
    company: &Company,
    op: &Op,
    body: &Value,
    record: &Map<String, Value>,
    own: Option<&str>,
) -> Result<Option<Vec<super::store::Application>>, Reply> {
    let slug = op.slug();
    if !ledger::is_payment(slug) {
        return Ok(None);
    }
    let payer_field = if slug == "receive-payments" { "customer" } else { "vendor" };
    let payer = record.get(payer_field).and_then(|payer| payer["id"].as_str());
    let total = record.get("totalAmount").and_then(ledger::decimal).filter(|_| slug == "receive-payments");
    let applications = match ledger::applications(body) {
        Some(applications) => Some(applications),
        None if body["isAutoApply"] == true => {
            Some(ledger::auto_apply(company, payer.unwrap_or_default(), total.unwrap_or_default()))
        }
        None => None,
    };
    if let Some(applications) = &applications {
        ledger::check_applications(company, slug, payer, applications, total, own)?;
    }
    Ok(applications)
}

/// The checks every write of a record makes once it is put together: its
/// place in its hierarchy, a name no other record of its name space has,
/// totals that add up, and lines for a transaction.
fn finish(company: &Company, op: &Op, record: &mut Value, own: Option<&str>) -> Result<(), Reply> {
    let slug = op.slug();
    let Value::Object(fields) = record else { return Ok(()) };
    rules::place_in_hierarchy(company, slug, fields);
    if fields.get("fullName").is_some_and(Value::is_null) {
        if let Some(name) = fields.get("name").cloned() {
            fields.insert("fullName".into(), name);
        }
    }
    if let Some(name) = fields.get("name").and_then(Value::as_str) {
        let known = fields.get("fullName").and_then(Value::as_str).unwrap_or(name);
        rules::name_is_free(company, slug, known, own)?;
    }
    ledger::add_up(fields);
    if is_transaction(slug) {
        rules::not_empty(op, fields)?;
    }
    name_references(company, record);
    Ok(())
}

/// A record created over HTTP, after QuickBooks' rules.
pub(crate) fn create(company: &mut Company, op: &'static Op, mut body: Map<String, Value>) -> Result<Value, Reply> {
    for assigned in ASSIGNED {
        body.remove(*assigned);
    }
    let mut body = Value::Object(body);
    rules::references_exist(company, op, &body)?;
    let slug = op.slug();
    if slug == "inventory-adjustments" {
        ledger::adjust_to_differences(company, None, &mut body);
    }
    let mut fields = from_body(body.as_object().cloned().unwrap_or_default());
    // An employee is named after their first, middle and last names.
    if slug == "employees" && !fields.contains_key("name") {
        let parts: Vec<&str> =
            ["firstName", "middleName", "lastName"].iter().filter_map(|part| fields.get(*part)?.as_str()).collect();
        if !parts.is_empty() {
            fields.insert("name".into(), json!(parts.join(" ")));
        }
    }
    let applications = applications(company, op, &body, &fields, None)?;
    if !fields.get("refNumber").is_some_and(Value::is_string) {
        if let Some(number) = rules::next_ref_number(company, slug) {
            fields.insert("refNumber".into(), json!(number));
        }
    }
    let n = company.next();
    let id = record_id(n);
    let stamp = now();
    fields.insert("id".into(), json!(id));
    fields.insert("createdAt".into(), json!(stamp));
    fields.insert("updatedAt".into(), json!(stamp));
    fields.insert("revisionNumber".into(), json!(revision(n)));
    let mut record = conform(op.item, Value::Object(fields));
    finish(company, op, &mut record, None)?;
    company.put(slug, record);
    settle_new(company, op, &id, &body, applications);
    Ok(company.get(slug, &id).cloned().unwrap_or_default())
}

/// Stores a record as given, filling in what QuickBooks assigns, without
/// QuickBooks' checks: how a test seeds the sandbox with what QuickBooks
/// already holds. Returns its id.
pub(crate) fn insert(company: &mut Company, op: &'static Op, record: Value) -> String {
    let n = company.next();
    let mut fields = match record {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    let id = match fields.get("id") {
        Some(Value::String(id)) if !id.is_empty() => id.clone(),
        _ => record_id(n),
    };
    let stamp = now();
    fields.insert("id".into(), json!(id));
    fields.entry("createdAt").or_insert_with(|| json!(stamp));
    fields.entry("updatedAt").or_insert_with(|| json!(stamp));
    fields.entry("revisionNumber").or_insert_with(|| json!(revision(n)));
    let mut record = conform(op.item, Value::Object(fields));
    if let Value::Object(fields) = &mut record {
        if fields.get("fullName").is_some_and(Value::is_null) {
            if let Some(name) = fields.get("name").cloned() {
                fields.insert("fullName".into(), name);
            }
        }
        ledger::add_up(fields);
    }
    name_references(company, &mut record);
    // A transaction as `/transactions` lists it is kept under its
    // transaction's id.
    if op.slug() == super::transactions::TRANSACTIONS {
        let key = record["transactionId"].as_str().unwrap_or(&id).to_owned();
        company.put_view(super::transactions::TRANSACTIONS, &key, record);
        return key;
    }
    let body = record.clone();
    company.put(op.slug(), record);
    settle_new(company, op, &id, &body, None);
    id
}

/// The bookkeeping a new record causes: a transaction's effects, and a
/// list object's opening balance or quantity.
fn settle_new(
    company: &mut Company,
    op: &'static Op,
    id: &str,
    body: &Value,
    applications: Option<Vec<super::store::Application>>,
) {
    let slug = op.slug();
    if is_transaction(slug) {
        if let Some(record) = company.get(slug, id).cloned() {
            index_transaction(company, slug, &record);
        }
        ledger::post(company, slug, id, applications);
    } else {
        ledger::open(company, slug, id, body);
    }
}

/// An update: only with the record's current revision number; the fields
/// it sends replace the record's, and the rules and the bookkeeping follow.
pub(crate) fn update(
    company: &mut Company,
    op: &'static Op,
    id: &str,
    body: Map<String, Value>,
) -> Result<Value, Reply> {
    let slug = op.slug();
    let current = existing(company, op, id)?;
    rules::revision_is_current(body.get("revisionNumber"), &current["revisionNumber"])?;
    let mut body = Value::Object(body);
    rules::references_exist(company, op, &body)?;
    if slug == "inventory-adjustments" {
        ledger::adjust_to_differences(company, Some(id), &mut body);
    }
    let changes = from_body(body.as_object().cloned().unwrap_or_default());
    let Value::Object(mut fields) = current.clone() else { return Err(not_found(slug, id)) };
    let old_name = fields.get("fullName").cloned();
    let old_parent = fields.get("parent").cloned();
    for (name, value) in changes {
        // What QuickBooks assigns stays as it assigned it.
        if !ASSIGNED.contains(&name.as_str()) {
            fields.insert(name, value);
        }
    }
    rules::parent_is_above(company, op, id, &fields)?;
    let applications = applications(company, op, &body, &fields, Some(id))?;
    let n = company.next();
    fields.insert("revisionNumber".into(), json!(revision(n)));
    fields.insert("updatedAt".into(), json!(now()));
    let mut record = conform(op.item, Value::Object(fields));
    finish(company, op, &mut record, Some(id))?;
    let renamed = record.get("fullName") != old_name.as_ref();
    let moved = record.get("parent") != old_parent.as_ref();
    company.put(slug, record);
    if renamed {
        rename(company, slug, id);
    }
    if moved && slug == "customers" {
        ledger::recount_totals(company);
    }
    if is_transaction(slug) {
        if let Some(record) = company.get(slug, id).cloned() {
            index_transaction(company, slug, &record);
        }
        ledger::post(company, slug, id, applications);
    }
    Ok(company.get(slug, id).cloned().unwrap_or_default())
}

/// After a record's full name changed: its descendants' full names follow
/// (`Acme:Roof` becomes `Acme Corp:Roof`), and every reference to them
/// shows the new names, as QuickBooks resolves references when it answers.
fn rename(company: &mut Company, slug: &'static str, id: &str) {
    let mut moved = vec![id.to_owned()];
    for child in rules::descendants(company, slug, id) {
        if let Some(mut record) = company.get(slug, &child).cloned() {
            if let Value::Object(fields) = &mut record {
                rules::place_in_hierarchy(company, slug, fields);
            }
            company.put(slug, record);
            moved.push(child);
        }
    }
    rename_references(company, &moved);
}

/// A deleted transaction: gone from its lists, its bookkeeping undone, and
/// listed in `/deleted-transactions`.
pub(crate) fn delete(company: &mut Company, op: &'static Op, id: &str) -> Result<Value, Reply> {
    let slug = op.slug();
    existing(company, op, id)?;
    let record = company.take(slug, id).unwrap_or_default();
    unindex_transaction(company, slug, id);
    ledger::unpost(company, id);
    deletions::record_deleted_transaction(company, slug, &record);
    Ok(record)
}

/// A void, as QuickBooks does it: the transaction stays, its amounts become
/// zero and its memo says `VOID:`, and it no longer settles or is settled
/// by anything.
pub(crate) fn void(company: &mut Company, op: &'static Op, id: &str) -> Result<Value, Reply> {
    let slug = op.slug();
    let Value::Object(mut fields) = existing(company, op, id)?.clone() else { return Err(not_found(slug, id)) };
    for lines in ["lines", "expenseLines", "itemLines", "depositLines"] {
        for line in fields.get_mut(lines).and_then(Value::as_array_mut).into_iter().flatten() {
            for amount in ["amount", "quantity"] {
                if line.get(amount).is_some_and(|value| !value.is_null()) {
                    line[amount] = if amount == "amount" { json!("0.00") } else { json!(0) };
                }
            }
        }
    }
    ledger::add_up(&mut fields);
    for amount in ["salesTaxTotal", "totalAmount", "amount", "amountDue", "creditAmount", "subtotal"] {
        if fields.get(amount).is_some_and(|value| !value.is_null()) {
            fields.insert(amount.into(), json!("0.00"));
        }
    }
    if let Some(memo) = fields.get_mut("memo") {
        let before = memo.as_str().unwrap_or_default();
        *memo = json!(format!("VOID: {before}").trim_end());
    }
    let n = company.next();
    fields.insert("revisionNumber".into(), json!(revision(n)));
    fields.insert("updatedAt".into(), json!(now()));
    let record = Value::Object(fields);
    company.put(slug, record.clone());
    index_transaction(company, slug, &record);
    ledger::void(company, slug, id);
    Ok(company.get(slug, id).cloned().unwrap_or_default())
}
