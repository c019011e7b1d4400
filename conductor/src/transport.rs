//! The seam between declared endpoints and the network: [`Transport`], and
//! [`PageTransport`] for transports a page stream can keep.

use std::future::Future;
use std::sync::Arc;

use bytes::Bytes;

use crate::Result;
use crate::request::Request;
use crate::response::Response;

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

/// A transport a page stream can keep while it fetches pages in a task of
/// its own: it gives an owned, `'static` handle on itself.
///
/// Every transport that is `Clone + 'static`, such as
/// [`Client`](crate::Client), [`QbdClient`](crate::qbd::QbdClient) or an
/// `Arc` of your own transport, has it; the resource handles
/// (`client.end_users()`, `qbd.invoices()`) give their client's. The stream
/// method of a `pages_of` endpoint needs it.
#[diagnostic::on_unimplemented(
    message = "a page stream cannot keep `{Self}`: it is not `Clone + 'static`",
    label = "the `pages_of` stream method needs an owned handle on this transport",
    note = "derive `Clone` on the transport (a `Client` inside is cheap to clone), or implement `conductor::PageTransport`"
)]
pub trait PageTransport: Transport {
    /// The transport the stream keeps.
    type Owned: Transport + Clone + 'static;

    /// An owned handle on this transport.
    fn owned_transport(&self) -> Self::Owned;
}

impl<T: Transport + Clone + 'static> PageTransport for T {
    type Owned = T;

    fn owned_transport(&self) -> T {
        self.clone()
    }
}
