//! Conductor's side of a request: its own resources (end-users, auth
//! sessions, passthrough), the header naming the end-user, and its checks
//! of a QuickBooks Desktop request before QuickBooks sees it (the query's
//! and the body's schema, filters that may not be used together). What
//! passes goes to the books.

mod end_users;
pub(crate) mod shape;
pub(crate) mod validate;

use serde_json::{Map, Value};

use crate::books::Store;
use crate::catalog::operation;
use crate::failure::{Failure, Outcome};
use crate::schema::{Node, Op, OpKind};

/// One request, as Conductor reads it.
pub(crate) struct Call<'a> {
    pub(crate) method: &'a str,
    /// The path after `/v1`, percent-decoded segment by segment.
    pub(crate) segments: &'a [String],
    pub(crate) query: &'a str,
    pub(crate) end_user: Option<&'a str>,
    pub(crate) body: &'a [u8],
}

impl Call<'_> {
    /// The query string's pairs, percent-decoded.
    pub(crate) fn pairs(&self) -> Vec<(String, String)> {
        (self.query.split('&'))
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                let decode = |text: &str| {
                    let spaced = text.replace('+', " ");
                    percent_encoding::percent_decode_str(&spaced).decode_utf8_lossy().into_owned()
                };
                (decode(name), decode(value))
            })
            .collect()
    }
}

/// The JSON object of a body, or the error to answer.
pub(crate) fn object_body(body: &[u8]) -> Result<Map<String, Value>, Failure> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(Failure::invalid_parameters(&format!(
            "Expected object, received {}",
            match other {
                Value::Array(_) => "array",
                Value::String(_) => "string",
                Value::Null => "null",
                Value::Bool(_) => "boolean",
                _ => "number",
            }
        ))),
        Err(_) => Err(Failure::bad_request("INVALID_JSON", "The body must be a JSON object.")),
    }
}

/// Answers a request for any path under `/v1`.
pub(crate) fn answer(store: &mut Store, call: &Call<'_>) -> Outcome {
    let segments: Vec<&str> = call.segments.iter().map(String::as_str).collect();
    match segments.as_slice() {
        ["quickbooks-desktop", ..] => qbd(store, call),
        _ => end_users::answer(store, call, &segments),
    }
}

/// The end-user a QuickBooks Desktop call names, who must exist.
pub(crate) fn end_user_of<'a>(store: &Store, call: &Call<'a>) -> Result<&'a str, Failure> {
    match call.end_user {
        None => Err(Failure::bad_request(
            "END_USER_ID_MISSING",
            "QuickBooks Desktop requests need the header `Conductor-End-User-Id`.",
        )),
        Some(id) if !store.has_end_user(id) => Err(Failure::not_found("end-user", id)),
        Some(id) => Ok(id),
    }
}

/// A QuickBooks Desktop request: checked as Conductor checks it, then
/// carried out by QuickBooks.
fn qbd(store: &mut Store, call: &Call<'_>) -> Outcome {
    let (op, id) = operation(call.method, call.segments)?;
    let end_user = end_user_of(store, call)?;
    let mut pairs = call.pairs();
    // Nothing is done with a request that does not check out.
    if let Some(node) = op.query {
        validate::query(node, &pairs)?;
        one_of_each_kind(&pairs)?;
        with_defaults(node, &mut pairs);
    }
    let body = match op.body {
        Some(node) => {
            let body = object_body(call.body)?;
            let value = Value::Object(body);
            validate::body(node, &value)?;
            one_of(op, &value)?;
            let Value::Object(body) = value else { unreachable!("an object stays one") };
            body
        }
        None => Map::new(),
    };
    store.qbd(end_user, op, &id, &pairs, body)
}

/// The fields the description says a body has one of, never both: an
/// item's `salesOrPurchaseDetails` or `salesAndPurchaseDetails` (one of
/// them when it is created), a line's `rate` or `ratePercent`.
fn one_of(op: &Op, body: &Value) -> Result<(), Failure> {
    let details = ["salesOrPurchaseDetails", "salesAndPurchaseDetails"];
    if matches!(op.slug(), "service-items" | "non-inventory-items" | "other-charge-items") {
        let given = details.iter().filter(|field| body.get(**field).is_some()).count();
        let creating = op.kind == OpKind::Create;
        if given > 1 || (creating && given == 0) {
            return Err(Failure::invalid_parameters(
                "You must specify either `salesOrPurchaseDetails` or `salesAndPurchaseDetails`, but never both: an \
                 item cannot have both configurations.",
            ));
        }
    }
    let lines = (body.as_object().into_iter().flatten())
        .filter(|(name, _)| *name == "lines" || name.ends_with("Lines") || name.ends_with("Groups"))
        .flat_map(|(_, lines)| lines.as_array().into_iter().flatten());
    for line in lines {
        let inner = line["lines"].as_array().into_iter().flatten();
        if std::iter::once(line)
            .chain(inner)
            .any(|line| line.get("rate").is_some() && line.get("ratePercent").is_some())
        {
            return Err(Failure::invalid_parameters("Only one of `rate` and `ratePercent` can be set."));
        }
    }
    Ok(())
}

/// The filters the description says may not be used together: `...Contains`,
/// `...StartsWith` and `...EndsWith` of one field; a macro and its
/// `From`/`To` range; the kinds of one entity, item, account or class
/// filter.
fn one_of_each_kind(pairs: &[(String, String)]) -> Result<(), Failure> {
    let given = |name: &str| pairs.iter().any(|(key, _)| key == name);
    for (name, _) in pairs {
        for (suffix, others) in [
            ("Contains", ["StartsWith", "EndsWith"]),
            ("StartsWith", ["Contains", "EndsWith"]),
            ("EndsWith", ["Contains", "StartsWith"]),
        ] {
            let Some(stem) = name.strip_suffix(suffix) else { continue };
            if let Some(other) = others.iter().map(|o| format!("{stem}{o}")).find(|other| given(other)) {
                return Err(Failure::invalid_parameters(&format!(
                    "If you use `{name}`, you cannot also use `{other}`."
                )));
            }
        }
    }
    let groups: &[&[&str]] = &[
        &["entityType", "entityIds", "entityFullNames"],
        &["itemType", "itemIds", "itemFullNames"],
        &["accountType", "accountIds", "accountFullNames"],
        &["classIds", "classFullNames"],
        &[
            "totalBalance",
            "totalBalanceGreaterThan",
            "totalBalanceGreaterThanOrEqualTo",
            "totalBalanceLessThan",
            "totalBalanceLessThanOrEqualTo",
        ],
        &["itemType", "siteIds"],
        &["reportDateMacro", "reportDateFrom"],
        &["reportDateMacro", "reportDateTo"],
        &["updatedDateMacro", "updatedAfter"],
        &["updatedDateMacro", "updatedBefore"],
    ];
    for group in groups {
        let used: Vec<&str> = group.iter().copied().filter(|name| given(name)).collect();
        if used.len() > 1 {
            return Err(Failure::invalid_parameters(&format!(
                "Choose only one of {}.",
                group.iter().map(|name| format!("`{name}`")).collect::<Vec<_>>().join(", ")
            )));
        }
    }
    Ok(())
}

/// The query with every parameter the request leaves out that has a
/// default in the description, as Conductor reads it (`status=active`).
fn with_defaults(node: &Node, pairs: &mut Vec<(String, String)>) {
    let Node::Object { members, .. } = node else { return };
    for member in members.iter() {
        let Some(default) = member.default.filter(|_| !pairs.iter().any(|(key, _)| key == member.name)) else {
            continue;
        };
        let text = match serde_json::from_str::<Value>(default) {
            Ok(Value::String(text)) => text,
            Ok(other) => other.to_string(),
            Err(_) => default.to_owned(),
        };
        pairs.push((member.name.to_owned(), text));
    }
}

/// The operation a path names, for the HTTP layer's faults and queue.
pub(crate) fn is_qbd(segments: &[String]) -> bool {
    segments.first().is_some_and(|first| first == "quickbooks-desktop")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn filters_that_exclude_each_other_are_refused() {
        assert!(one_of_each_kind(&pairs(&[("nameContains", "a"), ("refNumberStartsWith", "b")])).is_ok());
        let refused = one_of_each_kind(&pairs(&[("nameContains", "a"), ("nameStartsWith", "b")])).unwrap_err();
        assert_eq!(
            refused.message,
            "Invalid request parameter: If you use `nameContains`, you cannot also use `nameStartsWith`."
        );
        assert!(one_of_each_kind(&pairs(&[("accountType", "bank"), ("accountIds", "1")])).is_err());
        assert!(one_of_each_kind(&pairs(&[("updatedDateMacro", "today"), ("updatedAfter", "2024-01-01")])).is_err());
        let balances = pairs(&[("totalBalanceGreaterThan", "1.00"), ("totalBalanceLessThan", "5.00")]);
        assert!(one_of_each_kind(&balances).unwrap_err().message.contains("Choose only one of `totalBalance`"));
        assert!(one_of_each_kind(&pairs(&[("itemType", "service"), ("siteIds", "S1")])).is_err());
    }
}
