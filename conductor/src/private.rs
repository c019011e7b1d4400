//! What `#[api]` expansions call. Not public API: names here may change in
//! any release.

use std::fmt::{Display, Write as _};

use bytes::Bytes;
use serde::Serialize;
use serde::de::DeserializeOwned;

pub use reqwest::Method;
use reqwest::header::HeaderMap;
pub use reqwest::header::HeaderName;

use crate::transport::{Request, Response, Transport};
use crate::{Error, Result, decode, encode, headers};

/// Builds a [`Request`] from a method's arguments. The first invalid
/// argument is kept and reported when the request would be sent, so nothing
/// is sent.
pub struct RequestBuilder {
    request: Request,
    error: Option<Error>,
}

impl RequestBuilder {
    /// A request for `template`, with an empty path to be filled in.
    pub fn new(method: Method, template: &'static str) -> Self {
        RequestBuilder {
            request: Request {
                method,
                path_template: template,
                path: String::with_capacity(template.len() + 16),
                query: Vec::new(),
                headers: HeaderMap::new(),
                body: None,
            },
            error: None,
        }
    }

    fn fail(&mut self, error: Error) {
        if self.error.is_none() {
            self.error = Some(error);
        }
    }

    /// Appends literal path text from the template.
    pub fn path_literal(&mut self, text: &'static str) {
        self.request.path.push_str(text);
    }

    /// Appends one path segment, percent-encoded.
    pub fn path_param(&mut self, name: &'static str, value: &dyn Display) {
        let mut text = String::new();
        // Writing to a String cannot fail; a Display impl that errors leaves
        // the text empty, which is refused below.
        let _ = write!(text, "{value}");
        if let Err(reason) = encode::path_segment(&mut self.request.path, &text) {
            self.fail(Error::invalid_input(format!("path parameter `{name}` ({text:?})"), reason));
        }
    }

    /// Adds the query pairs of one `#[query]` argument.
    pub fn query<V: Serialize + ?Sized>(&mut self, name: &'static str, value: &V) {
        let result = serde_json::to_value(value)
            .map_err(|e| e.to_string())
            .and_then(|value| encode::query_pairs(&mut self.request.query, name, value));
        if let Err(reason) = result {
            self.fail(Error::invalid_input(format!("query parameter `{name}`"), reason));
        }
    }

    /// Sets one header from a `#[header]` argument.
    pub fn header(&mut self, name: HeaderName, value: &dyn Display) {
        match headers::checked_value(&name, &value.to_string()) {
            Ok(value) => {
                self.request.headers.insert(name, value);
            }
            Err(reason) => self.fail(Error::invalid_input(format!("header `{name}`"), reason)),
        }
    }

    /// Serializes the `#[body]` argument as JSON.
    pub fn json_body<V: Serialize + ?Sized>(&mut self, value: &V) {
        match serde_json::to_vec(value) {
            Ok(body) => self.request.body = Some(Bytes::from(body)),
            Err(e) => self.fail(Error::invalid_input("request body", e.to_string())),
        }
    }

    fn build(self) -> Result<Request> {
        match self.error {
            Some(error) => Err(error),
            None => Ok(self.request),
        }
    }
}

/// What a declared method may return inside `Result<_>`: the decoded body,
/// or a [`Response`] around it.
pub trait FromResponse: Sized {
    /// Decodes a response; a non-2xx status is an [`Error::Api`].
    fn from_response(response: Response<Bytes>) -> Result<Self>;
}

impl<T: DeserializeOwned> FromResponse for T {
    fn from_response(response: Response<Bytes>) -> Result<Self> {
        decode::json(&response)
    }
}

impl<T: DeserializeOwned> FromResponse for Response<T> {
    fn from_response(response: Response<Bytes>) -> Result<Self> {
        let body = decode::json(&response)?;
        Ok(response.map(|_| body))
    }
}

/// What a `list_of = T` method may return inside `Result<_>`: the items, or
/// a [`Response`] around them.
#[diagnostic::on_unimplemented(
    message = "`list_of = {T}` returns `Vec<{T}>`, but the method declares `{Self}`",
    label = "the items of the list are `{T}`",
    note = "declare the return type as `conductor::Result<Vec<{T}>>` or `conductor::Result<conductor::Response<Vec<{T}>>>`"
)]
pub trait FromList<T>: Sized {
    /// Decodes a list envelope; a non-2xx status is an [`Error::Api`].
    fn from_list(response: Response<Bytes>) -> Result<Self>;
}

impl<T: DeserializeOwned> FromList<T> for Vec<T> {
    fn from_list(response: Response<Bytes>) -> Result<Self> {
        decode::list(&response)
    }
}

impl<T: DeserializeOwned> FromList<T> for Response<Vec<T>> {
    fn from_list(response: Response<Bytes>) -> Result<Self> {
        let items = decode::list(&response)?;
        Ok(response.map(|_| items))
    }
}

/// Sends the request and decodes the answer as `R`.
pub async fn send_json<S, R>(transport: &S, request: RequestBuilder) -> Result<R>
where
    S: Transport + ?Sized,
    R: FromResponse,
{
    R::from_response(transport.send(request.build()?).await?)
}

/// Sends the request and decodes the `data` of a list envelope of `T`.
pub async fn send_list<S, T, R>(transport: &S, request: RequestBuilder) -> Result<R>
where
    S: Transport + ?Sized,
    R: FromList<T>,
{
    R::from_list(transport.send(request.build()?).await?)
}
