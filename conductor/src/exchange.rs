//! The exchange with the server: the URL of a request, one attempt within
//! its time limits, the retry loop, and sorting transport failures by
//! whether the request can have reached the server.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use futures_util::future::Either;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use reqwest::{Url, Version};
use tokio::time::Timeout;
use tracing::Instrument;

use crate::connect::{CONNECT_TIMEOUT, connect_timeout_of};
use crate::headers::{CONDUCTOR_TIMEOUT, END_USER_ID};
use crate::retry::{Backoff, Cause, Failure, Next, RetryPolicy};
use crate::settings::Resolved;
use crate::turns::Turns;
use crate::{Error, Request, Response, Result, TimeoutPhase};

/// The longest request URL sent, in bytes (16 KiB): a longer one fails with
/// [`Error::InvalidInput`] before anything is sent, since servers and the
/// proxies before them refuse such URLs or cut them.
pub const MAX_URL_BYTES: usize = 16 * 1024;

/// How much of a body's announced `Content-Length` is reserved before any
/// byte arrives; the buffer grows as bytes do, so a header alone cannot make
/// the client allocate.
const INITIAL_BODY_CAPACITY: usize = 256 * 1024;

/// What every call of a client shares: the connection pool and the settings
/// no call overrides.
pub(crate) struct Exchange {
    pub(crate) http: reqwest::Client,
    pub(crate) base_url: String,
    /// Authorization, Accept, User-Agent and the caller's default headers,
    /// put on each request here rather than as reqwest's default headers,
    /// which reqwest copies and merges on every request.
    pub(crate) headers: HeaderMap,
    pub(crate) max_response_bytes: u64,
    pub(crate) backoff: Backoff,
    /// A default `Conductor-End-User-Id`, which a call's own must agree with.
    pub(crate) default_end_user: Option<HeaderValue>,
    /// The connect timeout the connector applies when a call sets none of
    /// its own; `None` when the `reqwest::Client` is the caller's, which has
    /// no such layer.
    pub(crate) layer_connect_timeout: Option<Duration>,
    /// How many connections the connector is opening now: while it is
    /// opening any, the pool is short of connections.
    pub(crate) connecting: Arc<AtomicUsize>,
    /// Query parameters sent with every call that does not set them itself.
    pub(crate) default_query: Vec<(String, String)>,
    /// The turns of each end-user's requests, with
    /// `max_concurrent_per_end_user`.
    pub(crate) turns: Option<Turns>,
}

/// What the calls of one client handle add: resolved settings and the
/// headers of `with_options`.
#[derive(Clone, Debug, Default)]
pub(crate) struct CallOptions {
    pub(crate) settings: Resolved,
    pub(crate) extra: Option<Arc<Extras>>,
}

/// What `with_options` adds to each call: headers, query parameters and
/// body fields, and the first option refused.
#[derive(Debug, Default)]
pub(crate) struct Extras {
    pub(crate) headers: HeaderMap,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) body: serde_json::Map<String, serde_json::Value>,
    pub(crate) invalid: Option<(&'static str, String)>,
}

impl Exchange {
    /// Sends `request` with the retries `call` allows, in a span of its own.
    ///
    /// The future is built from plain functions and `async move` blocks
    /// rather than nested `async fn`s: an `async fn` keeps its arguments
    /// beside the locals they move into, so each level would store the
    /// request again, and every move of the future would copy them all.
    pub(crate) fn send<'a>(
        &'a self,
        call: &'a CallOptions,
        request: Request,
    ) -> impl Future<Output = Result<Response<Bytes>>> + Send + 'a {
        let span = tracing::debug_span!(
            "conductor.request",
            method = %request.method,
            path = request.path_template,
            attempts = tracing::field::Empty,
            status = tracing::field::Empty,
            request_id = tracing::field::Empty,
            elapsed_ms = tracing::field::Empty,
        );
        self.send_with_retries(call, request).instrument(span)
    }

    /// A call's `Conductor-End-User-Id` (from `for_end_user` or `#[header]`)
    /// wins over the defaults on the wire, so a default that names another
    /// end-user would be dropped without a word: refuse the call instead.
    fn check_end_user(&self, call: &CallOptions, request: &Request) -> Result<()> {
        let Some(called) = request.headers.get(END_USER_ID) else { return Ok(()) };
        let per_call = call.extra.as_ref().and_then(|extra| extra.headers.get(END_USER_ID));
        for (given, origin) in [(per_call, "RequestOptions"), (self.default_end_user.as_ref(), "a default header")] {
            if given.is_some_and(|given| given != called) {
                return Err(Error::invalid_input(
                    "Conductor-End-User-Id",
                    format!(
                        "{origin} names a different end-user than this call ({:?}); \
                         give the end-user once, with `for_end_user`",
                        called.to_str().unwrap_or_default()
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The end-user a call is for: its own `Conductor-End-User-Id`, or the
    /// one its options or the client's defaults give.
    fn end_user(&self, call: &CallOptions, request: &Request) -> Option<HeaderValue> {
        (request.headers.get(END_USER_ID))
            .or_else(|| call.extra.as_ref().and_then(|extra| extra.headers.get(END_USER_ID)))
            .or(self.default_end_user.as_ref())
            .cloned()
    }

    /// Adds the client's default query parameters (those the call does not
    /// set) and the per-call query parameters and body fields (which must
    /// not clash with the call's own).
    fn add_extras(&self, call: &CallOptions, request: &mut Request) -> Result<()> {
        let declared = |request: &Request, name: &str| request.query.iter().any(|(given, _)| given == name);
        if let Some(extra) = &call.extra {
            if let Some((name, _)) = extra.query.iter().find(|(name, _)| declared(request, name)) {
                return Err(Error::invalid_input(
                    format!("query parameter `{name}` in RequestOptions"),
                    "the call sets it already",
                ));
            }
            request.query.extend(extra.query.iter().cloned());
            if !extra.body.is_empty() {
                merge_body(request, &extra.body)?;
            }
        }
        let defaults: Vec<(String, String)> =
            self.default_query.iter().filter(|(name, _)| !declared(request, name)).cloned().collect();
        request.query.extend(defaults);
        Ok(())
    }

    fn url(&self, request: &Request) -> Result<Url> {
        let mut url = String::with_capacity(self.base_url.len() + request.path.len() + 64);
        url.push_str(&self.base_url);
        url.push_str(&request.path);
        let query = request.query_string();
        if !query.is_empty() {
            url.push('?');
            url.push_str(&query);
        }
        if url.len() > MAX_URL_BYTES {
            return Err(Error::invalid_input(
                "request URL",
                format!(
                    "it would be {} bytes, over the limit of {MAX_URL_BYTES}: send fewer or shorter path and query values",
                    url.len()
                ),
            ));
        }
        Url::parse(&url).map_err(|e| Error::invalid_input("request URL", e.to_string()))
    }

    #[allow(clippy::manual_async_fn, reason = "an `async fn` would store the request twice")]
    fn send_with_retries<'a>(
        &'a self,
        call: &'a CallOptions,
        mut request: Request,
    ) -> impl Future<Output = Result<Response<Bytes>>> + Send + 'a {
        async move {
            if let Some((what, reason)) = call.extra.as_ref().and_then(|extra| extra.invalid.as_ref()) {
                return Err(Error::invalid_input(*what, reason.clone()));
            }
            self.check_end_user(call, &request)?;
            if let Some(seconds) =
                call.settings.server_timeout_seconds().map_err(|e| Error::invalid_input("server timeout", e))?
            {
                request.headers.insert(CONDUCTOR_TIMEOUT, HeaderValue::from(seconds));
            }
            if call.extra.is_some() || !self.default_query.is_empty() {
                self.add_extras(call, &mut request)?;
            }
            let url = self.url(&request)?;
            self.retry_loop(call, &request, &url).await
        }
    }

    async fn retry_loop(&self, call: &CallOptions, request: &Request, url: &Url) -> Result<Response<Bytes>> {
        let span = tracing::Span::current();
        // The clock is read only when something records the times.
        let timed = !span.is_disabled() || tracing::enabled!(tracing::Level::DEBUG);
        let started = timed.then(Instant::now);
        let mut policy = RetryPolicy::new(request, &call.settings, self.backoff);
        let end_user = self.turns.as_ref().and_then(|_| self.end_user(call, request));
        loop {
            // Each attempt waits for the end-user's turn; a retry queues
            // again, behind the requests that came while it waited.
            let turn = match (&self.turns, &end_user) {
                (Some(turns), Some(end_user)) => Some(turns.take(end_user).await),
                _ => None,
            };
            let attempt_started = timed.then(Instant::now);
            let outcome = match self.attempt(call, request, url).await {
                Ok(outcome) => outcome,
                Err(_elapsed) => Err(Failure::MaybeSent(Cause::Timeout {
                    phase: TimeoutPhase::Request,
                    limit: call.settings.attempt_timeout(),
                })),
            };
            drop(turn);
            log_attempt(policy.made() + 1, &outcome, attempt_started);
            let attempts = match policy.after(&outcome) {
                Next::Retry(wait) => {
                    tracing::debug!(attempt = policy.made(), wait_ms = wait.as_millis() as u64, "retrying");
                    tokio::time::sleep(wait).await;
                    continue;
                }
                Next::Stop(attempts) => attempts,
            };
            span.record("attempts", attempts.made);
            if let Some(started) = started {
                span.record("elapsed_ms", started.elapsed().as_millis() as u64);
            }
            // The one place a call's attempts are recorded: on its response,
            // or on its error.
            let write = policy.write().then(|| (request.method.clone(), request.path_template));
            return match outcome {
                Ok(response) => {
                    span.record("status", response.status().as_u16());
                    if let Some(id) = response.request_id() {
                        span.record("request_id", id);
                    }
                    Ok(response.of_call(attempts, write))
                }
                // A write that may have been sent is in doubt.
                Err(failure) => {
                    let unknown = matches!(failure, Failure::MaybeSent(_));
                    let mut error = failure.into_error(attempts);
                    // A write answered 2xx happened, however its body came.
                    match (&write, &mut error) {
                        (Some(_), Error::Decode(decode)) => decode.write_succeeded = decode.status.is_success(),
                        (Some(_), Error::ResponseTooLarge { status, write_succeeded, .. }) => {
                            *write_succeeded = status.is_success();
                        }
                        _ => {}
                    }
                    match write {
                        Some((method, path)) if unknown => {
                            Err(Error::OutcomeUnknown(Box::new(crate::error::OutcomeUnknown { method, path, error })))
                        }
                        _ => Err(error),
                    }
                }
            };
        }
    }

    /// One attempt: send, then read the whole body, within the time limit.
    /// The request is handed to reqwest here, so the future keeps reqwest's
    /// small pending request rather than its builder.
    fn attempt(
        &self,
        call: &CallOptions,
        request: &Request,
        url: &Url,
    ) -> Timeout<impl Future<Output = Result<Response<Bytes>, Failure>> + Send + '_> {
        // The request is built directly rather than through a builder, so
        // the headers are set in place instead of merged map by map.
        let mut outgoing = reqwest::Request::new(request.method.clone(), url.clone());
        let headers = outgoing.headers_mut();
        headers.clone_from(&self.headers);
        if let Some(extra) = &call.extra {
            replace_headers(headers, &extra.headers);
        }
        replace_headers(headers, &request.headers);
        if let Some(body) = &request.body {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            *outgoing.body_mut() = Some(body.clone().into());
        }
        let pending = self.http.execute(outgoing);
        // The connector reads a call's own connect timeout from a task-local;
        // a call with the client's (most calls) needs none set.
        let sending = match self.layer_connect_timeout {
            Some(default) if default != call.settings.effective_connect_timeout() => {
                Either::Left(CONNECT_TIMEOUT.scope(call.settings.effective_connect_timeout(), pending))
            }
            _ => Either::Right(pending),
        };
        let exchange = async move {
            let response = sending.await.map_err(classify_send_error)?;
            self.read(response).await
        };
        tokio::time::timeout(call.settings.attempt_timeout(), exchange)
    }

    /// The whole body, within the size limit.
    #[allow(clippy::manual_async_fn, reason = "an `async fn` would store the response twice")]
    fn read(
        &self,
        mut response: reqwest::Response,
    ) -> impl Future<Output = Result<Response<Bytes>, Failure>> + Send + '_ {
        async move {
            let status = response.status();
            let limit = self.max_response_bytes;
            let too_large = || Failure::Final(Cause::TooLarge { status, limit });
            let announced = response.content_length();
            if announced.is_some_and(|length| length > limit) {
                return Err(too_large());
            }
            let mut headers = std::mem::take(response.headers_mut());
            let mut inflate = Inflate::of(&mut headers, status);
            let mut body = Body::new(if inflate.is_some() { None } else { announced });
            while let Some(chunk) = response.chunk().await.map_err(|e| Failure::MaybeSent(Cause::Connection(e)))? {
                let chunk = match &mut inflate {
                    Some(inflate) => inflate.feed(&chunk, limit.saturating_sub(body.len as u64), limit)?,
                    None => chunk,
                };
                if (body.len + chunk.len()) as u64 > limit {
                    return Err(too_large());
                }
                body.push(chunk);
            }
            if let Some(inflate) = inflate {
                let rest = inflate.finish()?;
                if (body.len + rest.len()) as u64 > limit {
                    return Err(too_large());
                }
                if !rest.is_empty() {
                    body.push(rest);
                }
            }
            let http1 = response.version() < Version::HTTP_2;
            drop(response);
            // An HTTP/1 connection goes back to the pool in a task of its
            // own, woken as the body ends. While the pool is short (the
            // connector is opening connections, as when many calls start at
            // once), a caller that went straight on to its next call would
            // find no connection idle and open one more; yielding first lets
            // that task give this one back. Otherwise the pool has
            // connections to spare, and the caller goes straight on: a yield
            // on every call would cost more than the connections it saves.
            if http1 && self.connecting.load(Ordering::Relaxed) > 0 {
                tokio::task::yield_now().await;
            }
            Ok(Response::new(status, headers, body.finish()))
        }
    }
}

/// Inflates a gzip body as its bytes arrive: every member of the stream
/// (a body may be several gzip members one after another), counting what
/// it inflates against the response limit as it goes, so that a small body
/// that inflates to gigabytes is refused at the limit. A body that is not
/// the gzip its `Content-Encoding` says is a decode error: the answer is
/// wrong, not the connection, and it is not retried.
struct Inflate {
    decoder: flate2::write::MultiGzDecoder<Vec<u8>>,
    status: reqwest::StatusCode,
    request_id: Option<String>,
    fed: bool,
}

/// How much compressed input is inflated before the output is measured:
/// gzip inflates at most about 1,032 times, so the output passes the limit
/// by at most about a MiB.
const INFLATE_STEP: usize = 1024;

impl Inflate {
    /// An inflater when `headers` say the body is gzip; the headers then
    /// lose `Content-Encoding` and `Content-Length`, which describe the
    /// compressed body.
    fn of(headers: &mut HeaderMap, status: reqwest::StatusCode) -> Option<Inflate> {
        let gzip = headers.get(reqwest::header::CONTENT_ENCODING).and_then(|v| v.to_str().ok()).is_some_and(|v| {
            let v = v.trim();
            v.eq_ignore_ascii_case("gzip") || v.eq_ignore_ascii_case("x-gzip")
        });
        if !gzip {
            return None;
        }
        headers.remove(reqwest::header::CONTENT_ENCODING);
        headers.remove(reqwest::header::CONTENT_LENGTH);
        let request_id = crate::headers::text(headers, crate::headers::REQUEST_ID).map(str::to_owned);
        Some(Inflate { decoder: flate2::write::MultiGzDecoder::new(Vec::new()), status, request_id, fed: false })
    }

    /// The bytes `chunk` inflates to; a `TooLarge` failure as soon as they
    /// pass `room`.
    fn feed(&mut self, chunk: &[u8], room: u64, limit: u64) -> Result<Bytes, Failure> {
        use std::io::Write as _;
        self.fed |= !chunk.is_empty();
        for piece in chunk.chunks(INFLATE_STEP) {
            self.decoder.write_all(piece).map_err(|e| self.bad(&e))?;
            if self.decoder.get_ref().len() as u64 > room {
                return Err(Failure::Final(Cause::TooLarge { status: self.status, limit }));
            }
        }
        Ok(Bytes::from(std::mem::take(self.decoder.get_mut())))
    }

    /// Checks the stream ended whole (its last checksum included), and
    /// gives what was still to inflate.
    fn finish(mut self) -> Result<Bytes, Failure> {
        if !self.fed {
            return Ok(Bytes::new());
        }
        self.decoder.try_finish().map_err(|e| self.bad(&e))?;
        Ok(Bytes::from(std::mem::take(self.decoder.get_mut())))
    }

    fn bad(&self, why: &dyn std::fmt::Display) -> Failure {
        Failure::Final(Cause::BadEncoding {
            status: self.status,
            request_id: self.request_id.clone(),
            message: format!("the body is not the gzip its `Content-Encoding` says: {why}"),
        })
    }
}

/// Adds `fields` to the request's JSON body, which must be an object
/// without them.
fn merge_body(request: &mut Request, fields: &serde_json::Map<String, serde_json::Value>) -> Result<()> {
    let refuse = |reason: &str| Err(Error::invalid_input("body field in RequestOptions", reason.to_owned()));
    let Some(body) = &request.body else { return refuse("the call sends no body") };
    let Ok(serde_json::Value::Object(mut object)) = serde_json::from_slice(body) else {
        return refuse("the call's body is not a JSON object");
    };
    for (name, value) in fields {
        if object.contains_key(name) {
            return refuse(&format!("the call's body has `{name}` already"));
        }
        object.insert(name.clone(), value.clone());
    }
    let merged = serde_json::to_vec(&object).map_err(|e| Error::invalid_input("request body", e.to_string()))?;
    request.body = Some(Bytes::from(merged));
    Ok(())
}

/// Sets every header of `from` on `to`, each name with all of its values in
/// `from` and none of those it had: what `HeaderMap::extend` does with a map
/// it owns, here from a borrowed one, without copying it first.
fn replace_headers(to: &mut HeaderMap, from: &HeaderMap) {
    if from.is_empty() {
        return;
    }
    for name in from.keys() {
        to.remove(name);
    }
    for (name, value) in from {
        to.append(name.clone(), value.clone());
    }
}

/// A body as it arrives. A body that comes in one chunk, as most do, is kept
/// as that chunk, neither copied nor reallocated; a longer one is gathered
/// in a buffer that starts at most [`INITIAL_BODY_CAPACITY`] and grows as
/// bytes arrive.
struct Body {
    first: Option<Bytes>,
    gathered: Option<BytesMut>,
    len: usize,
    /// The announced length, trusted only up to the initial capacity.
    reserve: usize,
}

impl Body {
    fn new(announced: Option<u64>) -> Self {
        let reserve = announced.unwrap_or(0).min(INITIAL_BODY_CAPACITY as u64) as usize;
        Body { first: None, gathered: None, len: 0, reserve }
    }

    fn push(&mut self, chunk: Bytes) {
        self.len += chunk.len();
        match (&mut self.gathered, self.first.take()) {
            (Some(gathered), _) => gathered.extend_from_slice(&chunk),
            (None, None) => self.first = Some(chunk),
            (None, Some(first)) => {
                let mut gathered = BytesMut::with_capacity(self.reserve.max(self.len));
                gathered.extend_from_slice(&first);
                gathered.extend_from_slice(&chunk);
                self.gathered = Some(gathered);
            }
        }
    }

    fn finish(self) -> Bytes {
        match (self.gathered, self.first) {
            (Some(gathered), _) => gathered.freeze(),
            (None, first) => first.unwrap_or_default(),
        }
    }
}

fn log_attempt(attempt: u32, outcome: &Result<Response<Bytes>, Failure>, started: Option<Instant>) {
    let Some(started) = started else { return };
    let elapsed_ms = started.elapsed().as_millis() as u64;
    match outcome {
        Ok(response) => tracing::debug!(
            attempt,
            status = response.status().as_u16(),
            request_id = response.request_id(),
            elapsed_ms,
            "response",
        ),
        Err(failure) => tracing::debug!(attempt, error = %failure.cause(), elapsed_ms, "attempt failed"),
    }
}

/// Sorts a failed send by whether the request can have reached the server.
fn classify_send_error(error: reqwest::Error) -> Failure {
    if error.is_builder() {
        // The request could not be put on the wire at all (a URL that is
        // not a valid URI): the caller's input, not the network. The URL can
        // be huge and is the caller's own, so it stays out of the message.
        return Failure::Final(Cause::Local(Error::invalid_input("request", error.without_url().to_string())));
    }
    if let Some(limit) = connect_timeout_of(&error) {
        return Failure::NotSent(Cause::Timeout { phase: TimeoutPhase::Connect, limit });
    }
    if error.is_connect() {
        Failure::NotSent(Cause::Connection(error))
    } else {
        Failure::MaybeSent(Cause::Connection(error))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_in_one_chunk_is_kept_as_it_came() {
        let chunk = Bytes::from_static(b"{\"id\":\"end_usr_1\"}");
        let mut body = Body::new(Some(chunk.len() as u64));
        body.push(chunk.clone());
        let whole = body.finish();
        assert_eq!(whole.as_ptr(), chunk.as_ptr(), "no copy");
        assert_eq!(Body::new(None).finish(), Bytes::new());
    }

    #[test]
    fn a_body_in_chunks_is_gathered_in_order() {
        let mut body = Body::new(Some(u64::MAX));
        for part in ["{\"a\":", "1,", "\"b\":2}"] {
            body.push(Bytes::from(part));
        }
        assert_eq!(body.len, 13);
        assert_eq!(body.reserve, INITIAL_BODY_CAPACITY);
        assert_eq!(body.finish(), Bytes::from_static(b"{\"a\":1,\"b\":2}"));
    }

    #[test]
    fn headers_replace_by_name_with_all_their_values() {
        let mut to = HeaderMap::new();
        to.insert("x-team", HeaderValue::from_static("billing"));
        to.append("x-tag", HeaderValue::from_static("old"));
        to.insert("accept", HeaderValue::from_static("application/json"));
        let mut from = HeaderMap::new();
        from.append("x-tag", HeaderValue::from_static("a"));
        from.append("x-tag", HeaderValue::from_static("b"));
        from.insert("x-trace", HeaderValue::from_static("t-1"));
        replace_headers(&mut to, &from);
        let tags: Vec<_> = to.get_all("x-tag").iter().map(|v| v.to_str().unwrap()).collect();
        assert_eq!(tags, ["a", "b"]);
        assert_eq!(to["x-team"], "billing");
        assert_eq!(to["x-trace"], "t-1");
        assert_eq!(to.len(), 5);
        replace_headers(&mut to, &HeaderMap::new());
        assert_eq!(to.len(), 5);
    }
}
