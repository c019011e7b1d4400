//! The sandbox's data: end-users, and the records of every QuickBooks
//! Desktop resource, kept per end-user, stored as QuickBooks returns them.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};

use super::Op;
use super::reply::Reply;
use super::routes::{bad_request, not_found};
use super::seeding::{now, random_suffix, revision};
use super::shape::conform;

/// The fields of a record that QuickBooks assigns, never the caller.
const ASSIGNED: &[&str] = &["id", "objectType", "createdAt", "updatedAt", "revisionNumber"];

#[derive(Default)]
pub(crate) struct Store {
    pub(crate) end_users: Vec<Value>,
    /// Records by end-user and resource, oldest first.
    records: HashMap<(String, &'static str), Vec<Value>>,
    pub(crate) counter: u64,
    /// Open cursors by id.
    cursors: HashMap<String, Cursor>,
    /// How long a cursor lives after a page is returned; `None` for
    /// Conductor's 10 seconds.
    pub(crate) cursor_ttl: Option<Duration>,
}

/// How long a cursor lives after each page, as Conductor's do.
const CURSOR_TTL: Duration = Duration::from_secs(10);

/// Where a list is, for the one cursor Conductor gives a whole list: each
/// request that sends it gets the next page.
struct Cursor {
    /// The end-user and resource listed.
    owner: (String, &'static str),
    offset: usize,
    expires: Instant,
}

impl Store {
    pub(crate) fn next(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }

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

    /// Stores a record created over HTTP: what QuickBooks assigns is
    /// assigned here, whatever the body said.
    pub(crate) fn create(&mut self, end_user: &str, op: &'static Op, mut body: Map<String, Value>) -> Value {
        for assigned in ASSIGNED {
            body.remove(*assigned);
        }
        self.store(end_user, op, Value::Object(body)).1
    }

    /// Removes a record, returning it.
    pub(crate) fn remove(&mut self, end_user: &str, op: &Op, id: &str) -> Option<Value> {
        let records = self.records.get_mut(&(end_user.to_owned(), op.slug()))?;
        let index = records.iter().position(|r| has_id(r, id))?;
        let record = records.remove(index);
        self.unindex_transaction(end_user, op.slug(), id);
        Some(record)
    }

    /// The records of one resource of an end-user, oldest first.
    pub(crate) fn records_of(&self, end_user: &str, op: &Op) -> &[Value] {
        self.records.get(&(end_user.to_owned(), op.slug())).map_or(&[], Vec::as_slice)
    }

    pub(crate) fn has_end_user(&self, id: &str) -> bool {
        self.end_users.iter().any(|u| u["id"] == id)
    }

    /// Forgets an end-user and every record kept for them.
    pub(crate) fn remove_end_user(&mut self, index: usize) -> Value {
        let user = self.end_users.remove(index);
        self.records.retain(|(owner, _), _| user["id"] != owner.as_str());
        user
    }

    pub(crate) fn find(&self, end_user: &str, op: &Op, id: &str) -> Option<&Value> {
        self.records_of(end_user, op).iter().find(|r| has_id(r, id))
    }

    /// The page of `len` records a list request gets: its first and end
    /// offsets, and the cursor to send for the next page (`null` on the
    /// last). Without a cursor the list starts over; with one, it goes on
    /// where that cursor's last page ended, if the cursor is known, is for
    /// this end-user and resource, and has not expired.
    pub(crate) fn page_window(
        &mut self,
        cursor: Option<&str>,
        (end_user, slug): (&str, &'static str),
        len: usize,
        limit: usize,
    ) -> Result<(usize, usize, Value), Reply> {
        let now = Instant::now();
        self.cursors.retain(|_, open| open.expires > now);
        let (id, offset) = match cursor {
            None => (format!("sbx_cur_{}", random_suffix(20)), 0),
            Some(id) => match self.cursors.get(id) {
                Some(open) if open.owner.0 == end_user && open.owner.1 == slug => (id.to_owned(), open.offset),
                _ => {
                    return Err(bad_request(
                        "INVALID_CURSOR",
                        "The cursor is invalid or has expired: send each request within 10 seconds of the previous \
                         response, or start over without a cursor.",
                    ));
                }
            },
        };
        let offset = offset.min(len);
        let end = (offset + limit).min(len);
        if end == len {
            self.cursors.remove(&id);
            return Ok((offset, end, Value::Null));
        }
        let expires = now + self.cursor_ttl.unwrap_or(CURSOR_TTL);
        self.cursors.insert(id.clone(), Cursor { owner: (end_user.to_owned(), slug), offset: end, expires });
        Ok((offset, end, json!(id)))
    }

    /// Stores a record, filling in what QuickBooks assigns; returns its id.
    pub(crate) fn insert(&mut self, end_user: &str, op: &'static Op, record: Value) -> String {
        self.store(end_user, op, record).0
    }

    /// Stores a record, filling in what QuickBooks assigns (an `id` that is
    /// not a non-empty string among them) and every field its type requires,
    /// with the totals its lines add up to; returns its id and the record as
    /// stored.
    pub(crate) fn store(&mut self, end_user: &str, op: &'static Op, record: Value) -> (String, Value) {
        let n = self.next();
        let mut record = match record {
            Value::Object(map) => as_stored(map),
            _ => Map::new(),
        };
        let stamp = now();
        let id = match record.get("id") {
            Some(Value::String(id)) if !id.is_empty() => id.clone(),
            _ => format!("{:X}-{}", 0x8000_0000u64 + n, 1_700_000_000 + n),
        };
        record.insert("id".into(), json!(id));
        // Transactions of every type, as `/transactions` lists them, are
        // known by their `transactionId`.
        record.entry("transactionId").or_insert_with(|| json!(id));
        record.entry("createdAt").or_insert_with(|| json!(stamp));
        record.entry("updatedAt").or_insert_with(|| json!(stamp));
        record.entry("revisionNumber").or_insert_with(|| json!(revision(n)));
        if !record.contains_key("fullName") {
            let name = match (record.get("name"), record.get("firstName"), record.get("lastName")) {
                (Some(name), _, _) => name.clone(),
                (None, Some(first), Some(last)) => json!(format!("{} {}", text(first), text(last))),
                _ => record["id"].clone(),
            };
            record.insert("fullName".into(), name);
        }
        let mut record = conform(op.item, Value::Object(record));
        self.name_references(end_user, &mut record);
        add_up(&mut record);
        let records = self.records_mut(end_user, op.slug());
        match records.iter_mut().find(|r| has_id(r, &id)) {
            Some(existing) => *existing = record.clone(),
            None => records.push(record.clone()),
        }
        self.index_transaction(end_user, op.slug(), &record);
        (id, record)
    }

    /// The records of one resource of an end-user, to change.
    pub(crate) fn records_mut(&mut self, end_user: &str, slug: &'static str) -> &mut Vec<Value> {
        self.records.entry((end_user.to_owned(), slug)).or_default()
    }

    pub(crate) fn update(
        &mut self,
        end_user: &str,
        op: &Op,
        id: &str,
        body: Map<String, Value>,
    ) -> Result<Value, Reply> {
        let n = self.next();
        let sent_revision = body.get("revisionNumber").cloned();
        let mut changes = Value::Object(as_stored(body));
        self.name_references(end_user, &mut changes);
        let changes = match changes {
            Value::Object(changes) => changes,
            _ => Map::new(),
        };
        let record = self.record_mut(end_user, op, id)?;
        if sent_revision.is_some_and(|sent| sent != record["revisionNumber"]) {
            return Err(bad_request(
                "QBD_REQUEST_ERROR",
                "The revision number is out of date: retrieve the record again and send its current revisionNumber.",
            ));
        }
        let Value::Object(fields) = record else {
            return Err(not_found(op.object_type(), id));
        };
        for (name, value) in changes {
            // What QuickBooks assigns stays as it assigned it.
            if !ASSIGNED.contains(&name.as_str()) {
                fields.insert(name, value);
            }
        }
        fields.insert("revisionNumber".into(), json!(revision(n)));
        fields.insert("updatedAt".into(), json!(now()));
        *record = conform(op.item, std::mem::take(record));
        add_up(record);
        let record = record.clone();
        self.index_transaction(end_user, op.slug(), &record);
        Ok(record)
    }

    /// Fills the `fullName` of each reference in `value` that has none
    /// (`customer: {id, fullName: null}`) with the name of the record it
    /// names, when this end-user has that record; otherwise it stays `null`,
    /// as QuickBooks may leave it.
    fn name_references(&self, end_user: &str, value: &mut Value) {
        let mut unnamed = Vec::new();
        collect_unnamed(value, &mut unnamed, 0);
        if unnamed.is_empty() {
            return;
        }
        let mut names = std::collections::HashMap::new();
        for ((owner, _), records) in &self.records {
            if owner != end_user {
                continue;
            }
            for record in records.iter().filter(|r| r["id"].as_str().is_some_and(|id| unnamed.iter().any(|u| u == id)))
            {
                let name = record.get("fullName").or_else(|| record.get("name")).filter(|n| n.is_string());
                if let (Some(id), Some(name)) = (record["id"].as_str(), name) {
                    names.insert(id.to_owned(), name.clone());
                }
            }
        }
        name_unnamed(value, &names, 0);
    }

    /// Voids a transaction as QuickBooks does: its amounts become zero and
    /// its memo says `VOID:`; it stays in the lists.
    pub(crate) fn void(&mut self, end_user: &str, op: &Op, id: &str) -> Result<Value, Reply> {
        let n = self.next();
        let record = self.record_mut(end_user, op, id)?;
        for lines in ["lines", "expenseLines", "itemLines", "depositLines"] {
            for line in record.get_mut(lines).and_then(Value::as_array_mut).into_iter().flatten() {
                for amount in ["amount", "quantity"] {
                    if line.get(amount).is_some_and(|value| !value.is_null()) {
                        line[amount] = if amount == "amount" { json!("0.00") } else { json!(0.0) };
                    }
                }
            }
        }
        for amount in ["amount", "totalAmount", "subtotal", "balanceRemaining", "salesTaxTotal", "appliedAmount"] {
            if record.get(amount).is_some_and(|value| !value.is_null()) {
                record[amount] = json!("0.00");
            }
        }
        if let Some(memo) = record.get_mut("memo") {
            let before = memo.as_str().unwrap_or_default();
            *memo = json!(format!("VOID: {before}").trim_end());
        }
        record["revisionNumber"] = json!(revision(n));
        record["updatedAt"] = json!(now());
        add_up(record);
        let record = record.clone();
        self.index_transaction(end_user, op.slug(), &record);
        Ok(record)
    }

    fn record_mut(&mut self, end_user: &str, op: &Op, id: &str) -> Result<&mut Value, Reply> {
        let records = self.records_mut(end_user, op.slug());
        records.iter_mut().find(|r| has_id(r, id)).ok_or_else(|| not_found(op.object_type(), id))
    }
}

/// Makes a record's totals agree with its lines, as QuickBooks computes
/// them: a line's `amount` is its `quantity` times its `rate` when not
/// given, `subtotal` is the sum of the lines' amounts, `totalAmount` adds the
/// sales tax, and `balanceRemaining` takes off what was applied.
pub(crate) fn add_up(record: &mut Value) {
    let Some(lines) = record.get_mut("lines").and_then(Value::as_array_mut) else { return };
    let mut subtotal = 0.0;
    for line in lines {
        let amount = match (decimal(&line["amount"]), line["quantity"].as_f64(), decimal(&line["rate"])) {
            (Some(amount), _, _) => amount,
            (None, Some(quantity), Some(rate)) => {
                if line.get("amount").is_some() {
                    line["amount"] = json!(format!("{:.2}", quantity * rate));
                }
                quantity * rate
            }
            _ => 0.0,
        };
        subtotal += amount;
    }
    let total = subtotal + decimal(&record["salesTaxTotal"]).unwrap_or(0.0);
    let balance = total - decimal(&record["appliedAmount"]).unwrap_or(0.0);
    for (field, value) in [("subtotal", subtotal), ("totalAmount", total), ("balanceRemaining", balance)] {
        if record.get(field).is_some() {
            record[field] = json!(format!("{value:.2}"));
        }
    }
}

/// How deep references are looked for: a record, its lines, their parts.
const REFERENCE_DEPTH: usize = 3;

fn is_unnamed_reference(map: &Map<String, Value>) -> bool {
    map.len() == 2 && map.get("id").is_some_and(Value::is_string) && map.get("fullName") == Some(&Value::Null)
}

/// The ids of the references in `value` without a `fullName`.
fn collect_unnamed(value: &Value, out: &mut Vec<String>, depth: usize) {
    match value {
        Value::Object(map) if is_unnamed_reference(map) => out.extend(map["id"].as_str().map(str::to_owned)),
        Value::Object(map) if depth < REFERENCE_DEPTH => map.values().for_each(|v| collect_unnamed(v, out, depth + 1)),
        Value::Array(items) if depth < REFERENCE_DEPTH => items.iter().for_each(|v| collect_unnamed(v, out, depth + 1)),
        _ => {}
    }
}

fn name_unnamed(value: &mut Value, names: &std::collections::HashMap<String, Value>, depth: usize) {
    match value {
        Value::Object(map) if is_unnamed_reference(map) => {
            if let Some(name) = map["id"].as_str().and_then(|id| names.get(id)) {
                map.insert("fullName".into(), name.clone());
            }
        }
        Value::Object(map) if depth < REFERENCE_DEPTH => {
            map.values_mut().for_each(|v| name_unnamed(v, names, depth + 1));
        }
        Value::Array(items) if depth < REFERENCE_DEPTH => {
            items.iter_mut().for_each(|v| name_unnamed(v, names, depth + 1))
        }
        _ => {}
    }
}

/// Whether `record` is the one `id` names: records have an `id`, or for
/// transactions as `/transactions` lists them, a `transactionId`.
fn has_id(record: &Value, id: &str) -> bool {
    record.get("id").or_else(|| record.get("transactionId")).and_then(Value::as_str) == Some(id)
}

/// A decimal string (`"10.00"`) as a number.
fn decimal(value: &Value) -> Option<f64> {
    value.as_str().and_then(|text| text.parse().ok())
}

/// Turns a request body into a stored record: references sent as
/// `customerId` are stored as `customer: {id, fullName}`, as QuickBooks
/// returns them (the name is filled in by [`Store::name_references`]), and
/// `lines` items likewise.
fn as_stored(body: Map<String, Value>) -> Map<String, Value> {
    body.into_iter()
        .map(|(name, value)| {
            let value = match value {
                Value::Array(items) => {
                    Value::Array(items.into_iter().enumerate().map(|(i, item)| nested_record(&name, i, item)).collect())
                }
                // A barcode is sent with its options and kept as its value.
                Value::Object(mut map) if name == "barcode" => map.remove("value").unwrap_or(Value::Null),
                Value::Object(map) => Value::Object(as_stored(map)),
                other => other,
            };
            match name.strip_suffix("Id") {
                Some(stem) if !stem.is_empty() && name != "externalId" && value.is_string() => {
                    (stem.to_owned(), json!({"id": value, "fullName": null}))
                }
                _ => (name, value),
            }
        })
        .collect()
}

/// Item `i` of the array `name`: lines and other records inside a record get
/// the `id` and `objectType` QuickBooks gives them.
fn nested_record(name: &str, i: usize, item: Value) -> Value {
    let Value::Object(map) = item else { return item };
    let mut map = as_stored(map);
    // Notes are numbered; other records have string ids.
    let id = if name.ends_with("Notes") {
        json!(i + 1)
    } else {
        json!(format!("{}-{}", random_suffix(8).to_uppercase(), i + 1))
    };
    map.entry("id").or_insert(id);
    map.entry("objectType").or_insert_with(|| json!(format!("qbd_{}", item_type(name))));
    let stamp = now();
    map.entry("createdAt").or_insert_with(|| json!(stamp));
    map.entry("updatedAt").or_insert_with(|| json!(stamp));
    map.entry("revisionNumber").or_insert_with(|| json!("1"));
    Value::Object(map)
}

fn text(value: &Value) -> &str {
    value.as_str().unwrap_or_default()
}

/// `expenseLines` → `expense_line`.
fn item_type(array: &str) -> String {
    let mut snake = String::new();
    for c in array.chars() {
        if c.is_ascii_uppercase() {
            snake.push('_');
        }
        snake.push(c.to_ascii_lowercase());
    }
    snake.strip_suffix('s').map(str::to_owned).unwrap_or(snake)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_stored_as_quickbooks_returns_them() {
        let Value::Object(body) = json!({"customerId": "c1", "externalId": "e1", "lines": [{"itemId": "i1"}]}) else {
            unreachable!()
        };
        let stored = Value::Object(as_stored(body));
        assert_eq!(stored["customer"], json!({"id": "c1", "fullName": null}));
        assert_eq!(stored["externalId"], "e1");
        assert_eq!(stored["lines"][0]["item"], json!({"id": "i1", "fullName": null}));
        assert_eq!(stored["lines"][0]["objectType"], "qbd_line");
        assert!(stored["lines"][0]["id"].as_str().is_some_and(|id| id.ends_with("-1")));
    }
}
