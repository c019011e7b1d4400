//! Turning a request body into a record as QuickBooks returns it:
//! references sent as `customerId` become `customer: {id, fullName}` named
//! after the record they point to, lines get their ids and `objectType`,
//! money is written with its two places, and the record is made to conform
//! to its type.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::ids::random_suffix;
use super::money::{decimal, money};
use super::store::Company;
use crate::catalog::shape;
use crate::schema::{Format, Kind, Node};

/// The fields of a record that QuickBooks assigns, never the caller.
pub(crate) const ASSIGNED: &[&str] = &["id", "objectType", "createdAt", "updatedAt", "revisionNumber"];

/// The id a new line is sent with in an update, as the description says.
pub(crate) const NEW_LINE: &str = "-1";

/// Writes every money field of a body (the description's "exactly 2
/// decimal places" amounts) with its two places, as QuickBooks keeps them:
/// `"100"` becomes `"100.00"`.
pub(crate) fn money_in_cents(node: &Node, value: &mut Value) {
    match (node, value) {
        (Node::Nullable(inner), value) => money_in_cents(inner, value),
        (Node::Text { format: Format::Money, .. }, value @ Value::String(_)) => {
            if let Some(amount) = decimal(value) {
                *value = money(amount);
            }
        }
        (Node::List { items, .. }, Value::Array(elements)) => {
            elements.iter_mut().for_each(|element| money_in_cents(items, element));
        }
        (Node::Object { members, .. }, Value::Object(map)) => {
            for member in members.iter() {
                if let Some(value) = map.get_mut(member.name) {
                    money_in_cents(member.node, value);
                }
            }
        }
        _ => {}
    }
}

/// The body with what the description says a field is when it is not
/// given (`isActive: true`), at its top level.
pub(crate) fn with_defaults(node: &Node, body: &mut Value) {
    let (Node::Object { members, .. }, Value::Object(map)) = (node, body) else { return };
    for member in members.iter() {
        if let Some(default) = member.default.filter(|_| !map.contains_key(member.name)) {
            if let Ok(value) = serde_json::from_str::<Value>(default) {
                map.insert(member.name.to_owned(), value);
            }
        }
    }
}

/// The shape of the field `name` of the shape `owner`, when it is an object
/// or a list of objects.
fn inner_shape(owner: Option<&str>, name: &str) -> Option<&'static str> {
    let field = shape(owner?)?.fields.iter().find(|field| field.wire == name)?;
    let mut kind = &field.kind;
    while let Kind::Vec(inner) = kind {
        kind = inner;
    }
    match kind {
        Kind::Struct(name) => Some(name),
        _ => None,
    }
}

/// Whether the shape `owner` holds `name` as a reference (`customer` for
/// `customerId`) or a list of them (`salesTaxItems` for `salesTaxItemIds`).
fn reference_field(owner: Option<&str>, name: &str) -> Option<(String, bool)> {
    let owner = shape(owner?)?;
    let has = |wire: &str| owner.fields.iter().any(|field| field.wire == wire);
    if has(name) {
        return None;
    }
    if let Some(stem) = name.strip_suffix("Ids").filter(|stem| !stem.is_empty()) {
        let plural = format!("{stem}s");
        return has(&plural).then_some((plural, true));
    }
    let stem = name.strip_suffix("Id").filter(|stem| !stem.is_empty())?;
    has(stem).then(|| (stem.to_owned(), false))
}

fn reference(id: Value) -> Value {
    json!({"id": id, "fullName": null})
}

/// A request body as the fields of a record of the shape `owner`:
/// `customerId` as `customer: {id, fullName: null}` (named later by
/// [`name_references`]), lines and other records inside it with their ids.
pub(crate) fn from_body(body: Map<String, Value>, owner: Option<&str>) -> Map<String, Value> {
    body.into_iter()
        .map(|(name, value)| {
            let inner = inner_shape(owner, &name);
            let value = match value {
                Value::Array(items) => Value::Array(
                    items.into_iter().enumerate().map(|(i, item)| nested_record(&name, i, item, inner)).collect(),
                ),
                // A barcode is sent with its options and kept as its value.
                Value::Object(mut map) if name == "barcode" => map.remove("value").unwrap_or(Value::Null),
                Value::Object(map) => Value::Object(from_body(map, inner)),
                other => other,
            };
            match (reference_field(owner, &name), value) {
                (Some((field, false)), value @ Value::String(_)) => (field, reference(value)),
                (Some((field, true)), Value::Array(ids)) => {
                    (field, Value::Array(ids.into_iter().map(reference).collect()))
                }
                (_, value) => (name, value),
            }
        })
        .collect()
}

/// Item `i` of the array `name`: lines and other records inside a record get
/// the `id` and `objectType` QuickBooks gives them.
fn nested_record(name: &str, i: usize, item: Value, owner: Option<&str>) -> Value {
    let Value::Object(map) = item else { return item };
    let mut map = from_body(map, owner);
    // Notes are numbered; other records have string ids.
    let id = if name.ends_with("Notes") { json!(i + 1) } else { json!(line_id(i)) };
    match map.get("id") {
        None => {
            map.insert("id".into(), id);
        }
        Some(Value::String(sent)) if sent == NEW_LINE => {
            map.insert("id".into(), id);
        }
        Some(_) => {}
    }
    map.entry("objectType").or_insert_with(|| json!(format!("qbd_{}", item_type(name))));
    Value::Object(map)
}

/// A new line id, as QuickBooks writes them: `A1B2C3D4-3`.
pub(crate) fn line_id(i: usize) -> String {
    format!("{}-{}", random_suffix(8).to_uppercase(), i + 1)
}

/// `expenseLines` → `expense_line`.
fn item_type(array: &str) -> String {
    let mut snake = String::new();
    for c in array.chars() {
        if c.is_ascii_uppercase() {
            snake.push('_');
        }
        snake.push(c.to_ascii_lowercase());
    }
    snake.strip_suffix('s').map(str::to_owned).unwrap_or(snake)
}

/// How deep references are looked for: a record, its lines, their parts.
const REFERENCE_DEPTH: usize = 4;

fn is_reference(map: &Map<String, Value>) -> bool {
    map.len() == 2 && map.get("id").is_some_and(Value::is_string) && map.contains_key("fullName")
}

/// The name a record is known by where it is referred to: its `fullName`,
/// else its `name`.
fn name_of(record: &Value) -> Option<&Value> {
    let name = record.get("fullName").filter(|n| n.is_string()).or_else(|| record.get("name"))?;
    name.is_string().then_some(name)
}

/// Names every reference in `value` (`customer: {id, fullName}`) after the
/// record it points to, as QuickBooks answers: its `fullName`, else its
/// `name`. A reference to nothing the company file has keeps its name.
pub(crate) fn name_references(company: &Company, value: &mut Value) {
    let mut ids = Vec::new();
    collect(value, &mut ids, 0);
    let names: HashMap<String, Value> = (ids.into_iter())
        .filter_map(|id| {
            let (_, record) = company.find(&id)?;
            Some((id, name_of(record)?.clone()))
        })
        .collect();
    rename(value, &names, 0);
}

/// Every reference to these records, wherever it is, takes their current
/// names.
pub(crate) fn rename_references(company: &mut Company, ids: &[String]) {
    let names: HashMap<String, Value> = (ids.iter())
        .filter_map(|id| {
            let (_, record) = company.find(id)?;
            Some((id.clone(), name_of(record)?.clone()))
        })
        .collect();
    let mut changed = Vec::new();
    for (slug, id) in company.all_ids() {
        let Some(mut record) = company.get(slug, &id).cloned() else { continue };
        if let Value::Object(fields) = &mut record {
            // The record itself is not a reference to itself.
            fields.values_mut().for_each(|value| rename(value, &names, 1));
        }
        if company.get(slug, &id) != Some(&record) {
            changed.push((slug, id, record));
        }
    }
    for (slug, id, record) in changed {
        match record.get("id").and_then(Value::as_str) == Some(id.as_str()) {
            true => company.put(slug, record),
            false => company.put_view(slug, &id, record),
        }
    }
}

fn collect(value: &Value, out: &mut Vec<String>, depth: usize) {
    match value {
        Value::Object(map) if is_reference(map) => out.extend(map["id"].as_str().map(str::to_owned)),
        Value::Object(map) if depth < REFERENCE_DEPTH => map.values().for_each(|v| collect(v, out, depth + 1)),
        Value::Array(items) if depth < REFERENCE_DEPTH => items.iter().for_each(|v| collect(v, out, depth + 1)),
        _ => {}
    }
}

fn rename(value: &mut Value, names: &HashMap<String, Value>, depth: usize) {
    match value {
        Value::Object(map) if is_reference(map) => {
            if let Some(name) = map["id"].as_str().and_then(|id| names.get(id)) {
                map.insert("fullName".into(), name.clone());
            }
        }
        Value::Object(map) if depth < REFERENCE_DEPTH => map.values_mut().for_each(|v| rename(v, names, depth + 1)),
        Value::Array(items) if depth < REFERENCE_DEPTH => items.iter_mut().for_each(|v| rename(v, names, depth + 1)),
        _ => {}
    }
}

/// The values at a dotted path (`lines.itemId`) of a body, through objects
/// and arrays alike: each string, and each string of an array of strings.
pub(crate) fn values_at<'a>(value: &'a Value, path: &str) -> Vec<&'a str> {
    fn walk<'a>(value: &'a Value, parts: &[&str], out: &mut Vec<&'a str>) {
        match (value, parts) {
            (Value::Array(items), _) => items.iter().for_each(|item| walk(item, parts, out)),
            (Value::String(text), []) => out.push(text),
            (Value::Object(map), [first, rest @ ..]) => {
                if let Some(inner) = map.get(*first) {
                    walk(inner, rest, out);
                }
            }
            _ => {}
        }
    }
    let parts: Vec<&str> = path.split('.').collect();
    let mut out = Vec::new();
    walk(value, &parts, &mut out);
    out
}

/// The id of the record a reference field names (`record["customer"]["id"]`).
pub(crate) fn ref_id<'a>(record: &'a Value, field: &str) -> Option<&'a str> {
    record.get(field)?.get("id")?.as_str()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(value: Value) -> Map<String, Value> {
        let Value::Object(map) = value else { unreachable!() };
        map
    }

    #[test]
    fn references_are_stored_as_quickbooks_returns_them() {
        let sent = body(json!({"customerId": "c1", "externalId": "e1", "lines": [{"itemId": "i1"}]}));
        let mut stored = Value::Object(from_body(sent, Some("Invoice")));
        assert_eq!(stored["customer"], json!({"id": "c1", "fullName": null}));
        assert_eq!(stored["externalId"], "e1");
        assert_eq!(stored["lines"][0]["item"], json!({"id": "i1", "fullName": null}));
        assert_eq!(stored["lines"][0]["objectType"], "qbd_line");
        let mut company = Company::default();
        company.put("customers", json!({"id": "c1", "name": "Ann", "fullName": "Acme:Ann"}));
        name_references(&company, &mut stored);
        assert_eq!(stored["customer"]["fullName"], "Acme:Ann");
        assert_eq!(stored["lines"][0]["item"]["fullName"], Value::Null, "no such item");
    }

    #[test]
    fn ids_from_outside_quickbooks_are_kept_as_sent() {
        // A receive-payment's card data holds the processor's ids, which
        // the record keeps as text, not as references.
        let sent = body(
            json!({"creditCardTransaction": {"response": {"creditCardTransactionId": "cc-1", "clientTransactionId": "x"}}}),
        );
        let stored = from_body(sent, Some("ReceivePayment"));
        assert_eq!(stored["creditCardTransaction"]["response"]["creditCardTransactionId"], "cc-1");
        let group = from_body(body(json!({"salesTaxItemIds": ["t1", "t2"]})), Some("SalesTaxGroupItem"));
        assert_eq!(group["salesTaxItems"][1], json!({"id": "t2", "fullName": null}));
    }

    #[test]
    fn new_lines_get_ids_and_kept_lines_keep_theirs() {
        let sent = body(json!({"lines": [{"id": "-1"}, {"id": "KEEP-1"}, {}]}));
        let stored = from_body(sent, Some("Invoice"));
        let ids: Vec<&str> = stored["lines"].as_array().unwrap().iter().map(|l| l["id"].as_str().unwrap()).collect();
        assert!(ids[0] != "-1" && ids[0].ends_with("-1"), "{ids:?}");
        assert_eq!(ids[1], "KEEP-1");
    }

    #[test]
    fn values_are_found_through_arrays() {
        let body = json!({"applyToTransactions": [{"transactionId": "a", "applyCredits": [{"creditTransactionId": "c"}]}, {"transactionId": "b"}], "linkToTransactionIds": ["x", "y"]});
        assert_eq!(values_at(&body, "applyToTransactions.transactionId"), ["a", "b"]);
        assert_eq!(values_at(&body, "applyToTransactions.applyCredits.creditTransactionId"), ["c"]);
        assert_eq!(values_at(&body, "linkToTransactionIds"), ["x", "y"]);
        assert!(values_at(&body, "customerId").is_empty());
    }
}
