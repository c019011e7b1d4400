//! [`Response`]: status, headers, attempts and a body.

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::Attempts;
use crate::headers::{self, REQUEST_ID};

/// A response: status, headers and body.
///
/// Transports return `Response<Bytes>`. Declare an endpoint as returning
/// `Result<conductor::Response<T>>` instead of `Result<T>` to get the decoded
/// body together with the status, headers and request id; it dereferences to
/// the body.
///
/// ```
/// use conductor::{Response, Result, Transport, api};
///
/// pub trait Widgets: Transport {
///     #[api(get = "/widgets/{id}")]
///     async fn widget_with_meta(&self, id: &str) -> Result<Response<serde_json::Value>>;
///
///     #[api(get = "/widgets", list_of = serde_json::Value)]
///     async fn widgets_with_meta(&self) -> Result<Response<Vec<serde_json::Value>>>;
/// }
/// ```
#[derive(Clone, Debug)]
pub struct Response<T> {
    status: StatusCode,
    headers: HeaderMap,
    attempts: Attempts,
    /// The method and path template of the write (a POST or PATCH) it
    /// answers; `None` for a read.
    write: Option<(reqwest::Method, &'static str)>,
    body: T,
}

impl<T> Response<T> {
    /// A response from its parts, as received in one attempt.
    pub fn new(status: StatusCode, headers: HeaderMap, body: T) -> Self {
        Response { status, headers, attempts: Attempts::default(), write: None, body }
    }

    /// The response as a call ends with it: after `attempts`, to a write
    /// (its method and path template) or not.
    pub(crate) fn of_call(mut self, attempts: Attempts, write: Option<(reqwest::Method, &'static str)>) -> Self {
        self.attempts = attempts;
        self.write = write;
        self
    }

    /// The write it answers, when it answers one.
    pub(crate) fn write(&self) -> Option<&(reqwest::Method, &'static str)> {
        self.write.as_ref()
    }

    /// How many attempts the call took.
    pub fn attempts(&self) -> Attempts {
        self.attempts
    }

    /// The same status, headers and attempts around another body.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response {
            status: self.status,
            headers: self.headers,
            attempts: self.attempts,
            write: self.write,
            body: f(self.body),
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The `Conductor-Request-Id` header, when present.
    pub fn request_id(&self) -> Option<&str> {
        headers::text(&self.headers, REQUEST_ID)
    }

    /// The body.
    pub fn body(&self) -> &T {
        &self.body
    }

    /// The body, taking the response apart.
    pub fn into_body(self) -> T {
        self.body
    }

    /// Status, headers and body.
    pub fn into_parts(self) -> (StatusCode, HeaderMap, T) {
        (self.status, self.headers, self.body)
    }
}

impl<T> std::ops::Deref for Response<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.body
    }
}
