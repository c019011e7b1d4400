//! A run: every end-user (or those asked for), `concurrency` at a time,
//! each one request at a time; end-users QuickBooks did not answer in time
//! tried again in later passes; on PostgreSQL, shared with the other
//! workers of the round.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use serde_json::json;

use crate::db::{Database, state};
use crate::engine::{self, Clock, Context, Count, Outcome};
use crate::error::{Error, Result};
use crate::event::{Event, Events};
use crate::lease::{self, Attempt};
use crate::schema::{Resource, resource, resources};

/// How much each incremental read goes back before its watermark, by
/// default: QuickBooks stamps records by the end-user's clock, which may be
/// behind this machine's.
pub const DEFAULT_OVERLAP: Duration = Duration::from_secs(15 * 60);

/// End-users synced at once, by default.
pub const DEFAULT_CONCURRENCY: usize = 8;

/// Passes after the first for end-users QuickBooks did not answer in time.
const LATER_PASSES: usize = 2;

/// How long a worker waits before looking again at an end-user another
/// worker is syncing.
const BUSY_WAIT: Duration = Duration::from_millis(250);

/// Keeps a database in step with end-users' company files. Made by
/// [`Syncer::builder`]; [`run`](Syncer::run) once, or on a schedule.
///
/// ```no_run
/// # async fn go() -> conductor_sync::Result<()> {
/// use conductor_sync::{Database, Syncer};
///
/// let client = conductor::Client::builder()
///     .api_key(std::env::var("CONDUCTOR_SECRET_KEY").unwrap_or_default())
///     .max_concurrent_per_end_user(1)
///     .build()?;
/// let database = Database::connect("sqlite:conductor-sync.db", 16).await?;
/// let report = Syncer::builder(client, database).resources(["invoices", "customers"]).build()?.run().await?;
/// println!("run {} {:?}", report.run, report.status);
/// # Ok(())
/// # }
/// ```
pub struct Syncer {
    client: conductor::Client,
    database: Database,
    end_users: Option<Vec<String>>,
    resources: Vec<&'static Resource>,
    concurrency: usize,
    overlap: SignedDuration,
    clock: Clock,
    events: Events,
    worker: String,
}

/// Configures a [`Syncer`].
pub struct SyncBuilder {
    client: conductor::Client,
    database: Database,
    end_users: Option<Vec<String>>,
    resources: Option<Vec<String>>,
    concurrency: usize,
    overlap: Duration,
    clock: Option<Clock>,
    events: Events,
    worker: Option<String>,
}

impl Syncer {
    /// A sync of `client`'s account into `database`. Build the client with
    /// [`max_concurrent_per_end_user(1)`](conductor::ClientBuilder::max_concurrent_per_end_user)
    /// when your application shares it: the sync sends each end-user one
    /// request at a time, and your other calls then wait their turn rather
    /// than queue inside Conductor.
    pub fn builder(client: conductor::Client, database: Database) -> SyncBuilder {
        SyncBuilder {
            client,
            database,
            end_users: None,
            resources: None,
            concurrency: DEFAULT_CONCURRENCY,
            overlap: DEFAULT_OVERLAP,
            clock: None,
            events: Events::default(),
            worker: None,
        }
    }
}

impl SyncBuilder {
    /// Syncs only these end-users (all of the account's by default).
    pub fn end_users<I, S>(mut self, ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.end_users = Some(ids.into_iter().map(Into::into).collect());
        self
    }

    /// Syncs only these resources, by path segment (`invoices`,
    /// `customers`); every list resource by default
    /// ([`resource_names`](crate::resource_names)).
    pub fn resources<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.resources = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// How many end-users are synced at once; default
    /// [`DEFAULT_CONCURRENCY`]. Each end-user's requests go one at a time.
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n;
        self
    }

    /// How far before its watermark an incremental read starts; default
    /// [`DEFAULT_OVERLAP`]. Make it longer than the end-users' clocks may
    /// be behind this machine's.
    pub fn overlap(mut self, overlap: Duration) -> Self {
        self.overlap = overlap;
        self
    }

    /// The clock runs read (the system clock by default): for tests that
    /// move time, as the sandbox's `shift_clock` does.
    pub fn clock(mut self, clock: impl Fn() -> Timestamp + Send + Sync + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// Called with each [`Event`] of a run, on the task it happens on:
    /// keep it quick.
    pub fn on_event(mut self, handler: impl Fn(&Event) + Send + Sync + 'static) -> Self {
        self.events = Events::new(Arc::new(handler));
        self
    }

    /// The worker's name in `sync_runs` (host and process id by default).
    pub fn worker(mut self, name: impl Into<String>) -> Self {
        self.worker = Some(name.into());
        self
    }

    /// Checks the settings: [`Error::Config`] for an unknown resource or a
    /// concurrency of 0.
    pub fn build(self) -> Result<Syncer> {
        if self.concurrency == 0 {
            return Err(Error::config("concurrency must be at least 1"));
        }
        let mut chosen: Vec<&'static Resource> = match &self.resources {
            None => resources().iter().collect(),
            Some(names) => names
                .iter()
                .map(|name| {
                    resource(name).ok_or_else(|| {
                        let known: Vec<&str> = crate::resource_names().collect();
                        Error::config(format!("unknown resource {name:?}; the resources are: {}", known.join(", ")))
                    })
                })
                .collect::<Result<_>>()?,
        };
        chosen.sort_by_key(|resource| (reading_rank(resource), resource.name));
        chosen.dedup_by_key(|resource| resource.name);
        let overlap = SignedDuration::try_from(self.overlap).map_err(|_| Error::config("overlap is too long"))?;
        let worker = self.worker.unwrap_or_else(|| format!("pid {}", std::process::id()));
        Ok(Syncer {
            client: self.client,
            database: self.database,
            end_users: self.end_users,
            resources: chosen,
            concurrency: self.concurrency,
            overlap,
            clock: self.clock.unwrap_or_else(|| Arc::new(Timestamp::now)),
            events: self.events,
            worker,
        })
    }
}

/// The order resources are read in: transactions that apply to others
/// (payments, credits) first, then the other transactions, then lists.
/// Records read later reflect what was read before them, so fewer are
/// read again.
fn reading_rank(resource: &Resource) -> u8 {
    let applies = resource.columns.iter().any(|column| column.field == "appliedToTransactions");
    match (resource.transaction, applies) {
        (true, true) => 0,
        (true, false) => 1,
        (false, _) => 2,
    }
}

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Every end-user was synced.
    Succeeded,
    /// Some end-users could not be reached and were paused; none failed.
    Paused,
    /// At least one end-user failed, or the run itself did.
    Failed,
}

impl RunStatus {
    /// As `sync_runs.status` writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Succeeded => "succeeded",
            RunStatus::Paused => "paused",
            RunStatus::Failed => "failed",
        }
    }
}

/// What one resource of one end-user came to in a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ResourceCount {
    /// Records read from its list.
    pub read: u64,
    /// Records written.
    pub written: u64,
    /// Records older than the copy held, left as they were.
    pub older: u64,
    /// Rows marked deleted.
    pub deleted: u64,
    /// Records read again because a transaction changed what they owe.
    pub refreshed: u64,
}

impl From<Count> for ResourceCount {
    fn from(count: Count) -> Self {
        ResourceCount {
            read: count.read,
            written: count.written,
            older: count.older,
            deleted: count.deleted,
            refreshed: count.refreshed,
        }
    }
}

/// One end-user's part of a run.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct EndUserReport {
    /// The end-user.
    pub end_user_id: String,
    /// `succeeded`, `paused` or `failed`.
    pub status: &'static str,
    /// Why it paused or failed.
    pub reason: Option<String>,
    /// By resource.
    pub counts: BTreeMap<&'static str, ResourceCount>,
}

/// What a run did.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct RunReport {
    /// Its id in `sync_runs`.
    pub run: i64,
    /// How it ended.
    pub status: RunStatus,
    /// Each end-user this worker synced (those another worker synced in the
    /// same round are not here).
    pub end_users: Vec<EndUserReport>,
    /// End-users another worker synced in this round.
    pub skipped: Vec<String>,
    /// How long it took.
    pub elapsed: Duration,
}

/// An end-user waiting for its turn: its id, company name, and whether it
/// is being tried again.
type Queued = (String, String, bool);

/// What a pass came to.
#[derive(Default)]
struct Pass {
    finished: Vec<(String, Done)>,
    /// Held by another worker: looked at again.
    busy: Vec<Queued>,
    /// QuickBooks did not answer in time: tried again in a later pass.
    timed_out: Vec<(String, String, Outcome, engine::Counts)>,
}

/// What one attempt at an end-user came to.
enum Done {
    Synced(Outcome, engine::Counts),
    /// Another worker holds it now.
    Busy,
    /// Another worker synced it in this round.
    AlreadySynced,
}

impl Syncer {
    /// Runs once: every end-user, every resource. An end-user that fails or
    /// cannot be reached does not stop the others; the run's status says
    /// how it went. `Err` only when the run itself could not go on (the
    /// database, or Conductor's list of end-users).
    pub async fn run(&self) -> Result<RunReport> {
        let started = (self.clock)();
        let database = &self.database;
        for (run, _) in state::running_runs(database).await? {
            if lease::run_is_dead(database, run).await? {
                state::end_interrupted_runs(database, &[run], started).await?;
                self.events.send(&Event::RunInterrupted { run });
            }
        }
        let run = state::start_run(database, &self.worker, started).await?;
        let lock = lease::lock_run(database, run).await?;
        let result = self.go(run, started).await;
        let finished = (self.clock)();
        let elapsed = Duration::try_from(finished.duration_since(started)).unwrap_or_default();
        let outcome = match result {
            Ok((reports, skipped)) => {
                let count = |status: &str| reports.iter().filter(|report| report.status == status).count();
                let status = match (count("failed"), count("paused")) {
                    (0, 0) => RunStatus::Succeeded,
                    (0, _) => RunStatus::Paused,
                    _ => RunStatus::Failed,
                };
                let counts = totals(&reports);
                state::finish_run(database, run, status.as_str(), finished, reports.len(), &counts, None).await?;
                self.events.send(&Event::RunFinished {
                    run,
                    status: status.as_str(),
                    succeeded: count("succeeded"),
                    paused: count("paused"),
                    failed: count("failed"),
                    elapsed_ms: u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
                });
                Ok(RunReport { run, status, end_users: reports, skipped, elapsed })
            }
            Err(error) => {
                let message = error.to_string();
                // Recorded if the database still takes it.
                let _ = state::finish_run(database, run, "failed", finished, 0, &json!({}), Some(&message)).await;
                self.events.send(&Event::RunFinished {
                    run,
                    status: "failed",
                    succeeded: 0,
                    paused: 0,
                    failed: 0,
                    elapsed_ms: u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
                });
                Err(error)
            }
        };
        if let Some(lock) = lock {
            lock.release().await;
        }
        outcome
    }

    /// Every end-user, in passes; the reports, and those another worker
    /// synced.
    async fn go(&self, run: i64, started: Timestamp) -> Result<(Vec<EndUserReport>, Vec<String>)> {
        let end_users = self.end_users_in_order().await?;
        self.events.send(&Event::RunStarted { run, end_users: end_users.len(), resources: self.resources.len() });
        // The round began when the first of the workers running now began:
        // an end-user synced by any of them since is not synced again.
        let mut round = started;
        for (other, began) in state::running_runs(&self.database).await? {
            if other != run && !lease::run_is_dead(&self.database, other).await? {
                round = round.min(began);
            }
        }
        let context = Arc::new(Context {
            client: self.client.clone(),
            database: self.database.clone(),
            resources: self.resources.clone(),
            overlap: self.overlap,
            clock: Arc::clone(&self.clock),
            events: self.events.clone(),
            run,
            started,
        });
        let mut reports = Vec::new();
        let mut skipped = Vec::new();
        let mut todo: VecDeque<Queued> = end_users.into_iter().map(|(id, name)| (id, name, false)).collect();
        let mut passes = 0;
        loop {
            let Pass { finished, busy, timed_out } = self.pass(&context, &mut todo, round).await?;
            for (id, done) in finished {
                match done {
                    Done::Synced(outcome, counts) => reports.push(report(id, &outcome, counts)),
                    Done::AlreadySynced => skipped.push(id),
                    Done::Busy => {}
                }
            }
            if !busy.is_empty() {
                // Another worker is syncing these: look again shortly, until
                // it has (or its lock is free, because it died).
                tokio::time::sleep(BUSY_WAIT).await;
                todo.extend(busy);
                continue;
            }
            if timed_out.is_empty() || passes == LATER_PASSES {
                for (id, _, outcome, counts) in timed_out {
                    reports.push(report(id, &outcome, counts));
                }
                break;
            }
            passes += 1;
            todo.extend(timed_out.into_iter().map(|(id, name, _, _)| (id, name, true)));
        }
        reports.sort_by(|a, b| a.end_user_id.cmp(&b.end_user_id));
        Ok((reports, skipped))
    }

    /// One pass over `todo`, `concurrency` end-users at a time, each in a
    /// task of its own (so their work spreads over the runtime's threads):
    /// what ended, those another worker holds, and those QuickBooks did not
    /// answer in time.
    async fn pass(&self, context: &Arc<Context>, todo: &mut VecDeque<Queued>, round: Timestamp) -> Result<Pass> {
        let mut running = tokio::task::JoinSet::new();
        let mut pass = Pass::default();
        loop {
            while running.len() < self.concurrency {
                let Some((id, name, retry)) = todo.pop_front() else { break };
                let context = Arc::clone(context);
                running.spawn(async move {
                    let done = attempt(&context, &id, &name, retry, round).await;
                    (id, name, retry, done)
                });
            }
            let Some(joined) = running.join_next().await else { break };
            let (id, name, retry, done) = match joined {
                Ok(joined) => joined,
                Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
                Err(error) => return Err(Error::config(format!("an end-user's task ended: {error}"))),
            };
            match done? {
                Done::Busy => pass.busy.push((id, name, retry)),
                Done::Synced(Outcome::TimedOut(reason), counts) => {
                    pass.timed_out.push((id, name, Outcome::TimedOut(reason), counts));
                }
                done => pass.finished.push((id, done)),
            }
        }
        Ok(pass)
    }

    /// The account's end-users (or those asked for), those never synced or
    /// synced longest ago first, with their company names.
    async fn end_users_in_order(&self) -> Result<Vec<(String, String)>> {
        let listed = self.client.end_users().list().await?;
        let mut chosen: Vec<(String, String)> = match &self.end_users {
            None => listed.into_iter().map(|user| (user.id, user.company_name)).collect(),
            Some(ids) => {
                let names: HashMap<String, String> =
                    listed.into_iter().map(|user| (user.id, user.company_name)).collect();
                ids.iter()
                    .map(|id| match names.get(id) {
                        Some(name) => Ok((id.clone(), name.clone())),
                        None => Err(Error::config(format!("end-user {id} is not one of this account's"))),
                    })
                    .collect::<Result<_>>()?
            }
        };
        let last: HashMap<String, Option<Timestamp>> = (self.database.status().await?.into_iter())
            .map(|status| (status.end_user_id, status.last_succeeded_at))
            .collect();
        let mut once = std::collections::HashSet::new();
        chosen.retain(|(id, _)| once.insert(id.clone()));
        // Never synced first, then those synced longest ago; otherwise in
        // the account's order.
        chosen.sort_by_key(|(id, _)| last.get(id).copied().flatten());
        Ok(chosen)
    }
}

/// One end-user: its lock, whether this round has synced it, then the
/// sync.
async fn attempt(context: &Context, end_user: &str, company_name: &str, retry: bool, round: Timestamp) -> Result<Done> {
    let database = &context.database;
    let Attempt::Held(lock) = lease::try_lock_end_user(database, end_user).await? else {
        context
            .events
            .send(&Event::EndUserSkipped { end_user: end_user.to_owned(), why: "another worker is syncing it" });
        return Ok(Done::Busy);
    };
    let state = {
        let mut connection = database.pool.acquire().await?;
        state::end_user_state(&mut connection, database.dialect, end_user).await?
    };
    let done = if !retry && state.last_ended_attempt_started_at.is_some_and(|at| at >= round) {
        context.events.send(&Event::EndUserSkipped {
            end_user: end_user.to_owned(),
            why: "another worker synced it in this round",
        });
        Ok(Done::AlreadySynced)
    } else {
        engine::sync_end_user(context, end_user, company_name, retry)
            .await
            .map(|(outcome, counts)| Done::Synced(outcome, counts))
    };
    if let Some(lock) = lock {
        lock.release().await;
    }
    done
}

fn report(end_user_id: String, outcome: &Outcome, counts: engine::Counts) -> EndUserReport {
    EndUserReport {
        end_user_id,
        status: outcome.status(),
        reason: outcome.reason().map(str::to_owned),
        counts: counts.into_iter().map(|(name, count)| (name, count.into())).collect(),
    }
}

/// The counts of every end-user added up, by resource.
fn totals(reports: &[EndUserReport]) -> serde_json::Value {
    let mut totals: BTreeMap<&str, ResourceCount> = BTreeMap::new();
    for report in reports {
        for (name, count) in &report.counts {
            let total = totals.entry(name).or_default();
            total.read += count.read;
            total.written += count.written;
            total.older += count.older;
            total.deleted += count.deleted;
            total.refreshed += count.refreshed;
        }
    }
    json!(totals)
}
