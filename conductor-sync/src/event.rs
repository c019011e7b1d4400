//! What a run tells as it goes: to a progress bar, a JSON log, or your own
//! code ([`SyncBuilder::on_event`](crate::SyncBuilder::on_event)).

use std::sync::Arc;

use serde::Serialize;

/// One thing that happened in a run. Serialized with its kind under
/// `event` (`{"event":"end_user_finished",...}`), one JSON line each with
/// `--log json`.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Event {
    /// A run started.
    RunStarted {
        /// The run's id in `sync_runs`.
        run: i64,
        /// The end-users it will go through.
        end_users: usize,
        /// The resources it keeps.
        resources: usize,
    },
    /// A run interrupted earlier (its worker killed) was recorded as
    /// failed.
    RunInterrupted {
        /// That run's id.
        run: i64,
    },
    /// An end-user's part started.
    EndUserStarted {
        /// The run.
        run: i64,
        /// The end-user.
        end_user: String,
        /// Their company's name.
        company_name: String,
        /// Whether this is a later pass, after QuickBooks did not answer in
        /// time.
        retry: bool,
    },
    /// Another worker synced this end-user in this round, or is syncing it.
    EndUserSkipped {
        /// The end-user.
        end_user: String,
        /// Why.
        why: &'static str,
    },
    /// A resource's read started.
    ResourceStarted {
        /// The end-user.
        end_user: String,
        /// The resource (`invoices`).
        resource: &'static str,
        /// Whether it is read whole (first time, no `updatedAfter`, no list
        /// of deletions, or deletions older than QuickBooks keeps).
        whole: bool,
    },
    /// Records read so far of a resource.
    Progress {
        /// The end-user.
        end_user: String,
        /// The resource.
        resource: &'static str,
        /// Records read so far.
        read: u64,
        /// Records still to read, as the last page said.
        remaining: Option<u64>,
    },
    /// A list's cursor expired (a page after the first was refused), and
    /// the list starts over; what was written stays.
    ListRestarted {
        /// The end-user.
        end_user: String,
        /// The resource.
        resource: &'static str,
        /// The refusal.
        reason: String,
    },
    /// A resource was read to its end.
    ResourceFinished {
        /// The end-user.
        end_user: String,
        /// The resource.
        resource: &'static str,
        /// Records read.
        read: u64,
        /// Records written.
        written: u64,
        /// Records older than the copy held, left as they were.
        older: u64,
        /// Rows marked deleted.
        deleted: u64,
    },
    /// An end-user's part ended.
    EndUserFinished {
        /// The run.
        run: i64,
        /// The end-user.
        end_user: String,
        /// `succeeded`, `paused` or `failed`.
        status: &'static str,
        /// Why it paused or failed.
        reason: Option<String>,
        /// How long it took.
        elapsed_ms: u64,
    },
    /// A run ended.
    RunFinished {
        /// The run.
        run: i64,
        /// `succeeded`, `paused` or `failed`.
        status: &'static str,
        /// End-users that succeeded.
        succeeded: usize,
        /// End-users paused.
        paused: usize,
        /// End-users that failed.
        failed: usize,
        /// How long it took.
        elapsed_ms: u64,
    },
}

/// What is told of each event.
pub(crate) type Handler = Arc<dyn Fn(&Event) + Send + Sync>;

/// Where events go.
#[derive(Clone, Default)]
pub(crate) struct Events(Option<Handler>);

impl Events {
    pub(crate) fn new(handler: Handler) -> Events {
        Events(Some(handler))
    }

    pub(crate) fn send(&self, event: &Event) {
        if let Some(handler) = &self.0 {
            handler(event);
        }
    }
}
