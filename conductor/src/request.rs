//! [`Request`], a call as plain data, and the [`RequestBuilder`] that
//! declared methods fill from their arguments.

use std::fmt::{Display, Write as _};

use bytes::Bytes;
use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderName};
use serde::Serialize;

use crate::{Error, Result, encode, headers};

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

impl Request {
    /// Replaces the `cursor` query parameter, leaving every other part as it
    /// is: how a page stream asks for the next page.
    pub(crate) fn set_cursor(&mut self, cursor: String) {
        self.query.retain(|(name, _)| name != "cursor");
        self.query.push(("cursor".to_owned(), cursor));
    }
}

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
        let result = (crate::finite::check(value).map_err(|e| e.to_string()))
            .and_then(|()| serde_json::to_value(value).map_err(|e| e.to_string()))
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
        if let Err(error) = crate::finite::check(value) {
            return self.fail(Error::invalid_input("request body", error.to_string()));
        }
        match serde_json::to_vec(value) {
            Ok(body) => self.request.body = Some(Bytes::from(body)),
            Err(e) => self.fail(Error::invalid_input("request body", e.to_string())),
        }
    }

    pub(crate) fn build(self) -> Result<Request> {
        match self.error {
            Some(error) => Err(error),
            None => Ok(self.request),
        }
    }
}
