//! The error type of every call, and the Conductor error body it carries.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, LOCATION};
use serde::Deserialize;

use crate::headers::{self, REQUEST_ID};
use crate::response::Response;
use crate::string_enum::string_enum;

/// `Result` with [`Error`] as its error type, as returned by every endpoint.
pub type Result<T, E = Error> = std::result::Result<T, E>;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Everything that can go wrong in a call.
///
/// Match on the variant for the broad kind, and use the accessors
/// ([`status`](Error::status), [`code`](Error::code),
/// [`request_id`](Error::request_id),
/// [`user_facing_message`](Error::user_facing_message)) for the details
/// Conductor sent.
///
/// ```
/// # async fn run(client: conductor::Client) {
/// match client.end_users().retrieve("end_usr_123").await {
///     Ok(user) => println!("{}", user.company_name),
///     Err(err) if err.code() == Some("RESOURCE_MISSING") => println!("no such end-user"),
///     Err(err) => eprintln!("{err} (request {:?})", err.request_id()),
/// }
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Conductor answered with a status that is not 2xx.
    #[error(transparent)]
    Api(Box<ApiError>),

    /// The connection could not be made, or broke before the whole response
    /// arrived.
    #[error("connection error: {message}{}", attempts.suffix())]
    #[non_exhaustive]
    Connection {
        /// What failed, with its causes.
        message: String,
        /// The underlying error.
        #[source]
        source: Option<BoxError>,
        /// How many attempts were made, and why there were no more.
        attempts: Attempts,
    },

    /// An attempt exceeded a time limit.
    #[error("{phase} timed out after {limit:?}{}", attempts.suffix())]
    #[non_exhaustive]
    Timeout {
        /// Which limit was hit.
        phase: TimeoutPhase,
        /// The limit.
        limit: Duration,
        /// How many attempts were made, and why there were no more.
        attempts: Attempts,
    },

    /// The response body was larger than the client accepts; it was not read
    /// into memory. For a write answered 2xx, the write happened
    /// ([`Error::write_succeeded`]): do not send it again.
    #[error(
        "the {status} response body is larger than the limit of {limit} bytes{}{}",
        if *write_succeeded { " (the write succeeded: do not send it again)" } else { "" },
        attempts.suffix()
    )]
    #[non_exhaustive]
    ResponseTooLarge {
        /// The HTTP status of the response.
        status: StatusCode,
        /// The limit in bytes.
        limit: u64,
        /// How many attempts were made, and why there were no more.
        attempts: Attempts,
        /// Whether this answered a write with a 2xx status: the write was
        /// carried out.
        write_succeeded: bool,
    },

    /// The response was not the JSON the endpoint declares.
    #[error(transparent)]
    Decode(Box<DecodeError>),

    /// A write (a POST or PATCH) failed after it may have reached the
    /// server: it timed out or lost its connection after sending, or got a
    /// 5xx that does not say QuickBooks refused it. It may have been
    /// carried out, and QuickBooks has no idempotency key, so sending it
    /// again could write it twice: look for what it would have written
    /// first (see the README's recovery recipe).
    #[error(transparent)]
    OutcomeUnknown(Box<OutcomeUnknown>),

    /// An argument could not be put on the wire; nothing was sent.
    #[error("invalid {what}: {reason}; the request was not sent")]
    #[non_exhaustive]
    InvalidInput {
        /// Which argument, as in "path parameter `id`".
        what: String,
        /// Why it was refused.
        reason: String,
    },

    /// The client was configured with a value it cannot use.
    #[error("invalid client configuration: {message}")]
    #[non_exhaustive]
    Config {
        /// What is wrong, and what to do instead.
        message: String,
    },
}

impl Error {
    pub(crate) fn config(message: impl Into<String>) -> Self {
        Error::Config { message: message.into() }
    }

    pub(crate) fn invalid_input(what: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::InvalidInput { what: what.into(), reason: reason.into() }
    }

    pub(crate) fn connection(source: impl Into<BoxError>, attempts: Attempts) -> Self {
        let source = source.into();
        let mut message = source.to_string();
        let mut cause = source.source();
        while let Some(inner) = cause {
            let text = inner.to_string();
            if !message.contains(&text) {
                message.push_str(": ");
                message.push_str(&text);
            }
            cause = inner.source();
        }
        Error::Connection { message, source: Some(source), attempts }
    }

    /// The HTTP status of the response, where there was one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(api) => Some(api.status),
            Error::Decode(decode) => Some(decode.status),
            Error::OutcomeUnknown(unknown) => unknown.error.status(),
            _ => None,
        }
    }

    /// The broad category Conductor gave the error (`INTEGRATION_ERROR`,
    /// `INTEGRATION_CONNECTION_ERROR`, ...), when it sent its error body.
    pub fn error_type(&self) -> Option<&ErrorType> {
        self.details().and_then(|details| details.error_type.as_ref())
    }

    /// QuickBooks' own error number, for a refusal by QuickBooks (`"3140"`
    /// for an invalid reference, `"3100"` for a name in use, `"3200"` for a
    /// stale revision number, ...).
    pub fn integration_code(&self) -> Option<&str> {
        self.details().and_then(|details| details.integration_code.as_deref())
    }

    /// Whether only the end-user can fix this (`INTEGRATION_CONNECTION_ERROR`:
    /// QuickBooks Desktop is closed, the Web Connector is offline, access was
    /// denied). Show them [`user_facing_message`](Error::user_facing_message)
    /// and do not alert your own team: as Conductor advises, these are not
    /// bugs in your integration.
    pub fn is_end_user_fixable(&self) -> bool {
        self.error_type() == Some(&ErrorType::IntegrationConnectionError)
    }

    /// Whether this is a write that may have been carried out although the
    /// call failed: an [`Error::OutcomeUnknown`]. Look for what it would
    /// have written before sending it again.
    pub fn outcome_unknown(&self) -> bool {
        matches!(self, Error::OutcomeUnknown(_))
    }

    /// Whether this is a write that succeeded (a 2xx answer) but whose
    /// answer could not be read: it did not decode (and
    /// [`DecodeError::body`] holds it, `id` and all), or it was over the
    /// client's response limit. The record was written: do not send the
    /// write again.
    pub fn write_succeeded(&self) -> bool {
        match self {
            Error::Decode(decode) => decode.write_succeeded,
            Error::ResponseTooLarge { write_succeeded, .. } => *write_succeeded,
            _ => false,
        }
    }

    /// The decode error, when the answer was not the declared type.
    pub fn as_decode_error(&self) -> Option<&DecodeError> {
        match self {
            Error::Decode(decode) => Some(decode),
            Error::OutcomeUnknown(unknown) => unknown.error.as_decode_error(),
            _ => None,
        }
    }

    /// Conductor's error code, such as `RESOURCE_MISSING` or
    /// `API_KEY_INVALID`.
    pub fn code(&self) -> Option<&str> {
        self.details().and_then(|details| details.code.as_deref())
    }

    /// The id of the request, from the error body or the
    /// `Conductor-Request-Id` header. Quote it when you contact Conductor.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(api) => api.request_id(),
            Error::Decode(decode) => decode.request_id.as_deref(),
            Error::OutcomeUnknown(unknown) => unknown.error.request_id(),
            _ => None,
        }
    }

    /// A message written to be shown to your end-users.
    pub fn user_facing_message(&self) -> Option<&str> {
        self.details().and_then(|details| details.user_facing_message.as_deref())
    }

    /// How many attempts the call made and why it stopped: `Some` for every
    /// error that happened after a request was sent, `None` for input and
    /// configuration errors, where nothing was.
    pub fn attempts(&self) -> Option<Attempts> {
        match self {
            Error::Api(api) => Some(api.attempts),
            Error::Decode(decode) => Some(decode.attempts),
            Error::Connection { attempts, .. }
            | Error::Timeout { attempts, .. }
            | Error::ResponseTooLarge { attempts, .. } => Some(*attempts),
            Error::OutcomeUnknown(unknown) => unknown.error.attempts(),
            Error::InvalidInput { .. } | Error::Config { .. } => None,
        }
    }

    /// The API error, when Conductor answered with a non-2xx status.
    pub fn as_api_error(&self) -> Option<&ApiError> {
        match self {
            Error::Api(api) => Some(api),
            Error::OutcomeUnknown(unknown) => unknown.error.as_api_error(),
            _ => None,
        }
    }

    fn details(&self) -> Option<&ErrorDetails> {
        self.as_api_error().and_then(ApiError::details)
    }
}

/// A write that failed after it may have reached the server, and may have
/// been carried out: see [`Error::OutcomeUnknown`].
#[derive(Debug)]
pub struct OutcomeUnknown {
    pub(crate) method: reqwest::Method,
    pub(crate) path: &'static str,
    pub(crate) error: Error,
}

impl OutcomeUnknown {
    /// The write's method.
    pub fn method(&self) -> &reqwest::Method {
        &self.method
    }

    /// The write's path as declared, such as `/quickbooks-desktop/invoices`.
    pub fn path(&self) -> &'static str {
        self.path
    }

    /// How the call failed: a timeout, a broken connection, or the answer.
    pub fn error(&self) -> &Error {
        &self.error
    }
}

impl fmt::Display for OutcomeUnknown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} may have been carried out: {}. QuickBooks has no idempotency key: before sending it again, \
             look for what it would have written (by its `externalId`)",
            self.method, self.path, self.error
        )
    }
}

impl std::error::Error for OutcomeUnknown {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

/// A non-2xx answer from Conductor.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    headers: HeaderMap,
    body: ApiErrorBody,
    attempts: Attempts,
}

#[derive(Debug)]
enum ApiErrorBody {
    Conductor(ErrorDetails),
    Raw(String),
}

/// The longest raw body kept in an [`ApiError`]; the rest is cut.
const RAW_BODY_LIMIT: usize = 8 * 1024;

impl ApiError {
    pub(crate) fn from_response(response: &Response<Bytes>) -> Self {
        #[derive(Deserialize)]
        struct Envelope {
            error: ErrorDetails,
        }
        let body = response.body();
        let body = match serde_json::from_slice::<Envelope>(body) {
            Ok(envelope) => ApiErrorBody::Conductor(envelope.error),
            Err(_) => {
                let cut = &body[..body.len().min(RAW_BODY_LIMIT)];
                ApiErrorBody::Raw(String::from_utf8_lossy(cut).into_owned())
            }
        };
        ApiError { status: response.status(), headers: response.headers().clone(), body, attempts: response.attempts() }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// How many attempts the call made and why it stopped.
    pub fn attempts(&self) -> Attempts {
        self.attempts
    }

    /// The parsed Conductor error body, when the body was one.
    pub fn details(&self) -> Option<&ErrorDetails> {
        match &self.body {
            ApiErrorBody::Conductor(details) => Some(details),
            ApiErrorBody::Raw(_) => None,
        }
    }

    /// The body as text, when it was not a Conductor error body (for example
    /// an HTML page from a proxy). At most 8 KiB are kept.
    pub fn raw_body(&self) -> Option<&str> {
        match &self.body {
            ApiErrorBody::Conductor(_) => None,
            ApiErrorBody::Raw(raw) => Some(raw),
        }
    }

    /// The request id from the body, else from the `Conductor-Request-Id`
    /// header.
    pub fn request_id(&self) -> Option<&str> {
        self.details()
            .and_then(|details| details.request_id.as_deref())
            .or_else(|| headers::text(&self.headers, REQUEST_ID))
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Everything after the status is the server's text: escaped, so it
        // cannot forge log lines or drive a terminal.
        write!(f, "{}", self.status)?;
        match &self.body {
            ApiErrorBody::Conductor(details) => {
                if let Some(code) = &details.code {
                    write!(f, " {}", one_line(code, 100))?;
                }
                write!(f, ": {}", one_line(&details.message, 500))?;
            }
            ApiErrorBody::Raw(_) if self.status.is_redirection() => match headers::text(&self.headers, LOCATION) {
                Some(location) => write!(f, ": redirect to {} not followed", one_line(location, 200))?,
                None => f.write_str(": redirect not followed")?,
            },
            ApiErrorBody::Raw(raw) if raw.trim().is_empty() => f.write_str(" (empty body)")?,
            ApiErrorBody::Raw(raw) => write!(f, ": {}", one_line(raw, 200))?,
        }
        if let Some(id) = self.request_id() {
            write!(f, " (request {})", one_line(id, 100))?;
        }
        write!(f, "{}", self.attempts.suffix())
    }
}

impl std::error::Error for ApiError {}

/// Server text as one safe line: runs of white space become one space,
/// other control characters (ESC, DEL, C1) and the invisible characters that
/// reorder text are written as escapes such as `\u{1b}`, and the text is cut
/// to `max` characters.
fn one_line(text: &str, max: usize) -> String {
    let mut out = String::new();
    let mut shown = 0;
    for (i, word) in text.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
            shown += 1;
        }
        for c in word.chars() {
            if shown == max {
                out.push('…');
                return out;
            }
            if c.is_control() || is_format_control(c) {
                out.extend(c.escape_unicode());
            } else {
                out.push(c);
            }
            shown += 1;
        }
    }
    out
}

/// Zero-width and bidirectional formatting characters, which make text read
/// differently from what it is.
fn is_format_control(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

/// Which time limit an attempt exceeded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeoutPhase {
    /// Establishing the connection (TCP and TLS) took longer than the
    /// connect timeout; the request was not sent.
    Connect,
    /// The whole attempt, from sending to the last body byte, took longer
    /// than the request timeout.
    Request,
}

impl fmt::Display for TimeoutPhase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimeoutPhase::Connect => "connecting",
            TimeoutPhase::Request => "the request",
        })
    }
}

/// How many attempts a call made, and why it made no more.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Attempts {
    /// Attempts made, the first included.
    pub made: u32,
    /// Why the last failure was not retried; `None` when the last attempt
    /// succeeded.
    pub stop: Option<RetryStop>,
}

impl Default for Attempts {
    fn default() -> Self {
        Attempts { made: 1, stop: None }
    }
}

impl Attempts {
    /// The end of an error message: silent for a single attempt of a failure
    /// that is never retried.
    fn suffix(&self) -> AttemptsSuffix {
        AttemptsSuffix(*self)
    }
}

struct AttemptsSuffix(Attempts);

impl fmt::Display for AttemptsSuffix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Attempts { made, stop } = self.0;
        let plural = if made == 1 { "attempt" } else { "attempts" };
        match stop {
            Some(RetryStop::Exhausted) => write!(f, "; gave up after {made} {plural}"),
            Some(RetryStop::NonIdempotent) => write!(
                f,
                "; not retried after {made} {plural}: the request is not idempotent and may have reached \
                 the server, so a retry could apply it twice"
            ),
            Some(RetryStop::CursorPage) => write!(
                f,
                "; not retried after {made} {plural}: it carries a list's cursor, and each request that does \
                 returns the next page, so a retry could skip one; start the list again"
            ),
            Some(RetryStop::ServerDeclined) => {
                write!(f, "; not retried after {made} {plural}: the server sent `x-should-retry: false`")
            }
            Some(RetryStop::IntegrationError) => {
                write!(f, "; not retried: QuickBooks refused the request, and would refuse it again")
            }
            Some(RetryStop::EndUserAction) => write!(
                f,
                "; not retried: the end-user's QuickBooks connection failed, and only they can fix it (show them \
                 the user-facing message)"
            ),
            Some(RetryStop::ConnectionNotSetUp) => {
                write!(f, "; not retried: the end-user has no active QuickBooks connection to send it through")
            }
            Some(RetryStop::QuickBooksTimeout) => {
                write!(f, "; not retried: QuickBooks did not answer in time and may still be working on the request")
            }
            _ if made > 1 => write!(f, " ({made} {plural})"),
            _ => Ok(()),
        }
    }
}

/// Why a failed call was not tried again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RetryStop {
    /// The failure is never retried (a 4xx other than 408, 409 and 429, a
    /// redirect, an oversized body).
    NotRetryable,
    /// The server answered `x-should-retry: false`.
    ServerDeclined,
    /// The request is not idempotent (a POST or PATCH) and may have reached
    /// the server, so a retry could apply it twice. Opt in with
    /// `ClientBuilder::retry_non_idempotent` or
    /// `RequestOptions::retry_non_idempotent` where a repeat is harmless.
    NonIdempotent,
    /// Every allowed retry was used.
    Exhausted,
    /// Retries are off (`max_retries` is 0).
    Disabled,
    /// QuickBooks refused the request (type `INTEGRATION_ERROR`, such as
    /// `QBD_REQUEST_ERROR`): it would refuse it again.
    IntegrationError,
    /// The end-user's QuickBooks connection failed (type
    /// `INTEGRATION_CONNECTION_ERROR`): QuickBooks closed, the Web Connector
    /// offline, access denied. Only the end-user can fix it, and retrying
    /// within seconds only delays telling them.
    EndUserAction,
    /// The end-user never finished the auth flow, or their connection is no
    /// longer active (`INTEGRATION_CONNECTION_NOT_SET_UP`,
    /// `INTEGRATION_CONNECTION_NOT_ACTIVE`).
    ConnectionNotSetUp,
    /// QuickBooks did not answer in time (`QBD_REQUEST_TIMEOUT`) and may
    /// still be working on the request: sending it again would queue it
    /// behind itself.
    QuickBooksTimeout,
    /// A page request that carries a list's cursor, which is never sent
    /// twice: each request that sends the cursor returns the next page, so a
    /// repeat could skip one. `retry_non_idempotent` and `x-should-retry` do
    /// not change this; start the list again instead.
    CursorPage,
}

/// The `error` object of Conductor's error body:
/// `{"error":{"message":...,"userFacingMessage":...,"type":...,"code":...,...}}`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ErrorDetails {
    /// The developer error message, for your logs.
    pub message: String,
    /// A message written to be shown to your end-users.
    #[serde(default)]
    pub user_facing_message: Option<String>,
    /// The broad category of the error.
    #[serde(default, rename = "type")]
    pub error_type: Option<ErrorType>,
    /// The specific error code, such as `RESOURCE_MISSING`.
    #[serde(default)]
    pub code: Option<String>,
    /// The HTTP status Conductor reports in the body.
    #[serde(default)]
    pub http_status_code: Option<u16>,
    /// The error code of the integration (for example QuickBooks Desktop),
    /// for errors the integration returned.
    #[serde(default, deserialize_with = "integration_code")]
    pub integration_code: Option<String>,
    /// The id of the request that failed.
    #[serde(default)]
    pub request_id: Option<String>,
}

/// Integration codes arrive as numbers or strings; both are kept as text.
fn integration_code<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<serde_json::Value>::deserialize(deserializer)? {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) => Some(s),
        Some(other) => Some(other.to_string()),
    })
}

string_enum! {
    /// The broad category of a Conductor error.
    pub enum ErrorType {
        /// The integration (QuickBooks Desktop) returned an error.
        IntegrationError = "INTEGRATION_ERROR",
        /// The connection to the integration failed.
        IntegrationConnectionError = "INTEGRATION_CONNECTION_ERROR",
        /// The request was invalid.
        InvalidRequestError = "INVALID_REQUEST_ERROR",
        /// The API key was missing or wrong.
        AuthenticationError = "AUTHENTICATION_ERROR",
        /// The API key may not do this.
        PermissionError = "PERMISSION_ERROR",
        /// Conductor failed internally.
        InternalError = "INTERNAL_ERROR",
    }
}

/// A response body that did not decode into the declared type.
#[derive(Debug)]
pub struct DecodeError {
    pub(crate) status: StatusCode,
    pub(crate) path: String,
    pub(crate) message: String,
    pub(crate) request_id: Option<String>,
    pub(crate) attempts: Attempts,
    /// The body that failed to decode, as it arrived (within the client's
    /// response limit).
    pub(crate) body: Bytes,
    /// A write answered with 2xx: it was carried out.
    pub(crate) write_succeeded: bool,
}

impl DecodeError {
    /// The body that failed to decode, exactly as it arrived (never more
    /// than the client's `max_response_bytes`): to log it, or to read what
    /// the schema did not expect, such as the `id` of a record that was
    /// created.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// Whether the request was a write that succeeded (a 2xx answer): the
    /// record was written, and [`body`](DecodeError::body) holds it.
    pub fn write_succeeded(&self) -> bool {
        self.write_succeeded
    }

    /// The HTTP status of the response.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// Where in the body decoding failed, as in `data[0].email`; empty when
    /// the body as a whole was wrong (empty, not JSON, truncated).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What was wrong there.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// How many attempts the call made before this response arrived.
    pub fn attempts(&self) -> Attempts {
        self.attempts
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The path, the message and the id can all quote the server's text.
        if self.write_succeeded {
            write!(f, "the write succeeded ({}) but its answer could not be decoded", self.status)?;
        } else {
            write!(f, "could not decode the {} response", self.status)?;
        }
        if !self.path.is_empty() {
            write!(f, " at `{}`", one_line(&self.path, 200))?;
        }
        write!(f, ": {}", one_line(&self.message, 500))?;
        if let Some(id) = &self.request_id {
            write!(f, " (request {})", one_line(id, 100))?;
        }
        if self.write_succeeded {
            f.write_str("; the record written is in `DecodeError::body()`")?;
        }
        write!(f, "{}", self.attempts.suffix())
    }
}

impl std::error::Error for DecodeError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_is_small() {
        assert!(std::mem::size_of::<Error>() <= 56, "{}", std::mem::size_of::<Error>());
    }

    #[test]
    fn one_line_collapses_escapes_and_cuts() {
        assert_eq!(one_line("a\n  b\tc", 10), "a b c");
        assert_eq!(one_line("abcdef", 3), "abc…");
        assert_eq!(one_line("\u{1b}[31mred\u{7f}", 50), "\\u{1b}[31mred\\u{7f}");
        assert_eq!(one_line("safe\u{202e}txt.exe", 50), "safe\\u{202e}txt.exe");
        assert_eq!(one_line("ab\u{1b}cd", 3), "ab\\u{1b}…");
    }
}
