//! QuickBooks' rules on every write, each a small function named for the
//! rule: a write that breaks one is refused with QuickBooks' own error, in
//! Conductor's form, and nothing is stored.
//!
//! - [`references_exist`]: every reference names a record of a type it may
//!   name (3140).
//! - [`name_is_free`]: names are unique, case-insensitively, by full name,
//!   within their name space (3100).
//! - [`place_in_hierarchy`]: a record with a parent is `Parent:Child`, one
//!   level deeper.
//! - [`revision_is_current`]: an update names the record's current revision
//!   (3200).
//! - [`next_ref_number`]: a transaction without a number gets the next one.
//! - [`not_empty`]: a transaction has lines (3180).
//! - [`query_names_exist`]: a list filtered by id or name names only what
//!   exists, or the whole query is refused.

use serde_json::{Map, Value, json};

use super::records::values_at;
use super::refusals;
use super::reply::Reply;
use super::store::Company;
use super::{Op, table};

/// Names (customers, vendors, employees, other names) share one name
/// space, items of every kind another, and terms (standard and
/// date-driven) a third; every other list has its own.
fn name_space(slug: &str) -> &'static [&'static str] {
    const NAMES: &[&str] = &["customers", "employees", "other-names", "vendors"];
    const ITEMS: &[&str] = &[
        "discount-items",
        "inventory-assembly-items",
        "inventory-items",
        "item-groups",
        "non-inventory-items",
        "other-charge-items",
        "sales-tax-group-items",
        "sales-tax-items",
        "service-items",
        "subtotal-items",
    ];
    const TERMS: &[&str] = &["date-driven-terms", "standard-terms"];
    [NAMES, ITEMS, TERMS].into_iter().find(|space| space.contains(&slug)).unwrap_or(&[])
}

/// `ReceivePayment` → `Receive Payment`: how QuickBooks' messages name a
/// type.
pub(crate) fn words(type_name: &str) -> String {
    let mut out = String::new();
    for (i, c) in type_name.char_indices() {
        if i > 0 && c.is_ascii_uppercase() {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// The type of the records of a resource: `customers` → `Customer`.
pub(crate) fn record_type_of(slug: &str) -> &'static str {
    table::OPERATIONS.iter().find(|op| op.slug() == slug).map_or("", |op| op.item)
}

/// What QuickBooks calls the kind of record a reference names: the type,
/// or the family the resources make up.
fn reference_kind(resources: &[&str]) -> String {
    match resources {
        [one] => words(record_type_of(one)),
        many if many.iter().all(|slug| name_space("inventory-items").contains(slug)) => "Item".to_owned(),
        many if many.iter().all(|slug| name_space("customers").contains(slug)) => "Entity".to_owned(),
        many if many.iter().all(|slug| name_space("standard-terms").contains(slug)) => "Terms".to_owned(),
        _ => "Transaction".to_owned(),
    }
}

/// Every reference of the body (`customerId`, `lines.itemId`,
/// `applyToTransactions.transactionId`, ...) names a record of one of the
/// resources it may name, in this company file.
pub(crate) fn references_exist(company: &Company, op: &Op, body: &Value) -> Result<(), Reply> {
    for (path, resources) in op.references.iter().filter(|(_, resources)| !resources.is_empty()) {
        for id in values_at(body, path) {
            let found = company.home(id).is_some_and(|home| resources.contains(&home));
            if !found {
                return Err(refusals::invalid_reference(&reference_kind(resources), id, &words(op.item)));
            }
        }
    }
    Ok(())
}

/// The name a record is known by in its name space: its full name where
/// it has one (`Parent:Child`), else its name.
pub(crate) fn known_name(record: &Value) -> Option<&str> {
    record["fullName"].as_str().or_else(|| record["name"].as_str())
}

/// No other record of the name space has this full name, whatever its
/// case.
pub(crate) fn name_is_free(company: &Company, slug: &str, full_name: &str, own: Option<&str>) -> Result<(), Reply> {
    let own_space = [slug];
    let space = match name_space(slug) {
        [] => &own_space[..],
        space => space,
    };
    let wanted = full_name.to_lowercase();
    let taken = space.iter().flat_map(|slug| company.records(slug)).any(|record| {
        record["id"].as_str() != own && known_name(record).is_some_and(|name| name.to_lowercase() == wanted)
    });
    match taken {
        true => Err(refusals::name_in_use(full_name)),
        false => Ok(()),
    }
}

/// Sets a record's `fullName` and `sublevel` from its `name` and parent:
/// `Parent:Child`, one level below the parent; a record without a parent
/// is its own name, at level 0. For the lists that nest (customers and
/// jobs, items, accounts, classes): those whose records have a `sublevel`.
pub(crate) fn place_in_hierarchy(company: &Company, slug: &str, record: &mut Map<String, Value>) {
    if !record.contains_key("sublevel") {
        return;
    }
    let name = record.get("name").and_then(Value::as_str).unwrap_or_default().to_owned();
    let parent = record.get("parent").and_then(|parent| parent["id"].as_str()).and_then(|id| company.get(slug, id));
    let (full_name, sublevel) = match parent {
        Some(parent) => {
            let parent_name = known_name(parent).unwrap_or_default();
            (format!("{parent_name}:{name}"), parent["sublevel"].as_u64().unwrap_or(0) + 1)
        }
        None => (name, 0),
    };
    record.insert("fullName".into(), json!(full_name));
    record.insert("sublevel".into(), json!(sublevel));
}

/// The records whose parent, or parent's parent, ..., is `id`: what moves
/// with it when it is renamed. Parents first.
pub(crate) fn descendants(company: &Company, slug: &str, id: &str) -> Vec<String> {
    let mut found = vec![id.to_owned()];
    let mut at = 0;
    while at < found.len() {
        let parent = found[at].clone();
        let children: Vec<String> = (company.records(slug))
            .filter(|record| record["parent"]["id"].as_str() == Some(&parent))
            .filter_map(|record| record["id"].as_str().map(str::to_owned))
            .filter(|child| !found.contains(child))
            .collect();
        found.extend(children);
        at += 1;
    }
    found.remove(0);
    found
}

/// A record's parent is not the record itself, nor one of its
/// descendants: QuickBooks keeps its lists a tree.
pub(crate) fn parent_is_above(company: &Company, op: &Op, id: &str, record: &Map<String, Value>) -> Result<(), Reply> {
    let Some(parent) = record.get("parent").and_then(|parent| parent["id"].as_str()) else { return Ok(()) };
    if parent == id || descendants(company, op.slug(), id).iter().any(|below| below == parent) {
        return Err(refusals::cannot_save(
            &words(op.item),
            "A list element cannot be its own parent or be below itself.",
        ));
    }
    Ok(())
}

/// An update names the record's current `revisionNumber`.
pub(crate) fn revision_is_current(sent: Option<&Value>, current: &Value) -> Result<(), Reply> {
    match sent {
        Some(sent) if sent != current => Err(refusals::stale_revision(sent.as_str().unwrap_or_default())),
        _ => Ok(()),
    }
}

/// The transactions QuickBooks numbers itself when no `refNumber` is
/// given, each type in its own sequence.
const NUMBERED: &[&str] =
    &["credit-memos", "estimates", "invoices", "purchase-orders", "sales-orders", "sales-receipts"];

/// The number QuickBooks gives the next transaction of this type: the last
/// number used, with its trailing digits counted up and their width kept
/// (`INV-0099` → `INV-0100`), or `1` for the first. A last number that ends
/// in no digit gives none.
pub(crate) fn next_ref_number(company: &Company, slug: &str) -> Option<String> {
    if !NUMBERED.contains(&slug) {
        return None;
    }
    let last = company.records(slug).filter_map(|record| record["refNumber"].as_str()).filter(|n| !n.is_empty()).last();
    let Some(last) = last else { return Some("1".to_owned()) };
    let digits = last.bytes().rev().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let (prefix, number) = last.split_at(last.len() - digits);
    // Counting up a run of digits as text, so any length works.
    let mut next: Vec<u8> = number.bytes().collect();
    let mut carry = true;
    for digit in next.iter_mut().rev() {
        if !carry {
            break;
        }
        carry = *digit == b'9';
        *digit = if carry { b'0' } else { *digit + 1 };
    }
    if carry {
        next.insert(0, b'1');
    }
    Some(format!("{prefix}{}", String::from_utf8_lossy(&next)))
}

/// The transactions whose lines the caller gives, which QuickBooks refuses
/// without one. (A build assembly's lines come from its item, a payment
/// has none.)
const LINED: &[&str] = &[
    "bills",
    "checks",
    "credit-card-charges",
    "credit-card-credits",
    "credit-memos",
    "deposits",
    "estimates",
    "inventory-adjustments",
    "invoices",
    "item-receipts",
    "journal-entries",
    "purchase-orders",
    "sales-orders",
    "sales-receipts",
    "vendor-credits",
];

/// The arrays a transaction's lines are in.
fn is_line_array(name: &str) -> bool {
    name == "lines" || name.ends_with("Lines") || name == "lineGroups"
}

/// A transaction of a kind that has lines has at least one.
pub(crate) fn not_empty(op: &Op, record: &Map<String, Value>) -> Result<(), Reply> {
    if !LINED.contains(&op.slug()) {
        return Ok(());
    }
    let empty = (record.iter().filter(|(name, _)| is_line_array(name)))
        .all(|(_, lines)| lines.as_array().is_none_or(Vec::is_empty));
    match empty {
        true => Err(refusals::transaction_empty(&words(op.item))),
        false => Ok(()),
    }
}

/// Each value of the `ids`, `refNumbers`, `names` and `fullNames` filters
/// names a record of the resource (full names whatever their case); else
/// QuickBooks refuses the whole query rather than answer the others.
pub(crate) fn query_names_exist(company: &Company, slug: &str, pairs: &[(String, String)]) -> Result<(), Reply> {
    // Only the one that is the query counts; QuickBooks ignores the rest.
    let Some(selector) = super::filters::selector(pairs) else { return Ok(()) };
    for (name, value) in pairs.iter().filter(|(name, _)| name == selector) {
        let matches = |record: &Value| match name.as_str() {
            "ids" => record["id"].as_str().or_else(|| record["transactionId"].as_str()) == Some(value),
            "refNumbers" => record["refNumber"].as_str() == Some(value),
            "names" => record["name"].as_str().is_some_and(|known| known.eq_ignore_ascii_case(value)),
            "fullNames" => known_name(record).is_some_and(|known| known.eq_ignore_ascii_case(value)),
            _ => true,
        };
        if !company.records(slug).any(matches) {
            return Err(refusals::not_found_in_query(value));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn company(records: &[(&'static str, Value)]) -> Company {
        let mut company = Company::default();
        for (slug, record) in records {
            company.put(slug, record.clone());
        }
        company
    }

    #[test]
    fn names_are_unique_within_their_space_whatever_the_case() {
        let company = company(&[
            ("customers", json!({"id": "c1", "name": "Acme", "fullName": "Acme"})),
            ("service-items", json!({"id": "i1", "name": "Labor", "fullName": "Labor"})),
        ]);
        assert!(name_is_free(&company, "vendors", "ACME", None).is_err(), "names share a space");
        assert!(name_is_free(&company, "customers", "acme", Some("c1")).is_ok(), "a record keeps its own name");
        assert!(name_is_free(&company, "inventory-items", "labor", None).is_err(), "items share a space");
        assert!(name_is_free(&company, "accounts", "Acme", None).is_ok(), "accounts have their own");
        assert!(name_is_free(&company, "customers", "Acme:Job", None).is_ok());
    }

    #[test]
    fn children_are_parent_colon_child_one_level_down() {
        let company = company(&[("customers", json!({"id": "c1", "name": "Acme", "fullName": "Acme", "sublevel": 0}))]);
        let Value::Object(mut job) = json!({"name": "Roof", "parent": {"id": "c1"}, "sublevel": 0}) else {
            unreachable!()
        };
        place_in_hierarchy(&company, "customers", &mut job);
        assert_eq!((job["fullName"].as_str(), job["sublevel"].as_u64()), (Some("Acme:Roof"), Some(1)));
    }

    #[test]
    fn reference_numbers_count_up_in_their_own_sequence() {
        let mut company = Company::default();
        assert_eq!(next_ref_number(&company, "invoices").as_deref(), Some("1"));
        company.put("invoices", json!({"id": "1", "refNumber": "INV-0099"}));
        company.put("invoices", json!({"id": "2", "refNumber": null}));
        assert_eq!(next_ref_number(&company, "invoices").as_deref(), Some("INV-0100"));
        company.put("invoices", json!({"id": "3", "refNumber": "99"}));
        assert_eq!(next_ref_number(&company, "invoices").as_deref(), Some("100"));
        company.put("invoices", json!({"id": "4", "refNumber": "Rush"}));
        assert_eq!(next_ref_number(&company, "invoices"), None);
        assert_eq!(next_ref_number(&company, "credit-memos").as_deref(), Some("1"), "its own sequence");
        assert_eq!(next_ref_number(&company, "bills"), None, "bills carry the vendor's number");
    }

    #[test]
    fn a_query_naming_what_does_not_exist_is_refused() {
        let company = company(&[("customers", json!({"id": "c1", "name": "Acme", "fullName": "Acme"}))]);
        let pairs = |list: &[(&str, &str)]| -> Vec<(String, String)> {
            list.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
        };
        assert!(query_names_exist(&company, "customers", &pairs(&[("ids", "c1"), ("fullNames", "ACME")])).is_ok());
        let Err(Reply::Error { message, .. }) =
            query_names_exist(&company, "customers", &pairs(&[("ids", "c1"), ("ids", "c2")]))
        else {
            panic!("c2 does not exist")
        };
        assert!(message.contains("(\"c2\")"), "{message}");
    }
}
