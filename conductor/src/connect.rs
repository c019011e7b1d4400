//! The connect timeout: a layer around reqwest's connector, so the limit
//! covers TCP and TLS and a timeout is known to have happened before the
//! request was sent. The limit of the current call is read from a task-local
//! when the connection is started, so each call can set its own.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
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
    /// How many connections are being opened now.
    pub(crate) connecting: Arc<AtomicUsize>,
}

impl<S> Layer<S> for ConnectTimeoutLayer {
    type Service = ConnectTimeout<S>;

    fn layer(&self, inner: S) -> Self::Service {
        ConnectTimeout { inner, default: self.default, connecting: Arc::clone(&self.connecting) }
    }
}

#[derive(Clone)]
pub(crate) struct ConnectTimeout<S> {
    inner: S,
    default: Duration,
    connecting: Arc<AtomicUsize>,
}

/// Counts one connection being opened, until it is open, has failed, or is
/// given up.
struct Opening(Arc<AtomicUsize>);

impl Opening {
    fn new(connecting: &Arc<AtomicUsize>) -> Self {
        connecting.fetch_add(1, Ordering::Relaxed);
        Opening(Arc::clone(connecting))
    }
}

impl Drop for Opening {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
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
        let opening = Opening::new(&self.connecting);
        Box::pin(async move {
            let _opening = opening;
            match tokio::time::timeout(limit, connecting).await {
                Ok(result) => result.map_err(Into::into),
                Err(_) => Err(Box::new(ConnectTimedOut(limit)) as BoxError),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use std::future::{pending, ready};

    use super::*;

    /// A connector whose connections never open, fail at once, or open at
    /// once, by the address asked for.
    #[derive(Clone)]
    struct Scripted;

    impl Service<&'static str> for Scripted {
        type Response = ();
        type Error = std::io::Error;
        type Future = Pin<Box<dyn Future<Output = std::io::Result<()>> + Send>>;

        fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
            Poll::Ready(Ok(()))
        }

        fn call(&mut self, address: &'static str) -> Self::Future {
            match address {
                "hangs" => Box::pin(pending()),
                "refuses" => Box::pin(ready(Err(std::io::Error::other("refused")))),
                _ => Box::pin(ready(Ok(()))),
            }
        }
    }

    #[tokio::test]
    async fn connections_being_opened_are_counted_until_they_open_fail_or_are_dropped() {
        let connecting = Arc::new(AtomicUsize::new(0));
        let layer = ConnectTimeoutLayer { default: Duration::from_millis(50), connecting: Arc::clone(&connecting) };
        let mut connector = layer.layer(Scripted);
        let count = || connecting.load(Ordering::Relaxed);

        let hanging = connector.call("hangs");
        let dropped = connector.call("hangs");
        assert_eq!(count(), 2, "counted from the call, before any poll");
        drop(dropped);
        assert_eq!(count(), 1);
        let error = hanging.await.unwrap_err();
        assert_eq!(connect_timeout_of(&*error), Some(Duration::from_millis(50)));
        assert_eq!(count(), 0, "a connection that timed out is no longer being opened");

        connector.call("refuses").await.unwrap_err();
        connector.call("opens").await.unwrap();
        assert_eq!(count(), 0);
    }
}
