//! The shapes of what the sandbox answers, generated from the API
//! description, and the two things done with them: making a value conform
//! to its type (every required field present, each of its type), and
//! checking a query string.

use serde_json::{Map, Number, Value};

use super::table::SHAPES;

/// One object type: its fields and the fields the description fixes.
#[derive(Debug)]
pub(crate) struct Shape {
    pub(crate) name: &'static str,
    /// Fields with one possible value, such as `objectType`.
    pub(crate) consts: &'static [(&'static str, &'static str)],
    pub(crate) fields: &'static [Field],
}

#[derive(Debug)]
pub(crate) struct Field {
    pub(crate) wire: &'static str,
    pub(crate) kind: Kind,
    pub(crate) required: bool,
    pub(crate) nullable: bool,
    /// The description's example, as JSON, for a required field that is
    /// never null: what a record gets when nothing else says.
    pub(crate) example: Option<&'static str>,
}

#[derive(Debug)]
// No response of today's description holds free JSON, but the generator
// writes these for one that does.
#[allow(dead_code)]
pub(crate) enum Kind {
    Str,
    /// A decimal string.
    Amount,
    /// `YYYY-MM-DD`.
    Date,
    /// An ISO 8601 timestamp with an offset.
    DateTime,
    Int,
    Float,
    Bool,
    Json,
    Map,
    Enum(&'static [&'static str]),
    Vec(&'static Kind),
    Struct(&'static str),
    /// Objects told apart by the value of one field: the field, then each
    /// value with its shape.
    Union(&'static str, &'static [(&'static str, &'static str)]),
}

/// The shape named `name`.
pub(crate) fn shape(name: &str) -> Option<&'static Shape> {
    SHAPES.binary_search_by(|shape| shape.name.cmp(name)).ok().map(|index| &SHAPES[index])
}

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

/// What a required field gets when nothing says otherwise.
fn default(field: &Field) -> Value {
    if field.nullable {
        return Value::Null;
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
        (Kind::Amount, Value::String(s)) => s.parse::<crate::Amount>().is_ok(),
        (Kind::Date, Value::String(s)) => s.parse::<crate::Date>().is_ok(),
        (Kind::DateTime, Value::String(s)) => s.parse::<crate::DateTime>().is_ok(),
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

/// Checks a query string against the parameters named `name`: each value
/// of its type, each enum value known, each required parameter present.
/// Names the type does not have are left to the route.
pub(crate) fn check_query(name: &str, pairs: &[(String, String)]) -> Result<(), String> {
    let Some(shape) = shape(name) else { return Ok(()) };
    for (key, value) in pairs {
        let Some(field) = shape.fields.iter().find(|f| f.wire == key) else { continue };
        let kind = match &field.kind {
            Kind::Vec(inner) => inner,
            kind => kind,
        };
        scalar(kind, value).ok_or_else(|| match kind {
            Kind::Enum(values) => {
                format!("`{key}` must be one of {}, not {value:?}.", values.join(", "))
            }
            Kind::Int => format!("`{key}` must be an integer, not {value:?}."),
            Kind::Float => format!("`{key}` must be a number, not {value:?}."),
            Kind::Bool => format!("`{key}` must be `true` or `false`, not {value:?}."),
            Kind::Amount => format!("`{key}` must be a decimal string such as \"100.00\", not {value:?}."),
            Kind::Date => format!("`{key}` must be a date in ISO 8601 format (YYYY-MM-DD), not {value:?}."),
            Kind::DateTime => format!(
                "`{key}` must be an ISO 8601 date (YYYY-MM-DD) or date and time (YYYY-MM-DDTHH:mm:ss, with or \
                 without an offset), not {value:?}."
            ),
            _ => format!("`{key}` cannot be {value:?}."),
        })?;
    }
    match shape.fields.iter().find(|f| f.required && !pairs.iter().any(|(key, _)| key == f.wire)) {
        Some(missing) => Err(format!("The query parameter `{}` is required.", missing.wire)),
        None => Ok(()),
    }
}

/// A query value read as `kind`.
fn scalar(kind: &Kind, text: &str) -> Option<Value> {
    match kind {
        Kind::Int => text.parse::<i64>().ok().map(Value::from),
        Kind::Float => text.parse::<f64>().ok().and_then(Number::from_f64).map(Value::Number),
        Kind::Bool => match text {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        },
        Kind::Enum(values) => values.contains(&text).then(|| Value::String(text.to_owned())),
        Kind::Amount => text.parse::<crate::Amount>().ok().map(|_| Value::String(text.to_owned())),
        Kind::Date => text.parse::<crate::Date>().ok().map(|_| Value::String(text.to_owned())),
        // Conductor's timestamp filters take a date, a local date and time,
        // or one with an offset.
        Kind::DateTime => {
            let local = text.len() == 19 && format!("{text}Z").parse::<crate::DateTime>().is_ok();
            let valid = local || text.parse::<crate::Date>().is_ok() || text.parse::<crate::DateTime>().is_ok();
            valid.then(|| Value::String(text.to_owned()))
        }
        _ => Some(Value::String(text.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn shapes_are_sorted_for_the_search() {
        assert!(SHAPES.windows(2).all(|pair| pair[0].name < pair[1].name));
        assert!(shape("Invoice").is_some() && shape("NoSuchType").is_none());
    }

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

    #[test]
    fn queries_are_checked_by_type() {
        let pairs = |list: &[(&str, &str)]| -> Vec<(String, String)> {
            list.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
        };
        assert_eq!(check_query("InvoiceListParams", &pairs(&[("limit", "5"), ("ids", "a"), ("ids", "b")])), Ok(()));
        assert!(check_query("InvoiceListParams", &pairs(&[("limit", "five")])).unwrap_err().contains("integer"));
        let bad_enum = check_query("InvoiceListParams", &pairs(&[("paymentStatus", "maybe")])).unwrap_err();
        assert!(bad_enum.contains("all, paid, not_paid"), "{bad_enum}");
        let missing = check_query("AgingReportParams", &[]).unwrap_err();
        assert_eq!(missing, "The query parameter `reportType` is required.");
    }
}
