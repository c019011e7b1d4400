//! The schema: the sync's own tables, and one table per resource (with its
//! tables of lines) as the generated table describes them; created on first
//! use and migrated by every later release.
//!
//! A release whose description has a field more adds its column to the
//! existing table and fills it from each row's `record`, so every row is
//! kept and reads as if it had been synced by that release. Nothing is ever
//! dropped: a column the description no longer has stays, unwritten.

use std::collections::BTreeSet;

use sqlx::Row;

use super::{Database, Dialect, quoted, rows, safe};
use crate::error::{Error, Result};
use crate::schema::{Column, Resource, Type, resources};

/// The version of the sync's own tables. A database written by a release
/// with a higher version is refused rather than misread.
pub(crate) const SCHEMA_VERSION: i64 = 1;

/// The sync's own tables.
fn own_tables(dialect: Dialect) -> Vec<String> {
    let (serial, timestamp, json) = match dialect {
        Dialect::Sqlite => ("INTEGER PRIMARY KEY AUTOINCREMENT", "TEXT", "TEXT"),
        Dialect::Postgres => ("BIGSERIAL PRIMARY KEY", "TIMESTAMPTZ", "JSONB"),
    };
    vec![
        "CREATE TABLE IF NOT EXISTS sync_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)".to_owned(),
        // One row per run of a worker: when, how it ended, what it read.
        format!(
            "CREATE TABLE IF NOT EXISTS sync_runs (id {serial}, worker TEXT NOT NULL, started_at {timestamp} NOT NULL, \
             finished_at {timestamp}, status TEXT NOT NULL, end_users BIGINT NOT NULL DEFAULT 0, counts {json}, error TEXT)"
        ),
        // What each run did for each end-user.
        format!(
            "CREATE TABLE IF NOT EXISTS sync_run_end_users (run_id BIGINT NOT NULL, end_user_id TEXT NOT NULL, \
             started_at {timestamp} NOT NULL, finished_at {timestamp}, status TEXT NOT NULL, counts {json}, error TEXT, \
             PRIMARY KEY (run_id, end_user_id))"
        ),
        // Each end-user's state: its last attempt, its last success, and why
        // it is paused.
        format!(
            "CREATE TABLE IF NOT EXISTS sync_end_users (end_user_id TEXT PRIMARY KEY, company_name TEXT, \
             status TEXT NOT NULL, reason TEXT, last_run_id BIGINT, last_attempt_started_at {timestamp}, \
             last_attempt_finished_at {timestamp}, last_succeeded_at {timestamp})"
        ),
        // How far each resource of each end-user has been read: `watermark`
        // once a run succeeded; `pending` and `pending_run` while a run that
        // read it to its end has not yet.
        format!(
            "CREATE TABLE IF NOT EXISTS sync_watermarks (end_user_id TEXT NOT NULL, resource TEXT NOT NULL, \
             watermark {timestamp}, pending {timestamp}, pending_run BIGINT, PRIMARY KEY (end_user_id, resource))"
        ),
        // Which resource each synced id is of.
        "CREATE TABLE IF NOT EXISTS sync_ids (end_user_id TEXT NOT NULL, id TEXT NOT NULL, resource TEXT NOT NULL, \
         PRIMARY KEY (end_user_id, id, resource))"
            .to_owned(),
        // Records to read again: a transaction read or deleted since may
        // have changed what they owe, without a new revision.
        "CREATE TABLE IF NOT EXISTS sync_pending (end_user_id TEXT NOT NULL, id TEXT NOT NULL, \
         PRIMARY KEY (end_user_id, id))"
            .to_owned(),
    ]
}

/// The statement creating a resource's table.
fn create_table(dialect: Dialect, resource: &Resource) -> String {
    let mut columns = vec!["\"end_user_id\" TEXT NOT NULL".to_owned()];
    columns.extend(resource.columns.iter().map(|column| column_definition(dialect, column)));
    columns.push(format!("\"record\" {} NOT NULL", dialect.sql_type(Type::Json)));
    columns.push(format!("\"synced_at\" {} NOT NULL", dialect.sql_type(Type::Timestamp)));
    columns.push(format!("\"deleted_at\" {}", dialect.sql_type(Type::Timestamp)));
    columns.push("PRIMARY KEY (\"end_user_id\", \"id\")".to_owned());
    format!("CREATE TABLE IF NOT EXISTS {} ({})", quoted(resource.table), columns.join(", "))
}

/// The statement creating a table of lines.
fn create_lines_table(dialect: Dialect, lines: &crate::schema::Lines) -> String {
    let mut columns = vec![
        "\"end_user_id\" TEXT NOT NULL".to_owned(),
        format!("{} TEXT NOT NULL", quoted(lines.parent)),
        "\"position\" INTEGER NOT NULL".to_owned(),
    ];
    columns.extend(lines.columns.iter().map(|column| column_definition(dialect, column)));
    columns.push(format!("\"record\" {} NOT NULL", dialect.sql_type(Type::Json)));
    columns.push(format!("PRIMARY KEY (\"end_user_id\", {}, \"position\")", quoted(lines.parent)));
    format!("CREATE TABLE IF NOT EXISTS {} ({})", quoted(lines.table), columns.join(", "))
}

fn column_definition(dialect: Dialect, column: &Column) -> String {
    // The key column may never be empty.
    let required = if column.name == "id" { " NOT NULL" } else { "" };
    format!("{} {}{required}", quoted(column.name), dialect.sql_type(column.ty))
}

/// The columns a table has now; empty when it does not exist.
async fn existing_columns(database: &Database, table: &str) -> Result<BTreeSet<String>> {
    let sql = match database.dialect {
        Dialect::Sqlite => "SELECT name FROM pragma_table_info(?)".to_owned(),
        Dialect::Postgres => "SELECT column_name::text FROM information_schema.columns \
                              WHERE table_schema = current_schema() AND table_name = $1"
            .to_owned(),
    };
    let rows = sqlx::query(safe(sql)).bind(table).fetch_all(&database.pool).await?;
    rows.iter().map(|row| Ok(row.try_get::<String, _>(0)?)).collect()
}

/// Creates what is missing and adds the columns a table lacks, then fills
/// them from the rows' records.
pub(crate) async fn migrate(database: &Database) -> Result<()> {
    let dialect = database.dialect;
    for statement in own_tables(dialect) {
        sqlx::query(safe(statement)).execute(&database.pool).await?;
    }
    check_version(database).await?;
    for resource in resources() {
        let before = existing_columns(database, resource.table).await?;
        let create = create_table(dialect, resource);
        let mut changed = !add_columns(database, resource.table, &create, &before, resource.columns).await?.is_empty();
        for lines in resource.lines {
            let had = existing_columns(database, lines.table).await?;
            let create = create_lines_table(dialect, lines);
            let added = add_columns(database, lines.table, &create, &had, lines.columns).await?;
            // A table of lines new to a table with rows, or with columns
            // new to it, is filled from the records too.
            changed |= had.is_empty() || !added.is_empty();
        }
        if !before.is_empty() && changed {
            rows::refill(database, resource).await?;
        }
    }
    Ok(())
}

/// Creates `table` when it does not exist (`before` is empty), or adds the
/// columns of `columns` it lacks; the columns added.
async fn add_columns(
    database: &Database,
    table: &str,
    create: &str,
    before: &BTreeSet<String>,
    columns: &'static [Column],
) -> Result<Vec<&'static Column>> {
    if before.is_empty() {
        sqlx::query(safe(create.to_owned())).execute(&database.pool).await?;
        return Ok(Vec::new());
    }
    let mut added = Vec::new();
    for column in columns.iter().filter(|column| !before.contains(column.name)) {
        let statement = format!(
            "ALTER TABLE {} ADD COLUMN {} {}",
            quoted(table),
            quoted(column.name),
            database.dialect.sql_type(column.ty)
        );
        sqlx::query(safe(statement)).execute(&database.pool).await?;
        added.push(column);
    }
    Ok(added)
}

/// Refuses a database a newer release has written; records this one's
/// version otherwise.
async fn check_version(database: &Database) -> Result<()> {
    let found: Option<String> = sqlx::query_scalar("SELECT value FROM sync_meta WHERE key = 'schema_version'")
        .fetch_optional(&database.pool)
        .await?;
    if let Some(found) = found {
        let version: i64 = found.parse().map_err(|_| Error::Schema(format!("schema version {found:?}")))?;
        if version > SCHEMA_VERSION {
            return Err(Error::Schema(format!(
                "the database was written by a newer conductor-sync (schema {version}; this one knows {SCHEMA_VERSION}): \
                 use that release or newer"
            )));
        }
    }
    let (a, b) = (database.dialect.param(1), database.dialect.param(2));
    sqlx::query(safe(format!(
        "INSERT INTO sync_meta (key, value) VALUES ({a}, {b}) ON CONFLICT (key) DO UPDATE SET value = excluded.value"
    )))
    .bind("schema_version")
    .bind(SCHEMA_VERSION.to_string())
    .execute(&database.pool)
    .await?;
    Ok(())
}

/// The statements that create every table, for the README and for people
/// who create them themselves.
pub fn schema_sql(postgres: bool) -> String {
    let dialect = if postgres { Dialect::Postgres } else { Dialect::Sqlite };
    let mut out = own_tables(dialect);
    for resource in resources() {
        out.push(create_table(dialect, resource));
        out.extend(resource.lines.iter().map(|lines| create_lines_table(dialect, lines)));
    }
    out.iter().map(|statement| format!("{statement};\n")).collect()
}
