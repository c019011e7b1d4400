//! The sandbox's data: end-users, and each end-user's company file, whose
//! records are kept per resource in the order they were added, as
//! QuickBooks returns them; and the listings in progress. Storage only:
//! what a write means is in `rules`, `pricing`, `ledger` and `derive`, and
//! `writes` puts them together.
//!
//! A write is whole or nothing: [`Company::atomically`] keeps a journal of
//! every change the write makes (records put and taken, effects, counters),
//! and undoes them all when the write is refused, fails, or panics.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use indexmap::IndexMap;
use serde_json::{Value, json};

use super::ids::{self, now, random_suffix};
use super::ledger::{Effects, Ledger};
use crate::failure::Failure;

/// The state of an end-user's connection to QuickBooks Desktop, as a test
/// sets it: what every QuickBooks Desktop request for that end-user meets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectionState {
    /// QuickBooks is open and answers.
    #[default]
    Connected,
    /// QuickBooks is not running, or the Web Connector is offline: every
    /// request fails with `INTEGRATION_CONNECTION_ERROR`
    /// (`QBD_CONNECTION_ERROR`), which only the end-user can fix.
    Offline,
    /// QuickBooks does not answer in time: every request gets Conductor's
    /// 504 `QBD_REQUEST_TIMEOUT`. A write is still carried out, as QuickBooks
    /// may finish it after Conductor stopped waiting.
    TimingOut,
    /// The end-user never finished the auth flow: 409
    /// `INTEGRATION_CONNECTION_NOT_SET_UP`.
    NotSetUp,
}

impl ConnectionState {
    /// The state named as on the command line: `connected`, `offline`,
    /// `timeout` or `not-set-up`.
    pub fn from_name(name: &str) -> Option<ConnectionState> {
        Some(match name {
            "connected" => ConnectionState::Connected,
            "offline" => ConnectionState::Offline,
            "timeout" => ConnectionState::TimingOut,
            "not-set-up" => ConnectionState::NotSetUp,
            _ => return None,
        })
    }
}

/// One change a write made, and how to undo it.
enum Undo {
    /// A record was put or taken: what was there before, and where.
    Record {
        slug: &'static str,
        id: String,
        before: Option<(usize, Value)>,
        home: Option<&'static str>,
    },
    /// A transaction's effects were set.
    Effects {
        id: String,
        before: Option<Effects>,
    },
    Voided {
        id: String,
        was: bool,
    },
    Counter(u64),
    DeletedTransactions(usize),
    DeletedListObjects(usize),
}

/// One end-user's QuickBooks company file.
#[derive(Default)]
pub(crate) struct Company {
    /// Records by resource (its path segment), then by id, oldest first.
    records: HashMap<&'static str, IndexMap<String, Value>>,
    /// The resource of each record, by id.
    homes: HashMap<String, &'static str>,
    /// Numbers each new id and revision.
    counter: u64,
    /// What `/deleted-transactions` lists, oldest first.
    deleted_transactions: Vec<Value>,
    /// What `/deleted-list-objects` lists, oldest first.
    deleted_list_objects: Vec<Value>,
    /// What each record does to the others.
    ledger: Ledger,
    pub(crate) connection: ConnectionState,
    /// The changes of the write in progress, while there is one.
    journal: Option<Vec<Undo>>,
    /// How far the end-user's computer's clock is from the sandbox's, in
    /// seconds: QuickBooks stamps records by it.
    clock: i64,
}

impl Company {
    /// Seconds since 1970 by the end-user's clock.
    pub(crate) fn unix_now(&self) -> i64 {
        ids::unix_now() + self.clock
    }

    /// Now by the end-user's clock, as QuickBooks writes it.
    pub(crate) fn now(&self) -> String {
        ids::timestamp(self.unix_now())
    }

    /// Moves the end-user's clock by `seconds`.
    pub(crate) fn shift_clock(&mut self, seconds: i64) {
        self.clock = self.clock.saturating_add(seconds);
    }

    /// Runs `write` whole or not at all: when it returns an error, or
    /// panics, every change it made is undone, and a panic is answered as
    /// Conductor's 500.
    pub(crate) fn atomically<T>(
        &mut self,
        write: impl FnOnce(&mut Company) -> Result<T, Failure>,
    ) -> Result<T, Failure> {
        let outer = self.journal.replace(Vec::new());
        let result = catch_unwind(AssertUnwindSafe(|| write(&mut *self))).unwrap_or_else(|_| {
            Err(Failure::internal("The sandbox failed to carry out this request; nothing was changed."))
        });
        let journal = std::mem::replace(&mut self.journal, outer).unwrap_or_default();
        match (&result, &mut self.journal) {
            (Err(_), _) => self.undo(journal),
            // A write inside another keeps its changes in the outer journal.
            (Ok(_), Some(outer)) => outer.extend(journal),
            (Ok(_), None) => {}
        }
        result
    }

    fn undo(&mut self, journal: Vec<Undo>) {
        for change in journal.into_iter().rev() {
            match change {
                Undo::Record { slug, id, before, home } => {
                    let records = self.records.entry(slug).or_default();
                    records.shift_remove(&id);
                    if let Some((at, record)) = before {
                        let at = at.min(records.len());
                        records.shift_insert(at, id.clone(), record);
                    }
                    match home {
                        Some(home) => self.homes.insert(id, home),
                        None => self.homes.remove(&id),
                    };
                }
                Undo::Effects { id, before } => self.ledger.set(&id, before),
                Undo::Voided { id, was } => self.ledger.set_voided(&id, was),
                Undo::Counter(n) => self.counter = n,
                Undo::DeletedTransactions(len) => self.deleted_transactions.truncate(len),
                Undo::DeletedListObjects(len) => self.deleted_list_objects.truncate(len),
            }
        }
    }

    fn note(&mut self, change: Undo) {
        if let Some(journal) = &mut self.journal {
            journal.push(change);
        }
    }

    fn note_record(&mut self, slug: &'static str, id: &str) {
        if self.journal.is_none() {
            return;
        }
        let before = self.records.get(slug).and_then(|records| {
            let (at, _, record) = records.get_full(id)?;
            Some((at, record.clone()))
        });
        let home = self.homes.get(id).copied();
        self.note(Undo::Record { slug, id: id.to_owned(), before, home });
    }

    /// The next number for an id or a revision.
    pub(crate) fn next(&mut self) -> u64 {
        self.note(Undo::Counter(self.counter));
        self.counter += 1;
        self.counter
    }

    /// The records of a resource, oldest first.
    pub(crate) fn records(&self, slug: &str) -> impl Iterator<Item = &Value> {
        self.records.get(slug).into_iter().flat_map(IndexMap::values)
    }

    /// The ids of a resource's records, oldest first.
    pub(crate) fn ids(&self, slug: &str) -> impl Iterator<Item = &String> {
        self.records.get(slug).into_iter().flat_map(IndexMap::keys)
    }

    pub(crate) fn get(&self, slug: &str, id: &str) -> Option<&Value> {
        self.records.get(slug)?.get(id)
    }

    /// The record with this id, of whatever resource, and its resource.
    pub(crate) fn find(&self, id: &str) -> Option<(&'static str, &Value)> {
        let slug = *self.homes.get(id)?;
        self.get(slug, id).map(|record| (slug, record))
    }

    /// The resource of the record with this id.
    pub(crate) fn home(&self, id: &str) -> Option<&'static str> {
        self.homes.get(id).copied()
    }

    /// Stores a record under its `id`: in place of the one with that id, or
    /// last.
    pub(crate) fn put(&mut self, slug: &'static str, record: Value) {
        let id = record["id"].as_str().unwrap_or_default().to_owned();
        self.note_record(slug, &id);
        self.homes.insert(id.clone(), slug);
        self.records.entry(slug).or_default().insert(id, record);
    }

    /// Stores a view of a record kept elsewhere (a transaction as
    /// `/transactions` lists it) under `key`, which stays the record's.
    pub(crate) fn put_view(&mut self, slug: &'static str, key: &str, view: Value) {
        self.note_record(slug, key);
        self.records.entry(slug).or_default().insert(key.to_owned(), view);
    }

    /// Sets one field of a stored record (a field QuickBooks works out).
    pub(crate) fn set_field(&mut self, slug: &'static str, id: &str, field: &str, value: Value) {
        if self.get(slug, id).is_some_and(|record| record.get(field) == Some(&value)) {
            return;
        }
        self.note_record(slug, id);
        if let Some(Value::Object(record)) = self.records.get_mut(slug).and_then(|records| records.get_mut(id)) {
            record.insert(field.to_owned(), value);
        }
    }

    /// Removes a record, returning it; the others keep their order.
    pub(crate) fn take(&mut self, slug: &'static str, id: &str) -> Option<Value> {
        self.get(slug, id)?;
        self.note_record(slug, id);
        let record = self.records.get_mut(slug)?.shift_remove(id)?;
        if self.homes.get(id) == Some(&slug) {
            self.homes.remove(id);
        }
        Some(record)
    }

    /// Every resource with records, and its records' ids.
    pub(crate) fn all_ids(&self) -> Vec<(&'static str, String)> {
        let mut out: Vec<(&'static str, String)> =
            self.records.iter().flat_map(|(slug, records)| records.keys().map(move |id| (*slug, id.clone()))).collect();
        out.sort();
        out
    }

    pub(crate) fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// Sets what a record does to the others (`None`: nothing).
    pub(crate) fn set_effects(&mut self, id: &str, effects: Option<Effects>) {
        let before = self.ledger.effects(id).cloned();
        if before == effects {
            return;
        }
        self.note(Undo::Effects { id: id.to_owned(), before });
        self.ledger.set(id, effects);
    }

    pub(crate) fn set_voided(&mut self, id: &str, voided: bool) {
        let was = self.ledger.is_voided(id);
        self.note(Undo::Voided { id: id.to_owned(), was });
        self.ledger.set_voided(id, voided);
    }

    pub(crate) fn deleted_transactions(&self) -> &[Value] {
        &self.deleted_transactions
    }

    pub(crate) fn deleted_list_objects(&self) -> &[Value] {
        &self.deleted_list_objects
    }

    pub(crate) fn push_deleted_transaction(&mut self, entry: Value) {
        self.note(Undo::DeletedTransactions(self.deleted_transactions.len()));
        self.deleted_transactions.push(entry);
    }

    pub(crate) fn push_deleted_list_object(&mut self, entry: Value) {
        self.note(Undo::DeletedListObjects(self.deleted_list_objects.len()));
        self.deleted_list_objects.push(entry);
    }
}

/// Where a listing is: the ids its query selected when it started, as
/// QuickBooks' iterators work on the result of their query, and how many
/// of them were answered.
struct Listing {
    /// The end-user and resource listed.
    owner: (String, &'static str),
    ids: Vec<String>,
    next: usize,
    expires: Instant,
}

/// How long a cursor lives after each page, as Conductor's do.
pub(crate) const CURSOR_TTL: Duration = Duration::from_secs(10);

/// Everything the sandbox keeps.
#[derive(Default)]
pub(crate) struct Store {
    pub(crate) end_users: Vec<Value>,
    companies: HashMap<String, Company>,
    /// Listings in progress by cursor.
    listings: HashMap<String, Listing>,
    /// How long a cursor lives after a page is returned; `None` for
    /// Conductor's 10 seconds.
    pub(crate) cursor_ttl: Option<Duration>,
}

/// One page of a listing: the ids to answer, the cursor for the next page
/// (`None` on the last) and how many records remain after it.
pub(crate) struct Page {
    pub(crate) ids: Vec<String>,
    pub(crate) cursor: Option<String>,
    pub(crate) remaining: usize,
}

impl Store {
    pub(crate) fn create_end_user(&mut self, company_name: &str, source_id: &str, email: &str) -> Value {
        let user = json!({
            "id": format!("end_usr_{}", random_suffix(16)),
            "objectType": "end_user",
            "createdAt": now(),
            "companyName": company_name,
            "sourceId": source_id,
            "email": email,
            "integrationConnections": [],
        });
        self.end_users.push(user.clone());
        user
    }

    pub(crate) fn has_end_user(&self, id: &str) -> bool {
        self.end_users.iter().any(|u| u["id"] == id)
    }

    /// Forgets an end-user and their company file.
    pub(crate) fn remove_end_user(&mut self, index: usize) -> Value {
        let user = self.end_users.remove(index);
        if let Some(id) = user["id"].as_str() {
            self.companies.remove(id);
            self.listings.retain(|_, listing| listing.owner.0 != id);
        }
        user
    }

    /// An end-user's company file; an empty one until something is written.
    pub(crate) fn company(&self, end_user: &str) -> &Company {
        static EMPTY: std::sync::OnceLock<Company> = std::sync::OnceLock::new();
        self.companies.get(end_user).unwrap_or_else(|| EMPTY.get_or_init(Company::default))
    }

    /// An end-user's company file to change, when the end-user exists.
    pub(crate) fn company_mut(&mut self, end_user: &str) -> Option<&mut Company> {
        if !self.has_end_user(end_user) {
            return None;
        }
        Some(self.companies.entry(end_user.to_owned()).or_default())
    }

    /// The page a list request gets. Without a cursor a listing starts with
    /// the ids `select` gives; with one, it goes on where that cursor's last
    /// page ended, if the cursor is known, is for this end-user and
    /// resource, and has not expired. Records deleted since the listing
    /// started are left out; records added since are not in it.
    pub(crate) fn page(
        &mut self,
        cursor: Option<&str>,
        owner: (&str, &'static str),
        limit: usize,
        select: impl FnOnce(&Company) -> Vec<String>,
    ) -> Result<Page, Failure> {
        let now = Instant::now();
        self.listings.retain(|_, listing| listing.expires > now);
        let (id, mut listing) = match cursor {
            None => {
                let ids = select(self.company(owner.0));
                let listing = Listing { owner: (owner.0.to_owned(), owner.1), ids, next: 0, expires: now };
                (format!("sbx_cur_{}", random_suffix(20)), listing)
            }
            Some(id) => match self.listings.remove(id) {
                Some(listing) if listing.owner.0 == owner.0 && listing.owner.1 == owner.1 => (id.to_owned(), listing),
                other => {
                    if let Some(listing) = other {
                        self.listings.insert(id.to_owned(), listing);
                    }
                    return Err(Failure::bad_request(
                        "INVALID_CURSOR",
                        "The cursor is invalid or has expired: send each request within 10 seconds of the previous \
                         response, or start over without a cursor.",
                    ));
                }
            },
        };
        let company = self.company(owner.0);
        let exists = |id: &String| company.get(owner.1, id).is_some();
        let mut ids = Vec::new();
        while ids.len() < limit && listing.next < listing.ids.len() {
            let id = &listing.ids[listing.next];
            listing.next += 1;
            if exists(id) {
                ids.push(id.clone());
            }
        }
        let remaining = listing.ids[listing.next..].iter().filter(|id| exists(id)).count();
        if remaining == 0 {
            return Ok(Page { ids, cursor: None, remaining });
        }
        // A TTL too long to add to now lives as long as the sandbox.
        listing.expires =
            now.checked_add(self.cursor_ttl.unwrap_or(CURSOR_TTL)).unwrap_or(now + CURSOR_TTL * 1_000_000);
        self.listings.insert(id.clone(), listing);
        Ok(Page { ids, cursor: Some(id), remaining })
    }
}

#[cfg(test)]
impl Company {
    /// Everything the company file holds, as text: its records in their
    /// order, every record's effects, what is voided and what was deleted.
    /// Two equal fingerprints are the same company file.
    pub(crate) fn fingerprint(&self) -> String {
        let mut out = String::new();
        for (slug, id) in self.all_ids() {
            let position = self.records.get(slug).and_then(|records| records.get_index_of(&id));
            out.push_str(&format!("{slug} {id} @{position:?} {}\n", self.get(slug, &id).cloned().unwrap_or_default()));
            out.push_str(&format!("  effects {:?} voided {}\n", self.ledger.effects(&id), self.ledger.is_voided(&id)));
        }
        out.push_str(&format!(
            "counter {} deleted {:?} {:?}\n",
            self.counter, self.deleted_transactions, self.deleted_list_objects
        ));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str) -> Value {
        json!({"id": id})
    }

    #[test]
    fn records_keep_their_order_and_are_found_by_id() {
        let mut company = Company::default();
        for id in ["a", "b", "c"] {
            company.put("invoices", record(id));
        }
        company.put("invoices", json!({"id": "b", "memo": "changed"}));
        assert_eq!(company.ids("invoices").collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!(company.find("b").map(|(slug, r)| (slug, r["memo"].clone())), Some(("invoices", json!("changed"))));
        assert!(company.take("invoices", "b").is_some());
        assert_eq!(company.ids("invoices").collect::<Vec<_>>(), ["a", "c"]);
        assert!(company.find("b").is_none());
    }

    #[test]
    fn a_refused_or_panicking_write_changes_nothing() {
        let mut company = Company::default();
        for id in ["a", "b", "c"] {
            company.put("invoices", record(id));
        }
        let before: Vec<(String, Value)> =
            company.ids("invoices").cloned().zip(company.records("invoices").cloned()).collect();
        let refused: Result<(), Failure> = company.atomically(|company| {
            company.take("invoices", "b");
            company.put("invoices", json!({"id": "a", "memo": "changed"}));
            company.put("invoices", record("d"));
            company.set_field("invoices", "c", "memo", json!("x"));
            company.next();
            company.push_deleted_transaction(json!({}));
            Err(Failure::bad_request("X", "refused"))
        });
        assert!(refused.is_err());
        let after: Vec<(String, Value)> =
            company.ids("invoices").cloned().zip(company.records("invoices").cloned()).collect();
        assert_eq!(after, before);
        assert_eq!((company.counter, company.deleted_transactions.len(), company.home("d")), (0, 0, None));
        assert_eq!(company.home("b"), Some("invoices"));

        let panicked: Result<(), Failure> = company.atomically(|company| {
            company.take("invoices", "a");
            panic!("a defect in the middle of a write");
        });
        assert_eq!(panicked.unwrap_err().status, 500);
        assert_eq!(company.ids("invoices").collect::<Vec<_>>(), ["a", "b", "c"]);
    }

    #[test]
    fn a_listing_works_on_what_its_query_selected() {
        let mut store = Store::default();
        store.create_end_user("Acme", "s", "a@b.c");
        let user = store.end_users[0]["id"].as_str().unwrap().to_owned();
        for id in ["1", "2", "3", "4", "5"] {
            store.company_mut(&user).unwrap().put("invoices", record(id));
        }
        let all = |company: &Company| company.ids("invoices").cloned().collect::<Vec<_>>();
        let first = store.page(None, (&user, "invoices"), 2, all).unwrap();
        assert_eq!((first.ids.as_slice(), first.remaining), (&["1".to_owned(), "2".to_owned()][..], 3));
        // One deleted and one added during the listing: neither skipped nor
        // repeated, and the new one is not in this listing.
        store.company_mut(&user).unwrap().take("invoices", "3");
        store.company_mut(&user).unwrap().put("invoices", record("6"));
        let cursor = first.cursor.unwrap();
        let second = store.page(Some(&cursor), (&user, "invoices"), 2, all).unwrap();
        assert_eq!(
            (second.ids, second.remaining, second.cursor.is_none()),
            (vec!["4".to_owned(), "5".to_owned()], 0, true)
        );
        assert!(store.page(Some(&cursor), (&user, "invoices"), 2, all).is_err(), "a finished listing's cursor is gone");
        assert!(store.page(Some("sbx_cur_other"), (&user, "invoices"), 2, all).is_err());
    }
}
