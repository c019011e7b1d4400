//! What a declared method does with the request it built: send it and
//! decode the answer as the declared type, or stream its pages.

use serde::de::DeserializeOwned;

use crate::Result;
use crate::decode::{FromList, FromPage, FromResponse};
use crate::request::RequestBuilder;
use crate::stream::CursorStream;
use crate::transport::{PageTransport, Transport};

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

/// Sends the request and decodes one page of `T`.
pub async fn send_page<S, T, R>(transport: &S, request: RequestBuilder) -> Result<R>
where
    S: Transport + ?Sized,
    R: FromPage<T>,
{
    R::from_page(transport.send(request.build()?).await?)
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
