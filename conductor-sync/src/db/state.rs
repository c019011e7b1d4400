//! The sync's own state: runs, each end-user's last attempt and success,
//! and how far each resource has been read.
//!
//! A watermark moves in two steps: the transaction that writes the last
//! page of a resource also stages its new watermark (`pending`, with the
//! run); the transaction that ends the end-user's run as `succeeded` makes
//! every watermark that run staged the watermark. A run that fails or is
//! paused, or a process killed on the way, moves none.

use std::collections::HashMap;

use jiff::Timestamp;
use serde_json::Value;
use sqlx::{AnyConnection, Row};

use super::{Database, Dialect, safe};
use crate::error::Result;
use crate::schema::Type;

/// Now, as the database stores timestamps: RFC 3339 in UTC.
pub(crate) fn stamp(at: Timestamp) -> String {
    at.to_string()
}

fn parse(text: Option<String>) -> Option<Timestamp> {
    text?.parse().ok()
}

/// Records a run's start; its id.
pub(crate) async fn start_run(database: &Database, worker: &str, started_at: Timestamp) -> Result<i64> {
    let dialect = database.dialect;
    let sql = format!(
        "INSERT INTO sync_runs (worker, started_at, status) VALUES ({}, {}, 'running') RETURNING id",
        dialect.param(1),
        dialect.value(2, Type::Timestamp)
    );
    let id: i64 = sqlx::query_scalar(safe(sql)).bind(worker).bind(stamp(started_at)).fetch_one(&database.pool).await?;
    Ok(id)
}

/// Records how a run ended.
pub(crate) async fn finish_run(
    database: &Database,
    run: i64,
    status: &str,
    finished_at: Timestamp,
    end_users: usize,
    counts: &Value,
    error: Option<&str>,
) -> Result<()> {
    let d = database.dialect;
    let sql = format!(
        "UPDATE sync_runs SET status = {}, finished_at = {}, end_users = {}, counts = {}, error = {} WHERE id = {}",
        d.param(1),
        d.value(2, Type::Timestamp),
        d.value(3, Type::Integer),
        d.value(4, Type::Json),
        d.param(5),
        d.value(6, Type::Integer)
    );
    sqlx::query(safe(sql))
        .bind(status)
        .bind(stamp(finished_at))
        .bind(end_users.to_string())
        .bind(counts.to_string())
        .bind(error)
        .bind(run.to_string())
        .execute(&database.pool)
        .await?;
    Ok(())
}

/// Marks as failed the runs still `running` that `is_dead` says no worker
/// is carrying on (a process killed, a machine lost); how many.
pub(crate) async fn end_interrupted_runs(database: &Database, dead: &[i64], finished_at: Timestamp) -> Result<usize> {
    let d = database.dialect;
    for run in dead {
        let sql = format!(
            "UPDATE sync_runs SET status = 'failed', finished_at = {}, \
             error = 'interrupted: its worker stopped before it ended' WHERE id = {} AND status = 'running'",
            d.value(1, Type::Timestamp),
            d.value(2, Type::Integer)
        );
        sqlx::query(safe(sql)).bind(stamp(finished_at)).bind(run.to_string()).execute(&database.pool).await?;
        let sql = format!(
            "UPDATE sync_run_end_users SET status = 'failed', finished_at = {}, \
             error = 'interrupted: its worker stopped before it ended' WHERE run_id = {} AND status = 'running'",
            d.value(1, Type::Timestamp),
            d.value(2, Type::Integer)
        );
        sqlx::query(safe(sql)).bind(stamp(finished_at)).bind(run.to_string()).execute(&database.pool).await?;
    }
    Ok(dead.len())
}

/// The runs recorded as `running`, with when they started.
pub(crate) async fn running_runs(database: &Database) -> Result<Vec<(i64, Timestamp)>> {
    let sql =
        format!("SELECT id, {} FROM sync_runs WHERE status = 'running'", database.dialect.timestamp_text("started_at"));
    let rows = sqlx::query(safe(sql)).fetch_all(&database.pool).await?;
    let mut out = Vec::new();
    for row in rows {
        if let Some(started) = parse(row.try_get(1)?) {
            out.push((row.try_get(0)?, started));
        }
    }
    Ok(out)
}

/// An end-user's state, as the last attempts left it.
#[derive(Debug, Default, Clone)]
pub(crate) struct EndUserState {
    pub(crate) last_succeeded_at: Option<Timestamp>,
    /// When the last attempt that ended (succeeded, paused or failed)
    /// started.
    pub(crate) last_ended_attempt_started_at: Option<Timestamp>,
}

pub(crate) async fn end_user_state(
    connection: &mut AnyConnection,
    dialect: Dialect,
    end_user: &str,
) -> Result<EndUserState> {
    let sql = format!(
        "SELECT {}, {}, status FROM sync_end_users WHERE end_user_id = {}",
        dialect.timestamp_text("last_succeeded_at"),
        dialect.timestamp_text("last_attempt_started_at"),
        dialect.param(1)
    );
    let Some(row) = sqlx::query(safe(sql)).bind(end_user).fetch_optional(&mut *connection).await? else {
        return Ok(EndUserState::default());
    };
    let status: String = row.try_get(2)?;
    Ok(EndUserState {
        last_succeeded_at: parse(row.try_get(0)?),
        last_ended_attempt_started_at: (status != "running").then(|| parse(row.try_get(1).ok()?)).flatten(),
    })
}

/// Records that a run starts on an end-user, and drops what an earlier run
/// staged and did not finish.
pub(crate) async fn begin_end_user(
    connection: &mut AnyConnection,
    dialect: Dialect,
    run: i64,
    end_user: &str,
    company_name: &str,
    started_at: Timestamp,
) -> Result<()> {
    let d = dialect;
    let sql = format!(
        "INSERT INTO sync_end_users (end_user_id, company_name, status, last_run_id, last_attempt_started_at) \
         VALUES ({}, {}, 'running', {}, {}) ON CONFLICT (end_user_id) DO UPDATE SET company_name = excluded.company_name, \
         status = 'running', last_run_id = excluded.last_run_id, last_attempt_started_at = excluded.last_attempt_started_at",
        d.param(1),
        d.param(2),
        d.value(3, Type::Integer),
        d.value(4, Type::Timestamp)
    );
    sqlx::query(safe(sql))
        .bind(end_user)
        .bind(company_name)
        .bind(run.to_string())
        .bind(stamp(started_at))
        .execute(&mut *connection)
        .await?;
    let sql = format!(
        "INSERT INTO sync_run_end_users (run_id, end_user_id, started_at, status) VALUES ({}, {}, {}, 'running') \
         ON CONFLICT (run_id, end_user_id) DO UPDATE SET started_at = excluded.started_at, status = 'running', \
         finished_at = NULL, error = NULL, counts = NULL",
        d.value(1, Type::Integer),
        d.param(2),
        d.value(3, Type::Timestamp)
    );
    sqlx::query(safe(sql))
        .bind(run.to_string())
        .bind(end_user)
        .bind(stamp(started_at))
        .execute(&mut *connection)
        .await?;
    let sql =
        format!("UPDATE sync_watermarks SET pending = NULL, pending_run = NULL WHERE end_user_id = {}", d.param(1));
    sqlx::query(safe(sql)).bind(end_user).execute(&mut *connection).await?;
    Ok(())
}

/// How an end-user's part of a run ended.
pub(crate) struct Ending<'a> {
    pub(crate) run: i64,
    pub(crate) end_user: &'a str,
    /// `succeeded`, `paused` or `failed`.
    pub(crate) status: &'a str,
    /// Why it paused or failed.
    pub(crate) reason: Option<&'a str>,
    pub(crate) finished_at: Timestamp,
    pub(crate) counts: &'a Value,
}

/// Records how an end-user's part of a run ended, in the caller's
/// transaction; when it succeeded, the watermarks the run staged move.
pub(crate) async fn end_end_user(connection: &mut AnyConnection, dialect: Dialect, ending: &Ending<'_>) -> Result<()> {
    let d = dialect;
    let succeeded = ending.status == "succeeded";
    if succeeded {
        let sql = format!(
            "UPDATE sync_watermarks SET watermark = pending, pending = NULL, pending_run = NULL \
             WHERE end_user_id = {} AND pending_run = {}",
            d.param(1),
            d.value(2, Type::Integer)
        );
        sqlx::query(safe(sql)).bind(ending.end_user).bind(ending.run.to_string()).execute(&mut *connection).await?;
    }
    let success =
        if succeeded { format!(", last_succeeded_at = {}", d.value(4, Type::Timestamp)) } else { String::new() };
    let sql = format!(
        "UPDATE sync_end_users SET status = {}, reason = {}, last_attempt_finished_at = {}{success} \
         WHERE end_user_id = {}",
        d.param(1),
        d.param(2),
        d.value(3, Type::Timestamp),
        d.param(if succeeded { 5 } else { 4 })
    );
    let mut query = sqlx::query(safe(sql)).bind(ending.status).bind(ending.reason).bind(stamp(ending.finished_at));
    if succeeded {
        query = query.bind(stamp(ending.finished_at));
    }
    query.bind(ending.end_user).execute(&mut *connection).await?;
    let sql = format!(
        "UPDATE sync_run_end_users SET status = {}, error = {}, finished_at = {}, counts = {} \
         WHERE run_id = {} AND end_user_id = {}",
        d.param(1),
        d.param(2),
        d.value(3, Type::Timestamp),
        d.value(4, Type::Json),
        d.value(5, Type::Integer),
        d.param(6)
    );
    sqlx::query(safe(sql))
        .bind(ending.status)
        .bind(ending.reason)
        .bind(stamp(ending.finished_at))
        .bind(ending.counts.to_string())
        .bind(ending.run.to_string())
        .bind(ending.end_user)
        .execute(&mut *connection)
        .await?;
    Ok(())
}

/// Each resource's watermark for an end-user (those never read to their
/// end in a run that succeeded have none).
pub(crate) async fn watermarks(
    connection: &mut AnyConnection,
    dialect: Dialect,
    end_user: &str,
) -> Result<HashMap<String, Timestamp>> {
    let sql = format!(
        "SELECT resource, {} FROM sync_watermarks WHERE end_user_id = {} AND watermark IS NOT NULL",
        dialect.timestamp_text("watermark"),
        dialect.param(1)
    );
    let rows = sqlx::query(safe(sql)).bind(end_user).fetch_all(&mut *connection).await?;
    let mut out = HashMap::new();
    for row in rows {
        if let Some(at) = parse(row.try_get(1)?) {
            out.insert(row.try_get(0)?, at);
        }
    }
    Ok(out)
}

/// Stages a resource's next watermark, in the transaction that writes the
/// last of what it covers.
pub(crate) async fn stage_watermark(
    connection: &mut AnyConnection,
    dialect: Dialect,
    end_user: &str,
    resource: &str,
    at: Timestamp,
    run: i64,
) -> Result<()> {
    let d = dialect;
    let sql = format!(
        "INSERT INTO sync_watermarks (end_user_id, resource, pending, pending_run) VALUES ({}, {}, {}, {}) \
         ON CONFLICT (end_user_id, resource) DO UPDATE SET pending = excluded.pending, pending_run = excluded.pending_run",
        d.param(1),
        d.param(2),
        d.value(3, Type::Timestamp),
        d.value(4, Type::Integer)
    );
    sqlx::query(safe(sql))
        .bind(end_user)
        .bind(resource)
        .bind(stamp(at))
        .bind(run.to_string())
        .execute(&mut *connection)
        .await?;
    Ok(())
}

/// Where an end-user stands, as `conductor-sync status` shows it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct EndUserStatus {
    /// The end-user's id.
    pub end_user_id: String,
    /// Their company's name, as Conductor gave it.
    pub company_name: Option<String>,
    /// `succeeded`, `paused`, `failed`, or `running`.
    pub status: String,
    /// Why the last attempt paused or failed.
    pub reason: Option<String>,
    /// When the last attempt that succeeded ended.
    pub last_succeeded_at: Option<Timestamp>,
    /// When the last attempt started.
    pub last_attempt_started_at: Option<Timestamp>,
    /// Each resource's watermark: its records are in the database as they
    /// were then, or later.
    pub watermarks: Vec<(String, Timestamp)>,
}

/// A run, as `sync_runs` records it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RunRecord {
    /// Its id.
    pub id: i64,
    /// `running`, `succeeded`, `failed` or `paused`.
    pub status: String,
    /// When it started.
    pub started_at: Option<Timestamp>,
    /// When it ended.
    pub finished_at: Option<Timestamp>,
    /// How many end-users it went through.
    pub end_users: i64,
    /// What ended it, when it failed.
    pub error: Option<String>,
}

impl Database {
    /// Every end-user the sync has met, with its state and watermarks.
    pub async fn status(&self) -> Result<Vec<EndUserStatus>> {
        let d = self.dialect;
        let sql = format!(
            "SELECT end_user_id, company_name, status, reason, {}, {} FROM sync_end_users ORDER BY end_user_id",
            d.timestamp_text("last_succeeded_at"),
            d.timestamp_text("last_attempt_started_at")
        );
        let rows = sqlx::query(safe(sql)).fetch_all(&self.pool).await?;
        let mut marks: HashMap<String, Vec<(String, Timestamp)>> = HashMap::new();
        let sql = format!(
            "SELECT end_user_id, resource, {} FROM sync_watermarks WHERE watermark IS NOT NULL ORDER BY resource",
            d.timestamp_text("watermark")
        );
        for row in sqlx::query(safe(sql)).fetch_all(&self.pool).await? {
            if let Some(at) = parse(row.try_get(2)?) {
                marks.entry(row.try_get(0)?).or_default().push((row.try_get(1)?, at));
            }
        }
        let mut out = Vec::new();
        for row in rows {
            let end_user_id: String = row.try_get(0)?;
            out.push(EndUserStatus {
                watermarks: marks.remove(&end_user_id).unwrap_or_default(),
                end_user_id,
                company_name: row.try_get(1)?,
                status: row.try_get(2)?,
                reason: row.try_get(3)?,
                last_succeeded_at: parse(row.try_get(4)?),
                last_attempt_started_at: parse(row.try_get(5)?),
            });
        }
        Ok(out)
    }

    /// The runs recorded, newest first.
    pub async fn runs(&self, limit: usize) -> Result<Vec<RunRecord>> {
        let d = self.dialect;
        let sql = format!(
            "SELECT id, status, {}, {}, end_users, error FROM sync_runs ORDER BY id DESC LIMIT {}",
            d.timestamp_text("started_at"),
            d.timestamp_text("finished_at"),
            limit
        );
        let rows = sqlx::query(safe(sql)).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|row| {
                Ok(RunRecord {
                    id: row.try_get(0)?,
                    status: row.try_get(1)?,
                    started_at: parse(row.try_get(2)?),
                    finished_at: parse(row.try_get(3)?),
                    end_users: row.try_get(4)?,
                    error: row.try_get(5)?,
                })
            })
            .collect()
    }
}
