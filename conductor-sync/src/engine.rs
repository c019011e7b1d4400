//! One end-user's part of a run: each resource read since its watermark
//! (or whole), the deletions QuickBooks lists, then the records whose
//! computed fields those changes moved, read again.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use futures_util::StreamExt;
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use serde_json::{Value, json};

use crate::db::state::{self, Ending};
use crate::db::{Database, rows};
use crate::error::{Error, Result};
use crate::event::{Event, Events};
use crate::read::{DeletedQuery, ListQuery, Lists, pages};
use crate::schema::{Deleted, Resource, resource};

/// How long QuickBooks lists deletions, less a day for clocks that
/// disagree: an end-user whose last success is older has every resource
/// read whole instead.
pub(crate) const DELETIONS_KEPT: SignedDuration = SignedDuration::from_hours(89 * 24);

/// The records written per database transaction while a list is read.
const BATCH: usize = 150;

/// Ids per request when records are read again by id.
const IDS_PER_REQUEST: usize = 50;

/// Times a list whose cursor expired starts over in one run.
const LIST_RESTARTS: usize = 3;

/// Rounds of reading again (a job's parent, then its parent, ...).
const REFRESH_ROUNDS: usize = 8;

/// The time source: the system clock, or a test's.
pub(crate) type Clock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

/// What every end-user's part of a run shares.
pub(crate) struct Context {
    pub(crate) client: conductor::Client,
    pub(crate) database: Database,
    /// The resources to keep, in the order they are read.
    pub(crate) resources: Vec<&'static Resource>,
    pub(crate) overlap: SignedDuration,
    pub(crate) clock: Clock,
    pub(crate) events: Events,
    pub(crate) run: i64,
    /// When the run started: a list object first read with a later
    /// `updatedAt` (less the overlap) may have been renamed after records
    /// naming it were read.
    pub(crate) started: Timestamp,
}

impl Context {
    /// From when a list object read for the first time counts as changed
    /// during this run.
    pub(crate) fn changed_since(&self) -> Timestamp {
        self.started - self.overlap
    }
}

/// How an end-user's part ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    Succeeded,
    /// QuickBooks cannot be reached: offline, not set up, not active.
    Paused(String),
    /// QuickBooks did not answer in time: tried again in a later pass.
    TimedOut(String),
    Failed(String),
}

impl Outcome {
    pub(crate) fn status(&self) -> &'static str {
        match self {
            Outcome::Succeeded => "succeeded",
            Outcome::Paused(_) | Outcome::TimedOut(_) => "paused",
            Outcome::Failed(_) => "failed",
        }
    }

    pub(crate) fn reason(&self) -> Option<&str> {
        match self {
            Outcome::Succeeded => None,
            Outcome::Paused(reason) | Outcome::TimedOut(reason) | Outcome::Failed(reason) => Some(reason),
        }
    }

    /// What an error means for the end-user's part.
    fn of(error: &Error) -> Outcome {
        let Some(conductor) = error.as_conductor() else { return Outcome::Failed(error.to_string()) };
        let reason = || conductor.user_facing_message().map_or_else(|| conductor.to_string(), str::to_owned);
        match conductor.code() {
            _ if conductor.is_end_user_fixable() => Outcome::Paused(reason()),
            Some(
                conductor::code::INTEGRATION_CONNECTION_NOT_SET_UP | conductor::code::INTEGRATION_CONNECTION_NOT_ACTIVE,
            ) => Outcome::Paused(reason()),
            Some(conductor::code::QBD_REQUEST_TIMEOUT) => Outcome::TimedOut(reason()),
            _ => Outcome::Failed(conductor.to_string()),
        }
    }
}

/// What was read and written of one resource.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub(crate) struct Count {
    pub(crate) read: u64,
    pub(crate) written: u64,
    pub(crate) older: u64,
    pub(crate) deleted: u64,
    pub(crate) refreshed: u64,
}

/// The counts of an end-user's part, by resource.
pub(crate) type Counts = BTreeMap<&'static str, Count>;

/// Syncs one end-user; how it ended, with what it read and wrote. The
/// ending is recorded whatever happened; an error recording it is the
/// error returned.
pub(crate) async fn sync_end_user(
    context: &Context,
    end_user: &str,
    company_name: &str,
    retry: bool,
) -> Result<(Outcome, Counts)> {
    let started = (context.clock)();
    let database = &context.database;
    let state = {
        let mut connection = database.pool.acquire().await?;
        state::end_user_state(&mut connection, database.dialect, end_user).await?
    };
    {
        let mut transaction = database.pool.begin().await?;
        state::begin_end_user(&mut transaction, database.dialect, context.run, end_user, company_name, started).await?;
        transaction.commit().await?;
    }
    context.events.send(&Event::EndUserStarted {
        run: context.run,
        end_user: end_user.to_owned(),
        company_name: company_name.to_owned(),
        retry,
    });
    let mut counts = Counts::new();
    let outcome = match sync(context, end_user, started, &state, &mut counts).await {
        Ok(()) => Outcome::Succeeded,
        Err(Error::Database(error)) => return Err(Error::Database(error)),
        Err(error) => Outcome::of(&error),
    };
    let finished = (context.clock)();
    let counts_json = json!(counts);
    let ending = Ending {
        run: context.run,
        end_user,
        status: outcome.status(),
        reason: outcome.reason(),
        finished_at: finished,
        counts: &counts_json,
    };
    let mut transaction = database.pool.begin().await?;
    state::end_end_user(&mut transaction, database.dialect, &ending).await?;
    transaction.commit().await?;
    context.events.send(&Event::EndUserFinished {
        run: context.run,
        end_user: end_user.to_owned(),
        status: outcome.status(),
        reason: outcome.reason().map(str::to_owned),
        elapsed_ms: u64::try_from(finished.duration_since(started).as_millis()).unwrap_or(0),
    });
    Ok((outcome, counts))
}

/// How a resource is read this time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Changed since `after`, up to `before`.
    Since { after: Timestamp, before: Timestamp },
    /// All of it, and the rows no longer there marked deleted.
    Whole,
}

async fn sync(
    context: &Context,
    end_user: &str,
    started: Timestamp,
    state: &state::EndUserState,
    counts: &mut Counts,
) -> Result<()> {
    let database = &context.database;
    let watermarks = {
        let mut connection = database.pool.acquire().await?;
        state::watermarks(&mut connection, database.dialect, end_user).await?
    };
    // Deletions older than QuickBooks keeps may have been missed: read
    // everything whole.
    let stale = state.last_succeeded_at.is_some_and(|at| started.duration_since(at) > DELETIONS_KEPT);
    for resource in &context.resources {
        let mode = match watermarks.get(resource.name) {
            Some(mark) if resource.updated_after && resource.deleted != Deleted::Never && !stale => {
                Mode::Since { after: *mark - context.overlap, before: started }
            }
            _ => Mode::Whole,
        };
        let count = read_resource(context, end_user, resource, mode, started).await?;
        counts.insert(resource.name, count);
    }
    read_deletions(context, end_user, &watermarks, stale, started, counts).await?;
    refresh(context, end_user, counts).await
}

/// Reads one resource and writes what it read, a batch per transaction;
/// the last transaction stages the resource's watermark (and, for a whole
/// read, marks deleted the rows no longer listed).
async fn read_resource(
    context: &Context,
    end_user: &str,
    resource: &'static Resource,
    mode: Mode,
    started: Timestamp,
) -> Result<Count> {
    context.events.send(&Event::ResourceStarted {
        end_user: end_user.to_owned(),
        resource: resource.name,
        whole: mode == Mode::Whole,
    });
    let mut query = ListQuery::of(resource);
    if let Mode::Since { after, before } = mode {
        // Explicit offsets: without one, QuickBooks reads the time in the
        // end-user's own time zone.
        query.updated_after = Some(conductor_time(after));
        query.updated_before = Some(conductor_time(before));
    }
    let mut count = Count::default();
    let mut seen = HashSet::new();
    let mut batch = Vec::with_capacity(BATCH);
    if resource.pages {
        let mut restarts = 0;
        loop {
            match read_pages(context, end_user, resource, &query, &mut batch, &mut seen, &mut count).await {
                Ok(()) => break,
                // A cursor lives 10 seconds after its page: a list read
                // too slowly starts over (what was written stays).
                Err(Restart::Cursor(error)) if restarts < LIST_RESTARTS => {
                    restarts += 1;
                    context.events.send(&Event::ListRestarted {
                        end_user: end_user.to_owned(),
                        resource: resource.name,
                        reason: error.to_string(),
                    });
                    batch.clear();
                    seen.clear();
                }
                Err(Restart::Cursor(error)) => return Err(error.into()),
                Err(Restart::Other(error)) => return Err(error),
            }
        }
    } else {
        batch = context.client.list_whole(resource.name, &query, end_user).await?;
    }
    finish_resource(context, end_user, resource, mode, started, &batch, &mut seen, &mut count).await?;
    context.events.send(&Event::ResourceFinished {
        end_user: end_user.to_owned(),
        resource: resource.name,
        read: count.read,
        written: count.written,
        older: count.older,
        deleted: count.deleted,
    });
    Ok(count)
}

/// Writes the rest of a resource's records with its watermark, in one
/// transaction; after a whole read, marks deleted the rows it did not list.
#[allow(clippy::too_many_arguments, reason = "the state of one resource's read")]
async fn finish_resource(
    context: &Context,
    end_user: &str,
    resource: &'static Resource,
    mode: Mode,
    started: Timestamp,
    batch: &[Value],
    seen: &mut HashSet<String>,
    count: &mut Count,
) -> Result<()> {
    let database = &context.database;
    let (mut transaction, synced_at) = write_page(context, end_user, resource, batch, seen, count).await?;
    if mode == Mode::Whole {
        let live = rows::live_ids(&mut transaction, database.dialect, resource, end_user).await?;
        let gone: Vec<&str> = live.iter().map(String::as_str).filter(|id| !seen.contains(*id)).collect();
        let marked =
            rows::mark_deleted(&mut transaction, database.dialect, resource, end_user, &gone, &synced_at).await?;
        count.deleted += marked.len() as u64;
    }
    state::stage_watermark(&mut transaction, database.dialect, end_user, resource.name, started, context.run).await?;
    transaction.commit().await?;
    Ok(())
}

/// Why reading a list's pages stopped.
enum Restart {
    /// A page after the first was refused (400): its cursor expired, as
    /// the sandbox and, presumably, Conductor answer. Conductor does not
    /// document the code of that error, so any 400 past the first page is
    /// taken for it.
    Cursor(conductor::Error),
    Other(Error),
}

/// Reads a list's pages to their end, writing each full batch; the last
/// (partial) batch stays in `batch` for the caller.
async fn read_pages(
    context: &Context,
    end_user: &str,
    resource: &'static Resource,
    query: &ListQuery,
    batch: &mut Vec<Value>,
    seen: &mut HashSet<String>,
    count: &mut Count,
) -> Result<(), Restart> {
    let mut stream = pages(&context.client, resource.name, query.clone(), end_user);
    let mut yielded = false;
    while let Some(record) = stream.next().await {
        match record {
            Ok(record) => batch.push(record),
            Err(error) if yielded && error.status().map(|status| status.as_u16()) == Some(400) => {
                return Err(Restart::Cursor(error));
            }
            Err(error) => return Err(Restart::Other(error.into())),
        }
        yielded = true;
        if batch.len() == BATCH {
            write_batch(context, end_user, resource, batch, seen, count).await.map_err(Restart::Other)?;
            progress(context, end_user, resource, count, stream.remaining_count());
        }
    }
    Ok(())
}

async fn write_batch(
    context: &Context,
    end_user: &str,
    resource: &'static Resource,
    batch: &mut Vec<Value>,
    seen: &mut HashSet<String>,
    count: &mut Count,
) -> Result<()> {
    let (transaction, _) = write_page(context, end_user, resource, batch, seen, count).await?;
    transaction.commit().await?;
    batch.clear();
    Ok(())
}

/// Writes a page of a list's records in a transaction left open for the
/// caller, counting them and noting their ids as seen; the transaction and
/// the time they were read at.
async fn write_page(
    context: &Context,
    end_user: &str,
    resource: &'static Resource,
    batch: &[Value],
    seen: &mut HashSet<String>,
    count: &mut Count,
) -> Result<(sqlx::Transaction<'static, sqlx::Any>, String)> {
    let (transaction, written, synced_at) = write_records(context, end_user, resource, batch).await?;
    count.read += batch.len() as u64;
    count.written += written.written as u64;
    count.older += written.older as u64;
    seen.extend(batch.iter().filter_map(|record| record.get("id")?.as_str().map(str::to_owned)));
    Ok((transaction, synced_at))
}

/// Writes records read now, planned before the transaction they run in
/// (left open for the caller): the transaction, what was written, and the
/// time they were read at.
async fn write_records(
    context: &Context,
    end_user: &str,
    resource: &'static Resource,
    records: &[Value],
) -> Result<(sqlx::Transaction<'static, sqlx::Any>, rows::Written, String)> {
    let database = &context.database;
    let synced_at = state::stamp((context.clock)());
    let (writes, written) =
        rows::plan_records(database, resource, end_user, records, &synced_at, context.changed_since()).await?;
    let mut transaction = database.pool.begin().await?;
    writes.run(&mut transaction).await?;
    Ok((transaction, written, synced_at))
}

fn progress(context: &Context, end_user: &str, resource: &'static Resource, count: &Count, remaining: Option<u64>) {
    context.events.send(&Event::Progress {
        end_user: end_user.to_owned(),
        resource: resource.name,
        read: count.read,
        remaining,
    });
}

/// A time as the sync sends it: whole seconds, with an explicit offset.
fn conductor_time(at: Timestamp) -> String {
    at.strftime("%Y-%m-%dT%H:%M:%S+00:00").to_string()
}

/// The two lists of deletions, since their watermarks less the overlap:
/// each deleted record's row is marked deleted, and what it referred to is
/// read again. Staged as resources are; skipped where nothing was synced
/// before (the reads were whole).
async fn read_deletions(
    context: &Context,
    end_user: &str,
    watermarks: &std::collections::HashMap<String, Timestamp>,
    stale: bool,
    started: Timestamp,
    counts: &mut Counts,
) -> Result<()> {
    for list in ["deleted-transactions", "deleted-list-objects"] {
        let types: Vec<(&'static str, &'static Resource)> = (context.resources.iter())
            .filter_map(|resource| match (resource.deleted, list) {
                (Deleted::Transaction(kind), "deleted-transactions") => Some((kind, *resource)),
                (Deleted::ListObject(kind), "deleted-list-objects") => Some((kind, *resource)),
                _ => None,
            })
            .collect();
        let mut deleted = Vec::new();
        if let (Some(mark), false, false) = (watermarks.get(list), stale, types.is_empty()) {
            let names: Vec<String> = types.iter().map(|(kind, _)| (*kind).to_owned()).collect();
            let after = Some(conductor_time(*mark - context.overlap));
            deleted = if list == "deleted-transactions" {
                let query = DeletedQuery { transaction_types: Some(names), deleted_after: after, ..Default::default() };
                context.client.deleted_transactions(&query, end_user).await?
            } else {
                let query = DeletedQuery { object_types: Some(names), deleted_after: after, ..Default::default() };
                context.client.deleted_list_objects(&query, end_user).await?
            };
        }
        let database = &context.database;
        let mut transaction = database.pool.begin().await?;
        let field = if list == "deleted-transactions" { "transactionType" } else { "listType" };
        for (kind, resource) in &types {
            let ids: Vec<&str> = (deleted.iter())
                .filter(|entry| entry.get(field).and_then(Value::as_str) == Some(*kind))
                .filter_map(|entry| entry.get("id")?.as_str())
                .collect();
            if ids.is_empty() {
                continue;
            }
            let at = state::stamp((context.clock)());
            let marked = rows::mark_deleted(&mut transaction, database.dialect, resource, end_user, &ids, &at).await?;
            counts.entry(resource.name).or_default().deleted += marked.len() as u64;
        }
        state::stage_watermark(&mut transaction, database.dialect, end_user, list, started, context.run).await?;
        transaction.commit().await?;
    }
    Ok(())
}

/// Reads again what the transactions written or deleted refer to (and the
/// parents of the list objects read), which QuickBooks may have changed
/// without a new revision: balances, open amounts, quantities, links.
async fn refresh(context: &Context, end_user: &str, counts: &mut Counts) -> Result<()> {
    let database = &context.database;
    let kept: HashSet<&str> = context.resources.iter().map(|resource| resource.name).collect();
    let mut tried = HashSet::new();
    for _ in 0..REFRESH_ROUNDS {
        let pending = {
            let mut connection = database.pool.acquire().await?;
            rows::pending(&mut connection, database.dialect, end_user).await?
        };
        let mut by_resource: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for (id, name) in &pending {
            // Read again once per run: a record that stays pending (its
            // list no longer answers it) waits for the next run.
            if kept.contains(name.as_str()) && tried.insert((id.clone(), name.clone())) {
                by_resource.entry(name.as_str()).or_default().push(id.clone());
            }
        }
        if by_resource.is_empty() {
            return Ok(());
        }
        for (name, ids) in by_resource {
            let Some(resource) = resource(name) else { continue };
            for chunk in ids.chunks(IDS_PER_REQUEST) {
                let refreshed = read_by_ids(context, end_user, resource, chunk.to_vec()).await?;
                counts.entry(resource.name).or_default().refreshed += refreshed;
            }
        }
    }
    Ok(())
}

/// Reads records of a resource by id and writes them; an id QuickBooks no
/// longer has is dropped from what is pending (its deletion is listed).
async fn read_by_ids(
    context: &Context,
    end_user: &str,
    resource: &'static Resource,
    mut ids: Vec<String>,
) -> Result<u64> {
    let database = &context.database;
    loop {
        if ids.is_empty() || !resource.ids {
            return Ok(0);
        }
        let query = ListQuery { ids: Some(ids.clone()), status: None, ..ListQuery::of(resource) };
        let answer = if resource.pages {
            context.client.list_pages(resource.name, &query, end_user).await.map(|page| page.data)
        } else {
            context.client.list_whole(resource.name, &query, end_user).await
        };
        let records = match answer {
            Ok(records) => records,
            // "If any of the values you specify in this parameter are not
            // found, the request will return an error": the one it names
            // goes, and the rest are asked for again.
            Err(error) => match missing_id(&error).filter(|id| ids.contains(id)) {
                Some(missing) => {
                    ids.retain(|id| *id != missing);
                    let mut connection = database.pool.acquire().await?;
                    rows::forget_pending(&mut connection, database.dialect, end_user, &[missing.as_str()]).await?;
                    continue;
                }
                None => return Err(error.into()),
            },
        };
        let answered: HashSet<&str> = records.iter().filter_map(|record| record.get("id")?.as_str()).collect();
        let gone: Vec<&str> = ids.iter().map(String::as_str).filter(|id| !answered.contains(id)).collect();
        let (mut transaction, written, _) = write_records(context, end_user, resource, &records).await?;
        rows::forget_pending(&mut transaction, database.dialect, end_user, &gone).await?;
        transaction.commit().await?;
        return Ok(written.written as u64);
    }
}

/// The value QuickBooks says it could not find, from its refusal of a
/// query: `There was a required element ("80000001-1") that could not be
/// found in QuickBooks.`
fn missing_id(error: &conductor::Error) -> Option<String> {
    let message = error.to_string();
    let start = message.find("required element (\"")? + "required element (\"".len();
    let end = message[start..].find("\")")?;
    Some(message[start..start + end].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_sent_with_an_offset() {
        let at: Timestamp = "2024-10-05T11:22:33.987Z".parse().unwrap();
        assert_eq!(conductor_time(at), "2024-10-05T11:22:33+00:00");
    }
}
