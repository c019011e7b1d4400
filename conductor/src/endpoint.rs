//! What a declared method does with the request it built: send it and
//! decode the answer as the declared type, or stream its pages.

use std::future::Future;

use bytes::Bytes;
use futures_util::FutureExt;
use futures_util::future::Either;
use serde::de::DeserializeOwned;

use crate::Result;
use crate::decode::{FromList, FromPage, FromResponse};
use crate::request::RequestBuilder;
use crate::response::Response;
use crate::stream::CursorStream;
use crate::transport::{PageTransport, Transport};

/// Sends the request and decodes the answer as `R`.
pub fn send_json<S, R>(transport: &S, request: RequestBuilder) -> impl Future<Output = Result<R>> + Send
where
    S: Transport + ?Sized,
    R: FromResponse,
{
    sent(transport, request).map(|response| R::from_response(response?))
}

/// Sends the request and decodes the `data` of a list envelope of `T`.
pub fn send_list<S, T, R>(transport: &S, request: RequestBuilder) -> impl Future<Output = Result<R>> + Send
where
    S: Transport + ?Sized,
    R: FromList<T>,
{
    sent(transport, request).map(|response| R::from_list(response?))
}

/// Sends the request and decodes one page of `T`.
pub fn send_page<S, T, R>(transport: &S, request: RequestBuilder) -> impl Future<Output = Result<R>> + Send
where
    S: Transport + ?Sized,
    R: FromPage<T>,
{
    sent(transport, request).map(|response| R::from_page(response?))
}

/// The response to the request, or the error that kept it from being built.
/// The futures here are plain values rather than `async` blocks, so the one
/// the transport returns is stored once, in place.
fn sent<S: Transport + ?Sized>(
    transport: &S,
    request: RequestBuilder,
) -> impl Future<Output = Result<Response<Bytes>>> + Send {
    match request.build() {
        Ok(request) => Either::Left(transport.send(request)),
        Err(error) => Either::Right(std::future::ready(Err(error))),
    }
}

/// Every item across the pages of the request, as a stream over an owned
/// handle on the transport; a request that could not be built is the
/// stream's one item.
pub fn page_stream<S, T>(transport: &S, request: RequestBuilder) -> CursorStream<T>
where
    S: PageTransport + ?Sized,
    T: DeserializeOwned + Send + 'static,
{
    match request.build() {
        Ok(request) => CursorStream::new(transport.owned_transport(), request),
        Err(error) => CursorStream::failed(error),
    }
}
