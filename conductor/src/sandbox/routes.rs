//! The sandbox's routes: what each method and path does with the store,
//! and the answers Conductor gives to requests it cannot serve.

use reqwest::Method;
use serde_json::{Map, Value, json};

use super::filters::Filters;
use super::ids::{random_suffix, timestamp, unix_now};
use super::refusals;
use super::reply::{Reply, bad_request, method_missing, not_found, ok, route_missing};
use super::shape::{check_query, conform};
use super::store::Store;
use super::table::OPERATIONS;
use super::{Op, OpKind, deletions, reports, rules, writes};

const PAGE_LIMIT: usize = 150;

/// One request, as the routes see it.
pub(crate) struct Call<'a> {
    pub(crate) method: &'a Method,
    /// The path after `/v1`, percent-decoded segment by segment.
    pub(crate) segments: &'a [String],
    pub(crate) query: &'a str,
    pub(crate) end_user: Option<&'a str>,
    pub(crate) body: &'a [u8],
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
    pub(crate) fn route(&mut self, call: &Call<'_>) -> Reply {
        let segments: Vec<&str> = call.segments.iter().map(String::as_str).collect();
        let result = match segments.as_slice() {
            ["end-users"] => self.end_users_collection(call),
            ["end-users", id] => self.end_user(call, id),
            ["end-users", id, "passthrough", integration] => self.passthrough(call, id, integration),
            ["auth-sessions"] if call.method == Method::POST => self.create_auth_session(call),
            ["auth-sessions"] => Err(method_missing()),
            ["quickbooks-desktop", ..] => self.qbd(call),
            ["sandbox", "end-users", id, "connection"] => self.set_connection(call, id),
            _ => Err(route_missing()),
        };
        result.unwrap_or_else(|reply| reply)
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
                self.remove_end_user(index);
                Ok(ok(json!({"id": id, "objectType": "end_user", "deleted": true})))
            }
            _ => Err(method_missing()),
        }
    }

    /// Passthrough forwards a raw request to the end-user's integration.
    /// The sandbox's end-users have no integration connection (their
    /// `integrationConnections` is empty, as for an end-user who has not been
    /// through the auth flow), so it answers as Conductor does then.
    fn passthrough(&mut self, call: &Call<'_>, id: &str, integration: &str) -> Result<Reply, Reply> {
        if !self.has_end_user(id) {
            return Err(not_found("end-user", id));
        }
        if *call.method != Method::POST {
            return Err(method_missing());
        }
        object_body(call.body)?;
        Err(refusals::not_set_up(id, integration))
    }

    /// The sandbox's own route, for tests in any language: sets the state of
    /// an end-user's QuickBooks connection (`{"state": "offline"}`).
    fn set_connection(&mut self, call: &Call<'_>, id: &str) -> Result<Reply, Reply> {
        if *call.method != Method::PUT {
            return Err(method_missing());
        }
        if !self.has_end_user(id) {
            return Err(not_found("end-user", id));
        }
        let body = object_body(call.body)?;
        let name = body.get("state").and_then(Value::as_str).unwrap_or_default();
        let state = super::store::ConnectionState::from_name(name).ok_or_else(|| {
            bad_request("INVALID_REQUEST", "`state` must be one of connected, offline, timeout, not-set-up.")
        })?;
        self.company_mut(id).connection = state;
        Ok(ok(json!({"endUserId": id, "state": name})))
    }

    fn create_auth_session(&mut self, call: &Call<'_>) -> Result<Reply, Reply> {
        let body = object_body(call.body)?;
        require(&body, &["publishableKey", "endUserId"])?;
        let end_user = body["endUserId"].as_str().unwrap_or_default();
        if !self.has_end_user(end_user) {
            return Err(not_found("end-user", end_user));
        }
        let minutes = body.get("linkExpiryMins").and_then(Value::as_f64).unwrap_or(30.0);
        if !(15.0..=10_080.0).contains(&minutes) {
            return Err(bad_request("INVALID_REQUEST", "linkExpiryMins must be between 15 and 10080."));
        }
        let secret = format!("auth_sess_client_secret_{}", random_suffix(16));
        let created = unix_now();
        Ok(ok(json!({
            "id": format!("auth_sess_{}", random_suffix(16)),
            "objectType": "auth_session",
            "createdAt": timestamp(created),
            "endUserId": end_user,
            "clientSecret": secret,
            "authFlowUrl": format!("https://connect.conductor.is/qbd/{secret}?key={}", body["publishableKey"].as_str().unwrap_or_default()),
            "expiresAt": timestamp(created + (minutes * 60.0) as i64),
            "redirectUrl": body.get("redirectUrl").cloned().unwrap_or(Value::Null),
        })))
    }

    fn qbd(&mut self, call: &Call<'_>) -> Result<Reply, Reply> {
        let (op, id) = operation(call)?;
        let end_user = self.end_user_of(call)?;
        let pairs = query_pairs(call.query);
        // Nothing is done with a request that does not check out.
        if let Some(params) = op.query {
            check_query(params, &pairs).map_err(|message| bad_request("INVALID_REQUEST", &message))?;
        }
        let body = match op.body {
            Some(check) => {
                let body = object_body(call.body)?;
                check(call.body).map_err(|message| bad_request("INVALID_REQUEST", &message))?;
                body
            }
            None => Map::new(),
        };
        let company = self.company_mut(&end_user);
        match op.kind {
            OpKind::Page | OpKind::Whole | OpKind::WholeWithMore => self.list(op, &end_user, &pairs),
            OpKind::Create => writes::create(company, op, body).map(ok),
            OpKind::Retrieve => {
                let found = company.get(op.slug(), &id).cloned();
                found.map(ok).ok_or_else(|| not_found(&rules::words(op.item).to_lowercase(), &id))
            }
            OpKind::Update => writes::update(company, op, &id, body).map(ok),
            OpKind::Delete => {
                let record = writes::delete(company, op, &id)?;
                Ok(ok(conform(op.record, json!({"id": id, "deleted": true, "refNumber": record.get("refNumber")}))))
            }
            OpKind::Void => {
                let record = writes::void(company, op, &id)?;
                let confirmation = json!({
                    "id": id,
                    "voided": true,
                    "refNumber": record.get("refNumber"),
                    "createdAt": record.get("createdAt"),
                    "updatedAt": record.get("updatedAt"),
                });
                Ok(ok(conform(op.record, confirmation)))
            }
            OpKind::Singleton => Ok(ok(singleton(op))),
            OpKind::Report => Ok(ok(reports::report(company, op, &pairs))),
        }
    }

    /// The end-user a QuickBooks Desktop call names, who must exist.
    fn end_user_of(&self, call: &Call<'_>) -> Result<String, Reply> {
        match call.end_user {
            None => Err(bad_request(
                "END_USER_ID_MISSING",
                "QuickBooks Desktop requests need the header `Conductor-End-User-Id`.",
            )),
            Some(id) if !self.has_end_user(id) => Err(not_found("end-user", id)),
            Some(id) => Ok(id.to_owned()),
        }
    }

    fn list(&mut self, op: &'static Op, end_user: &str, pairs: &[(String, String)]) -> Result<Reply, Reply> {
        let url = format!("/v1{}", op.path);
        let slug = op.slug();
        let company = self.company(end_user);
        match slug {
            "deleted-transactions" => {
                let listed =
                    deletions::listed(&company.deleted_transactions, "transactionType", "transactionTypes", pairs);
                return Ok(ok(list_envelope(&url, listed)));
            }
            "deleted-list-objects" => {
                let listed = deletions::listed(&company.deleted_list_objects, "listType", "objectTypes", pairs);
                return Ok(ok(list_envelope(&url, listed)));
            }
            _ => {}
        }
        let cursor = pairs.iter().find(|(k, _)| k == "cursor").map(|(_, v)| v.as_str());
        if cursor.is_none() {
            rules::query_names_exist(company, slug, pairs)?;
        }
        let filters = Filters::parse(pairs);
        let selected = |company: &super::store::Company| -> Vec<String> {
            (company.ids(slug).zip(company.records(slug)))
                .filter(|(_, record)| filters.matches(record))
                .map(|(id, _)| id.clone())
                .collect()
        };
        let answered = |store: &Store, ids: &[String]| -> Vec<Value> {
            let company = store.company(end_user);
            ids.iter().filter_map(|id| company.get(slug, id)).map(|record| filters.shape(record.clone())).collect()
        };
        match op.kind {
            OpKind::Whole | OpKind::WholeWithMore => {
                let ids = selected(company);
                let mut envelope = list_envelope(&url, answered(self, &ids));
                if op.kind == OpKind::WholeWithMore {
                    envelope["hasMore"] = json!(false);
                    envelope["nextCursor"] = Value::Null;
                    envelope["remainingCount"] = json!(0);
                }
                return Ok(ok(envelope));
            }
            _ => {}
        }
        let limit = match pairs.iter().find(|(k, _)| k == "limit") {
            None => PAGE_LIMIT,
            Some((_, value)) => match value.parse::<usize>() {
                Ok(limit @ 1..=PAGE_LIMIT) => limit,
                _ => return Err(bad_request("INVALID_REQUEST", "`limit` must be an integer from 1 to 150.")),
            },
        };
        let page = self.page(cursor, (end_user, slug), limit, selected)?;
        Ok(ok(json!({
            "objectType": "list",
            "url": url,
            "data": answered(self, &page.ids),
            "nextCursor": page.cursor,
            "hasMore": page.cursor.is_some(),
            "remainingCount": page.remaining,
        })))
    }
}

/// The operation a QuickBooks Desktop call is for, and the id its path
/// names (empty when none).
fn operation(call: &Call<'_>) -> Result<(&'static Op, String), Reply> {
    let mut path_found = false;
    for op in OPERATIONS {
        let template = op.path.trim_start_matches('/').split('/');
        if template.clone().count() != call.segments.len() {
            continue;
        }
        let mut id = "";
        let fits = template.zip(call.segments).all(|(want, got)| match want.starts_with('{') {
            true => {
                id = got.as_str();
                !got.is_empty()
            }
            false => want == got,
        });
        if fits {
            path_found = true;
            if op.method == call.method.as_str() {
                return Ok((op, id.to_owned()));
            }
        }
    }
    Err(if path_found { method_missing() } else { route_missing() })
}

/// The one value of company, preferences and health check.
fn singleton(op: &Op) -> Value {
    let known = match op.record {
        "HealthCheck" => json!({"status": "ok", "duration": 12.0}),
        "Company" => json!({"companyName": "Sandbox Company", "legalCompanyName": "Sandbox Company LLC"}),
        _ => json!({}),
    };
    conform(op.record, known)
}
