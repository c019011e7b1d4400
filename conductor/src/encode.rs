//! Percent-encoding of path segments and query strings, and the flattening
//! of `#[query]` values into name/value pairs.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;

/// Everything but RFC 3986 unreserved characters is encoded, in path
/// segments and in query names and values alike.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Encodes `value` as one path segment, refusing values that would change
/// the path's shape.
pub(crate) fn path_segment(out: &mut String, value: &str) -> Result<(), &'static str> {
    match value {
        "" => return Err("must not be empty"),
        "." | ".." => return Err("must not be `.` or `..`"),
        _ => {}
    }
    out.extend(utf8_percent_encode(value, COMPONENT));
    Ok(())
}

pub(crate) fn query_string(pairs: &[(String, String)]) -> String {
    let mut out = String::new();
    for (name, value) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        out.extend(utf8_percent_encode(name, COMPONENT));
        out.push('=');
        out.extend(utf8_percent_encode(value, COMPONENT));
    }
    out
}

/// Appends the pairs of one `#[query]` argument: a struct or map contributes
/// its fields, any other value is sent under `name`. `null` is omitted,
/// arrays become repeated keys, booleans `true`/`false`.
pub(crate) fn query_pairs(out: &mut Vec<(String, String)>, name: &str, value: Value) -> Result<(), String> {
    match value {
        Value::Object(fields) => {
            for (field, value) in fields {
                if let Value::Object(_) = value {
                    return Err(format!("field `{field}` is a nested object, which a query string cannot carry"));
                }
                query_pairs(out, &field, value)?;
            }
            Ok(())
        }
        // An empty list cannot be written as repeated keys: sending nothing
        // would drop the filter and match every record.
        Value::Array(items) if items.is_empty() => Err(format!(
            "`{name}` is an empty list, which a query string cannot carry: sent as nothing, the filter would \
             vanish and every record match; leave it out (`None`) or give at least one value"
        )),
        Value::Array(items) => {
            for item in items {
                match scalar(item) {
                    Ok(Some(text)) => out.push((name.to_owned(), text)),
                    Ok(None) => {}
                    Err(()) => return Err(format!("`{name}` holds a nested array or object")),
                }
            }
            Ok(())
        }
        other => {
            if let Ok(Some(text)) = scalar(other) {
                out.push((name.to_owned(), text));
            }
            Ok(())
        }
    }
}

/// The pairs of one query value given by name (`RequestOptions::query`,
/// `ClientBuilder::default_query`), encoded as a declared parameter is.
pub(crate) fn value_pairs(
    out: &mut Vec<(String, String)>,
    name: &str,
    value: &impl serde::Serialize,
) -> Result<(), String> {
    crate::finite::check(value).map_err(|e| e.to_string())?;
    match serde_json::to_value(value).map_err(|e| e.to_string())? {
        Value::Object(_) => Err("a query value cannot be an object".to_owned()),
        value => query_pairs(out, name, value),
    }
}

fn scalar(value: Value) -> Result<Option<String>, ()> {
    Ok(Some(match value {
        Value::Null => return Ok(None),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s,
        Value::Array(_) | Value::Object(_) => return Err(()),
    }))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn segment(value: &str) -> Result<String, &'static str> {
        let mut out = String::new();
        path_segment(&mut out, value).map(|()| out)
    }

    #[test]
    fn path_segments_are_encoded_whole() {
        assert_eq!(segment("end_usr_1-2.3~"), Ok("end_usr_1-2.3~".to_owned()));
        assert_eq!(segment("a/b"), Ok("a%2Fb".to_owned()));
        assert_eq!(segment("x?y#z%"), Ok("x%3Fy%23z%25".to_owned()));
        assert_eq!(segment("a b"), Ok("a%20b".to_owned()));
        assert_eq!(segment("é"), Ok("%C3%A9".to_owned()));
        assert_eq!(segment("..."), Ok("...".to_owned()));
        assert_eq!(segment(""), Err("must not be empty"));
        assert_eq!(segment("."), Err("must not be `.` or `..`"));
        assert_eq!(segment(".."), Err("must not be `.` or `..`"));
    }

    #[test]
    fn query_values_flatten() {
        let mut pairs = Vec::new();
        let value = json!({"ids": ["a", "b"], "limit": 10, "active": true, "cursor": null, "q": "a b&c"});
        query_pairs(&mut pairs, "params", value).unwrap();
        assert_eq!(query_string(&pairs), "active=true&ids=a&ids=b&limit=10&q=a%20b%26c");
        let mut pairs = Vec::new();
        query_pairs(&mut pairs, "limit", json!(5)).unwrap();
        query_pairs(&mut pairs, "cursor", Value::Null).unwrap();
        assert_eq!(pairs, vec![("limit".to_owned(), "5".to_owned())]);
        assert!(query_pairs(&mut Vec::new(), "p", json!({"a": {"b": 1}})).is_err());
        assert!(query_pairs(&mut Vec::new(), "p", json!({"a": [[1]]})).is_err());
    }
}

#[cfg(test)]
mod properties {
    use std::collections::BTreeMap;

    use percent_encoding::percent_decode_str;
    use proptest::prelude::*;
    use serde_json::{Value, json};

    use super::*;

    /// Strings of any characters, weighted towards the ones that matter in
    /// URLs.
    fn text() -> impl Strategy<Value = String> {
        prop_oneof![any::<String>(), "[/?#%&=+ .\\-_~a-zA-Z0-9\u{0}-\u{1f}\u{7f}é€😀]{0,24}",]
    }

    /// A query value: a scalar or an array of scalars, with the text each
    /// element must arrive as.
    fn query_value() -> impl Strategy<Value = (Value, Vec<String>)> {
        let scalar = prop_oneof![
            text().prop_map(|s| (json!(s), s)),
            any::<bool>().prop_map(|b| (json!(b), b.to_string())),
            any::<i64>().prop_map(|n| (json!(n), n.to_string())),
        ];
        prop_oneof![
            scalar.clone().prop_map(|(value, text)| (value, vec![text])),
            Just((Value::Null, vec![])),
            prop::collection::vec(scalar, 1..5).prop_map(|items| {
                let (values, texts): (Vec<Value>, Vec<String>) = items.into_iter().unzip();
                (Value::Array(values), texts)
            }),
        ]
    }

    #[test]
    fn an_empty_list_is_refused_rather_than_dropped() {
        let mut pairs = Vec::new();
        let error = query_pairs(&mut pairs, "params", json!({"ids": [], "limit": 5})).unwrap_err();
        assert!(error.starts_with("`ids` is an empty list, which a query string cannot carry"), "{error}");
        assert!(query_pairs(&mut pairs, "ids", json!([])).is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        #[test]
        fn path_segments_round_trip_and_stay_one_segment(value in text()) {
            let mut out = String::new();
            match path_segment(&mut out, &value) {
                Err(_) => prop_assert!(matches!(value.as_str(), "" | "." | "..")),
                Ok(()) => {
                    prop_assert!(!matches!(value.as_str(), "" | "." | ".."));
                    prop_assert!(!out.contains(['/', '?', '#']), "{out}");
                    prop_assert!(!out.chars().any(|c| c.is_control() || !c.is_ascii()), "{out}");
                    prop_assert_eq!(percent_decode_str(&out).decode_utf8().unwrap(), value.as_str());
                }
            }
        }

        #[test]
        fn query_pairs_read_back_exactly(fields in prop::collection::btree_map(text(), query_value(), 0..6)) {
            let object: serde_json::Map<String, Value> =
                fields.iter().map(|(name, (value, _))| (name.clone(), value.clone())).collect();
            let mut pairs = Vec::new();
            query_pairs(&mut pairs, "params", Value::Object(object)).unwrap();
            let url = reqwest::Url::parse(&format!("http://h/p?{}", query_string(&pairs))).unwrap();
            let read: Vec<(String, String)> = url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
            let expected: Vec<(String, String)> = fields
                .iter()
                .flat_map(|(name, (_, texts))| texts.iter().map(move |text| (name.clone(), text.clone())))
                .collect();
            prop_assert_eq!(read, expected);
        }

        #[test]
        fn a_scalar_query_argument_reads_back_under_its_name(name in text(), (value, texts) in query_value()) {
            let mut pairs = Vec::new();
            query_pairs(&mut pairs, &name, value).unwrap();
            let url = reqwest::Url::parse(&format!("http://h/p?{}", query_string(&pairs))).unwrap();
            let read: Vec<(String, String)> = url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
            let expected: Vec<(String, String)> = texts.into_iter().map(|text| (name.clone(), text)).collect();
            prop_assert_eq!(read, expected);
        }
    }

    #[test]
    fn the_query_property_sees_sorted_fields() {
        // serde_json's map is sorted by key, which the property's expectation
        // relies on.
        let fields: BTreeMap<&str, i32> = [("b", 1), ("a", 2)].into();
        let mut pairs = Vec::new();
        query_pairs(&mut pairs, "p", serde_json::to_value(fields).unwrap()).unwrap();
        assert_eq!(query_string(&pairs), "a=2&b=1");
    }
}
