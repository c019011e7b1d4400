//! Turning a request body into a record as QuickBooks returns it:
//! references sent as `customerId` become `customer: {id, fullName}` named
//! after the record they point to, lines get their ids and `objectType`, and
//! the record is made to conform to its type.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::ids::random_suffix;
use super::store::Company;

/// The fields of a record that QuickBooks assigns, never the caller.
pub(crate) const ASSIGNED: &[&str] = &["id", "objectType", "createdAt", "updatedAt", "revisionNumber"];

/// A request body as record fields: `customerId` as `customer: {id,
/// fullName: null}` (named later by [`name_references`]), `lines` items as
/// records of their own.
pub(crate) fn from_body(body: Map<String, Value>) -> Map<String, Value> {
    body.into_iter()
        .map(|(name, value)| {
            let value = match value {
                Value::Array(items) => {
                    Value::Array(items.into_iter().enumerate().map(|(i, item)| nested_record(&name, i, item)).collect())
                }
                // A barcode is sent with its options and kept as its value.
                Value::Object(mut map) if name == "barcode" => map.remove("value").unwrap_or(Value::Null),
                Value::Object(map) => Value::Object(from_body(map)),
                other => other,
            };
            match name.strip_suffix("Id") {
                Some(stem) if !stem.is_empty() && name != "externalId" && value.is_string() => {
                    (stem.to_owned(), json!({"id": value, "fullName": null}))
                }
                _ => (name, value),
            }
        })
        .collect()
}

/// Item `i` of the array `name`: lines and other records inside a record get
/// the `id` and `objectType` QuickBooks gives them.
fn nested_record(name: &str, i: usize, item: Value) -> Value {
    let Value::Object(map) = item else { return item };
    let mut map = from_body(map);
    // Notes are numbered; other records have string ids.
    let id = if name.ends_with("Notes") {
        json!(i + 1)
    } else {
        json!(format!("{}-{}", random_suffix(8).to_uppercase(), i + 1))
    };
    map.entry("id").or_insert(id);
    map.entry("objectType").or_insert_with(|| json!(format!("qbd_{}", item_type(name))));
    Value::Object(map)
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

/// Names every reference in `value` (`customer: {id, fullName}`) after the
/// record it points to, as QuickBooks answers: its `fullName`, else its
/// `name`. A reference to nothing the company file has keeps its name.
pub(crate) fn name_references(company: &Company, value: &mut Value) {
    let mut ids = Vec::new();
    collect(value, &mut ids, 0);
    let names: HashMap<String, Value> = ids
        .into_iter()
        .filter_map(|id| {
            let (_, record) = company.find(&id)?;
            let name = record.get("fullName").filter(|n| n.is_string()).or_else(|| record.get("name"))?;
            name.is_string().then(|| (id, name.clone()))
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
            let name = record.get("fullName").filter(|n| n.is_string()).or_else(|| record.get("name"))?;
            Some((id.clone(), name.clone()))
        })
        .collect();
    for record in company.all_records_mut() {
        if let Value::Object(fields) = record {
            // The record itself is not a reference to itself.
            fields.values_mut().for_each(|value| rename(value, &names, 1));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_stored_as_quickbooks_returns_them() {
        let Value::Object(body) = json!({"customerId": "c1", "externalId": "e1", "lines": [{"itemId": "i1"}]}) else {
            unreachable!()
        };
        let mut stored = Value::Object(from_body(body));
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
    fn values_are_found_through_arrays() {
        let body = json!({"applyToTransactions": [{"transactionId": "a", "applyCredits": [{"creditTransactionId": "c"}]}, {"transactionId": "b"}], "linkToTransactionIds": ["x", "y"]});
        assert_eq!(values_at(&body, "applyToTransactions.transactionId"), ["a", "b"]);
        assert_eq!(values_at(&body, "applyToTransactions.applyCredits.creditTransactionId"), ["c"]);
        assert_eq!(values_at(&body, "linkToTransactionIds"), ["x", "y"]);
        assert!(values_at(&body, "customerId").is_empty());
    }
}
