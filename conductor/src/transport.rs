//! The seam between declared endpoints and the network: [`Transport`], the
//! [`Request`] it is given and the [`Response`] it returns.

use std::future::Future;
use std::sync::Arc;

use bytes::Bytes;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};

use crate::{Attempts, Result};

/// What `#[api]` methods send their requests through.
///
/// [`Client`](crate::Client) implements it over HTTP. Implement it on your own
/// type to wrap a client (to add headers, count calls, or route to a test
/// double); every `#[api]` trait then works on that type too:
///
/// ```
/// use conductor::{Client, Request, Response, Result, Transport};
///
/// /// A client that logs every path it calls.
/// struct Logged(Client);
///
/// impl Transport for Logged {
///     async fn send(&self, request: Request) -> Result<Response<bytes::Bytes>> {
///         println!("{} {}", request.method(), request.path());
///         self.0.send(request).await
///     }
/// }
/// # fn _assert_transport<T: Transport>() {}
/// # fn _check() { _assert_transport::<Logged>(); }
/// ```
///
/// A transport returns the response whatever its status; the caller turns a
/// non-2xx status into [`Error::Api`](crate::Error::Api).
pub trait Transport: Send + Sync {
    /// Sends one request and returns the whole response.
    fn send(&self, request: Request) -> impl Future<Output = Result<Response<Bytes>>> + Send;
}

impl<T: Transport + ?Sized> Transport for &T {
    fn send(&self, request: Request) -> impl Future<Output = Result<Response<Bytes>>> + Send {
        (**self).send(request)
    }
}

impl<T: Transport + ?Sized> Transport for Arc<T> {
    fn send(&self, request: Request) -> impl Future<Output = Result<Response<Bytes>>> + Send {
        (**self).send(request)
    }
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn send(&self, request: Request) -> impl Future<Output = Result<Response<Bytes>>> + Send {
        (**self).send(request)
    }
}

/// A request as plain data, built before any I/O: the path is already
/// percent-encoded, the body already serialized. Cloning it is cheap, so a
/// transport can send it again on retry.
#[derive(Clone, Debug)]
pub struct Request {
    pub(crate) method: Method,
    pub(crate) path_template: &'static str,
    pub(crate) path: String,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Option<Bytes>,
}

impl Request {
    /// The HTTP method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The path as declared, such as `/end-users/{id}`.
    pub fn path_template(&self) -> &'static str {
        self.path_template
    }

    /// The path with its values filled in and percent-encoded, relative to
    /// the base URL, such as `/end-users/end_usr_1`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The query parameters, decoded, in the order they are sent. Arrays
    /// appear as one pair per element.
    pub fn query(&self) -> &[(String, String)] {
        &self.query
    }

    /// The query string without the leading `?`, percent-encoded (spaces as
    /// `%20`); empty when there are no parameters.
    pub fn query_string(&self) -> String {
        crate::encode::query_string(&self.query)
    }

    /// Headers of this call (not the client's defaults or its
    /// `Authorization`, which the transport adds).
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The JSON body, when the endpoint has one.
    pub fn body(&self) -> Option<&Bytes> {
        self.body.as_ref()
    }
}

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
    body: T,
}

impl<T> Response<T> {
    /// A response from its parts, as received in one attempt.
    pub fn new(status: StatusCode, headers: HeaderMap, body: T) -> Self {
        Response { status, headers, attempts: Attempts::default(), body }
    }

    pub(crate) fn with_attempts(mut self, attempts: Attempts) -> Self {
        self.attempts = attempts;
        self
    }

    /// How many attempts the call took.
    pub fn attempts(&self) -> Attempts {
        self.attempts
    }

    /// The same status, headers and attempts around another body.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response { status: self.status, headers: self.headers, attempts: self.attempts, body: f(self.body) }
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
        crate::headers::text(&self.headers, crate::headers::REQUEST_ID)
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
