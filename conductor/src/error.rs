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
    /// into memory.
    #[error("the {status} response body is larger than the limit of {limit} bytes{}", attempts.suffix())]
    #[non_exhaustive]
    ResponseTooLarge {
        /// The HTTP status of the response.
        status: StatusCode,
        /// The limit in bytes.
        limit: u64,
        /// How many attempts were made, and why there were no more.
        attempts: Attempts,
    },

    /// The response was not the JSON the endpoint declares.
    #[error(transparent)]
    Decode(Box<DecodeError>),

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
            Error::InvalidInput { .. } | Error::Config { .. } => None,
        }
    }

    /// The API error, when Conductor answered with a non-2xx status.
    pub fn as_api_error(&self) -> Option<&ApiError> {
        match self {
            Error::Api(api) => Some(api),
            _ => None,
        }
    }

    fn details(&self) -> Option<&ErrorDetails> {
        self.as_api_error().and_then(ApiError::details)
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
                 the server, so a retry could apply it twice (opt in with `retry_non_idempotent`)"
            ),
            Some(RetryStop::ServerDeclined) => {
                write!(f, "; not retried after {made} {plural}: the server sent `x-should-retry: false`")
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
    /// The request is not idempotent (POST, PATCH, or a page request that
    /// sends a list's cursor, which returns the next page each time) and may
    /// have reached the server, so a retry could apply it twice or skip a
    /// page. Opt in with
    /// `ClientBuilder::retry_non_idempotent` or
    /// `RequestOptions::retry_non_idempotent`.
    NonIdempotent,
    /// Every allowed retry was used.
    Exhausted,
    /// Retries are off (`max_retries` is 0).
    Disabled,
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
}

impl DecodeError {
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
        write!(f, "could not decode the {} response", self.status)?;
        if !self.path.is_empty() {
            write!(f, " at `{}`", one_line(&self.path, 200))?;
        }
        write!(f, ": {}", one_line(&self.message, 500))?;
        if let Some(id) = &self.request_id {
            write!(f, " (request {})", one_line(id, 100))?;
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
