//! Arguments an operation does not have: its schema says
//! `additionalProperties: false`, and the SDK's params types would drop
//! them without a word, so an agent's misspelled filter or field would read
//! or change something else than it meant. They are refused by name, with
//! the closest name the operation has.

use serde_json::{Map, Value};

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
        .map(|candidate| (candidate, distance(&wanted, &candidate.to_ascii_lowercase())))
        .filter(|(candidate, distance)| *distance <= (name.len().max(candidate.len()) / 3).max(1))
        .min_by_key(|(_, distance)| *distance)
        .map(|(candidate, _)| candidate)
}

/// Levenshtein's distance, by characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
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

    #[test]
    fn distances_are_levenshtein() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("same", "same"), 0);
    }
}
