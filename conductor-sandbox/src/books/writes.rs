//! What QuickBooks does with a write, step by step, whole or not at all:
//! its rules first, then the record as QuickBooks keeps it (linked lines
//! pulled in, lines priced, totals and tax worked out), then what the
//! record does to the others (its effects), then every computed field the
//! write changes, worked out again from the ledger. A refusal at any step,
//! or a failure, leaves the company file as it was.

use std::collections::BTreeSet;

use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use super::derive::settle;
use super::effects::{Stated, components, effects_of};
use super::ids::{record_id, revision};
use super::ledger::Application;
use super::linking::{Links, link};
use super::money::{Checked, decimal, field, input, quantity};
use super::pricing::price_transaction;
use super::records::{
    ASSIGNED, NEW_LINE, from_body, money_in_cents, name_references, ref_id, rename_references, with_defaults,
};
use super::refusals;
use super::rules::{self, words};
use super::store::Company;
use super::{deletions, payments};
use crate::api::shape::conform;
use crate::failure::Failure;
use crate::schema::Op;

/// The record of `op`'s resource with this id, or Conductor's 404.
fn existing<'a>(company: &'a Company, op: &Op, id: &str) -> Result<&'a Value, Failure> {
    company.get(op.slug(), id).ok_or_else(|| Failure::not_found(&words(op.item).to_lowercase(), id))
}

/// The record being written as QuickBooks will keep it: its own fields
/// worked out (linked lines, prices, totals, an assembly's build).
fn work_out(
    company: &Company,
    op: &Op,
    body: &Value,
    fields: &mut Map<String, Value>,
    own: Option<&str>,
) -> Result<Links, Failure> {
    let (slug, object) = (op.slug(), words(op.item));
    // An employee is named after their first, middle and last names.
    if slug == "employees" && !fields.contains_key("name") {
        let parts: Vec<&str> =
            ["firstName", "middleName", "lastName"].iter().filter_map(|part| fields.get(*part)?.as_str()).collect();
        if !parts.is_empty() {
            fields.insert("name".into(), json!(parts.join(" ")));
        }
    }
    if slug == "inventory-adjustments" {
        adjust_to_differences(company, own, fields, &object)?;
    }
    let links = match own {
        None => link(company, slug, &object, body, fields)?,
        Some(_) => Links::default(),
    };
    price_transaction(company, slug, &object, fields)?;
    if slug == "build-assemblies" {
        assemble(company, body, fields, &object)?;
    }
    Ok(links)
}

/// The checks every write of a record makes once it is put together: its
/// place in its hierarchy, a name no other record of its name space has,
/// lines for a transaction, a journal entry in balance; then its
/// references are named.
fn finish(company: &Company, op: &Op, record: &mut Value, own: Option<&str>) -> Result<(), Failure> {
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
    if super::transactions::is_transaction(slug) {
        rules::not_empty(op, fields)?;
    }
    if slug == "journal-entries" {
        rules::journal_balances(company, fields)?;
    }
    name_references(company, record);
    Ok(())
}

/// A record created over HTTP, after QuickBooks' rules.
pub(crate) fn create(company: &mut Company, op: &'static Op, body: Map<String, Value>) -> Result<Value, Failure> {
    company.atomically(|company| {
        let mut body = Value::Object(body);
        if let Some(node) = op.body {
            money_in_cents(node, &mut body);
            with_defaults(node, &mut body);
        }
        if let Value::Object(map) = &mut body {
            ASSIGNED.iter().for_each(|assigned| drop(map.remove(*assigned)));
        }
        rules::references_exist(company, op, &body)?;
        rules::body_rules(op, &body, None)?;
        let mut fields = from_body(body.as_object().cloned().unwrap_or_default(), Some(op.item));
        let links = work_out(company, op, &body, &mut fields, None)?;
        let n = company.next();
        let (id, stamp) = (record_id(n), company.now());
        fields.insert("id".into(), json!(id));
        fields.insert("createdAt".into(), json!(stamp));
        fields.insert("updatedAt".into(), json!(stamp));
        fields.insert("revisionNumber".into(), json!(revision(n)));
        let mut record = conform(op.item, Value::Object(fields));
        finish(company, op, &mut record, None)?;
        let stated = stated(company, op, &id, &body, &record, &links, None)?;
        if let Some(amount) = payments::own_amount(op.slug(), &stated.applications) {
            record["amount"] = amount;
        }
        commit(company, op, &id, record, stated, &links)
    })
}

/// What the write states beyond the record: the applications it makes (the
/// body's, or the earlier ones when it sends none), the order lines it
/// fills, and an opening balance or quantity.
fn stated(
    company: &Company,
    op: &Op,
    id: &str,
    body: &Value,
    record: &Value,
    links: &Links,
    earlier: Option<Stated>,
) -> Result<Stated, Failure> {
    let slug = op.slug();
    let object = words(op.item);
    let mut stated = earlier.unwrap_or_default();
    stated.fills.extend(links.fills.iter().cloned());
    stated.preceded.extend(links.preceded.iter().cloned());
    if stated.opening.is_none() {
        let opening = match slug {
            "customers" | "vendors" => input(&body["openingBalance"], &object)?,
            "inventory-items" | "inventory-assembly-items" => input(&body["quantityOnHand"], &object)?,
            _ => None,
        };
        stated.opening = opening;
    }
    if let Some(applications) = payments::applications(company, slug, id, body, record, links)? {
        let payer = ["customer", "vendor"].into_iter().find_map(|field| ref_id(record, field));
        rules::applications_are_sound(company, slug, payer, &applications, id)?;
        stated.applications = applications;
    }
    Ok(stated)
}

/// Stores the record with its effects, and works out everything it
/// touches; a payment linked to a new invoice applies to it.
fn commit(
    company: &mut Company,
    op: &Op,
    id: &str,
    record: Value,
    stated: Stated,
    links: &Links,
) -> Result<Value, Failure> {
    let slug = op.slug();
    let before = company.ledger().effects(id).map(|effects| effects.touches()).unwrap_or_default();
    company.put(slug, record);
    let record = company.get(slug, id).cloned().unwrap_or_default();
    let effects = effects_of(company, slug, id, &record, stated);
    let mut touched: BTreeSet<String> = before.into_iter().chain(effects.touches()).collect();
    touched.insert(id.to_owned());
    company.set_effects(id, Some(effects));
    for (payment, amount) in &links.payments {
        let mut effects = company.ledger().effects(payment).cloned().unwrap_or_default();
        let open = super::transactions::total_of(slug, &record);
        let application = Application {
            target: id.to_owned(),
            payment: (*amount).min(open),
            discount: Decimal::ZERO,
            credits: Vec::new(),
        };
        effects.applications.push(application);
        company.set_effects(payment, Some(effects));
        touched.insert(payment.clone());
    }
    settle(company, touched, true)?;
    Ok(company.get(slug, id).cloned().unwrap_or_default())
}

/// An update: only with the record's current revision number; the fields
/// it sends replace the record's (a line list it sends replaces the lines,
/// keeping those named by id), and the rules and the bookkeeping follow.
pub(crate) fn update(
    company: &mut Company,
    op: &'static Op,
    id: &str,
    body: Map<String, Value>,
) -> Result<Value, Failure> {
    company.atomically(|company| {
        let slug = op.slug();
        let current = existing(company, op, id)?.clone();
        rules::revision_is_current(body.get("revisionNumber"), &current["revisionNumber"])?;
        let mut body = Value::Object(body);
        if let Some(node) = op.body {
            money_in_cents(node, &mut body);
        }
        rules::references_exist(company, op, &body)?;
        rules::body_rules(op, &body, Some(&current))?;
        let mut fields = merged(&current, &body, &words(op.item))?;
        rules::parent_is_above(company, op, id, &fields)?;
        let links = work_out(company, op, &body, &mut fields, Some(id))?;
        let n = company.next();
        fields.insert("revisionNumber".into(), json!(revision(n)));
        fields.insert("updatedAt".into(), json!(company.now()));
        let mut record = conform(op.item, Value::Object(fields));
        finish(company, op, &mut record, Some(id))?;
        let earlier = Stated::carried(company.ledger().effects(id), id);
        let stated = stated(company, op, id, &body, &record, &links, Some(earlier))?;
        if body.get("applyToTransactions").is_some() {
            if let Some(amount) = payments::own_amount(slug, &stated.applications) {
                record["amount"] = amount;
            }
        }
        let renamed = record.get("fullName") != current.get("fullName");
        let result = commit(company, op, id, record, stated, &links)?;
        if renamed {
            rename(company, slug, id)?;
        }
        Ok(company.get(slug, id).cloned().unwrap_or(result))
    })
}

/// The record's fields with the body's changes: what QuickBooks assigns
/// stays, a line list sent replaces the record's, each line named by its
/// id changed in place, each `-1` line added. A line whose quantity or rate
/// changes is priced again.
fn merged(current: &Value, body: &Value, object: &str) -> Result<Map<String, Value>, Failure> {
    let Value::Object(mut fields) = current.clone() else { return Ok(Map::new()) };
    let owner = current["objectType"].as_str().and_then(type_of_object);
    let changes = from_body(body.as_object().cloned().unwrap_or_default(), owner);
    for (name, value) in changes {
        if ASSIGNED.contains(&name.as_str()) {
            continue;
        }
        let value = match (&value, current.get(&name)) {
            (Value::Array(sent), Some(Value::Array(held))) if is_line_list(&name) => {
                Value::Array(merge_lines(held, sent, &body[&name], object)?)
            }
            _ => value,
        };
        fields.insert(name, value);
    }
    Ok(fields)
}

/// The type a record's `objectType` names: `qbd_invoice` → `Invoice`.
fn type_of_object(object_type: &str) -> Option<&'static str> {
    crate::table::SHAPES
        .iter()
        .find(|shape| shape.consts.iter().any(|(field, value)| *field == "objectType" && *value == object_type))
        .map(|shape| shape.name)
}

fn is_line_list(name: &str) -> bool {
    name == "lines" || name.ends_with("Lines") || name.ends_with("LineGroups") || name == "lineGroups"
}

fn merge_lines(held: &[Value], sent: &[Value], raw: &Value, object: &str) -> Result<Vec<Value>, Failure> {
    let raw_ids: Vec<Option<&str>> = raw.as_array().into_iter().flatten().map(|line| line["id"].as_str()).collect();
    let mut out = Vec::new();
    for (i, line) in sent.iter().enumerate() {
        let raw_id = raw_ids.get(i).copied().flatten();
        let kept = held.iter().find(|old| raw_id.is_some() && old["id"].as_str() == raw_id);
        match (kept, raw_id) {
            (Some(Value::Object(old)), _) => {
                let mut line_fields = old.clone();
                let changes = line.as_object().cloned().unwrap_or_default();
                let repriced = ["quantity", "rate", "cost", "ratePercent"].iter().any(|f| changes.contains_key(*f));
                if repriced && !changes.contains_key("amount") {
                    line_fields.insert("amount".into(), Value::Null);
                }
                line_fields.extend(changes);
                out.push(Value::Object(line_fields));
            }
            (_, None | Some(NEW_LINE)) => out.push(line.clone()),
            (_, Some(unknown)) => return Err(refusals::line_not_found(unknown, object)),
        }
    }
    Ok(out)
}

/// After a record's full name changed: its descendants' full names follow
/// (`Acme:Roof` becomes `Acme Corp:Roof`), and every reference to them
/// shows the new names, as QuickBooks resolves references when it answers.
fn rename(company: &mut Company, slug: &'static str, id: &str) -> Result<(), Failure> {
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
    // A customer moved under another parent changes its totals.
    settle(company, moved.into_iter().collect(), false)
}

/// What a deleted or voided record's effects touched, and who touched it.
fn undone(company: &Company, id: &str) -> BTreeSet<String> {
    let mut touched: BTreeSet<String> = company.ledger().effects(id).map(|e| e.touches()).unwrap_or_default();
    touched.extend(company.ledger().touching(id).map(|(other, _)| other.clone()));
    touched.insert(id.to_owned());
    touched
}

/// A deleted transaction: gone from its lists, what it did undone, and
/// listed in `/deleted-transactions`.
pub(crate) fn delete(company: &mut Company, op: &'static Op, id: &str) -> Result<Value, Failure> {
    company.atomically(|company| {
        let slug = op.slug();
        existing(company, op, id)?;
        let touched = undone(company, id);
        let record = company.take(slug, id).unwrap_or_default();
        company.set_effects(id, None);
        company.set_voided(id, false);
        deletions::record_deleted_transaction(company, slug, &record);
        settle(company, touched, true)?;
        Ok(record)
    })
}

/// A list object deleted in QuickBooks itself: gone, listed in
/// `/deleted-list-objects`, and what it did undone.
pub(crate) fn delete_list_object(company: &mut Company, slug: &'static str, id: &str) -> Result<Value, Failure> {
    company.atomically(|company| {
        let touched = undone(company, id);
        let record = company.take(slug, id).ok_or_else(|| Failure::not_found(slug, id))?;
        company.set_effects(id, None);
        deletions::record_deleted_list_object(company, slug, &record);
        settle(company, touched, false)?;
        Ok(record)
    })
}

/// A void, as QuickBooks does it: the transaction stays, its amounts become
/// zero and its memo says `VOID:`, and it no longer settles or is settled
/// by anything.
pub(crate) fn void(company: &mut Company, op: &'static Op, id: &str) -> Result<Value, Failure> {
    company.atomically(|company| {
        let slug = op.slug();
        let Value::Object(mut fields) = existing(company, op, id)?.clone() else {
            return Err(Failure::not_found(slug, id));
        };
        for lines in ["lines", "expenseLines", "itemLines", "depositLines"] {
            for line in fields.get_mut(lines).and_then(Value::as_array_mut).into_iter().flatten() {
                for amount in ["amount", "quantity"] {
                    if line.get(amount).is_some_and(|value| !value.is_null()) {
                        line[amount] = if amount == "amount" { json!("0.00") } else { json!(0) };
                    }
                }
            }
        }
        for amount in ["subtotal", "salesTaxTotal", "totalAmount", "amount", "amountDue", "creditAmount"] {
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
        fields.insert("updatedAt".into(), json!(company.now()));
        let touched = undone(company, id);
        company.put(slug, Value::Object(fields));
        company.set_voided(id, true);
        company.set_effects(id, None);
        settle(company, touched, true)?;
        Ok(company.get(slug, id).cloned().unwrap_or_default())
    })
}

/// Stores a record as given, filling in what QuickBooks assigns, without
/// QuickBooks' checks: how a test seeds the sandbox with what QuickBooks
/// already holds. Its computed fields are worked out. Returns its id.
pub(crate) fn insert(company: &mut Company, op: &'static Op, record: Value) -> Result<String, Failure> {
    company.atomically(|company| {
        let n = company.next();
        let mut fields = match record {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        let id = match fields.get("id") {
            Some(Value::String(id)) if !id.is_empty() => id.clone(),
            _ => record_id(n),
        };
        let stamp = company.now();
        fields.insert("id".into(), json!(id));
        fields.entry("createdAt").or_insert_with(|| json!(stamp));
        fields.entry("updatedAt").or_insert_with(|| json!(stamp));
        fields.entry("revisionNumber").or_insert_with(|| json!(revision(n)));
        let opening =
            ["openingBalance", "balance", "quantityOnHand"].iter().find_map(|f| fields.get(*f).and_then(decimal));
        let mut record = conform(op.item, Value::Object(fields));
        if let Value::Object(fields) = &mut record {
            if fields.get("fullName").is_some_and(Value::is_null) {
                if let Some(name) = fields.get("name").cloned() {
                    fields.insert("fullName".into(), name);
                }
            }
        }
        name_references(company, &mut record);
        // A transaction as `/transactions` lists it is kept under its
        // transaction's id.
        if op.slug() == super::transactions::TRANSACTIONS {
            let key = record["transactionId"].as_str().unwrap_or(&id).to_owned();
            company.put_view(super::transactions::TRANSACTIONS, &key, record);
            return Ok(key);
        }
        let slug = op.slug();
        company.put(slug, record.clone());
        let stated = Stated { opening, ..Stated::default() };
        let effects = effects_of(company, slug, &id, &record, stated);
        let mut touched = effects.touches();
        touched.insert(id.clone());
        company.set_effects(&id, Some(effects));
        settle(company, touched, false)?;
        Ok(id)
    })
}

/// An inventory adjustment's lines as QuickBooks records them: a
/// `newQuantity` becomes the `quantityDifference` from what is on hand
/// (without this adjustment's own earlier effect).
fn adjust_to_differences(
    company: &Company,
    own: Option<&str>,
    fields: &mut Map<String, Value>,
    object: &str,
) -> Result<(), Failure> {
    for line in fields.get_mut("lines").and_then(Value::as_array_mut).into_iter().flatten() {
        let Some(item) = ref_id(line, "item").map(str::to_owned) else { continue };
        let adjust = line["adjustQuantity"].clone();
        let difference = match (input(&adjust["newQuantity"], object)?, input(&adjust["quantityDifference"], object)?) {
            (Some(new), _) => new.minus(on_hand(company, &item, own), object)?,
            (None, Some(difference)) => difference,
            (None, None) => continue,
        };
        line["quantityDifference"] = quantity(difference);
    }
    Ok(())
}

/// An item's quantity on hand, leaving out what `except` moved.
fn on_hand(company: &Company, item: &str, except: Option<&str>) -> Decimal {
    let held = company.find(item).map_or(Decimal::ZERO, |(_, record)| field(record, "quantityOnHand"));
    let own = except.and_then(|txn| company.ledger().effects(txn));
    let moved: Decimal = own.into_iter().flat_map(|e| &e.stock).filter(|(id, _)| id == item).map(|(_, q)| *q).sum();
    held - moved
}

/// A build assembly as QuickBooks records it: the components each build
/// takes and what is on hand of them; refused when they are short, or
/// marked pending when the body says so.
fn assemble(company: &Company, body: &Value, fields: &mut Map<String, Value>, object: &str) -> Result<(), Failure> {
    let Some(assembly) = body["inventoryAssemblyItemId"].as_str() else { return Ok(()) };
    let count = input(&body["quantityToBuild"], object)?.unwrap_or_default();
    let mut lines = Vec::new();
    let mut can_build: Option<Decimal> = None;
    let mut short = false;
    for (component, each) in components(company, assembly) {
        let held = on_hand(company, &component, None);
        let needed = each.times(count, object)?;
        short |= held < needed;
        if !each.is_zero() {
            let builds = (held / each).floor().max(Decimal::ZERO);
            can_build = Some(can_build.map_or(builds, |least| least.min(builds)));
        }
        lines.push(json!({"item": {"id": component, "fullName": null}, "quantityNeeded": quantity(needed), "quantityOnHand": quantity(held)}));
    }
    if short && body["markPendingIfRequired"] != true {
        return Err(refusals::cannot_save(
            object,
            &format!("There are not enough components on hand to build {count} of this assembly."),
        ));
    }
    let built = if short { Decimal::ZERO } else { count };
    fields.insert("isPending".into(), json!(short));
    fields.insert("lines".into(), Value::Array(lines));
    fields.insert("quantityCanBuild".into(), quantity(can_build.unwrap_or_default()));
    fields.insert("quantityOnHand".into(), quantity(on_hand(company, assembly, None) + built));
    Ok(())
}
