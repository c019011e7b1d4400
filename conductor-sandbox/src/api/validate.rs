//! Conductor's checks of a request before QuickBooks sees it, from what the
//! description's schema says of each input: its type, the members an object
//! must have and the only ones it may have, `maxLength`, `minItems`,
//! `minimum` and `maximum`, enum values, and formats (dates, timestamps,
//! GUIDs, URLs, and the decimal strings of money and prices). A request
//! that breaks one is refused with Conductor's 400 `INVALID_PARAMETERS`,
//! worded as Conductor words its schema errors
//! (`Invalid request parameter: Unrecognized key(s) in object: 'vendorAddress'`),
//! and nothing is done with it.

use serde_json::Value;

use crate::failure::Failure;
use crate::schema::{Format, Member, Node};

/// One thing wrong with an input: where, and what.
struct Issue {
    path: String,
    message: String,
}

/// Checks a body against its node.
pub(crate) fn body(node: &Node, body: &Value) -> Result<(), Failure> {
    let mut issues = Vec::new();
    walk(node, body, &mut String::new(), &mut issues);
    refuse(issues)
}

/// Checks a query string's pairs against the node of the operation's
/// parameters: each name one the operation has, each value of its type,
/// each required parameter present, and a parameter that is not a list
/// given once.
pub(crate) fn query(node: &Node, pairs: &[(String, String)]) -> Result<(), Failure> {
    let Node::Object { members, .. } = node else { return Ok(()) };
    let mut issues = Vec::new();
    let unknown: Vec<&str> = (pairs.iter())
        .map(|(name, _)| name.as_str())
        .filter(|name| !members.iter().any(|member| member.name == *name))
        .collect();
    if !unknown.is_empty() {
        issues.push(Issue { path: String::new(), message: unrecognized(&unknown) });
    }
    for member in members.iter() {
        let values: Vec<&str> = pairs.iter().filter(|(name, _)| name == member.name).map(|(_, v)| v.as_str()).collect();
        let path = member.name.to_owned();
        match (member.node, values.as_slice()) {
            (_, []) if member.required => issues.push(Issue { path, message: "Required".into() }),
            (_, []) => {}
            (Node::List { items, .. }, values) => {
                for (i, value) in values.iter().enumerate() {
                    scalar(items, value, &format!("{path}[{i}]"), &mut issues);
                }
            }
            (node, [value]) => scalar(node, value, &path, &mut issues),
            (_, _) => issues.push(Issue { path, message: "Expected a single value, received array".into() }),
        }
    }
    refuse(issues)
}

fn refuse(issues: Vec<Issue>) -> Result<(), Failure> {
    if issues.is_empty() {
        return Ok(());
    }
    let said: Vec<String> = (issues.into_iter())
        .map(|issue| match issue.path.is_empty() {
            true => issue.message,
            false => format!("`{}`: {}", issue.path, issue.message),
        })
        .collect();
    Err(Failure::invalid_parameters(&said.join("; ")))
}

/// How a JSON value's type is named in Conductor's messages.
fn received(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn unrecognized(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|name| format!("'{name}'")).collect();
    format!("Unrecognized key(s) in object: {}", quoted.join(", "))
}

fn expected(kind: &str, value: &Value) -> String {
    format!("Expected {kind}, received {}", received(value))
}

fn walk(node: &Node, value: &Value, path: &mut String, issues: &mut Vec<Issue>) {
    let mut issue = |message: String, path: &str| issues.push(Issue { path: path.to_owned(), message });
    match (node, value) {
        (Node::Any, _) => {}
        (Node::Nullable(_), Value::Null) => {}
        (Node::Nullable(inner), value) => walk(inner, value, path, issues),
        (Node::Text { max_length, format }, Value::String(text)) => {
            if let Some(message) = text_issue(*max_length, *format, text) {
                issue(message, path);
            }
        }
        (Node::Integer { minimum, maximum }, Value::Number(number)) => match number.as_i64() {
            Some(n) => {
                if let Some(message) = bounds_issue(n, *minimum, *maximum) {
                    issue(message, path);
                }
            }
            None => issue("Expected integer, received float".into(), path),
        },
        (Node::Number, Value::Number(_)) | (Node::Boolean, Value::Bool(_)) => {}
        (Node::OneOf(values), Value::String(text)) if values.contains(&text.as_str()) => {}
        (Node::OneOf(values), other) => issue(enum_issue(values, other), path),
        (Node::List { items, min_items }, Value::Array(elements)) => {
            if elements.len() < *min_items {
                issue(format!("Array must contain at least {min_items} element(s)"), path);
            }
            for (i, element) in elements.iter().enumerate() {
                let at = path.len();
                path.push_str(&format!("[{i}]"));
                walk(items, element, path, issues);
                path.truncate(at);
            }
        }
        (Node::Object { members, closed, min_members }, Value::Object(map)) => {
            object(members, *closed, *min_members, map, path, issues);
        }
        (Node::Text { .. }, other) => issue(expected("string", other), path),
        (Node::Integer { .. }, other) => issue(expected("integer", other), path),
        (Node::Number, other) => issue(expected("number", other), path),
        (Node::Boolean, other) => issue(expected("boolean", other), path),
        (Node::List { .. }, other) => issue(expected("array", other), path),
        (Node::Object { .. }, other) => issue(expected("object", other), path),
    }
}

fn object(
    members: &[Member],
    closed: bool,
    min_members: usize,
    map: &serde_json::Map<String, Value>,
    path: &mut String,
    issues: &mut Vec<Issue>,
) {
    if closed {
        let unknown: Vec<&str> =
            map.keys().map(String::as_str).filter(|key| !members.iter().any(|m| m.name == *key)).collect();
        if !unknown.is_empty() {
            issues.push(Issue { path: path.clone(), message: unrecognized(&unknown) });
        }
    }
    if map.len() < min_members {
        issues.push(Issue { path: path.clone(), message: format!("Object must have at least {min_members} key(s)") });
    }
    for member in members {
        let at = path.len();
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(member.name);
        match map.get(member.name) {
            None if member.required => issues.push(Issue { path: path.clone(), message: "Required".into() }),
            None => {}
            Some(value) => walk(member.node, value, path, issues),
        }
        path.truncate(at);
    }
}

/// A query value, which is always text, read as `node` says.
fn scalar(node: &Node, text: &str, path: &str, issues: &mut Vec<Issue>) {
    let message = match node {
        Node::Nullable(inner) => return scalar(inner, text, path, issues),
        Node::Text { max_length, format } => text_issue(*max_length, *format, text),
        Node::Integer { minimum, maximum } => match text.parse::<i64>() {
            Ok(n) => bounds_issue(n, *minimum, *maximum),
            Err(_) => Some(format!("Expected integer, received {text:?}")),
        },
        Node::Number => {
            text.parse::<f64>().map_or_else(|_| Some(format!("Expected number, received {text:?}")), |_| None)
        }
        Node::Boolean => (!matches!(text, "true" | "false")).then(|| format!("Expected boolean, received {text:?}")),
        Node::OneOf(values) => (!values.contains(&text)).then(|| enum_issue(values, &Value::String(text.to_owned()))),
        _ => None,
    };
    if let Some(message) = message {
        issues.push(Issue { path: path.to_owned(), message });
    }
}

fn enum_issue(values: &[&str], got: &Value) -> String {
    let listed: Vec<String> = values.iter().map(|v| format!("'{v}'")).collect();
    let got = match got {
        Value::String(text) => format!("'{text}'"),
        other => received(other).to_owned(),
    };
    format!("Invalid enum value. Expected {}, received {got}", listed.join(" | "))
}

fn bounds_issue(n: i64, minimum: Option<i64>, maximum: Option<i64>) -> Option<String> {
    match (minimum, maximum) {
        (Some(min), _) if n < min => Some(format!("Number must be greater than or equal to {min}")),
        (_, Some(max)) if n > max => Some(format!("Number must be less than or equal to {max}")),
        _ => None,
    }
}

fn text_issue(max_length: Option<usize>, format: Format, text: &str) -> Option<String> {
    // Lengths are counted as Conductor's JavaScript counts them.
    let length = text.encode_utf16().count();
    if let Some(max) = max_length.filter(|max| length > *max) {
        return Some(format!("String must contain at most {max} character(s)"));
    }
    let valid = match format {
        Format::Plain => true,
        Format::Date => text.parse::<conductor::Date>().is_ok(),
        Format::DateTime => is_timestamp(text),
        Format::Uuid => is_uuid(text),
        Format::Uri => is_url(text),
        Format::Money => is_decimal(text, 13, 2, true),
        Format::Price => is_decimal(text, 10, 5, false),
        Format::Decimal => text.parse::<conductor::Amount>().is_ok(),
    };
    (!valid).then(|| format_issue(format).to_owned())
}

fn format_issue(format: Format) -> &'static str {
    match format {
        Format::Date => "Invalid date: expected YYYY-MM-DD",
        Format::DateTime => {
            "Invalid datetime: expected YYYY-MM-DD, YYYY-MM-DDTHH:mm:ss or YYYY-MM-DDTHH:mm:ss with an offset"
        }
        Format::Uuid => "Invalid uuid",
        Format::Uri => "Invalid url",
        Format::Money => {
            "Invalid decimal string: exactly 2 decimal places when cents are included and up to 13 digits before \
             the decimal point (for example, \"123.45\")"
        }
        Format::Price => {
            "Invalid decimal string: up to 5 decimal places and up to 10 digits before the decimal point (for \
             example, \"1234.56789\")"
        }
        Format::Decimal | Format::Plain => "Invalid decimal string",
    }
}

/// A decimal string: an optional `-`, 1 to `whole` digits, and a `.` with
/// 1 to `places` digits (exactly `places` when `exact`).
fn is_decimal(text: &str, whole: usize, places: usize, exact: bool) -> bool {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (integer, fraction) = match unsigned.split_once('.') {
        Some((integer, fraction)) => (integer, Some(fraction)),
        None => (unsigned, None),
    };
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    let fraction_fits = match fraction {
        None => true,
        Some(fraction) => digits(fraction) && if exact { fraction.len() == places } else { fraction.len() <= places },
    };
    digits(integer) && integer.len() <= whole && fraction_fits
}

/// A timestamp filter as Conductor takes it: a date, a local date and time,
/// or a date and time with an offset.
pub(crate) fn is_timestamp(text: &str) -> bool {
    let local = text.len() == 19 && format!("{text}Z").parse::<conductor::DateTime>().is_ok();
    local || text.parse::<conductor::Date>().is_ok() || text.parse::<conductor::DateTime>().is_ok()
}

fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(group, len)| group.len() == len)
        && groups.iter().all(|group| group.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn is_url(text: &str) -> bool {
    let Some((scheme, rest)) = text.split_once("://") else { return false };
    !scheme.is_empty()
        && scheme.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
        && !rest.is_empty()
        && !text.chars().any(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    static NAME: Node = Node::Text { max_length: Some(5), format: Format::Plain };
    static MONEY: Node = Node::Text { max_length: None, format: Format::Money };
    static LINE: Node = Node::Object {
        members: &[Member { name: "amount", node: &MONEY, required: false, default: None }],
        closed: true,
        min_members: 0,
    };
    static LINES: Node = Node::List { items: &LINE, min_items: 1 };
    static BODY: Node = Node::Object {
        members: &[
            Member { name: "name", node: &NAME, required: true, default: None },
            Member { name: "lines", node: &LINES, required: false, default: None },
        ],
        closed: true,
        min_members: 0,
    };

    fn message(value: Value) -> String {
        body(&BODY, &value).map(|()| String::new()).unwrap_or_else(|failure| failure.message)
    }

    #[test]
    fn a_body_is_checked_as_conductor_checks_it() {
        assert_eq!(message(json!({"name": "Acme", "lines": [{"amount": "100.00"}]})), "");
        assert_eq!(
            message(json!({"name": "Acme", "vendorAddress": {}})),
            "Invalid request parameter: Unrecognized key(s) in object: 'vendorAddress'"
        );
        assert_eq!(
            message(json!({"name": "Acme Inc."})),
            "Invalid request parameter: `name`: String must contain at most 5 character(s)"
        );
        assert_eq!(message(json!({})), "Invalid request parameter: `name`: Required");
        assert_eq!(
            message(json!({"name": 5, "lines": []})),
            "Invalid request parameter: `name`: Expected string, received number; `lines`: Array must contain at \
             least 1 element(s)"
        );
        let nested = message(json!({"name": "A", "lines": [{"amount": "1.5", "memo": "x"}]}));
        assert!(nested.contains("`lines[0]`: Unrecognized key(s) in object: 'memo'"), "{nested}");
        assert!(nested.contains("`lines[0].amount`: Invalid decimal string"), "{nested}");
    }

    #[test]
    fn decimal_strings_follow_the_descriptions_formats() {
        for (text, money) in [("100", true), ("-100.00", true), ("1234567890123.45", true), ("100.5", false)] {
            assert_eq!(is_decimal(text, 13, 2, true), money, "{text}");
        }
        assert!(!is_decimal("12345678901234", 13, 2, true), "14 digits");
        assert!(!is_decimal("79228162514264337593543950335", 13, 2, true));
        assert!(is_decimal("1.23456", 10, 5, false) && !is_decimal("1.234567", 10, 5, false));
        assert!(!is_decimal("1e4", 13, 2, true) && !is_decimal("", 13, 2, true) && !is_decimal("1.", 13, 2, true));
    }

    #[test]
    fn formats_and_lengths() {
        assert!(is_uuid("123e4567-e89b-12d3-a456-426614174000") && !is_uuid("123e4567"));
        assert!(is_url("https://example.com/x") && !is_url("example.com"));
        assert!(is_timestamp("2025-01-01") && is_timestamp("2025-01-01T12:00:00") && !is_timestamp("yesterday"));
        // Characters as JavaScript counts them: an emoji is two.
        assert_eq!(
            text_issue(Some(1), Format::Plain, "😀").as_deref(),
            Some("String must contain at most 1 character(s)")
        );
    }

    #[test]
    fn a_query_is_checked_by_its_parameters() {
        static LIMIT: Node = Node::Integer { minimum: Some(1), maximum: Some(150) };
        static IDS: Node = Node::List { items: &NAME, min_items: 0 };
        static QUERY: Node = Node::Object {
            members: &[
                Member { name: "limit", node: &LIMIT, required: false, default: None },
                Member { name: "ids", node: &IDS, required: false, default: None },
            ],
            closed: true,
            min_members: 0,
        };
        let pairs = |list: &[(&str, &str)]| -> Vec<(String, String)> {
            list.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
        };
        assert!(query(&QUERY, &pairs(&[("limit", "5"), ("ids", "a"), ("ids", "b")])).is_ok());
        let refused = |list| query(&QUERY, &pairs(list)).unwrap_err().message;
        assert_eq!(
            refused(&[("refNumber", "x")]),
            "Invalid request parameter: Unrecognized key(s) in object: 'refNumber'"
        );
        assert!(refused(&[("limit", "151")]).contains("less than or equal to 150"));
        assert!(refused(&[("limit", "five")]).contains("Expected integer"));
        assert!(refused(&[("limit", "1"), ("limit", "2")]).contains("single value"));
    }
}
