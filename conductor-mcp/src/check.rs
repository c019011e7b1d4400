//! Arguments an operation does not have: its schema says
//! `additionalProperties: false`, and the SDK's params types would drop
//! them without a word, so an agent's misspelled filter or field would read
//! or change something else than it meant. They are refused by name, with
//! the closest name the operation has.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde_json::{Map, Value};

use crate::operations::{OPERATIONS, Operation};

/// Every operation's arguments schema, parsed once.
static SCHEMAS: LazyLock<HashMap<&'static str, Value>> = LazyLock::new(|| {
    OPERATIONS
        .iter()
        .map(|operation| (operation.name, serde_json::from_str(operation.schema).unwrap_or_default()))
        .collect()
});

/// The JSON Schema of `operation`'s arguments.
pub(crate) fn schema_of(operation: &Operation) -> &'static Value {
    SCHEMAS.get(operation.name).unwrap_or(&Value::Null)
}

/// Whether `operation` takes the argument `name` (at the top level).
pub(crate) fn has_argument(operation: &Operation, name: &str) -> bool {
    schema_of(operation).get("properties").is_some_and(|properties| properties.get(name).is_some())
}

/// The first argument in `args` (or in an object nested in it) that
/// `schema` does not have: its path (`lines[0].itemd`) and the closest
/// name the schema has there, if one is close.
pub(crate) fn unknown_argument(schema: &Value, args: &Map<String, Value>) -> Option<(String, Option<String>)> {
    unknown_in(schema, args, "")
}

fn unknown_in(schema: &Value, object: &Map<String, Value>, at: &str) -> Option<(String, Option<String>)> {
    let properties = schema.get("properties").and_then(Value::as_object)?;
    let closed = schema.get("additionalProperties") == Some(&Value::Bool(false));
    for (name, value) in object {
        let path = if at.is_empty() { name.clone() } else { format!("{at}.{name}") };
        match properties.get(name) {
            Some(property) => {
                if let Some(found) = unknown_in_value(property, value, &path) {
                    return Some(found);
                }
            }
            None if closed => {
                let closest = closest(name, properties.keys().map(String::as_str));
                return Some((path, closest.map(str::to_owned)));
            }
            None => {}
        }
    }
    None
}

fn unknown_in_value(schema: &Value, value: &Value, path: &str) -> Option<(String, Option<String>)> {
    match value {
        Value::Object(object) => unknown_in(schema, object, path),
        Value::Array(items) => {
            let item_schema = schema.get("items")?;
            items
                .iter()
                .enumerate()
                .find_map(|(index, item)| unknown_in_value(item_schema, item, &format!("{path}[{index}]")))
        }
        _ => None,
    }
}

/// The name among `names` closest to `name`, when it is close enough to be
/// what was meant: at most a third of its letters apart, ignoring case, or
/// the same but for a plural.
pub(crate) fn closest<'a>(name: &str, names: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let wanted = name.to_ascii_lowercase();
    names
        .map(|candidate| (candidate, strsim::levenshtein(&wanted, &candidate.to_ascii_lowercase())))
        .filter(|(candidate, distance)| *distance <= (name.len().max(candidate.len()) / 3).max(1))
        .min_by_key(|(_, distance)| *distance)
        .map(|(candidate, _)| candidate)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn schema() -> Value {
        json!({"type": "object", "additionalProperties": false, "properties": {
            "refNumbers": {"type": "array", "items": {"type": "string"}},
            "notes": {"type": "string"},
            "lines": {"type": "array", "items": {"type": "object", "additionalProperties": false,
                      "properties": {"itemId": {"type": "string"}, "amount": {"type": "string"}}}}
        }})
    }

    #[test]
    fn unknown_names_are_found_with_the_closest_known_one() {
        let args = |value: Value| value.as_object().unwrap().clone();
        assert_eq!(unknown_argument(&schema(), &args(json!({"refNumbers": ["1"], "notes": "x"}))), None);
        assert_eq!(
            unknown_argument(&schema(), &args(json!({"refNumber": ["nope"]}))),
            Some(("refNumber".to_owned(), Some("refNumbers".to_owned())))
        );
        assert_eq!(
            unknown_argument(&schema(), &args(json!({"notez": "x"}))),
            Some(("notez".to_owned(), Some("notes".to_owned())))
        );
        assert_eq!(
            unknown_argument(&schema(), &args(json!({"lines": [{"itemId": "1"}, {"itemd": "2"}]}))),
            Some(("lines[1].itemd".to_owned(), Some("itemId".to_owned())))
        );
        assert_eq!(
            unknown_argument(&schema(), &args(json!({"colour": "red"}))),
            Some(("colour".to_owned(), None)),
            "nothing close"
        );
    }
}
