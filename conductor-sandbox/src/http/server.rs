//! The HTTP side of the sandbox: accepting connections, checking the key,
//! reading bodies within a limit, injected faults, and handing each call to
//! the store.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::header::{AUTHORIZATION, HeaderMap};
use hyper::service::service_fn;
use hyper::{Method, StatusCode};
use hyper_util::rt::TokioIo;
use subtle::ConstantTimeEq;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

use super::reply::{Answer, render};
use crate::Fault;
use crate::api::{self, Call};
use crate::books::{ConnectionState, Store, random_suffix, refusals};
use crate::failure::{Failure, Outcome};

/// The header naming the end-user a QuickBooks Desktop request is for.
const END_USER_ID: &str = "conductor-end-user-id";
/// The header that sets how long Conductor waits for QuickBooks.
const CONDUCTOR_TIMEOUT: &str = "conductor-timeout-seconds";

/// The largest request body read, in bytes; a larger one gets a 413.
pub(crate) const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;
/// The most items any array of a body may hold (`lines`, `applyToTransactions`,
/// ...), so that the work a request makes is bounded by its size. QuickBooks
/// documents no limit; this one is ours.
pub(crate) const MAX_ARRAY_ITEMS: usize = 1_000;
/// How long a client may take to send a request's headers.
pub(crate) const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a client may take to send a request's body.
pub(crate) const BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// How many connections are served at once; more are answered 503 and
/// closed, so that open descriptors stay bounded.
pub(crate) const DEFAULT_MAX_CONNECTIONS: usize = 512;
/// The pause after a failed `accept()` (such as too many open files) before
/// accepting again.
const ACCEPT_PAUSE: Duration = Duration::from_millis(50);

pub(crate) struct Injected {
    pub(crate) method: Method,
    /// Path after `/v1`, segments of the form `{name}` matching anything.
    pub(crate) path: Vec<String>,
    pub(crate) remaining: usize,
    pub(crate) fault: Fault,
}

/// What every connection shares.
pub(crate) struct Shared {
    pub(crate) key: String,
    pub(crate) store: Mutex<Store>,
    pub(crate) faults: Mutex<VecDeque<Injected>>,
    pub(crate) latency: Mutex<Duration>,
    /// One queue per end-user: QuickBooks answers a company file's requests
    /// one at a time.
    pub(crate) queues: Mutex<std::collections::HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// Told of every request answered.
    pub(crate) log: Option<crate::Logger>,
    /// Told of every failed `accept()`.
    pub(crate) on_accept_error: Option<crate::AcceptLogger>,
    /// One permit per connection being served.
    pub(crate) connections: Arc<tokio::sync::Semaphore>,
}

impl Shared {
    /// The queue of an end-user's company file.
    fn queue(&self, end_user: &str) -> Arc<tokio::sync::Mutex<()>> {
        Arc::clone(lock(&self.queues).entry(end_user.to_owned()).or_default())
    }

    /// Forgets an end-user's queue once no request holds or waits for it,
    /// so that what requests name never piles up.
    fn release(&self, end_user: &str, queue: Arc<tokio::sync::Mutex<()>>) {
        let mut queues = lock(&self.queues);
        // Every other holder got its clone under this lock, so the count
        // cannot rise while it is held: two are the map's and this one.
        if Arc::strong_count(&queue) == 2 {
            queues.remove(end_user);
        }
    }
}

/// A header's value as text.
fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

/// Locks `mutex`, recovering the data if a thread panicked while holding it:
/// every write to the sandbox's state leaves it whole, so one failed request
/// must not take the server down for the next.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Accepts connections until the task is aborted. The connections live in a
/// set owned by this task, so aborting it closes every one of them, kept
/// alive or not.
///
/// A failed `accept()` (too many open files, a connection reset before it
/// was accepted) is reported and retried after a pause: it never ends the
/// loop. Past the connection limit, a connection is answered 503 and closed.
pub(crate) async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(error) => {
                tracing::warn!(target: "conductor_sandbox", %error, "accept failed; accepting again shortly");
                if let Some(report) = &shared.on_accept_error {
                    report(&error);
                }
                tokio::time::sleep(ACCEPT_PAUSE).await;
                continue;
            }
        };
        while connections.try_join_next().is_some() {}
        let Ok(permit) = Arc::clone(&shared.connections).try_acquire_owned() else {
            connections.spawn(refuse_busy(stream));
            continue;
        };
        let shared = Arc::clone(&shared);
        connections.spawn(async move {
            let _permit = permit;
            let service = service_fn(move |request| handle(Arc::clone(&shared), request));
            let mut http = hyper::server::conn::http1::Builder::new();
            http.timer(hyper_util::rt::TokioTimer::new()).header_read_timeout(HEADER_READ_TIMEOUT);
            // A dropped connection ends here with an error; nothing to report.
            let _ = http.serve_connection(TokioIo::new(stream), service).await;
        });
    }
}

/// Answers a connection over the limit with Conductor's 503 and closes it.
/// The request's head is read first (for at most a second, and 16 KiB), so
/// that the client has sent its request when the answer arrives: an answer
/// before the request reads to an HTTP client as a broken connection.
async fn refuse_busy(mut stream: tokio::net::TcpStream) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let read_head = async {
        let mut head = Vec::new();
        let mut chunk = [0u8; 2048];
        while head.len() < 16 * 1024 && !head.windows(4).any(|w| w == b"\r\n\r\n") {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(read) => head.extend_from_slice(&chunk[..read]),
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(1), read_head).await;
    let body = serde_json::json!({"error": {
        "message": "The sandbox is serving as many connections as it allows; try again shortly.",
        "userFacingMessage": "The service is busy. Please try again.",
        "type": "INTERNAL_ERROR",
        "code": "SERVICE_UNAVAILABLE",
        "httpStatusCode": 503,
    }})
    .to_string();
    let answer = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         retry-after: 1\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = tokio::time::timeout(Duration::from_secs(1), stream.write_all(answer.as_bytes())).await;
    let _ = tokio::time::timeout(Duration::from_secs(1), stream.shutdown()).await;
}

/// The error a handler returns to make hyper close the connection unanswered.
#[derive(Debug)]
pub(crate) struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by an injected fault")
    }
}

impl std::error::Error for Dropped {}

async fn handle(shared: Arc<Shared>, request: hyper::Request<Incoming>) -> Result<Answer, Dropped> {
    let request_id = format!("req_sbx_{}", random_suffix(14));
    let gzip = accepts_gzip(request.headers());
    let started = std::time::Instant::now();
    let (method, path) = (request.method().clone(), request.uri().path().to_owned());
    let answered = answer(&shared, request).await.map(|outcome| render(outcome, &request_id, gzip));
    if let Some(log) = &shared.log {
        let status = answered.as_ref().map_or(0, |answer| answer.status().as_u16());
        log(&crate::RequestLog { method, path, status, elapsed: started.elapsed(), request_id });
    }
    answered
}

/// What a request gets. The key is checked and the body read before the
/// request waits its turn: a request that will be refused, or a client that
/// is slow to send its body, never holds up an end-user's company file.
async fn answer(shared: &Shared, request: hyper::Request<Incoming>) -> Result<Outcome, Dropped> {
    let (parts, body) = request.into_parts();
    // Each segment percent-decoded on its own, so an id holding `/` stays
    // one segment.
    let segments: Vec<String> = (parts.uri.path().trim_matches('/').split('/'))
        .map(|segment| percent_encoding::percent_decode_str(segment).decode_utf8_lossy().into_owned())
        .collect();
    let api_segments = segments.strip_prefix(&["v1".to_owned()][..]).unwrap_or(&[]);
    if !authorized(shared, header(&parts.headers, AUTHORIZATION.as_str())) {
        return Ok(Err(Failure::new(
            401,
            "AUTHENTICATION_ERROR",
            "API_KEY_INVALID",
            "The API key is missing or invalid. Send `Authorization: Bearer <secret key>`.",
        )));
    }
    if api_segments.is_empty() {
        return Ok(Err(Failure::new(404, "INVALID_REQUEST_ERROR", "ROUTE_NOT_FOUND", "Paths begin with /v1.")));
    }
    let body = match read_body(body).await? {
        Ok(body) => body,
        Err(failure) => return Ok(Err(failure)),
    };
    if let Err(too_long) = super::bounds::check(&body, MAX_ARRAY_ITEMS) {
        return Ok(Err(too_long));
    }
    let end_user = header(&parts.headers, END_USER_ID).map(str::to_owned);
    let call = Call {
        method: parts.method.as_str(),
        segments: api_segments,
        query: parts.uri.query().unwrap_or(""),
        end_user: end_user.as_deref(),
        body: &body,
    };
    // QuickBooks answers one request at a time per company file: a request
    // for an end-user that exists waits for the ones before it.
    let queued = match &end_user {
        Some(id) if api::is_qbd(api_segments) && lock(&shared.store).has_end_user(id) => Some((id, shared.queue(id))),
        _ => None,
    };
    let answered = match &queued {
        Some((_, queue)) => {
            let _turn = queue.lock().await;
            carry_out(shared, &parts, &call).await
        }
        None => carry_out(shared, &parts, &call).await,
    };
    if let Some((id, queue)) = queued {
        shared.release(id, queue);
    }
    answered
}

/// Carries out a request in its turn: the time QuickBooks takes, an
/// injected fault, the end-user's connection, then the answer.
async fn carry_out(shared: &Shared, parts: &hyper::http::request::Parts, call: &Call<'_>) -> Result<Outcome, Dropped> {
    let latency = *lock(&shared.latency);
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let mut drop_after = false;
    if let Some(fault) = take_fault(shared, &parts.method, call.segments) {
        match fault {
            Fault::DropConnection => return Err(Dropped),
            Fault::DropConnectionAfterWrite => drop_after = true,
            Fault::Delay(wait) => tokio::time::sleep(wait).await,
            Fault::Status { status, code, message } => return Ok(Err(injected_status(status, &code, &message))),
        }
    }
    let state = match call.end_user {
        Some(end_user) if api::is_qbd(call.segments) => lock(&shared.store).company(end_user).connection,
        _ => ConnectionState::Connected,
    };
    let route = || api::answer(&mut lock(&shared.store), call);
    match state {
        ConnectionState::Connected if drop_after => {
            let _ = route();
            Err(Dropped)
        }
        ConnectionState::Connected => Ok(route()),
        ConnectionState::Offline => Ok(Err(refusals::connection_offline())),
        ConnectionState::NotSetUp => {
            Ok(Err(refusals::not_set_up(call.end_user.unwrap_or_default(), "quickbooks_desktop")))
        }
        ConnectionState::TimingOut => {
            // QuickBooks carries the request out after Conductor stopped
            // waiting, for as long as the request said to wait.
            let _ = route();
            let waited = header(&parts.headers, CONDUCTOR_TIMEOUT)
                .and_then(|seconds| seconds.trim().parse::<u64>().ok())
                .unwrap_or(0);
            tokio::time::sleep(Duration::from_secs(waited.min(600))).await;
            Ok(Err(refusals::request_timeout(if waited == 0 { 90 } else { waited })))
        }
    }
}

/// Whether `Accept-Encoding` names gzip (without `q=0`).
fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers.get_all(hyper::header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).any(|value| {
        value.split(',').any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let name = parts.next().unwrap_or_default();
            let refused = parts.any(|p| p.replace(' ', "") == "q=0");
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
        })
    })
}

/// The bearer key, compared in constant time so its bytes cannot be guessed
/// one by one from how long a refusal takes.
fn authorized(shared: &Shared, authorization: Option<&str>) -> bool {
    let Some(key) = authorization.and_then(|value| value.strip_prefix("Bearer ")) else { return false };
    key.as_bytes().ct_eq(shared.key.as_bytes()).into()
}

/// The whole body, read within [`BODY_READ_TIMEOUT`]: a 413 answer when it
/// is over [`MAX_BODY_BYTES`], a 408 when it is too slow, or `Dropped` when
/// the connection broke while reading it.
async fn read_body(body: Incoming) -> Result<Result<Bytes, Failure>, Dropped> {
    let read = tokio::time::timeout(BODY_READ_TIMEOUT, Limited::new(body, MAX_BODY_BYTES).collect()).await;
    match read {
        Ok(Ok(collected)) => Ok(Ok(collected.to_bytes())),
        Ok(Err(error)) if error.is::<http_body_util::LengthLimitError>() => Ok(Err(Failure::new(
            413,
            "INVALID_REQUEST_ERROR",
            "REQUEST_BODY_TOO_LARGE",
            &format!("The request body is larger than {MAX_BODY_BYTES} bytes."),
        ))),
        Ok(Err(_)) => Err(Dropped),
        Err(_) => Ok(Err(Failure::new(
            408,
            "INVALID_REQUEST_ERROR",
            "REQUEST_TIMEOUT",
            &format!("The request body did not arrive within {} seconds.", BODY_READ_TIMEOUT.as_secs()),
        ))),
    }
}

fn injected_status(status: u16, code: &str, message: &str) -> Failure {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let kind = if status.is_server_error() { "INTERNAL_ERROR" } else { "INVALID_REQUEST_ERROR" };
    Failure::new(status.as_u16(), kind, code, message)
}

fn take_fault(shared: &Shared, method: &Method, segments: &[String]) -> Option<Fault> {
    let mut faults = lock(&shared.faults);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_poisoned_lock_keeps_serving_its_data() {
        let shared = Arc::new(Mutex::new(vec![1]));
        let holder = Arc::clone(&shared);
        let _ = std::thread::spawn(move || {
            let _guard = holder.lock();
            panic!("a request panicked while holding the lock");
        })
        .join();
        assert!(shared.is_poisoned());
        lock(&shared).push(2);
        assert_eq!(*lock(&shared), [1, 2]);
    }

    #[test]
    fn only_the_whole_key_is_accepted() {
        let shared = Shared {
            key: "sk_sandbox_abc".into(),
            store: Mutex::default(),
            faults: Mutex::default(),
            latency: Mutex::default(),
            queues: Mutex::default(),
            log: None,
            on_accept_error: None,
            connections: Arc::new(tokio::sync::Semaphore::new(1)),
        };
        assert!(authorized(&shared, Some("Bearer sk_sandbox_abc")));
        for wrong in
            ["Bearer sk_sandbox_ab", "Bearer sk_sandbox_abcd", "Bearer sk_sandbox_abd", "Bearer ", "sk_sandbox_abc"]
        {
            assert!(!authorized(&shared, Some(wrong)), "{wrong}");
        }
        assert!(!authorized(&shared, None));
    }
}
