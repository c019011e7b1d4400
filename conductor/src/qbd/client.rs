//! The QuickBooks Desktop client of one end-user: [`Qbd`], from
//! [`Client::qbd`], and [`QbdClient`], from [`Qbd::for_end_user`].
//!
//! Every call sends the end-user's id as `Conductor-End-User-Id`. An id that
//! is not of Conductor's form (`end_usr_` and letters or digits) fails every
//! call with [`Error::InvalidInput`] before anything is sent.

use std::future::Future;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::future::Either;
use reqwest::header::HeaderValue;

use crate::headers::END_USER_ID;
use crate::{Client, Error, Request, Response, Result, Transport};
pub use crate::{CursorPage, CursorStream};

/// The QuickBooks Desktop endpoints of a client: pick the end-user with
/// [`for_end_user`](Qbd::for_end_user).
#[derive(Clone, Copy, Debug)]
pub struct Qbd<'a> {
    client: &'a Client,
}

impl Client {
    /// The QuickBooks Desktop endpoints.
    pub fn qbd(&self) -> Qbd<'_> {
        Qbd { client: self }
    }
}

impl Qbd<'_> {
    /// A client whose every call is made for `end_user_id`. It shares the
    /// connection pool; keep it, clone it, move it into tasks.
    pub fn for_end_user(&self, end_user_id: &str) -> QbdClient {
        QbdClient::new(self.client.clone(), end_user_id)
    }
}

/// A transport that sends every request for one end-user; its methods
/// (`invoices()`, `customers()`, ...) are the QuickBooks Desktop resources.
#[derive(Clone, Debug)]
pub struct QbdClient<T = Client> {
    transport: T,
    end_user: std::result::Result<HeaderValue, Arc<str>>,
}

impl<T: Transport> QbdClient<T> {
    /// A client over any transport, such as a wrapper of your own around a
    /// [`Client`].
    pub fn new(transport: T, end_user_id: &str) -> Self {
        QbdClient { transport, end_user: end_user_header(end_user_id) }
    }

    /// The end-user this client calls for, when the id was valid.
    pub fn end_user_id(&self) -> Option<&str> {
        self.end_user.as_ref().ok().and_then(|value| value.to_str().ok())
    }
}

fn end_user_header(id: &str) -> std::result::Result<HeaderValue, Arc<str>> {
    let valid = id
        .strip_prefix("end_usr_")
        .is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric()));
    if !valid {
        return Err(format!("{id:?} is not a Conductor end-user id; they look like \"end_usr_1234567abcdefg\"").into());
    }
    HeaderValue::from_str(id).map_err(|_| Arc::from("the end-user id cannot be a header value"))
}

impl<T: Transport> Transport for QbdClient<T> {
    fn send(&self, mut request: Request) -> impl Future<Output = Result<Response<Bytes>>> + Send {
        // Either future is kept in place: an `async` block would keep the
        // request beside the future it moved into.
        match &self.end_user {
            Ok(value) => {
                request.headers.insert(END_USER_ID, value.clone());
                Either::Left(self.transport.send(request))
            }
            Err(reason) => {
                Either::Right(std::future::ready(Err(Error::invalid_input("end-user id", reason.to_string()))))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn end_user_ids_are_checked() {
        assert!(end_user_header("end_usr_1234567abcdefg").is_ok());
        for bad in ["", "end_usr_", "usr_123", "end_usr_12 3", "end_usr_1\r\n", "80000001-1234567890"] {
            assert!(end_user_header(bad).is_err(), "{bad:?}");
        }
    }
}
