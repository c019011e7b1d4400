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
