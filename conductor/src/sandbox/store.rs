//! The sandbox's data and its routes: end-users, auth sessions, and every
//! QuickBooks Desktop resource, kept per end-user.

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use reqwest::{Method, StatusCode};
use serde_json::{Map, Value, json};

use super::reply::{Reply, error, ok};
use super::{ListKind, ResourceSpec, spec_of};

const PAGE_LIMIT: usize = 150;

/// The fields of a record that QuickBooks assigns, never the caller.
const ASSIGNED: &[&str] = &["id", "objectType", "createdAt", "updatedAt", "revisionNumber"];

/// One request, as the routes see it.
pub(crate) struct Call<'a> {
    pub(crate) method: &'a Method,
    /// The path after `/v1`.
    pub(crate) segments: &'a [&'a str],
    pub(crate) query: &'a str,
    pub(crate) end_user: Option<&'a str>,
    pub(crate) body: &'a [u8],
}

#[derive(Default)]
pub(crate) struct Store {
    end_users: Vec<Value>,
    /// Records by end-user and resource, oldest first.
    records: HashMap<(String, &'static str), Vec<Value>>,
    counter: u64,
}

/// Letters and digits from the standard library's randomly seeded hasher.
pub(crate) fn random_suffix(length: usize) -> String {
    use std::hash::{BuildHasher, RandomState};
    const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut out = String::with_capacity(length);
    while out.len() < length {
        let mut bits = RandomState::new().hash_one(SystemTime::now());
        for _ in 0..10 {
            if out.len() == length {
                break;
            }
            out.push(ALPHABET[(bits % ALPHABET.len() as u64) as usize] as char);
            bits /= ALPHABET.len() as u64;
        }
    }
    out
}

/// An ISO 8601 UTC timestamp with milliseconds, as Conductor writes them.
fn now() -> String {
    let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    timestamp(since.as_secs(), since.subsec_millis())
}

fn timestamp(seconds: u64, millis: u32) -> String {
    let days = (seconds / 86_400) as i64;
    let rest = seconds % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z", rest / 3600, rest % 3600 / 60, rest % 60)
}

/// Days since 1970-01-01 to a calendar date (proleptic Gregorian).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn not_found(what: &str, id: &str) -> Reply {
    error(
        StatusCode::NOT_FOUND,
        "INVALID_REQUEST_ERROR",
        "RESOURCE_MISSING",
        &format!("No {what} exists with ID {id:?}."),
    )
}

fn bad_request(code: &str, message: &str) -> Reply {
    error(StatusCode::BAD_REQUEST, "INVALID_REQUEST_ERROR", code, message)
}

fn route_missing() -> Reply {
    error(StatusCode::NOT_FOUND, "INVALID_REQUEST_ERROR", "ROUTE_NOT_FOUND", "No such route.")
}

fn method_missing() -> Reply {
    error(
        StatusCode::METHOD_NOT_ALLOWED,
        "INVALID_REQUEST_ERROR",
        "METHOD_NOT_ALLOWED",
        "This route does not take that method.",
    )
}

/// The JSON object of a body, or the error to answer.
fn object_body(body: &[u8]) -> Result<Map<String, Value>, Reply> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(bad_request("INVALID_REQUEST", "The body must be a JSON object.")),
    }
}

fn require(body: &Map<String, Value>, fields: &[&str]) -> Result<(), Reply> {
    let missing: Vec<&str> = fields.iter().copied().filter(|f| body.get(*f).is_none_or(Value::is_null)).collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(bad_request("INVALID_REQUEST", &format!("Missing required field(s): {}.", missing.join(", "))))
    }
}

fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let decode = |text: &str| percent_encoding::percent_decode_str(text).decode_utf8_lossy().into_owned();
            (decode(name), decode(value))
        })
        .collect()
}

fn list_envelope(url: &str, data: Vec<Value>) -> Value {
    json!({"objectType": "list", "url": url, "data": data})
}

impl Store {
    fn next(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }

    pub(crate) fn route(&mut self, call: &Call<'_>) -> Reply {
        let result = match call.segments {
            ["end-users"] => self.end_users_collection(call),
            ["end-users", id] => self.end_user(call, id),
            ["end-users", _, "passthrough", _] => {
                Err(bad_request("SANDBOX_UNSUPPORTED", "The sandbox does not simulate passthrough requests."))
            }
            ["auth-sessions"] if call.method == Method::POST => self.create_auth_session(call),
            ["auth-sessions"] => Err(method_missing()),
            ["quickbooks-desktop", resource, rest @ ..] => self.qbd(call, resource, rest),
            _ => Err(route_missing()),
        };
        result.unwrap_or_else(|reply| reply)
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

    fn end_users_collection(&mut self, call: &Call<'_>) -> Result<Reply, Reply> {
        match *call.method {
            Method::GET => Ok(ok(list_envelope("/v1/end-users", self.end_users.clone()))),
            Method::POST => {
                let body = object_body(call.body)?;
                require(&body, &["companyName", "sourceId", "email"])?;
                let text = |name: &str| body[name].as_str().unwrap_or_default().to_owned();
                if self.end_users.iter().any(|u| u["sourceId"] == body["sourceId"]) {
                    return Err(bad_request(
                        "END_USER_SOURCE_ID_TAKEN",
                        "An end-user with this sourceId already exists.",
                    ));
                }
                Ok(ok(self.create_end_user(&text("companyName"), &text("sourceId"), &text("email"))))
            }
            _ => Err(method_missing()),
        }
    }

    fn end_user(&mut self, call: &Call<'_>, id: &str) -> Result<Reply, Reply> {
        let index = self.end_users.iter().position(|u| u["id"] == id).ok_or_else(|| not_found("end-user", id))?;
        match *call.method {
            Method::GET => Ok(ok(self.end_users[index].clone())),
            Method::DELETE => {
                self.end_users.remove(index);
                self.records.retain(|(owner, _), _| owner != id);
                Ok(ok(json!({"id": id, "objectType": "end_user", "deleted": true})))
            }
            _ => Err(method_missing()),
        }
    }

    fn create_auth_session(&mut self, call: &Call<'_>) -> Result<Reply, Reply> {
        let body = object_body(call.body)?;
        require(&body, &["publishableKey", "endUserId"])?;
        let end_user = body["endUserId"].as_str().unwrap_or_default();
        if !self.end_users.iter().any(|u| u["id"] == end_user) {
            return Err(not_found("end-user", end_user));
        }
        let minutes = body.get("linkExpiryMins").and_then(Value::as_f64).unwrap_or(30.0);
        if !(15.0..=10_080.0).contains(&minutes) {
            return Err(bad_request("INVALID_REQUEST", "linkExpiryMins must be between 15 and 10080."));
        }
        let secret = format!("auth_sess_client_secret_{}", random_suffix(16));
        let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        Ok(ok(json!({
            "id": format!("auth_sess_{}", random_suffix(16)),
            "objectType": "auth_session",
            "createdAt": now(),
            "endUserId": end_user,
            "clientSecret": secret,
            "authFlowUrl": format!("https://connect.conductor.is/qbd/{secret}?key={}", body["publishableKey"].as_str().unwrap_or_default()),
            "expiresAt": timestamp(since.as_secs() + (minutes * 60.0) as u64, since.subsec_millis()),
            "redirectUrl": body.get("redirectUrl").cloned().unwrap_or(Value::Null),
        })))
    }

    fn qbd(&mut self, call: &Call<'_>, resource: &str, rest: &[&str]) -> Result<Reply, Reply> {
        let spec = spec_of(resource).ok_or_else(route_missing)?;
        let end_user = match call.end_user {
            None => {
                return Err(bad_request(
                    "END_USER_ID_MISSING",
                    "QuickBooks Desktop requests need the header `Conductor-End-User-Id`.",
                ));
            }
            Some(id) if !self.end_users.iter().any(|u| u["id"] == id) => return Err(not_found("end-user", id)),
            Some(id) => id.to_owned(),
        };
        match (call.method.clone(), rest) {
            (Method::GET, []) if spec.singleton => Ok(ok(singleton(spec))),
            (Method::GET, []) if spec.list != ListKind::None => self.list(spec, &end_user, call.query),
            (Method::POST, []) => {
                let required = spec.create.ok_or_else(method_missing)?;
                let mut body = object_body(call.body)?;
                require(&body, required)?;
                // QuickBooks assigns these; a value sent for them is ignored.
                for assigned in ASSIGNED {
                    body.remove(*assigned);
                }
                let (_, record) = self.store(&end_user, spec, Value::Object(body));
                Ok(ok(record))
            }
            (Method::GET, [id]) if spec.retrieve => {
                self.find(&end_user, spec, id).cloned().map(ok).ok_or_else(|| not_found(spec.object_type, id))
            }
            (Method::POST, [id]) => {
                let required = spec.update.ok_or_else(method_missing)?;
                let body = object_body(call.body)?;
                require(&body, required)?;
                self.update(&end_user, spec, id, body)
            }
            (Method::DELETE, [id]) if spec.delete => {
                let records = self.records.entry((end_user, spec.slug)).or_default();
                let index =
                    records.iter().position(|r| r["id"] == *id).ok_or_else(|| not_found(spec.object_type, id))?;
                let record = records.remove(index);
                Ok(ok(json!({
                    "id": id,
                    "objectType": spec.object_type,
                    "deleted": true,
                    "refNumber": record.get("refNumber").cloned().unwrap_or(Value::Null),
                })))
            }
            (_, [] | [_]) => Err(method_missing()),
            _ => Err(route_missing()),
        }
    }

    fn find(&self, end_user: &str, spec: &ResourceSpec, id: &str) -> Option<&Value> {
        self.records.get(&(end_user.to_owned(), spec.slug))?.iter().find(|r| r["id"] == id)
    }

    fn list(&self, spec: &ResourceSpec, end_user: &str, query: &str) -> Result<Reply, Reply> {
        let url = format!("/v1/quickbooks-desktop/{}", spec.slug);
        let empty = Vec::new();
        let records = self.records.get(&(end_user.to_owned(), spec.slug)).unwrap_or(&empty);
        let pairs = query_pairs(query);
        let ids: Vec<&str> = pairs.iter().filter(|(k, _)| k == "ids").map(|(_, v)| v.as_str()).collect();
        let selected: Vec<&Value> =
            records.iter().filter(|r| ids.is_empty() || ids.iter().any(|id| r["id"] == *id)).collect();
        if spec.list == ListKind::Whole {
            return Ok(ok(list_envelope(&url, selected.into_iter().cloned().collect())));
        }
        let limit = match pairs.iter().find(|(k, _)| k == "limit") {
            None => PAGE_LIMIT,
            Some((_, value)) => match value.parse::<usize>() {
                Ok(limit @ 1..=PAGE_LIMIT) => limit,
                _ => return Err(bad_request("INVALID_REQUEST", "`limit` must be an integer from 1 to 150.")),
            },
        };
        let offset = match pairs.iter().find(|(k, _)| k == "cursor") {
            None => 0,
            Some((_, cursor)) => cursor
                .strip_prefix("sbx_cursor_")
                .and_then(|n| n.parse::<usize>().ok())
                .filter(|n| *n <= selected.len())
                .ok_or_else(|| bad_request("INVALID_CURSOR", "The cursor is invalid or has expired."))?,
        };
        let end = (offset + limit).min(selected.len());
        let has_more = end < selected.len();
        Ok(ok(json!({
            "objectType": "list",
            "url": url,
            "data": selected[offset..end],
            "nextCursor": if has_more { json!(format!("sbx_cursor_{end}")) } else { Value::Null },
            "hasMore": has_more,
            "remainingCount": selected.len() - end,
        })))
    }

    /// Stores a record, filling in what QuickBooks assigns; returns its id.
    pub(crate) fn insert(&mut self, end_user: &str, spec: &'static ResourceSpec, record: Value) -> String {
        self.store(end_user, spec, record).0
    }

    /// Stores a record, filling in what QuickBooks assigns (an `id` that is
    /// not a non-empty string among them); returns its id and the record as
    /// stored.
    fn store(&mut self, end_user: &str, spec: &'static ResourceSpec, record: Value) -> (String, Value) {
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
        record.insert("objectType".into(), json!(spec.object_type));
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
        let record = Value::Object(record);
        let records = self.records.entry((end_user.to_owned(), spec.slug)).or_default();
        match records.iter_mut().find(|r| r["id"] == id) {
            Some(existing) => *existing = record.clone(),
            None => records.push(record.clone()),
        }
        (id, record)
    }

    fn update(
        &mut self,
        end_user: &str,
        spec: &ResourceSpec,
        id: &str,
        body: Map<String, Value>,
    ) -> Result<Reply, Reply> {
        let n = self.next();
        let records = self.records.entry((end_user.to_owned(), spec.slug)).or_default();
        let record = records.iter_mut().find(|r| r["id"] == id).ok_or_else(|| not_found(spec.object_type, id))?;
        if let Some(revision) = body.get("revisionNumber") {
            if *revision != record["revisionNumber"] {
                return Err(bad_request(
                    "QBD_REQUEST_ERROR",
                    "The revision number is out of date: retrieve the record again and send its current revisionNumber.",
                ));
            }
        }
        let changes = as_stored(body);
        let Value::Object(fields) = record else {
            return Err(not_found(spec.object_type, id));
        };
        for (name, value) in changes {
            // What QuickBooks assigns stays as it assigned it.
            if !ASSIGNED.contains(&name.as_str()) {
                fields.insert(name, value);
            }
        }
        fields.insert("revisionNumber".into(), json!(revision(n)));
        fields.insert("updatedAt".into(), json!(now()));
        Ok(ok(Value::Object(fields.clone())))
    }

    /// A realistic invoice for an end-user, with two lines.
    pub(crate) fn seed_invoice(&mut self, end_user: &str) -> String {
        let spec = spec_of("invoices").expect("invoices are declared");
        let n = self.counter + 1;
        let quantity = (n % 7 + 1) as f64;
        let rate = 25.0 + (n % 13) as f64 * 5.0;
        let total = quantity * rate + 100.0;
        let date = format!("2024-{:02}-{:02}", n % 12 + 1, n % 28 + 1);
        let invoice = json!({
            "refNumber": format!("INV-{n:05}"),
            "customer": {"id": format!("80000{:03}-1234567890", n % 40), "fullName": format!("Customer {}", n % 40)},
            "transactionDate": date,
            "dueDate": date,
            "isPaid": n % 3 == 0,
            "isPending": false,
            "memo": format!("Seeded invoice {n}"),
            "subtotal": format!("{total:.2}"),
            "salesTaxTotal": "0.00",
            "appliedAmount": "0.00",
            "balanceRemaining": format!("{total:.2}"),
            "currency": {"id": "80000001-1234567890", "fullName": "USD"},
            "lines": [
                {
                    "id": format!("LINE-{n}-1"),
                    "objectType": "qbd_invoice_line",
                    "item": {"id": "80000010-1234567890", "fullName": "Consulting"},
                    "description": "Consulting hours",
                    "quantity": quantity,
                    "rate": format!("{rate:.2}"),
                    "amount": format!("{:.2}", quantity * rate),
                },
                {
                    "id": format!("LINE-{n}-2"),
                    "objectType": "qbd_invoice_line",
                    "item": {"id": "80000011-1234567890", "fullName": "Setup fee"},
                    "description": "One-time setup",
                    "quantity": 1.0,
                    "rate": "100.00",
                    "amount": "100.00",
                },
            ],
            "lineGroups": [],
            "linkedTransactions": [],
            "customFields": [],
        });
        self.insert(end_user, spec, invoice)
    }
}

/// Turns a request body into a stored record: references sent as
/// `customerId` are stored as `customer: {id, fullName}`, as QuickBooks
/// returns them, and `lines` items likewise.
fn as_stored(body: Map<String, Value>) -> Map<String, Value> {
    body.into_iter()
        .map(|(name, value)| {
            let value = match value {
                // Lines and other records inside a record get the `id` and
                // `objectType` QuickBooks gives them.
                Value::Array(items) => Value::Array(
                    items
                        .into_iter()
                        .enumerate()
                        .map(|(i, item)| match item {
                            Value::Object(map) => {
                                let mut map = as_stored(map);
                                // Notes are numbered; other records have string ids.
                                let id = if name.ends_with("Notes") {
                                    json!(i + 1)
                                } else {
                                    json!(format!("{}-{}", random_suffix(8).to_uppercase(), i + 1))
                                };
                                map.entry("id").or_insert(id);
                                map.entry("objectType").or_insert_with(|| json!(format!("qbd_{}", item_type(&name))));
                                let stamp = now();
                                map.entry("createdAt").or_insert_with(|| json!(stamp));
                                map.entry("updatedAt").or_insert_with(|| json!(stamp));
                                map.entry("revisionNumber").or_insert_with(|| json!("1"));
                                Value::Object(map)
                            }
                            other => other,
                        })
                        .collect(),
                ),
                // A barcode is sent with its options and kept as its value.
                Value::Object(mut map) if name == "barcode" => map.remove("value").unwrap_or(Value::Null),
                Value::Object(map) => Value::Object(as_stored(map)),
                other => other,
            };
            match name.strip_suffix("Id") {
                Some(stem) if !stem.is_empty() && name != "externalId" && value.is_string() => {
                    (stem.to_owned(), json!({"id": value, "fullName": value}))
                }
                _ => (name, value),
            }
        })
        .collect()
}

/// Revision numbers look like QuickBooks' and change with every write.
fn revision(n: u64) -> String {
    (1_721_172_000 + n).to_string()
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

/// The one record of company, preferences and health check.
fn singleton(spec: &ResourceSpec) -> Value {
    match spec.slug {
        "health-check" => json!({"status": "ok", "duration": 12}),
        "company" => {
            json!({"objectType": spec.object_type, "name": "Sandbox Company", "legalName": "Sandbox Company LLC"})
        }
        _ => json!({"objectType": spec.object_type}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_iso_8601() {
        assert_eq!(timestamp(0, 0), "1970-01-01T00:00:00.000Z");
        assert_eq!(timestamp(1_609_504_496, 789), "2021-01-01T12:34:56.789Z");
        assert_eq!(timestamp(951_782_400, 5), "2000-02-29T00:00:00.005Z");
    }

    #[test]
    fn references_are_stored_as_quickbooks_returns_them() {
        let Value::Object(body) = json!({"customerId": "c1", "externalId": "e1", "lines": [{"itemId": "i1"}]}) else {
            unreachable!()
        };
        let stored = Value::Object(as_stored(body));
        assert_eq!(stored["customer"], json!({"id": "c1", "fullName": "c1"}));
        assert_eq!(stored["externalId"], "e1");
        assert_eq!(stored["lines"][0]["item"], json!({"id": "i1", "fullName": "i1"}));
        assert_eq!(stored["lines"][0]["objectType"], "qbd_line");
        assert!(stored["lines"][0]["id"].as_str().is_some_and(|id| id.ends_with("-1")));
    }
}
