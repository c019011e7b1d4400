//! Lists an agent reads in pieces, whatever time passes between its turns.
//!
//! Conductor's cursors live 10 seconds after a page, and an agent's next
//! turn often takes longer. So the server reads a list itself, page after
//! page as Conductor serves them, into memory, and hands the agent a cursor
//! of its own (`mcp_...`) that stays valid for [`TTL`] after its last use.
//! It holds at most [`MAX_LISTINGS`] lists (the least recently used goes
//! first) of at most [`MAX_RECORDS`] records each; past either bound, the
//! agent is told plainly to start the list again, or to narrow it.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};
use tokio::sync::Notify;

/// How long a held list stays after its last piece was read.
pub(crate) const TTL: Duration = Duration::from_secs(15 * 60);
/// How many lists are held at once.
pub(crate) const MAX_LISTINGS: usize = 32;
/// How many records one held list keeps at most.
pub(crate) const MAX_RECORDS: usize = 10_000;

/// A list being read: the records not yet handed out.
#[derive(Default)]
pub(crate) struct Listing {
    records: VecDeque<Value>,
    /// Whether the whole list was read (or the reading stopped).
    done: bool,
    /// Why the reading stopped before the end, if it did.
    stopped: Option<String>,
    /// The records the list has, by the server's count, once known.
    total: Option<u64>,
}

struct Slot {
    listing: Arc<(Mutex<Listing>, Notify)>,
    used: Instant,
    /// When it was last used, in uses of any list: the order of eviction.
    tick: u64,
}

#[derive(Default)]
struct Slots {
    slots: HashMap<String, Slot>,
    ticks: u64,
}

/// The lists held for agents.
#[derive(Default, Clone)]
pub(crate) struct Held(Arc<Mutex<Slots>>);

/// A list's shared state, written by its reader and read by the agent's
/// calls.
pub(crate) type Shared = Arc<(Mutex<Listing>, Notify)>;

impl Held {
    /// Holds a new list; its cursor and where its reader puts records.
    pub(crate) fn hold(&self) -> (String, Shared) {
        let shared: Shared = Arc::new((Mutex::new(Listing::default()), Notify::new()));
        let cursor = format!("mcp_{}", uuid::Uuid::new_v4().simple());
        let mut held = crate::lock(&self.0);
        let now = Instant::now();
        held.ticks += 1;
        let tick = held.ticks;
        let slots = &mut held.slots;
        slots.retain(|_, slot| now.duration_since(slot.used) < TTL);
        while slots.len() >= MAX_LISTINGS {
            let Some(oldest) = slots.iter().min_by_key(|(_, slot)| slot.tick).map(|(key, _)| key.clone()) else {
                break;
            };
            slots.remove(&oldest);
        }
        slots.insert(cursor.clone(), Slot { listing: Arc::clone(&shared), used: now, tick });
        (cursor, shared)
    }

    /// The list a cursor of ours names, if it is still held.
    pub(crate) fn get(&self, cursor: &str) -> Option<Shared> {
        let mut held = crate::lock(&self.0);
        held.ticks += 1;
        let tick = held.ticks;
        let slot = held.slots.get_mut(cursor)?;
        if slot.used.elapsed() >= TTL {
            held.slots.remove(cursor);
            return None;
        }
        slot.used = Instant::now();
        slot.tick = tick;
        Some(Arc::clone(&slot.listing))
    }

    /// Lets a list go: read to its end.
    pub(crate) fn release(&self, cursor: &str) {
        crate::lock(&self.0).slots.remove(cursor);
    }
}

/// Adds a page's records (the reader's side); false once the list holds
/// as many as it may.
pub(crate) fn push(shared: &Shared, records: Vec<Value>, total: Option<u64>) -> bool {
    let (listing, notify) = &**shared;
    let mut listing = crate::lock(listing);
    listing.records.extend(records);
    if listing.total.is_none() {
        listing.total = total;
    }
    let room = listing.records.len() < MAX_RECORDS;
    if !room {
        listing.done = true;
        listing.stopped = Some(format!(
            "the list has more than {MAX_RECORDS} records, more than this server holds: narrow it with its filters \
             (updatedAfter, a date range, ids) and read it again"
        ));
    }
    notify.notify_waiters();
    room
}

/// Ends the reading: at the list's end, or with why it stopped.
pub(crate) fn finish(shared: &Shared, stopped: Option<String>) {
    let (listing, notify) = &**shared;
    let mut listing = crate::lock(listing);
    listing.done = true;
    if listing.stopped.is_none() {
        listing.stopped = stopped;
    }
    notify.notify_waiters();
}

/// The next `count` records (the agent's side), waiting for the reader if
/// it has not read them yet: the records, whether more follow, and what
/// stopped the reading if it stopped early and nothing more is held.
pub(crate) async fn take(shared: &Shared, count: usize) -> (Vec<Value>, bool, Option<String>, Option<u64>) {
    let (listing, notify) = &**shared;
    loop {
        let notified = notify.notified();
        {
            let mut listing = crate::lock(listing);
            if listing.records.len() >= count || listing.done {
                let n = count.min(listing.records.len());
                let records: Vec<Value> = listing.records.drain(..n).collect();
                let more = !listing.records.is_empty() || !listing.done;
                let stopped = if more { None } else { listing.stopped.clone() };
                return (records, more, stopped, listing.total);
            }
        }
        notified.await;
    }
}

/// A piece of a held list as the agent gets it.
pub(crate) fn page(records: Vec<Value>, more: bool, cursor: &str, stopped: Option<String>) -> Value {
    let mut page = Map::new();
    page.insert("objectType".into(), json!("list"));
    page.insert("data".into(), Value::Array(records));
    page.insert("hasMore".into(), json!(more));
    if more {
        page.insert("nextCursor".into(), json!(cursor));
        page.insert(
            "cursorNote".into(),
            json!("this server's cursor: pass it as `cursor` to read on, at any time within 15 minutes"),
        );
    }
    if let Some(stopped) = stopped {
        page.insert("incomplete".into(), json!(stopped));
    }
    Value::Object(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn pieces_come_in_order_and_wait_for_the_reader() {
        let held = Held::default();
        let (cursor, shared) = held.hold();
        let reader = Arc::clone(&shared);
        let task = tokio::spawn(async move {
            for page in 0..3 {
                tokio::time::sleep(Duration::from_millis(10)).await;
                push(&reader, (0..10).map(|n| json!(page * 10 + n)).collect(), Some(30));
            }
            finish(&reader, None);
        });
        let shared = held.get(&cursor).unwrap();
        let (first, more, _, total) = take(&shared, 25).await;
        assert_eq!((first.len(), more, total), (25, true, Some(30)));
        assert_eq!(first[24], json!(24));
        let (rest, more, stopped, _) = take(&shared, 25).await;
        assert_eq!((rest.len(), more, stopped), (5, false, None));
        task.await.unwrap();
    }

    #[test]
    fn the_least_recently_used_list_goes_first() {
        let held = Held::default();
        let cursors: Vec<String> = (0..MAX_LISTINGS).map(|_| held.hold().0).collect();
        held.get(&cursors[0]).unwrap();
        let _ = held.hold();
        assert!(held.get(&cursors[0]).is_some(), "used last, kept");
        assert!(held.get(&cursors[1]).is_none(), "the oldest unused is gone");
    }
}
