//! The connect timeout: a layer around reqwest's connector, so the limit
//! covers TCP and TLS and a timeout is known to have happened before the
//! request was sent. The limit of the current call is read from a task-local
//! when the connection is started, so each call can set its own.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tower_layer::Layer;
use tower_service::Service;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

tokio::task_local! {
    /// The connect timeout of the call being made on this task.
    pub(crate) static CONNECT_TIMEOUT: Duration;
}

/// The error a connection attempt fails with when it runs out of time.
#[derive(Debug)]
pub(crate) struct ConnectTimedOut(pub(crate) Duration);

impl fmt::Display for ConnectTimedOut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "connecting timed out after {:?}", self.0)
    }
}

impl std::error::Error for ConnectTimedOut {}

/// Finds a [`ConnectTimedOut`] among an error's causes.
pub(crate) fn connect_timeout_of(error: &(dyn std::error::Error + 'static)) -> Option<Duration> {
    let mut cause = Some(error);
    while let Some(error) = cause {
        if let Some(ConnectTimedOut(limit)) = error.downcast_ref::<ConnectTimedOut>() {
            return Some(*limit);
        }
        cause = error.source();
    }
    None
}

#[derive(Clone)]
pub(crate) struct ConnectTimeoutLayer {
    /// Used when no call has set a limit (a connection opened outside
    /// `Client::send`).
    pub(crate) default: Duration,
}

impl<S> Layer<S> for ConnectTimeoutLayer {
    type Service = ConnectTimeout<S>;

    fn layer(&self, inner: S) -> Self::Service {
        ConnectTimeout { inner, default: self.default }
    }
}

#[derive(Clone)]
pub(crate) struct ConnectTimeout<S> {
    inner: S,
    default: Duration,
}

impl<S, R> Service<R> for ConnectTimeout<S>
where
    S: Service<R>,
    S::Error: Into<BoxError>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, request: R) -> Self::Future {
        let limit = CONNECT_TIMEOUT.try_with(|limit| *limit).unwrap_or(self.default);
        let connecting = self.inner.call(request);
        Box::pin(async move {
            match tokio::time::timeout(limit, connecting).await {
                Ok(result) => result.map_err(Into::into),
                Err(_) => Err(Box::new(ConnectTimedOut(limit)) as BoxError),
            }
        })
    }
}
