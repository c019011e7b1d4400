//! The sandbox's data: end-users, and each end-user's company file, whose
//! records are kept per resource in the order they were added, as
//! QuickBooks returns them; and the listings in progress. Storage only:
//! what a write means is in `rules` and `ledger`, and `writes` puts them
//! together.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use std::collections::{BTreeSet, HashSet};

use indexmap::IndexMap;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::ids::{now, random_suffix};
use super::reply::{Reply, bad_request};

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
    pub(crate) deleted_transactions: Vec<Value>,
    /// What `/deleted-list-objects` lists, oldest first.
    pub(crate) deleted_list_objects: Vec<Value>,
    /// What each transaction does to the records it touches.
    pub(crate) ledger: Ledger,
    pub(crate) connection: ConnectionState,
}

impl Company {
    /// The next number for an id or a revision.
    pub(crate) fn next(&mut self) -> u64 {
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

    pub(crate) fn get_mut(&mut self, slug: &str, id: &str) -> Option<&mut Value> {
        self.records.get_mut(slug)?.get_mut(id)
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
        self.homes.insert(id.clone(), slug);
        self.records.entry(slug).or_default().insert(id, record);
    }

    /// Stores a view of a record kept elsewhere (a transaction as
    /// `/transactions` lists it) under `key`, which stays the record's.
    pub(crate) fn put_view(&mut self, slug: &'static str, key: &str, view: Value) {
        self.records.entry(slug).or_default().insert(key.to_owned(), view);
    }

    /// Every record, of every resource, to change.
    pub(crate) fn all_records_mut(&mut self) -> impl Iterator<Item = &mut Value> {
        self.records.values_mut().flat_map(IndexMap::values_mut)
    }

    /// Removes a record, returning it; the others keep their order.
    pub(crate) fn take(&mut self, slug: &str, id: &str) -> Option<Value> {
        let record = self.records.get_mut(slug)?.shift_remove(id)?;
        if self.homes.get(id) == Some(&slug) {
            self.homes.remove(id);
        }
        Some(record)
    }
}

/// One target of a payment: what it pays of `target` and the discount it
/// takes, and the credits it applies there.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Application {
    pub(crate) target: String,
    pub(crate) payment: Decimal,
    pub(crate) discount: Decimal,
    /// Credit transactions (credit memos, vendor credits) and how much of
    /// each.
    pub(crate) credits: Vec<(String, Decimal)>,
}

impl Application {
    /// How much this lowers its target's balance.
    pub(crate) fn settles(&self) -> Decimal {
        self.payment + self.discount + self.credits.iter().map(|(_, amount)| amount).sum::<Decimal>()
    }
}

/// What a transaction does to the records it touches.
#[derive(Clone, Debug, Default)]
pub(crate) struct Effects {
    pub(crate) applications: Vec<Application>,
    /// Inventory it moves: item id and quantity (negative for a sale).
    pub(crate) stock: Vec<(String, Decimal)>,
}

impl Effects {
    /// Every record id these effects name.
    pub(crate) fn touches(&self) -> impl Iterator<Item = &String> {
        let applied = self
            .applications
            .iter()
            .flat_map(|app| std::iter::once(&app.target).chain(app.credits.iter().map(|(id, _)| id)));
        applied.chain(self.stock.iter().map(|(item, _)| item))
    }
}

/// The ledger of one company file: the state `ledger` keeps, by which it
/// works out the fields QuickBooks computes.
#[derive(Default)]
pub(crate) struct Ledger {
    /// By transaction id.
    pub(crate) effects: HashMap<String, Effects>,
    /// By record id: the transactions whose effects name it.
    pub(crate) touching: HashMap<String, BTreeSet<String>>,
    /// Opening quantities of inventory items.
    pub(crate) opening: HashMap<String, Decimal>,
    pub(crate) voided: HashSet<String>,
    /// What each transaction adds to its customer's or vendor's balance, as
    /// last counted, and whose balance that is.
    pub(crate) owed: HashMap<String, (String, Decimal)>,
    /// Each customer's and vendor's balance (its opening balance and what
    /// its own transactions owe), and each customer's total with its jobs'.
    pub(crate) balances: HashMap<String, Decimal>,
    pub(crate) totals: HashMap<String, Decimal>,
}

impl Ledger {
    /// Sets the effects of a transaction (`None` when it is gone); the
    /// records its old and new effects touch, itself included.
    pub(crate) fn replace(&mut self, id: &str, effects: Option<Effects>) -> BTreeSet<String> {
        let mut touched: BTreeSet<String> = BTreeSet::new();
        if let Some(old) = self.effects.remove(id) {
            for name in old.touches() {
                if let Some(set) = self.touching.get_mut(name) {
                    set.remove(id);
                }
                touched.insert(name.clone());
            }
        }
        if let Some(new) = effects {
            for name in new.touches() {
                self.touching.entry(name.clone()).or_default().insert(id.to_owned());
                touched.insert(name.clone());
            }
            self.effects.insert(id.to_owned(), new);
        }
        touched.insert(id.to_owned());
        touched
    }

    /// The live transactions whose effects name `id`.
    pub(crate) fn touching(&self, id: &str) -> impl Iterator<Item = (&String, &Effects)> {
        (self.touching.get(id).into_iter().flatten())
            .filter(|txn| !self.voided.contains(*txn))
            .filter_map(|txn| self.effects.get(txn).map(|effects| (txn, effects)))
    }

    pub(crate) fn is_voided(&self, id: &str) -> bool {
        self.voided.contains(id)
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

    pub(crate) fn company_mut(&mut self, end_user: &str) -> &mut Company {
        self.companies.entry(end_user.to_owned()).or_default()
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
    ) -> Result<Page, Reply> {
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
                    return Err(bad_request(
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
    fn a_listing_works_on_what_its_query_selected() {
        let mut store = Store::default();
        for id in ["1", "2", "3", "4", "5"] {
            store.company_mut("u").put("invoices", record(id));
        }
        let all = |company: &Company| company.ids("invoices").cloned().collect::<Vec<_>>();
        let first = store.page(None, ("u", "invoices"), 2, all).unwrap();
        assert_eq!((first.ids.as_slice(), first.remaining), (&["1".to_owned(), "2".to_owned()][..], 3));
        // One deleted and one added during the listing: neither skipped nor
        // repeated, and the new one is not in this listing.
        store.company_mut("u").take("invoices", "3");
        store.company_mut("u").put("invoices", record("6"));
        let cursor = first.cursor.unwrap();
        let second = store.page(Some(&cursor), ("u", "invoices"), 2, all).unwrap();
        assert_eq!(
            (second.ids, second.remaining, second.cursor.is_none()),
            (vec!["4".to_owned(), "5".to_owned()], 0, true)
        );
        assert!(store.page(Some(&cursor), ("u", "invoices"), 2, all).is_err(), "a finished listing's cursor is gone");
        assert!(store.page(Some("sbx_cur_other"), ("u", "invoices"), 2, all).is_err());
    }
}
