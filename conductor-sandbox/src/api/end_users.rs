//! Conductor's own resources: end-users and auth sessions, passthrough
//! (which the sandbox's end-users, never connected, cannot use), and the
//! sandbox's route for setting an end-user's connection.

use serde_json::{Map, Value, json};

use super::{Call, object_body};
use crate::books::{ConnectionState, Store, random_suffix, refusals, timestamp, unix_now};
use crate::failure::{Failure, Outcome};

/// Answers a request for a path that is not QuickBooks Desktop's.
pub(super) fn answer(store: &mut Store, call: &Call<'_>, segments: &[&str]) -> Outcome {
    match segments {
        ["end-users"] => collection(store, call),
        ["end-users", id] => end_user(store, call, id),
        ["end-users", id, "passthrough", integration] => passthrough(store, call, id, integration),
        ["auth-sessions"] if call.method == "POST" => create_auth_session(store, call),
        ["auth-sessions"] => Err(Failure::method_missing()),
        ["sandbox", "end-users", id, "connection"] => set_connection(store, call, id),
        _ => Err(Failure::route_missing()),
    }
}

fn require(body: &Map<String, Value>, fields: &[&str]) -> Result<(), Failure> {
    let missing: Vec<String> = fields
        .iter()
        .filter(|f| body.get(**f).is_none_or(Value::is_null))
        .map(|f| format!("`{f}`: Required"))
        .collect();
    match missing.is_empty() {
        true => Ok(()),
        false => Err(Failure::invalid_parameters(&missing.join("; "))),
    }
}

fn collection(store: &mut Store, call: &Call<'_>) -> Outcome {
    match call.method {
        "GET" => Ok(json!({"objectType": "list", "url": "/v1/end-users", "data": store.end_users.clone()})),
        "POST" => {
            let body = object_body(call.body)?;
            require(&body, &["companyName", "sourceId", "email"])?;
            let text = |name: &str| body[name].as_str().unwrap_or_default().to_owned();
            if store.end_users.iter().any(|u| u["sourceId"] == body["sourceId"]) {
                return Err(Failure::bad_request(
                    "END_USER_SOURCE_ID_TAKEN",
                    "An end-user with this sourceId already exists.",
                ));
            }
            Ok(store.create_end_user(&text("companyName"), &text("sourceId"), &text("email")))
        }
        _ => Err(Failure::method_missing()),
    }
}

fn end_user(store: &mut Store, call: &Call<'_>, id: &str) -> Outcome {
    let index = store.end_users.iter().position(|u| u["id"] == id).ok_or_else(|| Failure::not_found("end-user", id))?;
    match call.method {
        "GET" => Ok(store.end_users[index].clone()),
        "DELETE" => {
            store.remove_end_user(index);
            Ok(json!({"id": id, "objectType": "end_user", "deleted": true}))
        }
        _ => Err(Failure::method_missing()),
    }
}

/// Passthrough forwards a raw request to the end-user's integration.
/// The sandbox's end-users have no integration connection (their
/// `integrationConnections` is empty, as for an end-user who has not been
/// through the auth flow), so it answers as Conductor does then.
fn passthrough(store: &mut Store, call: &Call<'_>, id: &str, integration: &str) -> Outcome {
    if !store.has_end_user(id) {
        return Err(Failure::not_found("end-user", id));
    }
    if call.method != "POST" {
        return Err(Failure::method_missing());
    }
    object_body(call.body)?;
    Err(refusals::not_set_up(id, integration))
}

/// The sandbox's own route, for tests in any language: sets the state of
/// an end-user's QuickBooks connection (`{"state": "offline"}`).
fn set_connection(store: &mut Store, call: &Call<'_>, id: &str) -> Outcome {
    if call.method != "PUT" {
        return Err(Failure::method_missing());
    }
    let body = object_body(call.body)?;
    let name = body.get("state").and_then(Value::as_str).unwrap_or_default();
    let state = ConnectionState::from_name(name).ok_or_else(|| {
        Failure::bad_request("INVALID_REQUEST", "`state` must be one of connected, offline, timeout, not-set-up.")
    })?;
    let company = store.company_mut(id).ok_or_else(|| Failure::not_found("end-user", id))?;
    company.connection = state;
    Ok(json!({"endUserId": id, "state": name}))
}

fn create_auth_session(store: &mut Store, call: &Call<'_>) -> Outcome {
    let body = object_body(call.body)?;
    require(&body, &["publishableKey", "endUserId"])?;
    let end_user = body["endUserId"].as_str().unwrap_or_default();
    if !store.has_end_user(end_user) {
        return Err(Failure::not_found("end-user", end_user));
    }
    let minutes = body.get("linkExpiryMins").and_then(Value::as_f64).unwrap_or(30.0);
    if !(15.0..=10_080.0).contains(&minutes) {
        return Err(Failure::invalid_parameters("`linkExpiryMins`: Number must be between 15 and 10080"));
    }
    let secret = format!("auth_sess_client_secret_{}", random_suffix(16));
    let created = unix_now();
    let key = body["publishableKey"].as_str().unwrap_or_default();
    Ok(json!({
        "id": format!("auth_sess_{}", random_suffix(16)),
        "objectType": "auth_session",
        "createdAt": timestamp(created),
        "endUserId": end_user,
        "clientSecret": secret,
        "authFlowUrl": format!("https://connect.conductor.is/qbd/{secret}?key={key}"),
        "expiresAt": timestamp(created + (minutes * 60.0) as i64),
        "redirectUrl": body.get("redirectUrl").cloned().unwrap_or(Value::Null),
    }))
}
