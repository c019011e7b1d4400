//! A stateful, in-memory fake of the Conductor API on 127.0.0.1, for your
//! tests and demos (feature `sandbox`).
//!
//! ```
//! use conductor::CreateEndUser;
//! use conductor::sandbox::Sandbox;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> conductor::Result<()> {
//! let sandbox = Sandbox::start().await.expect("a free port on 127.0.0.1");
//! let client = sandbox.client();
//! let user = client
//!     .end_users()
//!     .create(&CreateEndUser {
//!         company_name: "Acme Inc.".into(),
//!         source_id: "acme-1".into(),
//!         email: "alice@acme.com".into(),
//!     })
//!     .await?;
//! sandbox.seed_invoices(&user.id, 300);
//! let qbd = client.qbd().for_end_user(&user.id);
//! let page = qbd.invoices().list(&Default::default()).await?;
//! assert_eq!((page.data.len(), page.remaining_count), (150, Some(150)));
//! # Ok(())
//! # }
//! ```
//!
//! It behaves as Conductor does on the wire: it checks the bearer key
//! (a wrong one gets Conductor's 401 error body), sends `Conductor-Request-Id`
//! on every response and Conductor's error body on every error, requires
//! `Conductor-End-User-Id` naming an existing end-user on QuickBooks Desktop
//! routes, answers lists in the list envelope and paginates with `limit`
//! (default and maximum 150), `cursor`, `nextCursor`, `hasMore` and
//! `remainingCount`. Records are kept per end-user; updates need the current
//! `revisionNumber`. Of the list filters, `ids` is applied; the others are
//! accepted and ignored. The passthrough endpoint is not simulated.
//!
//! Faults for your own tests: [`Sandbox::inject`] makes the next calls to a
//! route fail with a status and Conductor's error body, drop the connection,
//! or wait; [`Sandbox::set_latency`] delays every answer.

mod store;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use self::store::Store;
use crate::{Client, EndUser};

/// Which list shape a resource has.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListKind {
    /// No list endpoint.
    None,
    /// A list returned whole.
    Whole,
    /// A cursor-paginated list.
    Page,
}

/// One QuickBooks Desktop resource as the sandbox serves it; the table is
/// generated with the declarations.
#[doc(hidden)]
#[derive(Debug)]
pub struct ResourceSpec {
    pub slug: &'static str,
    pub object_type: &'static str,
    pub list: ListKind,
    /// The required body fields of create, when the resource has it.
    pub create: Option<&'static [&'static str]>,
    pub retrieve: bool,
    /// The required body fields of update, when the resource has it.
    pub update: Option<&'static [&'static str]>,
    pub delete: bool,
    /// Retrieved without an id (company, preferences, health check).
    pub singleton: bool,
}

/// What an injected fault does to a matching call.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Fault {
    /// Answers with this status and Conductor's error body.
    Status {
        /// The HTTP status.
        status: u16,
        /// The error `code`.
        code: String,
        /// The error `message`.
        message: String,
    },
    /// Closes the connection without answering.
    DropConnection,
    /// Waits, then answers as usual.
    Delay(Duration),
}

impl Fault {
    /// A status with a generic Conductor error body (code
    /// `SANDBOX_INJECTED_ERROR`).
    pub fn status(status: u16) -> Self {
        Fault::Status {
            status,
            code: "SANDBOX_INJECTED_ERROR".into(),
            message: format!("The sandbox was told to fail this request with {status}."),
        }
    }
}

struct Injected {
    method: Method,
    /// Path after `/v1`, segments of the form `{name}` matching anything.
    path: Vec<String>,
    remaining: usize,
    fault: Fault,
}

pub(crate) struct Shared {
    key: String,
    store: Mutex<Store>,
    faults: Mutex<VecDeque<Injected>>,
    latency: Mutex<Duration>,
}

/// A running fake Conductor API on 127.0.0.1; dropping it stops the server.
pub struct Sandbox {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl Sandbox {
    /// Starts a sandbox on 127.0.0.1 on a free port, with a fresh secret key
    /// and no data.
    pub async fn start() -> std::io::Result<Sandbox> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            key: format!("sk_sandbox_{}", store::random_suffix(24)),
            store: Mutex::new(Store::default()),
            faults: Mutex::new(VecDeque::new()),
            latency: Mutex::new(Duration::ZERO),
        });
        let serving = Arc::clone(&shared);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let shared = Arc::clone(&serving);
                tokio::spawn(async move {
                    let service = service_fn(move |request| handle(Arc::clone(&shared), request));
                    // A dropped connection ends here with an error; nothing
                    // to report.
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(Sandbox { addr, shared, task })
    }

    /// The base URL, `http://127.0.0.1:PORT/v1`.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// The secret key the sandbox accepts.
    pub fn api_key(&self) -> &str {
        &self.shared.key
    }

    /// A client for this sandbox, with retries off so injected faults show
    /// as they are.
    pub fn client(&self) -> Client {
        Client::builder()
            .api_key(self.api_key())
            .base_url(self.base_url())
            .max_retries(0)
            .build()
            .expect("the sandbox's key and URL are valid")
    }

    /// Creates an end-user directly, without a request.
    pub fn create_end_user(&self, company_name: &str, email: &str) -> EndUser {
        let record = self.store().create_end_user(company_name, &format!("source-{}", store::random_suffix(8)), email);
        serde_json::from_value(record).expect("the sandbox's end-user record decodes")
    }

    /// Adds `count` realistic invoices for an end-user (who must exist) and
    /// returns their ids, oldest first.
    pub fn seed_invoices(&self, end_user_id: &str, count: usize) -> Vec<String> {
        let mut store = self.store();
        (0..count).map(|_| store.seed_invoice(end_user_id)).collect()
    }

    /// Adds a record of any QuickBooks Desktop resource (by its path segment,
    /// such as `"customers"`) for an end-user, filling in `id`,
    /// `objectType`, timestamps and `revisionNumber` where absent. Returns
    /// its id.
    pub fn insert(&self, end_user_id: &str, resource: &str, record: Value) -> String {
        let spec = spec_of(resource).unwrap_or_else(|| panic!("the sandbox serves no resource {resource:?}"));
        self.store().insert(end_user_id, spec, record)
    }

    /// Makes the next `times` calls of `method` to `path` (after `/v1`,
    /// with `{id}`-style segments matching anything, as in
    /// `"/quickbooks-desktop/invoices/{id}"`) meet `fault`.
    pub fn inject(&self, method: Method, path: &str, times: usize, fault: Fault) {
        let path = path.trim_matches('/').split('/').map(str::to_owned).collect();
        self.shared.faults.lock().expect("faults").push_back(Injected { method, path, remaining: times, fault });
    }

    /// Delays every answer by `latency`.
    pub fn set_latency(&self, latency: Duration) {
        *self.shared.latency.lock().expect("latency") = latency;
    }

    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.shared.store.lock().expect("the sandbox store")
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox").field("base_url", &self.base_url()).finish_non_exhaustive()
    }
}

fn spec_of(slug: &str) -> Option<&'static ResourceSpec> {
    crate::qbd::SANDBOX_RESOURCES.iter().find(|spec| spec.slug == slug)
}

/// The error a handler returns to make hyper close the connection unanswered.
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by an injected fault")
    }
}

impl std::error::Error for Dropped {}

type Answer = hyper::Response<Full<Bytes>>;

/// An answer before its request id is added.
pub(crate) struct Reply {
    status: StatusCode,
    body: Value,
}

pub(crate) fn ok(body: Value) -> Reply {
    Reply { status: StatusCode::OK, body }
}

/// Conductor's error body.
pub(crate) fn error(status: StatusCode, error_type: &str, code: &str, message: &str) -> Reply {
    Reply {
        status,
        body: json!({"error": {
            "message": message,
            "userFacingMessage": message,
            "type": error_type,
            "code": code,
            "httpStatusCode": status.as_u16(),
        }}),
    }
}

async fn handle(shared: Arc<Shared>, request: hyper::Request<Incoming>) -> Result<Answer, Dropped> {
    let latency = *shared.latency.lock().expect("latency");
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let request_id = format!("req_sbx_{}", store::random_suffix(14));
    let (parts, body) = request.into_parts();
    let path = parts.uri.path().to_owned();
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let api_segments = segments.strip_prefix(&["v1"][..]).unwrap_or(&[]);

    let mut reply = match take_fault(&shared, &parts.method, api_segments) {
        Some(Fault::DropConnection) => return Err(Dropped),
        Some(Fault::Delay(wait)) => {
            tokio::time::sleep(wait).await;
            None
        }
        Some(Fault::Status { status, code, message }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let kind = if status.is_server_error() { "INTERNAL_ERROR" } else { "INVALID_REQUEST_ERROR" };
            Some(error(status, kind, &code, &message))
        }
        None => None,
    };

    if reply.is_none() {
        let authorized = parts
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|key| key == shared.key);
        reply = Some(if !authorized {
            error(
                StatusCode::UNAUTHORIZED,
                "AUTHENTICATION_ERROR",
                "API_KEY_INVALID",
                "The API key is missing or invalid. Send `Authorization: Bearer <secret key>`.",
            )
        } else if api_segments.is_empty() {
            error(StatusCode::NOT_FOUND, "INVALID_REQUEST_ERROR", "ROUTE_NOT_FOUND", "Paths begin with /v1.")
        } else {
            let body = match body.collect().await {
                Ok(collected) => collected.to_bytes(),
                Err(_) => return Err(Dropped),
            };
            let call = store::Call {
                method: &parts.method,
                segments: api_segments,
                query: parts.uri.query().unwrap_or(""),
                end_user: parts.headers.get("conductor-end-user-id").and_then(|v| v.to_str().ok()),
                body: &body,
            };
            shared.store.lock().expect("the sandbox store").route(&call)
        });
    }
    let Reply { status, mut body } = reply.expect("a reply was made");
    if let Some(error) = body.get_mut("error") {
        error["requestId"] = json!(request_id);
    }
    let bytes = serde_json::to_vec(&body).expect("JSON values serialize");
    Ok(hyper::Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .header("conductor-request-id", request_id)
        .body(Full::new(Bytes::from(bytes)))
        .expect("a valid response"))
}

fn take_fault(shared: &Shared, method: &Method, segments: &[&str]) -> Option<Fault> {
    let mut faults = shared.faults.lock().expect("faults");
    let index = faults.iter().position(|fault| {
        fault.method == method
            && fault.remaining > 0
            && fault.path.len() == segments.len()
            && fault.path.iter().zip(segments).all(|(want, got)| want == got || want.starts_with('{'))
    })?;
    let fault = &mut faults[index];
    fault.remaining -= 1;
    let taken = fault.fault.clone();
    if fault.remaining == 0 {
        faults.remove(index);
    }
    Some(taken)
}
