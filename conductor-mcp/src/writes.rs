//! Writes an agent can never duplicate: which verbs are allowed, an
//! `externalId` on every create that has one, so that a create whose
//! outcome is unknown can be found again (`check_write`), and a create
//! refused when its `externalId`, or its `refNumber` for its customer or
//! vendor, already names a record.

use std::collections::BTreeSet;

use conductor::Client;
use serde_json::{Map, Value, json};

use crate::call::{Args, Failure};
use crate::check::has_argument;
use crate::operations::{OPERATIONS, Operation};

/// The kinds of write, as `--allow` names them.
pub(crate) const VERBS: [&str; 5] = ["create", "update", "void", "delete", "passthrough"];

/// How far back `check_write` and the duplicate check look for a record by
/// its `externalId`: a retry follows its first try within minutes, and
/// QuickBooks' clock is the end-user's.
const LOOK_BACK_DAYS: i64 = 7;

/// The verb of a write (`create` for `qbd.invoices.create`).
pub(crate) fn verb(operation: &Operation) -> &'static str {
    operation.name.rsplit('.').next().unwrap_or_default()
}

/// Parses `--allow create,update`: the verbs, each checked.
pub(crate) fn parse_allowed(text: &str) -> Result<BTreeSet<&'static str>, String> {
    let mut allowed = BTreeSet::new();
    for word in text.split(',').map(str::trim).filter(|word| !word.is_empty()) {
        match VERBS.iter().find(|verb| **verb == word) {
            Some(verb) => {
                allowed.insert(*verb);
            }
            None => return Err(format!("{word:?} is not a kind of write: {}", VERBS.join(", "))),
        }
    }
    Ok(allowed)
}

/// Whether the operation's arguments have an `externalId`.
pub(crate) fn takes_external_id(operation: &Operation) -> bool {
    verb(operation) == "create" && has_argument(operation, "externalId")
}

/// A fresh GUID, as QuickBooks takes them.
pub(crate) fn new_external_id() -> String {
    uuid::Uuid::new_v4().hyphenated().to_string()
}

/// The list operation of the resource `operation` writes to.
pub(crate) fn list_of(operation: &Operation) -> Option<&'static Operation> {
    let (resource, _) = operation.name.rsplit_once('.')?;
    let name = format!("{resource}.list");
    OPERATIONS.iter().find(|candidate| candidate.name == name)
}

/// The record of `operation`'s resource whose `externalId` is `external_id`,
/// among those changed in the last [`LOOK_BACK_DAYS`] days.
pub(crate) async fn find_by_external_id(
    client: &Client,
    operation: &Operation,
    end_user: &str,
    external_id: &str,
) -> Result<Option<Value>, Failure> {
    let Some(list) = list_of(operation) else { return Ok(None) };
    let mut args = Map::new();
    if has_argument(list, "updatedAfter") {
        let since = jiff::Zoned::now().date().saturating_sub(jiff::Span::new().days(LOOK_BACK_DAYS));
        args.insert("updatedAfter".into(), json!(since.to_string()));
    }
    let mut cursor: Option<String> = None;
    loop {
        let mut page_args = args.clone();
        if list.paged {
            page_args.insert("limit".into(), json!(150));
            if let Some(cursor) = &cursor {
                page_args.insert("cursor".into(), json!(cursor));
            }
        }
        let answer = (list.call)(client.clone(), end_user.to_owned(), Args(page_args)).await?;
        let records = match &answer {
            Value::Object(page) => page.get("data").and_then(Value::as_array).cloned().unwrap_or_default(),
            Value::Array(records) => records.clone(),
            _ => Vec::new(),
        };
        if let Some(found) = records.into_iter().find(|record| record["externalId"] == external_id) {
            return Ok(Some(found));
        }
        cursor = answer.get("nextCursor").and_then(Value::as_str).map(str::to_owned);
        if !list.paged || answer.get("hasMore") != Some(&Value::Bool(true)) || cursor.is_none() {
            return Ok(None);
        }
    }
}

/// The record a create would duplicate, if any: one with its `externalId`,
/// or with its `refNumber` for the same customer or vendor.
pub(crate) async fn duplicate_of(
    client: &Client,
    operation: &Operation,
    end_user: &str,
    args: &Map<String, Value>,
) -> Result<Option<(String, Value)>, Failure> {
    if let Some(external_id) = args.get("externalId").and_then(Value::as_str)
        && let Some(found) = find_by_external_id(client, operation, end_user, external_id).await?
    {
        return Ok(Some((format!("externalId {external_id:?}"), found)));
    }
    let Some(ref_number) = args.get("refNumber").and_then(Value::as_str) else { return Ok(None) };
    let Some(list) = list_of(operation) else { return Ok(None) };
    let party = [("customerId", "customerIds"), ("vendorId", "vendorIds")]
        .into_iter()
        .find_map(|(field, filter)| Some((field, filter, args.get(field)?.as_str()?)));
    let Some((field, filter, party)) = party else { return Ok(None) };
    if !has_argument(list, "refNumbers") || !has_argument(list, filter) {
        return Ok(None);
    }
    let mut query = Map::new();
    query.insert("refNumbers".into(), json!([ref_number]));
    query.insert(filter.into(), json!([party]));
    if list.paged {
        query.insert("limit".into(), json!(1));
    }
    let answer = (list.call)(client.clone(), end_user.to_owned(), Args(query)).await?;
    let found = match answer {
        Value::Object(mut page) => page.remove("data").and_then(|data| data.as_array()?.first().cloned()),
        Value::Array(records) => records.into_iter().next(),
        _ => None,
    };
    Ok(found.map(|record| (format!("refNumber {ref_number:?} for this {}", field.trim_end_matches("Id")), record)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn operation(name: &str) -> &'static Operation {
        OPERATIONS.iter().find(|operation| operation.name == name).unwrap()
    }

    #[test]
    fn verbs_are_the_last_part_of_the_name() {
        assert_eq!(verb(operation("qbd.invoices.create")), "create");
        assert_eq!(verb(operation("qbd.checks.delete")), "delete");
        let mut verbs: Vec<&str> =
            OPERATIONS.iter().filter(|operation| operation.write).map(|operation| verb(operation)).collect();
        verbs.sort_unstable();
        verbs.dedup();
        assert_eq!(
            verbs,
            ["create", "delete", "passthrough", "update", "void"],
            "every write has a verb --allow names"
        );
    }

    #[test]
    fn allow_takes_known_verbs_only() {
        assert_eq!(parse_allowed("create, update").unwrap().into_iter().collect::<Vec<_>>(), ["create", "update"]);
        assert_eq!(
            parse_allowed("create,destroy").unwrap_err(),
            "\"destroy\" is not a kind of write: create, update, void, delete, passthrough"
        );
    }

    #[test]
    fn creates_with_an_external_id_and_their_lists() {
        assert!(takes_external_id(operation("qbd.invoices.create")));
        assert!(!takes_external_id(operation("qbd.invoices.update")));
        assert_eq!(list_of(operation("qbd.invoices.create")).unwrap().name, "qbd.invoices.list");
        let id = new_external_id();
        assert_eq!((id.len(), id.matches('-').count()), (36, 4));
    }
}
