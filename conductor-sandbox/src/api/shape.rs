//! Making a value conform to the type the description gives it: every
//! required field present, each of its type, and no field the type lacks.
//! What the sandbox answers always has the shape the description says.

use serde_json::{Map, Value};

use crate::catalog::shape;
use crate::schema::{Field, Kind};

/// A value of the type named `name` with every required field set: to the
/// description's example, or the first enum value, or an empty value, or
/// `null` where the field may be null.
pub(crate) fn skeleton(name: &str) -> Value {
    conform_struct(name, Map::new())
}

/// `value` made a valid value of the type named `name`: fields of the
/// wrong type are replaced, missing required fields filled as in
/// [`skeleton`], fixed fields set, and fields the type does not have
/// dropped.
pub(crate) fn conform(name: &str, value: Value) -> Value {
    match value {
        Value::Object(map) => conform_struct(name, map),
        _ => skeleton(name),
    }
}

fn conform_struct(name: &str, mut map: Map<String, Value>) -> Value {
    let Some(shape) = shape(name) else { return Value::Object(map) };
    let mut out = Map::new();
    for field in shape.fields {
        let value = match map.remove(field.wire) {
            Some(Value::Null) if field.nullable => Value::Null,
            Some(Value::Null) | None if !field.required => continue,
            Some(Value::Null) | None => default(field),
            Some(value) => conform_kind(&field.kind, value).unwrap_or_else(|| default(field)),
        };
        out.insert(field.wire.to_owned(), value);
    }
    for (wire, value) in shape.consts {
        out.insert((*wire).to_owned(), Value::String((*value).to_owned()));
    }
    Value::Object(out)
}

/// What a required field gets when nothing says otherwise: `null` where
/// it may be, `false` for a flag (QuickBooks' flags are off unless set; a
/// create's own defaults, such as `isActive`, are set before), else the
/// description's example, else an empty value.
fn default(field: &Field) -> Value {
    if field.nullable {
        return Value::Null;
    }
    if matches!(field.kind, Kind::Bool) {
        return Value::Bool(false);
    }
    if let Some(example) = field.example.and_then(|text| serde_json::from_str(text).ok()) {
        return example;
    }
    empty(&field.kind)
}

fn empty(kind: &Kind) -> Value {
    match kind {
        Kind::Str => Value::String(String::new()),
        Kind::Amount => Value::String("0.00".to_owned()),
        Kind::Date => Value::String("2024-01-01".to_owned()),
        Kind::DateTime => Value::String("2024-01-01T00:00:00+00:00".to_owned()),
        Kind::Int => Value::from(0),
        Kind::Float => Value::from(0.0),
        Kind::Bool => Value::Bool(false),
        Kind::Json => Value::Null,
        Kind::Map => Value::Object(Map::new()),
        Kind::Enum(values) => Value::String(values.first().copied().unwrap_or_default().to_owned()),
        Kind::Vec(_) => Value::Array(Vec::new()),
        Kind::Struct(name) => skeleton(name),
        Kind::Union(_, variants) => variants.first().map_or(Value::Null, |(_, name)| skeleton(name)),
    }
}

/// `value` as a value of `kind`, or `None` when it is not one.
fn conform_kind(kind: &Kind, value: Value) -> Option<Value> {
    let fits = match (kind, &value) {
        (Kind::Str, Value::String(_)) | (Kind::Bool, Value::Bool(_)) | (Kind::Json, _) => true,
        (Kind::Amount, Value::String(s)) => s.parse::<conductor::Amount>().is_ok(),
        (Kind::Date, Value::String(s)) => s.parse::<conductor::Date>().is_ok(),
        (Kind::DateTime, Value::String(s)) => s.parse::<conductor::DateTime>().is_ok(),
        (Kind::Map, Value::Object(_)) | (Kind::Float, Value::Number(_)) => true,
        (Kind::Int, Value::Number(n)) => n.is_i64() || n.is_u64(),
        (Kind::Enum(values), Value::String(s)) => values.contains(&s.as_str()),
        _ => false,
    };
    if fits {
        return Some(value);
    }
    match (kind, value) {
        (Kind::Vec(inner), Value::Array(items)) => {
            Some(Value::Array(items.into_iter().filter_map(|item| conform_kind(inner, item)).collect()))
        }
        (Kind::Struct(name), Value::Object(map)) => Some(conform_struct(name, map)),
        // The variant's shape fixes its tag, so conforming writes it.
        (Kind::Union(tag, variants), Value::Object(map)) => {
            let name = variants.iter().find(|(value, _)| map.get(*tag).and_then(Value::as_str) == Some(value))?.1;
            Some(conform_struct(name, map))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_skeleton_has_every_required_field() {
        let invoice = skeleton("Invoice");
        for field in shape("Invoice").unwrap().fields.iter().filter(|f| f.required) {
            assert!(invoice.get(field.wire).is_some(), "{}", field.wire);
        }
        assert_eq!(invoice["objectType"], "qbd_invoice");
        assert_eq!(invoice["customer"], Value::Null);
        assert_eq!(skeleton("ObjectRef"), json!({"id": null, "fullName": null}));
        assert_eq!(invoice["lines"], json!([]));
    }

    #[test]
    fn conforming_replaces_what_does_not_fit_and_drops_unknown_fields() {
        let line = json!({"quantity": "many", "amount": "10.00", "shoeSize": 44});
        let invoice = conform("Invoice", json!({"memo": 5, "isPaid": true, "lines": [line]}));
        assert_eq!(invoice["isPaid"], true);
        assert_eq!(invoice["memo"], Value::Null);
        assert_eq!(invoice["lines"][0]["amount"], "10.00");
        assert_eq!(invoice["lines"][0]["quantity"], Value::Null);
        assert!(invoice["lines"][0].get("shoeSize").is_none());
    }
}
