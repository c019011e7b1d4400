//! Turns a response into the declared type, or into a typed error naming what
//! was wrong: the traits a declared method's return type goes through, and
//! the decoding they share.

use bytes::Bytes;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, DecodeError, OutcomeUnknown};
use crate::page::CursorPage;
use crate::response::Response;
use crate::{Error, Result};

/// What a declared method may return inside `Result<_>`: the decoded body,
/// or a [`Response`] around it.
pub trait FromResponse: Sized {
    /// Decodes a response; a non-2xx status is an [`Error::Api`].
    fn from_response(response: Response<Bytes>) -> Result<Self>;
}

impl<T: DeserializeOwned> FromResponse for T {
    fn from_response(response: Response<Bytes>) -> Result<Self> {
        json(&response)
    }
}

impl<T: DeserializeOwned> FromResponse for Response<T> {
    fn from_response(response: Response<Bytes>) -> Result<Self> {
        let body = json(&response)?;
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
        list(&response)
    }
}

impl<T: DeserializeOwned> FromList<T> for Response<Vec<T>> {
    fn from_list(response: Response<Bytes>) -> Result<Self> {
        let items = list(&response)?;
        Ok(response.map(|_| items))
    }
}

/// What a `pages_of = T` method may return inside `Result<_>`: one page, or
/// a [`Response`] around it.
#[diagnostic::on_unimplemented(
    message = "`pages_of = {T}` returns `CursorPage<{T}>`, but the method declares `{Self}`",
    label = "the items of the pages are `{T}`",
    note = "declare the return type as `conductor::Result<conductor::CursorPage<{T}>>` or `conductor::Result<conductor::Response<conductor::CursorPage<{T}>>>`"
)]
pub trait FromPage<T>: Sized {
    /// Decodes one page; a non-2xx status is an [`Error::Api`].
    fn from_page(response: Response<Bytes>) -> Result<Self>;
}

impl<T: DeserializeOwned> FromPage<T> for CursorPage<T> {
    fn from_page(response: Response<Bytes>) -> Result<Self> {
        json(&response)
    }
}

impl<T: DeserializeOwned> FromPage<T> for Response<CursorPage<T>> {
    fn from_page(response: Response<Bytes>) -> Result<Self> {
        let page = json(&response)?;
        Ok(response.map(|_| page))
    }
}

/// Decodes a 2xx body as `T`; any other status is an [`Error::Api`].
pub(crate) fn json<T: DeserializeOwned>(response: &Response<Bytes>) -> Result<T> {
    check_status(response)?;
    body(response)
}

/// Decodes the body as `T`, whatever the status (already checked).
pub(crate) fn body<T: DeserializeOwned>(response: &Response<Bytes>) -> Result<T> {
    // The fast path decodes without tracking where it is; only a failure pays
    // for a second pass that finds the failing field's path.
    serde_json::from_slice(response.body()).map_err(|_| locate_error::<T>(response))
}

/// Decodes a 2xx list envelope `{"objectType":"list","data":[...]}`.
pub(crate) fn list<T: DeserializeOwned>(response: &Response<Bytes>) -> Result<Vec<T>> {
    json::<CursorPage<T>>(response).map(|page| page.data)
}

pub(crate) fn check_status(response: &Response<Bytes>) -> Result<()> {
    if response.status().is_success() {
        return Ok(());
    }
    let error = Error::Api(Box::new(ApiError::from_response(response)));
    // A write answered with a 5xx that does not say it was refused may
    // have been carried out.
    match response.write() {
        Some((method, path)) if crate::retry::answer_leaves_outcome_unknown(response) => {
            Err(Error::OutcomeUnknown(Box::new(OutcomeUnknown { method: method.clone(), path, error })))
        }
        _ => Err(error),
    }
}

fn locate_error<T: DeserializeOwned>(response: &Response<Bytes>) -> Error {
    let mut deserializer = serde_json::Deserializer::from_slice(response.body());
    let (path, message) = match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
        Err(error) => {
            let path = error.path().to_string();
            let path = if path == "." { String::new() } else { path };
            (path, error.into_inner().to_string())
        }
        Ok(_) => match deserializer.end() {
            Err(error) => (String::new(), error.to_string()),
            Ok(()) => (String::new(), "the body did not decode".to_owned()),
        },
    };
    let message = if response.body().is_empty() { "the body is empty".to_owned() } else { message };
    invalid(response, path, message)
}

/// A decode error naming where in the body of `response` it was wrong
/// (empty for the body as a whole) and what was wrong there.
pub(crate) fn invalid(response: &Response<Bytes>, path: impl Into<String>, message: impl Into<String>) -> Error {
    Error::Decode(Box::new(DecodeError {
        status: response.status(),
        path: path.into(),
        message: message.into(),
        request_id: response.request_id().map(str::to_owned),
        attempts: response.attempts(),
        body: response.body().clone(),
        write_succeeded: response.write().is_some() && response.status().is_success(),
    }))
}
