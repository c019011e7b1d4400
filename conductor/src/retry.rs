//! When a failed attempt is tried again, and how long to wait first.

use std::fmt;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, RETRY_AFTER};
use reqwest::{Method, StatusCode};

use crate::headers::{self, RETRY_AFTER_MS, SHOULD_RETRY};
use crate::request::Request;
use crate::response::Response;
use crate::settings::Resolved;
use crate::{Attempts, Error, RetryStop, TimeoutPhase};

/// How one attempt failed, as far as retrying is concerned.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The connection was never made (refused, DNS, TLS handshake, connect
    /// timeout): the request was not sent.
    NotSent(Cause),
    /// The connection broke or timed out after the request may have been
    /// sent.
    MaybeSent(Cause),
    /// A failure that retrying cannot fix (an oversized body, a request that
    /// cannot be put on the wire).
    Final(Cause),
}

/// What went wrong in a failed attempt. It becomes an [`Error`] only when
/// the call is over, with the call's attempts, so each error is built once.
#[derive(Debug)]
pub(crate) enum Cause {
    Connection(reqwest::Error),
    Timeout {
        phase: TimeoutPhase,
        limit: Duration,
    },
    TooLarge {
        status: StatusCode,
        limit: u64,
    },
    /// The body could not be inflated as its `Content-Encoding` says: the
    /// answer is wrong, not the connection, and a repeat gets the same.
    BadEncoding {
        status: StatusCode,
        request_id: Option<String>,
        message: String,
    },
    /// An error that is not the network's and carries no attempts.
    Local(Error),
}

impl Failure {
    pub(crate) fn cause(&self) -> &Cause {
        match self {
            Failure::NotSent(cause) | Failure::MaybeSent(cause) | Failure::Final(cause) => cause,
        }
    }

    /// The error of a call that ended in this failure after `attempts`.
    pub(crate) fn into_error(self, attempts: Attempts) -> Error {
        let (Failure::NotSent(cause) | Failure::MaybeSent(cause) | Failure::Final(cause)) = self;
        match cause {
            Cause::Connection(error) => Error::connection(error, attempts),
            Cause::Timeout { phase, limit } => Error::Timeout { phase, limit, attempts },
            Cause::TooLarge { status, limit } => {
                Error::ResponseTooLarge { status, limit, attempts, write_succeeded: false }
            }
            Cause::BadEncoding { status, request_id, message } => Error::Decode(Box::new(crate::error::DecodeError {
                status,
                path: String::new(),
                message,
                request_id,
                attempts,
                body: Bytes::new(),
                write_succeeded: false,
            })),
            Cause::Local(error) => error,
        }
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cause::Connection(error) => write!(f, "connection error: {error}"),
            Cause::Timeout { phase, limit } => write!(f, "{phase} timed out after {limit:?}"),
            Cause::TooLarge { status, limit } => {
                write!(f, "the {status} response body is larger than the limit of {limit} bytes")
            }
            Cause::BadEncoding { message, .. } => f.write_str(message),
            Cause::Local(error) => error.fmt(f),
        }
    }
}

enum Decision {
    Done,
    Retry,
    Stop(RetryStop),
}

/// What follows an attempt.
pub(crate) enum Next {
    /// Wait this long, then try again.
    Retry(Duration),
    /// The call is over after these attempts.
    Stop(Attempts),
}

/// The retry rules of one call, and the count of its attempts: decides after
/// each attempt whether another follows, how long to wait first, and when
/// the call ends, how many attempts it made and why it made no more.
pub(crate) struct RetryPolicy {
    /// Whether sending the request twice has the effect of sending it once.
    idempotent: bool,
    /// Whether it carries a list's cursor: never sent twice.
    cursor: bool,
    /// Whether it is a write (POST or PATCH).
    write: bool,
    max_retries: u32,
    retry_non_idempotent: bool,
    backoff: Backoff,
    made: u32,
}

impl RetryPolicy {
    pub(crate) fn new(request: &Request, settings: &Resolved, backoff: Backoff) -> Self {
        RetryPolicy {
            idempotent: idempotent(request),
            cursor: request.query().iter().any(|(name, _)| name == "cursor"),
            write: is_write(request),
            max_retries: settings.max_retries,
            retry_non_idempotent: settings.retry_non_idempotent,
            backoff,
            made: 0,
        }
    }

    /// Attempts made so far.
    pub(crate) fn made(&self) -> u32 {
        self.made
    }

    /// Whether the request is a write.
    pub(crate) fn write(&self) -> bool {
        self.write
    }

    /// Counts the attempt that ended in `outcome`, and says what follows.
    pub(crate) fn after(&mut self, outcome: &Result<Response<Bytes>, Failure>) -> Next {
        self.made += 1;
        let repeat = match self.cursor {
            true => Repeat::Never,
            false if self.idempotent || self.retry_non_idempotent => Repeat::Safe,
            false => Repeat::Unsafe,
        };
        let stop = match decide(repeat, outcome) {
            Decision::Done => None,
            Decision::Retry if self.made <= self.max_retries => {
                let headers = outcome.as_ref().ok().map(Response::headers);
                return Next::Retry(self.backoff.delay(self.made - 1, headers));
            }
            Decision::Retry | Decision::Stop(RetryStop::NonIdempotent | RetryStop::CursorPage)
                if self.max_retries == 0 =>
            {
                Some(RetryStop::Disabled)
            }
            Decision::Retry => Some(RetryStop::Exhausted),
            Decision::Stop(stop) => Some(stop),
        };
        Next::Stop(Attempts { made: self.made, stop })
    }
}

/// Retrying a request that may have reached the server is safe only for
/// idempotent ones: a repeated POST could create an invoice twice.
fn idempotent(request: &Request) -> bool {
    matches!(*request.method(), Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS)
}

/// A write: a request that creates or changes records, whose outcome is in
/// doubt when it fails after it may have been sent.
fn is_write(request: &Request) -> bool {
    matches!(*request.method(), Method::POST | Method::PATCH)
}

/// Whether a request that may have reached the server may be sent again.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Repeat {
    /// It is idempotent, or the caller allows repeating it.
    Safe,
    /// It is not idempotent.
    Unsafe,
    /// It carries a list's cursor: whatever anyone says, a repeat could skip
    /// a page.
    Never,
}

impl Repeat {
    /// What follows a failure after which the request may have reached the
    /// server.
    fn after_sending(self) -> Decision {
        match self {
            Repeat::Safe => Decision::Retry,
            Repeat::Unsafe => Decision::Stop(RetryStop::NonIdempotent),
            Repeat::Never => Decision::Stop(RetryStop::CursorPage),
        }
    }
}

/// What Conductor's error body says of an answer: its `type` and `code`.
#[derive(Default, serde::Deserialize)]
struct Meaning {
    #[serde(rename = "type", default)]
    error_type: Option<String>,
    #[serde(default)]
    code: Option<String>,
}

/// The `type` and `code` of Conductor's error body, when the body is one.
fn meaning(body: &[u8]) -> Option<Meaning> {
    #[derive(serde::Deserialize)]
    struct Envelope {
        error: Meaning,
    }
    serde_json::from_slice::<Envelope>(body).ok().map(|envelope| envelope.error)
}

/// What follows an attempt, by what its answer means:
///
/// - `x-should-retry: true` or `false` has the last word over every rule
///   below (but a 2xx or 3xx is never sent again, and a request carrying a
///   cursor is never sent twice);
/// - QuickBooks' refusal (`INTEGRATION_ERROR`) is never retried, whatever
///   the status: QuickBooks would refuse it again;
/// - an end-user's connection failure (`INTEGRATION_CONNECTION_ERROR`), a
///   connection not set up or not active, and `QBD_REQUEST_TIMEOUT` (which
///   QuickBooks may still be working on) are not retried;
/// - 408, 409 (a lock conflict) and 429 are retried, for every method:
///   Conductor did not act on the request;
/// - `INTERNAL_ERROR` and any other 5xx, Conductor's body or not, are
///   retried only when the request may be repeated;
/// - every other 4xx is not.
fn decide(repeat: Repeat, outcome: &Result<Response<Bytes>, Failure>) -> Decision {
    match outcome {
        Ok(response) => {
            let status = response.status();
            if status.is_success() {
                return Decision::Done;
            }
            // An answer that is not an error was acted on, or points
            // elsewhere: sending it again could apply it twice, whatever the
            // headers say.
            if !status.is_client_error() && !status.is_server_error() {
                return Decision::Stop(RetryStop::NotRetryable);
            }
            if repeat == Repeat::Never {
                return Decision::Stop(RetryStop::CursorPage);
            }
            match response.headers().get(SHOULD_RETRY).map(|v| v.as_bytes()) {
                Some(b"true") => return Decision::Retry,
                Some(b"false") => return Decision::Stop(RetryStop::ServerDeclined),
                _ => {}
            }
            let meaning = meaning(response.body()).unwrap_or_default();
            match (meaning.error_type.as_deref(), meaning.code.as_deref()) {
                (Some("INTEGRATION_ERROR"), _) => return Decision::Stop(RetryStop::IntegrationError),
                (_, Some("INTEGRATION_CONNECTION_NOT_SET_UP" | "INTEGRATION_CONNECTION_NOT_ACTIVE")) => {
                    return Decision::Stop(RetryStop::ConnectionNotSetUp);
                }
                (_, Some("QBD_REQUEST_TIMEOUT")) => return Decision::Stop(RetryStop::QuickBooksTimeout),
                (Some("INTEGRATION_CONNECTION_ERROR"), _) => return Decision::Stop(RetryStop::EndUserAction),
                _ => {}
            }
            if matches!(status, StatusCode::REQUEST_TIMEOUT | StatusCode::CONFLICT | StatusCode::TOO_MANY_REQUESTS) {
                // Conductor answered these without acting on the request.
                Decision::Retry
            } else if status.is_server_error() {
                repeat.after_sending()
            } else {
                Decision::Stop(RetryStop::NotRetryable)
            }
        }
        Err(Failure::NotSent(_)) => Decision::Retry,
        Err(Failure::MaybeSent(_)) => repeat.after_sending(),
        Err(Failure::Final(_)) => Decision::Stop(RetryStop::NotRetryable),
    }
}

/// Whether a write answered with `response` may have been carried out: a
/// 5xx that is not QuickBooks' refusal nor the end-user's connection failing
/// before QuickBooks saw it: no Conductor body, Conductor's
/// `INTERNAL_ERROR`, or `QBD_REQUEST_TIMEOUT` (QuickBooks may still carry it
/// out). A write that failed after it may have been sent (a timeout or a
/// broken connection) is in doubt too; the exchange sees to that.
pub(crate) fn answer_leaves_outcome_unknown(response: &Response<Bytes>) -> bool {
    if !response.status().is_server_error() {
        return false;
    }
    match meaning(response.body()) {
        None => true,
        Some(meaning) => {
            meaning.code.as_deref() == Some("QBD_REQUEST_TIMEOUT")
                || !matches!(
                    meaning.error_type.as_deref(),
                    Some("INTEGRATION_ERROR" | "INTEGRATION_CONNECTION_ERROR" | "INVALID_REQUEST_ERROR")
                )
        }
    }
}

/// The backoff of retry number `retry` (0 for the first):
/// `min(initial * 2^retry, max)` less up to 25% jitter.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Backoff {
    pub(crate) initial: Duration,
    pub(crate) max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff { initial: Duration::from_millis(500), max: Duration::from_secs(8) }
    }
}

impl Backoff {
    /// The wait before retry number `retry + 1`: the server's
    /// `retry-after-ms` or `Retry-After` (seconds or an HTTP date) when under
    /// a minute, else the backoff.
    pub(crate) fn delay(&self, retry: u32, headers: Option<&HeaderMap>) -> Duration {
        if let Some(wait) = headers.and_then(|h| server_delay(h, SystemTime::now())) {
            return wait;
        }
        self.backoff(retry, jitter_bits())
    }

    /// The backoff with `jitter` (53 random bits) taking up to a quarter off.
    fn backoff(&self, retry: u32, jitter: u64) -> Duration {
        // In whole nanoseconds, saturating: any `initial` and `max`, up to
        // `Duration::MAX`, give a wait and never a panic.
        let doubled = self.initial.as_nanos().saturating_mul(1u128 << retry.min(64));
        let base = doubled.min(self.max.as_nanos());
        // Up to a quarter off: base * jitter / 4, with jitter in [0, 1) as
        // 53 random bits.
        let off = (base / 4).saturating_mul(u128::from(jitter)) >> 53;
        duration_from_nanos(base - off)
    }
}

/// A duration of `nanos` nanoseconds, or `Duration::MAX` beyond it.
fn duration_from_nanos(nanos: u128) -> Duration {
    const PER_SECOND: u128 = 1_000_000_000;
    match u64::try_from(nanos / PER_SECOND) {
        Ok(seconds) => Duration::new(seconds, (nanos % PER_SECOND) as u32),
        Err(_) => Duration::MAX,
    }
}

fn server_delay(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let header = |name: HeaderName| headers::text(headers, name).map(str::trim);
    let seconds = if let Some(ms) = header(RETRY_AFTER_MS).and_then(|v| v.parse::<f64>().ok()) {
        ms / 1000.0
    } else {
        let value = header(RETRY_AFTER)?;
        match value.parse::<f64>() {
            Ok(seconds) => seconds,
            Err(_) => {
                let date = httpdate::parse_http_date(value).ok()?;
                date.duration_since(now).unwrap_or_default().as_secs_f64()
            }
        }
    };
    (seconds.is_finite() && (0.0..60.0).contains(&seconds)).then(|| Duration::from_secs_f64(seconds))
}

/// 53 random bits, from the standard library's randomly seeded hasher.
fn jitter_bits() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(std::time::Instant::now()) >> 11
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_eight_seconds_with_jitter() {
        let backoff = Backoff::default();
        for (retry, base) in [(0, 0.5), (1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (10, 8.0), (u32::MAX, 8.0)] {
            let wait = backoff.delay(retry, None).as_secs_f64();
            assert!(wait <= base && wait >= base * 0.75, "retry {retry}: {wait}");
        }
    }

    #[test]
    fn huge_backoffs_saturate_instead_of_panicking() {
        let backoff = Backoff { initial: Duration::MAX, max: Duration::MAX };
        for retry in [0, 1, 63, 64, u32::MAX] {
            // No jitter is the case that overflowed: the whole maximum.
            assert_eq!(backoff.backoff(retry, 0), Duration::MAX);
            let wait = backoff.backoff(retry, (1 << 53) - 1);
            assert!(wait >= Duration::MAX / 4 * 3 && wait < Duration::MAX, "retry {retry}: {wait:?}");
            assert!(backoff.delay(retry, None) >= Duration::MAX / 4 * 3);
        }
        let backoff = Backoff { initial: Duration::from_secs(u64::MAX / 2), max: Duration::from_nanos(1) };
        assert!(backoff.delay(40, None) <= Duration::from_nanos(1));
        assert_eq!(duration_from_nanos(u128::MAX), Duration::MAX);
        assert_eq!(duration_from_nanos(1_500_000_000), Duration::from_millis(1500));
    }

    #[test]
    fn server_delay_is_honoured_under_a_minute() {
        let now = SystemTime::now();
        let headers = |pairs: &[(&'static str, String)]| {
            let mut map = HeaderMap::new();
            for (name, value) in pairs {
                map.insert(*name, value.parse().unwrap());
            }
            map
        };
        assert_eq!(server_delay(&headers(&[("retry-after", "2".into())]), now), Some(Duration::from_secs(2)));
        assert_eq!(
            server_delay(&headers(&[("retry-after", "2".into()), ("retry-after-ms", "250".into())]), now),
            Some(Duration::from_millis(250))
        );
        assert_eq!(server_delay(&headers(&[("retry-after", "120".into())]), now), None);
        assert_eq!(server_delay(&headers(&[("retry-after", "soon".into())]), now), None);
        let in_ten = httpdate::fmt_http_date(now + Duration::from_secs(10));
        let wait = server_delay(&headers(&[("retry-after", in_ten)]), now).unwrap();
        assert!(wait > Duration::from_secs(8) && wait <= Duration::from_secs(10), "{wait:?}");
        let in_an_hour = httpdate::fmt_http_date(now + Duration::from_secs(3600));
        assert_eq!(server_delay(&headers(&[("retry-after", in_an_hour)]), now), None);
    }
}
