//! Records into rows: a record's typed columns, its lines, which resource
//! its id is of, and what it refers to; written so that a copy never
//! replaces a newer one.

use std::collections::{HashMap, HashSet};

use serde_json::Value;
use sqlx::{AnyConnection, Row};

use super::{Database, Dialect, quoted, safe};
use crate::error::Result;
use crate::schema::{Column, Resource, Type};

/// How many values one statement binds at most (SQLite takes 32,766).
const MAX_VALUES: usize = 30_000;

/// `items` in chunks of a few sizes only (`max`, then 64, 16, 4 and 1, as
/// they fit): each size is one statement text, which the connection
/// prepares once and keeps, where a chunk of every size would be prepared
/// anew each time.
fn chunks<T>(items: &[T], max: usize) -> Vec<&[T]> {
    let mut out = Vec::new();
    let mut rest = items;
    while !rest.is_empty() {
        let size = [max, 64, 16, 4, 1].into_iter().find(|&size| size <= rest.len() && size <= max).unwrap_or(1);
        let (chunk, after) = rest.split_at(size);
        out.push(chunk);
        rest = after;
    }
    out
}

/// A statement with its values bound, built before the transaction that
/// runs it.
pub(crate) type Statement = sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments>;

/// Statements to run in one transaction, built beforehand: a transaction
/// (and SQLite's one writer) is held only while they run, not while their
/// values are worked out.
#[derive(Default)]
pub(crate) struct Writes(Vec<Statement>);

impl Writes {
    /// Runs them, in order.
    pub(crate) async fn run(self, connection: &mut AnyConnection) -> Result<()> {
        for statement in self.0 {
            statement.execute(&mut *connection).await?;
        }
        Ok(())
    }
}

/// One row to write: a record of an end-user, with its times.
pub(crate) struct RowOf<'a> {
    pub(crate) end_user: &'a str,
    pub(crate) record: &'a Value,
    pub(crate) synced_at: &'a str,
    pub(crate) deleted_at: Option<&'a str>,
}

/// The text a column holds of a field's value; `None` (SQL `NULL`) when the
/// field is absent, `null`, or not what its type says (the record, kept
/// whole beside it, still has it).
pub(crate) fn column_text(dialect: Dialect, ty: Type, value: Option<&Value>) -> Option<String> {
    let value = value?;
    match (ty, value) {
        (_, Value::Null) => None,
        (Type::Text, Value::String(text)) => Some(text.clone()),
        (Type::Text, other) => Some(other.to_string()),
        (Type::Decimal, Value::String(text)) if is_decimal(text) => Some(text.clone()),
        (Type::Decimal, Value::Number(number)) => Some(number.to_string()),
        (Type::Date, Value::String(text)) => text.parse::<jiff::civil::Date>().is_ok().then(|| text.clone()),
        (Type::Timestamp, Value::String(text)) => text.parse::<jiff::Timestamp>().is_ok().then(|| text.clone()),
        (Type::Bool, Value::Bool(flag)) => Some(match dialect {
            Dialect::Postgres => flag.to_string(),
            Dialect::Sqlite => u8::from(*flag).to_string(),
        }),
        (Type::Integer, Value::Number(number)) if number.is_i64() || number.is_u64() => Some(number.to_string()),
        (Type::Json, other) => Some(other.to_string()),
        (Type::Reference, Value::Object(object)) => object.get("id").and_then(Value::as_str).map(str::to_owned),
        _ => None,
    }
}

/// Whether `text` is a plain decimal: digits, an optional sign and point.
fn is_decimal(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
        && fraction.is_empty() != digits.contains('.')
}

/// The ids a record refers to: every reference (`{"id", "fullName"}`),
/// every transaction it applies to (`transactionId`) and every linked
/// transaction (`qbd_linked_transaction`), its own id aside.
pub(crate) fn references(record: &Value) -> Vec<String> {
    fn walk(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(object) => {
                let linked = object.get("objectType").and_then(Value::as_str) == Some("qbd_linked_transaction");
                if let Some(Value::String(id)) = object.get("transactionId") {
                    out.push(id.clone());
                } else if let (Some(Value::String(id)), true) =
                    (object.get("id"), linked || object.contains_key("fullName"))
                {
                    out.push(id.clone());
                }
                object.values().for_each(|inner| walk(inner, out));
            }
            Value::Array(items) => items.iter().for_each(|inner| walk(inner, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    if let Value::Object(object) = record {
        object.values().for_each(|value| walk(value, &mut out));
    }
    let own = record.get("id").and_then(Value::as_str);
    out.retain(|id| Some(id.as_str()) != own);
    out.sort();
    out.dedup();
    out
}

/// A copy held, as far as ordering copies goes, with its name.
struct Held {
    updated_at: Option<jiff::Timestamp>,
    revision: Option<String>,
    /// Its `fullName` (or `name`): what references to it show.
    name: Option<String>,
    /// For a transaction, what the copy held refers to: a void or an
    /// edit may unlink a payment or a credit, which then changes without a
    /// revision of its own and is named only by the copy held.
    references: Vec<String>,
}

/// A record's name as references to it show it.
fn name_of(record: &Value) -> Option<&str> {
    record.get("fullName").or_else(|| record.get("name")).and_then(Value::as_str)
}

/// A record's `updatedAt`.
fn updated_at(record: &Value) -> Option<jiff::Timestamp> {
    record.get("updatedAt").and_then(Value::as_str).and_then(|at| at.parse().ok())
}

/// Whether `incoming` may replace `held`: it is not older by its
/// `updatedAt`, nor by its revision number when both are numbers. The same
/// revision read again replaces the copy (what QuickBooks computes may have
/// moved without a new revision).
fn may_replace(held: &Held, incoming: &Value) -> bool {
    let updated_at: Option<jiff::Timestamp> =
        incoming.get("updatedAt").and_then(Value::as_str).and_then(|at| at.parse().ok());
    if let (Some(held), Some(incoming)) = (held.updated_at, updated_at)
        && incoming < held
    {
        return false;
    }
    let revision = incoming.get("revisionNumber").and_then(Value::as_str);
    let number = |text: &str| text.parse::<u128>().ok();
    match (held.revision.as_deref().and_then(number), revision.and_then(number)) {
        (Some(held), Some(incoming)) => incoming >= held,
        _ => true,
    }
}

/// The copies held of `ids`.
async fn held(
    connection: &mut AnyConnection,
    dialect: Dialect,
    resource: &Resource,
    end_user: &str,
    ids: &[&str],
) -> Result<HashMap<String, Held>> {
    let mut found = HashMap::new();
    for chunk in chunks(ids, 500) {
        // A transaction's whole record, for what it refers to; a list
        // object's references are not what its changes move.
        let record = if resource.transaction { dialect.json_text("record") } else { "CAST(NULL AS TEXT)".to_owned() };
        let sql = format!(
            "SELECT id, {}, {}, COALESCE({}, {}), {record} FROM {} WHERE end_user_id = {} AND id IN ({})",
            dialect.json_field("record", "updatedAt"),
            dialect.json_field("record", "revisionNumber"),
            dialect.json_field("record", "fullName"),
            dialect.json_field("record", "name"),
            quoted(resource.table),
            dialect.param(1),
            dialect.params(2, chunk.len())
        );
        let mut query = sqlx::query(safe(sql)).bind(end_user);
        for id in chunk {
            query = query.bind(*id);
        }
        for row in query.fetch_all(&mut *connection).await? {
            let updated_at: Option<String> = row.try_get(1)?;
            let record: Option<String> = row.try_get(4)?;
            let references = (record.as_deref())
                .and_then(|record| serde_json::from_str::<Value>(record).ok())
                .map(|record| references(&record))
                .unwrap_or_default();
            let held = Held {
                updated_at: updated_at.and_then(|at| at.parse().ok()),
                revision: row.try_get(2)?,
                name: row.try_get(3)?,
                references,
            };
            found.insert(row.try_get(0)?, held);
        }
    }
    Ok(found)
}

/// What writing a page of records did.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Written {
    /// Records written (new, newer, or the same revision again).
    pub(crate) written: usize,
    /// Records older than the copy held, left out.
    pub(crate) older: usize,
}

/// The writes of records of one end-user, read at `synced_at`: each that
/// is not older than the copy held, with its lines, its id in `sync_ids`,
/// and what it refers to in `sync_pending` (it no longer pending itself).
/// What they are is read from the database first (the copies held, and
/// the records that name a renamed one); the caller runs them in a
/// transaction. Only one task writes an end-user's rows at a time.
pub(crate) async fn plan_records(
    database: &Database,
    resource: &Resource,
    end_user: &str,
    records: &[Value],
    synced_at: &str,
    changed_since: jiff::Timestamp,
) -> Result<(Writes, Written)> {
    let dialect = database.dialect;
    let ids: Vec<&str> = records.iter().filter_map(|record| record.get("id")?.as_str()).collect();
    let held = {
        let mut connection = database.pool.acquire().await?;
        held(&mut connection, dialect, resource, end_user, &ids).await?
    };
    let mut seen = HashSet::new();
    let mut rows = Vec::new();
    let mut older = 0;
    let mut renamed = Vec::new();
    let mut unlinked = Vec::new();
    // The last copy of an id in one page wins.
    for record in records.iter().rev() {
        let Some(id) = record.get("id").and_then(Value::as_str) else { continue };
        if !seen.insert(id) {
            continue;
        }
        if let Some(held) = held.get(id) {
            if !may_replace(held, record) {
                older += 1;
                continue;
            }
            // What it referred to may have been unlinked from it: read
            // again too.
            unlinked.extend(held.references.iter().cloned());
            // Every reference to it shows its name: renamed, the records
            // that refer to it change too, without a revision of their own.
            if !resource.transaction && held.name.as_deref() != name_of(record) {
                renamed.push((id, name_of(record)));
            }
        } else if !resource.transaction && updated_at(record).is_some_and(|at| at >= changed_since) {
            // Read for the first time, and changed during this run: records
            // read earlier in the run may show a name it no longer has.
            renamed.push((id, name_of(record)));
        }
        rows.push(RowOf { end_user, record, synced_at, deleted_at: None });
    }
    rows.reverse();
    let mut refers = Vec::new();
    for row in &rows {
        if resource.transaction {
            refers.extend(references(row.record));
        } else if let Some(parent) = row.record.pointer("/parent/id").and_then(Value::as_str) {
            // A job's balance is in its parent's total.
            refers.push(parent.to_owned());
        }
    }
    refers.extend(unlinked);
    if !renamed.is_empty() {
        let mut connection = database.pool.acquire().await?;
        refers.extend(referrers(&mut connection, dialect, end_user, &renamed).await?);
    }
    let written: Vec<&str> = rows.iter().filter_map(|row| row.record.get("id")?.as_str()).collect();
    let mut writes = Writes(put_rows(dialect, resource, &rows));
    writes.0.extend(index_ids(dialect, resource, end_user, &written));
    writes.0.extend(clear_pending(dialect, end_user, &written));
    writes.0.extend(add_pending(dialect, end_user, &refers));
    Ok((writes, Written { written: rows.len(), older }))
}

/// The live records of an end-user that name one of `renamed` (an id and
/// the name it has now) by another name: those a rename changed. A scan
/// of the end-user's rows of each table, for up to 16 ids at once, as
/// renames are rare.
async fn referrers(
    connection: &mut AnyConnection,
    dialect: Dialect,
    end_user: &str,
    renamed: &[(&str, Option<&str>)],
) -> Result<Vec<String>> {
    let mut found = Vec::new();
    for chunk in chunks(renamed, 16) {
        let quoted_ids: Vec<String> = chunk.iter().map(|(id, _)| format!("\"{id}\"")).collect();
        let contains: Vec<String> = (0..chunk.len())
            .map(|n| match dialect {
                Dialect::Sqlite => format!("instr(record, {}) > 0", dialect.param(n + 2)),
                Dialect::Postgres => format!("strpos(record::text, {}) > 0", dialect.param(n + 2)),
            })
            .collect();
        for resource in crate::schema::resources() {
            let sql = format!(
                "SELECT id, {} FROM {} WHERE end_user_id = {} AND deleted_at IS NULL AND ({})",
                dialect.json_text("record"),
                quoted(resource.table),
                dialect.param(1),
                contains.join(" OR ")
            );
            let mut query = sqlx::query(safe(sql)).bind(end_user);
            for quoted_id in &quoted_ids {
                query = query.bind(quoted_id.as_str());
            }
            for row in query.fetch_all(&mut *connection).await? {
                let id: String = row.try_get(0)?;
                let record: String = row.try_get(1)?;
                let Ok(record) = serde_json::from_str::<Value>(&record) else { continue };
                if chunk.iter().any(|(renamed, name)| *renamed != id && shows_another_name(&record, renamed, *name)) {
                    found.push(id);
                }
            }
        }
    }
    Ok(found)
}

/// Whether `record` holds a reference to `id` whose `fullName` (or `name`)
/// is not `name`.
fn shows_another_name(record: &Value, id: &str, name: Option<&str>) -> bool {
    match record {
        Value::Object(fields) => {
            let names_it = fields.get("id").and_then(Value::as_str) == Some(id)
                && (fields.get("fullName").or_else(|| fields.get("name"))).is_some_and(|shown| shown.as_str() != name);
            names_it || fields.values().any(|value| shows_another_name(value, id, name))
        }
        Value::Array(items) => items.iter().any(|item| shows_another_name(item, id, name)),
        _ => false,
    }
}

/// Inserts or replaces rows whole (their lines too), in statements of at
/// most `MAX_VALUES` values.
pub(crate) fn put_rows(dialect: Dialect, resource: &Resource, rows: &[RowOf<'_>]) -> Vec<Statement> {
    let per_row = resource.columns.len() + 4;
    let mut out = Vec::new();
    let mut names = vec!["end_user_id".to_owned()];
    names.extend(resource.columns.iter().map(|column| column.name.to_owned()));
    names.extend(["record", "synced_at", "deleted_at"].map(str::to_owned));
    let types: Vec<Type> = std::iter::once(Type::Text)
        .chain(resource.columns.iter().map(|column| column.ty))
        .chain([Type::Json, Type::Timestamp, Type::Timestamp])
        .collect();
    let updates: Vec<String> = (names.iter().skip(1))
        .filter(|name| *name != "id")
        .map(|name| format!("{0} = excluded.{0}", quoted(name)))
        .collect();
    for chunk in chunks(rows, (MAX_VALUES / per_row).max(1)) {
        let sql = format!(
            "INSERT INTO {} ({}) VALUES {} ON CONFLICT (\"end_user_id\", \"id\") DO UPDATE SET {}",
            quoted(resource.table),
            names.iter().map(|name| quoted(name)).collect::<Vec<_>>().join(", "),
            values_list(dialect, &types, chunk.len()),
            updates.join(", ")
        );
        let mut query = sqlx::query(safe(sql));
        for row in chunk {
            query = query.bind(row.end_user.to_owned());
            for column in resource.columns {
                query = query.bind(value_of(dialect, column, row.record));
            }
            query = query.bind(row.record.to_string()).bind(row.synced_at.to_owned());
            query = query.bind(row.deleted_at.map(str::to_owned));
        }
        out.push(query);
        out.extend(put_lines(dialect, resource, chunk));
    }
    out
}

fn value_of(dialect: Dialect, column: &Column, record: &Value) -> Option<String> {
    column_text(dialect, column.ty, record.get(column.field))
}

/// `(?1, ?2), (?3, ?4)`: the values of `rows` rows of `types`.
fn values_list(dialect: Dialect, types: &[Type], rows: usize) -> String {
    let mut n = 0;
    let mut out = Vec::with_capacity(rows);
    for _ in 0..rows {
        let row: Vec<String> = types
            .iter()
            .map(|ty| {
                n += 1;
                dialect.value(n, *ty)
            })
            .collect();
        out.push(format!("({})", row.join(", ")));
    }
    out.join(", ")
}

/// Replaces the lines of each row's transaction by those its record has.
fn put_lines(dialect: Dialect, resource: &Resource, rows: &[RowOf<'_>]) -> Vec<Statement> {
    let mut out = Vec::new();
    for lines in resource.lines {
        // One end-user's rows as a rule (a migration's refill may mix them).
        let mut by_end_user: Vec<(&str, Vec<&str>)> = Vec::new();
        for row in rows {
            let Some(id) = row.record.get("id").and_then(Value::as_str) else { continue };
            match by_end_user.iter_mut().find(|(end_user, _)| *end_user == row.end_user) {
                Some((_, ids)) => ids.push(id),
                None => by_end_user.push((row.end_user, vec![id])),
            }
        }
        for (end_user, ids) in &by_end_user {
            out.extend(delete_where_in(dialect, lines.table, lines.parent, end_user, ids));
        }
        let mut all: Vec<(&str, &str, usize, &Value)> = Vec::new();
        for row in rows {
            let Some(id) = row.record.get("id").and_then(Value::as_str) else { continue };
            let items = row.record.get(lines.field).and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
            all.extend(items.iter().enumerate().map(|(position, line)| (row.end_user, id, position, line)));
        }
        let types: Vec<Type> = [Type::Text, Type::Text, Type::Integer]
            .into_iter()
            .chain(lines.columns.iter().map(|column| column.ty))
            .chain([Type::Json])
            .collect();
        let mut names = vec!["end_user_id".to_owned(), lines.parent.to_owned(), "position".to_owned()];
        names.extend(lines.columns.iter().map(|column| column.name.to_owned()));
        names.push("record".to_owned());
        for chunk in chunks(&all, (MAX_VALUES / types.len()).max(1)) {
            let sql = format!(
                "INSERT INTO {} ({}) VALUES {}",
                quoted(lines.table),
                names.iter().map(|name| quoted(name)).collect::<Vec<_>>().join(", "),
                values_list(dialect, &types, chunk.len())
            );
            let mut query = sqlx::query(safe(sql));
            for (end_user, parent, position, line) in chunk {
                query = query.bind((*end_user).to_owned()).bind((*parent).to_owned()).bind(position.to_string());
                for column in lines.columns {
                    query = query.bind(value_of(dialect, column, line));
                }
                query = query.bind(line.to_string());
            }
            out.push(query);
        }
    }
    out
}

/// `DELETE FROM table WHERE end_user_id = ? AND column IN (...)`, in
/// statements of 500 values.
fn delete_where_in(dialect: Dialect, table: &str, column: &str, end_user: &str, values: &[&str]) -> Vec<Statement> {
    let mut out = Vec::new();
    for chunk in chunks(values, 500) {
        let sql = format!(
            "DELETE FROM {} WHERE end_user_id = {} AND {} IN ({})",
            quoted(table),
            dialect.param(1),
            quoted(column),
            dialect.params(2, chunk.len())
        );
        let mut query = sqlx::query(safe(sql)).bind(end_user.to_owned());
        for value in chunk {
            query = query.bind((*value).to_owned());
        }
        out.push(query);
    }
    out
}

/// Records which resource each id is of.
fn index_ids(dialect: Dialect, resource: &Resource, end_user: &str, ids: &[&str]) -> Vec<Statement> {
    let mut out = Vec::new();
    for chunk in chunks(ids, MAX_VALUES / 3) {
        let sql = format!(
            "INSERT INTO sync_ids (end_user_id, id, resource) VALUES {} ON CONFLICT DO NOTHING",
            values_list(dialect, &[Type::Text; 3], chunk.len())
        );
        let mut query = sqlx::query(safe(sql));
        for id in chunk {
            query = query.bind(end_user.to_owned()).bind((*id).to_owned()).bind(resource.name);
        }
        out.push(query);
    }
    out
}

/// Adds ids to read again.
fn add_pending(dialect: Dialect, end_user: &str, ids: &[String]) -> Vec<Statement> {
    let mut ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut out = Vec::new();
    for chunk in chunks(&ids, MAX_VALUES / 2) {
        let sql = format!(
            "INSERT INTO sync_pending (end_user_id, id) VALUES {} ON CONFLICT DO NOTHING",
            values_list(dialect, &[Type::Text; 2], chunk.len())
        );
        let mut query = sqlx::query(safe(sql));
        for id in chunk {
            query = query.bind(end_user.to_owned()).bind((*id).to_owned());
        }
        out.push(query);
    }
    out
}

/// Removes ids from those to read again: they were just read.
fn clear_pending(dialect: Dialect, end_user: &str, ids: &[&str]) -> Vec<Statement> {
    delete_where_in(dialect, "sync_pending", "id", end_user, ids)
}

/// Removes ids from those to read again, now, in the caller's transaction.
pub(crate) async fn forget_pending(
    connection: &mut AnyConnection,
    dialect: Dialect,
    end_user: &str,
    ids: &[&str],
) -> Result<()> {
    Writes(clear_pending(dialect, end_user, ids)).run(connection).await
}

/// Marks records deleted at `deleted_at`, with what they referred to
/// pending; the ids that were live.
pub(crate) async fn mark_deleted(
    connection: &mut AnyConnection,
    dialect: Dialect,
    resource: &Resource,
    end_user: &str,
    ids: &[&str],
    deleted_at: &str,
) -> Result<Vec<String>> {
    let mut marked = Vec::new();
    for chunk in chunks(ids, 500) {
        let sql = format!(
            "SELECT id, {} FROM {} WHERE end_user_id = {} AND deleted_at IS NULL AND id IN ({})",
            dialect.json_text("record"),
            quoted(resource.table),
            dialect.param(1),
            dialect.params(2, chunk.len())
        );
        let mut query = sqlx::query(safe(sql)).bind(end_user);
        for id in chunk {
            query = query.bind(*id);
        }
        let mut refers = Vec::new();
        let mut live = Vec::new();
        for row in query.fetch_all(&mut *connection).await? {
            let id: String = row.try_get(0)?;
            let record: String = row.try_get(1)?;
            if let Ok(record) = serde_json::from_str::<Value>(&record) {
                refers.extend(references(&record));
                if let Some(parent) = record.pointer("/parent/id").and_then(Value::as_str) {
                    refers.push(parent.to_owned());
                }
            }
            live.push(id);
        }
        if live.is_empty() {
            continue;
        }
        let sql = format!(
            "UPDATE {} SET deleted_at = {} WHERE end_user_id = {} AND id IN ({})",
            quoted(resource.table),
            dialect.value(1, Type::Timestamp),
            dialect.param(2),
            dialect.params(3, live.len())
        );
        let mut query = sqlx::query(safe(sql)).bind(deleted_at).bind(end_user);
        for id in &live {
            query = query.bind(id.as_str());
        }
        query.execute(&mut *connection).await?;
        refers.retain(|id| !live.contains(id));
        let cleared: Vec<&str> = live.iter().map(String::as_str).collect();
        let mut writes = Writes(add_pending(dialect, end_user, &refers));
        writes.0.extend(clear_pending(dialect, end_user, &cleared));
        writes.run(connection).await?;
        marked.extend(live);
    }
    Ok(marked)
}

/// The ids of an end-user's live rows of a resource.
pub(crate) async fn live_ids(
    connection: &mut AnyConnection,
    dialect: Dialect,
    resource: &Resource,
    end_user: &str,
) -> Result<Vec<String>> {
    let sql = format!(
        "SELECT id FROM {} WHERE end_user_id = {} AND deleted_at IS NULL",
        quoted(resource.table),
        dialect.param(1)
    );
    let rows = sqlx::query(safe(sql)).bind(end_user).fetch_all(&mut *connection).await?;
    rows.iter().map(|row| Ok(row.try_get(0)?)).collect()
}

/// The ids pending for an end-user, with the resources they are of (an id
/// no synced resource has is dropped from those pending).
pub(crate) async fn pending(
    connection: &mut AnyConnection,
    dialect: Dialect,
    end_user: &str,
) -> Result<Vec<(String, String)>> {
    let sql = format!(
        "SELECT p.id, i.resource FROM sync_pending p LEFT JOIN sync_ids i \
         ON i.end_user_id = p.end_user_id AND i.id = p.id WHERE p.end_user_id = {} ORDER BY p.id",
        dialect.param(1)
    );
    let rows = sqlx::query(safe(sql)).bind(end_user).fetch_all(&mut *connection).await?;
    let mut found = Vec::new();
    let mut unknown = Vec::new();
    for row in rows {
        let id: String = row.try_get(0)?;
        match row.try_get::<Option<String>, _>(1)? {
            Some(resource) => found.push((id, resource)),
            None => unknown.push(id),
        }
    }
    let unknown: Vec<&str> = unknown.iter().map(String::as_str).collect();
    forget_pending(connection, dialect, end_user, &unknown).await?;
    Ok(found)
}

/// Rewrites every row of a resource from its record, after a release added
/// columns (or tables of lines): the new columns are filled, the rest
/// written as they were.
pub(crate) async fn refill(database: &Database, resource: &Resource) -> Result<()> {
    let dialect = database.dialect;
    let mut after: Option<(String, String)> = None;
    loop {
        let (condition, bound) = match &after {
            None => (String::new(), None),
            Some(key) => (format!("WHERE (end_user_id, id) > ({}, {})", dialect.param(1), dialect.param(2)), Some(key)),
        };
        let sql = format!(
            "SELECT end_user_id, {}, {}, {} FROM {} {condition} ORDER BY end_user_id, id LIMIT 500",
            dialect.json_text("record"),
            dialect.timestamp_text("synced_at"),
            dialect.timestamp_text("deleted_at"),
            quoted(resource.table)
        );
        let mut query = sqlx::query(safe(sql));
        if let Some((end_user, id)) = bound {
            query = query.bind(end_user.as_str()).bind(id.as_str());
        }
        let rows = query.fetch_all(&database.pool).await?;
        if rows.is_empty() {
            return Ok(());
        }
        let mut read = Vec::with_capacity(rows.len());
        for row in &rows {
            let end_user: String = row.try_get(0)?;
            let record: String = row.try_get(1)?;
            let record: Value = serde_json::from_str(&record).unwrap_or(Value::Null);
            read.push((end_user, record, row.try_get::<String, _>(2)?, row.try_get::<Option<String>, _>(3)?));
        }
        let batch: Vec<RowOf<'_>> = read
            .iter()
            .map(|(end_user, record, synced_at, deleted_at)| RowOf {
                end_user,
                record,
                synced_at,
                deleted_at: deleted_at.as_deref(),
            })
            .collect();
        let writes = Writes(put_rows(dialect, resource, &batch));
        let mut transaction = database.pool.begin().await?;
        writes.run(&mut transaction).await?;
        transaction.commit().await?;
        let (end_user, record, ..) = read.last().expect("rows were read");
        after = Some((end_user.clone(), record.get("id").and_then(Value::as_str).unwrap_or_default().to_owned()));
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn chunks_come_in_a_few_sizes() {
        let items: Vec<u32> = (0..333).collect();
        let sizes: Vec<usize> = chunks(&items, 150).iter().map(|chunk| chunk.len()).collect();
        assert_eq!(sizes, [150, 150, 16, 16, 1]);
        assert_eq!(chunks(&items, 150).concat(), items);
        assert!(chunks(&items[..0], 150).is_empty());
        let sizes: Vec<usize> = chunks(&items[..7], 500).iter().map(|chunk| chunk.len()).collect();
        assert_eq!(sizes, [4, 1, 1, 1]);
    }

    #[test]
    fn columns_hold_exact_text_or_null() {
        let text = |ty, value: Value| column_text(Dialect::Postgres, ty, Some(&value));
        assert_eq!(text(Type::Decimal, json!("1234.50")).as_deref(), Some("1234.50"));
        assert_eq!(text(Type::Decimal, json!(2.5)).as_deref(), Some("2.5"));
        assert_eq!(text(Type::Decimal, json!("12e3")), None);
        assert_eq!(text(Type::Decimal, json!("1.")), None);
        assert_eq!(text(Type::Date, json!("2024-02-30")), None);
        assert_eq!(text(Type::Date, json!("2024-02-29")).as_deref(), Some("2024-02-29"));
        assert_eq!(
            text(Type::Timestamp, json!("2024-02-29T10:00:00-08:00")).as_deref(),
            Some("2024-02-29T10:00:00-08:00")
        );
        assert_eq!(text(Type::Timestamp, json!("2024-02-29T10:00:00")), None);
        assert_eq!(text(Type::Bool, json!(true)).as_deref(), Some("true"));
        assert_eq!(column_text(Dialect::Sqlite, Type::Bool, Some(&json!(false))).as_deref(), Some("0"));
        assert_eq!(text(Type::Integer, json!(1.5)), None);
        assert_eq!(
            text(Type::Reference, json!({"id": "80000001-1", "fullName": "Ann"})).as_deref(),
            Some("80000001-1")
        );
        assert_eq!(text(Type::Json, json!([1, {"a": null}])).as_deref(), Some(r#"[1,{"a":null}]"#));
        assert_eq!(text(Type::Text, Value::Null), None);
    }

    #[test]
    fn references_are_ids_of_references_and_linked_transactions() {
        let payment = json!({
            "id": "P-1",
            "customer": {"id": "C-1", "fullName": "Ann"},
            "appliedToTransactions": [{"transactionId": "I-1", "amount": "5.00"}],
            "lines": [{"id": "L-1", "item": {"id": "IT-1", "fullName": "Hours"}}],
            "linkedTransactions": [{"transactionId": "P-1"}, {"id": "D-1", "objectType": "qbd_linked_transaction"}],
        });
        assert_eq!(references(&payment), ["C-1", "D-1", "I-1", "IT-1"]);
    }

    #[test]
    fn a_copy_replaces_one_not_newer_than_itself() {
        let held = Held {
            updated_at: "2024-05-01T10:00:00Z".parse().ok(),
            revision: Some("20".into()),
            name: None,
            references: Vec::new(),
        };
        let copy = |at: &str, revision: &str| json!({"updatedAt": at, "revisionNumber": revision});
        assert!(may_replace(&held, &copy("2024-05-01T10:00:00Z", "20")), "the same copy again");
        assert!(may_replace(&held, &copy("2024-05-01T12:00:00+02:00", "20")), "the same instant elsewhere");
        assert!(may_replace(&held, &copy("2024-05-01T10:00:01Z", "21")));
        assert!(!may_replace(&held, &copy("2024-05-01T09:59:59Z", "21")), "an earlier updatedAt");
        assert!(!may_replace(&held, &copy("2024-05-01T10:00:00Z", "19")), "a revision moved past");
    }
}
