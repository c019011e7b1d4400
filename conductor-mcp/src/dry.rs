//! `dry_run`: the exact request a call would send, sending nothing to
//! Conductor.
//!
//! The call goes through the same SDK code as a real one (the arguments
//! decoded into the operation's params type, the SDK's own checks of ids
//! and headers), with a client whose base URL is a listener of this
//! process on 127.0.0.1. The listener records the request and refuses it
//! with a Conductor-shaped 400, so the SDK neither retries nor goes on.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::IntoResponse;
use conductor::Client;
use serde_json::{Map, Value, json};

use crate::call::{Args, Failure};
use crate::operations::Operation;

/// A request as it would have been sent.
#[derive(Debug, Clone)]
struct Captured {
    method: String,
    path: String,
    end_user: Option<String>,
    body: Option<Value>,
}

type Seen = Arc<Mutex<HashMap<String, Captured>>>;

/// The recording listener.
#[derive(Clone)]
pub(crate) struct DryRun {
    url: String,
    seen: Seen,
}

impl DryRun {
    /// Starts the listener on 127.0.0.1, on a free port.
    pub(crate) async fn start() -> std::io::Result<DryRun> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        let seen: Seen = Arc::default();
        let app = Router::new().fallback(capture).with_state(Arc::clone(&seen));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(DryRun { url, seen })
    }

    /// The request `operation` would send with `args` for `end_user`.
    pub(crate) async fn request(
        &self,
        operation: &Operation,
        end_user: String,
        args: Map<String, Value>,
    ) -> Result<Value, Failure> {
        let token = uuid::Uuid::new_v4().simple().to_string();
        let client = Client::builder()
            .api_key("sk_dry_run")
            .base_url(format!("{}/dry/{token}", self.url))
            .build()
            .map_err(Failure::Sdk)?;
        let result = (operation.call)(client, end_user, Args(args)).await;
        let captured = crate::lock(&self.seen).remove(&token);
        match (captured, result) {
            (Some(captured), _) => {
                let mut request = Map::new();
                request.insert("method".into(), json!(captured.method));
                request.insert("path".into(), json!(captured.path));
                if let Some(end_user) = captured.end_user {
                    request.insert("conductorEndUserId".into(), json!(end_user));
                }
                if let Some(body) = captured.body {
                    request.insert("body".into(), body);
                }
                Ok(json!({"dryRun": true, "sent": false, "request": request}))
            }
            // Refused before sending: the arguments or the SDK's checks.
            (None, Err(failure)) => Err(failure),
            (None, Ok(_)) => {
                Err(Failure::Argument { field: "dry_run".into(), message: "the call made no request to show".into() })
            }
        }
    }
}

/// Records a request under its token and refuses it.
async fn capture(
    State(seen): State<Seen>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> impl IntoResponse {
    let path = uri.path().strip_prefix("/dry/").unwrap_or_default();
    let (token, rest) = path.split_once('/').unwrap_or((path, ""));
    let query = uri.query().map(|query| format!("?{query}")).unwrap_or_default();
    let captured = Captured {
        method: method.to_string(),
        path: format!("/{rest}{query}"),
        end_user: headers.get("conductor-end-user-id").and_then(|value| value.to_str().ok()).map(str::to_owned),
        body: (!body.is_empty()).then(|| serde_json::from_slice(&body).unwrap_or(Value::Null)),
    };
    crate::lock(&seen).insert(token.to_owned(), captured);
    let error = json!({"error": {"message": "dry run: not sent", "userFacingMessage": "This was a dry run: nothing was sent.",
                                 "type": "INVALID_REQUEST_ERROR", "code": "DRY_RUN", "httpStatusCode": 400}});
    (StatusCode::BAD_REQUEST, axum::Json(error))
}
