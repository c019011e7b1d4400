//! Cursor pagination: [`CursorPage`], one page of a list, and
//! [`CursorStream`], every item across pages.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::decode::ListTag;
use crate::{Error, Result};

/// One page of a cursor-paginated list:
/// `{"objectType":"list","data":[...],"nextCursor":...,"hasMore":...,"remainingCount":...}`.
///
/// Fetch the next page by sending the same parameters with `cursor` set to
/// [`next_cursor`](CursorPage::next_cursor) within 10 seconds, or let
/// `list_all` do it as a [`CursorStream`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CursorPage<T> {
    #[serde(default)]
    object_type: ListTag,
    /// The records of this page.
    pub data: Vec<T>,
    /// The cursor of the next page; `None` on the last page.
    #[serde(default)]
    pub next_cursor: Option<String>,
    /// Whether more records follow this page.
    #[serde(default)]
    pub has_more: bool,
    /// How many records follow this page.
    #[serde(default)]
    pub remaining_count: Option<i64>,
    /// The endpoint this list came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl<T> CursorPage<T> {
    /// A page from its parts, as a test double or a sandbox would answer.
    pub fn new(data: Vec<T>, next_cursor: Option<String>, remaining_count: i64) -> Self {
        CursorPage {
            object_type: ListTag,
            data,
            has_more: next_cursor.is_some(),
            next_cursor,
            remaining_count: Some(remaining_count),
            url: None,
        }
    }

    /// The cursor to send for the next page, when there is one.
    pub fn next_cursor(&self) -> Option<&str> {
        if self.has_more { self.next_cursor.as_deref() } else { None }
    }
}

/// List parameters that take a cursor.
pub trait Paginated {
    /// Sets the `cursor` parameter.
    fn set_cursor(&mut self, cursor: Option<String>);
}

type Driver = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Every item of a cursor-paginated list, across pages.
///
/// Items arrive in order; the first error is yielded and ends the stream.
/// While the caller consumes one page, the next is already being fetched in
/// a task of its own (cursors expire 10 seconds after they are issued, and
/// this hides the latency); at most two pages are held at once. Dropping the
/// stream stops that task.
///
/// ```no_run
/// use futures_util::TryStreamExt;
///
/// # async fn run(client: conductor::Client) -> conductor::Result<()> {
/// let qbd = client.qbd().for_end_user("end_usr_1234567abcdefg");
/// let mut invoices = qbd.invoices().list_all(Default::default());
/// while let Some(invoice) = invoices.try_next().await? {
///     println!("{}", invoice.id);
/// }
/// # Ok(())
/// # }
/// ```
pub struct CursorStream<T> {
    /// The fetching loop, until the first poll starts it.
    driver: Option<Driver>,
    task: Option<JoinHandle<()>>,
    pages: mpsc::Receiver<Result<CursorPage<T>>>,
    current: std::vec::IntoIter<T>,
    done: bool,
}

impl<T: Send + 'static> CursorStream<T> {
    /// A stream that fetches pages with `fetch`, starting from `params` and
    /// setting the cursor of each next page.
    pub fn new<P, F, Fut>(params: P, fetch: F) -> Self
    where
        P: Paginated + Clone + Send + 'static,
        F: Fn(P) -> Fut + Send + 'static,
        Fut: Future<Output = Result<CursorPage<T>>> + Send + 'static,
    {
        // One slot: the page after the one being consumed. The next fetch
        // starts only once the consumer has taken that page.
        let (sender, pages) = mpsc::channel(1);
        let driver = async move {
            let mut params = params;
            loop {
                let Ok(slot) = sender.reserve().await else { return };
                match fetch(params.clone()).await {
                    Ok(page) => {
                        let next = page.next_cursor().map(str::to_owned);
                        slot.send(Ok(page));
                        match next {
                            Some(cursor) => params.set_cursor(Some(cursor)),
                            None => return,
                        }
                    }
                    Err(error) => {
                        slot.send(Err(error));
                        return;
                    }
                }
            }
        };
        CursorStream { driver: Some(Box::pin(driver)), task: None, pages, current: Vec::new().into_iter(), done: false }
    }
}

// The stream never pins its items, so it can move whatever they are.
impl<T> Unpin for CursorStream<T> {}

impl<T> Stream for CursorStream<T> {
    type Item = Result<T>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<T>>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.current.next() {
                return Poll::Ready(Some(Ok(item)));
            }
            if this.done {
                return Poll::Ready(None);
            }
            if let Some(driver) = this.driver.take() {
                match tokio::runtime::Handle::try_current() {
                    Ok(runtime) => this.task = Some(runtime.spawn(driver)),
                    Err(_) => {
                        this.done = true;
                        let message = "a CursorStream must be polled inside a Tokio runtime";
                        return Poll::Ready(Some(Err(Error::config(message))));
                    }
                }
            }
            match this.pages.poll_recv(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(page))) => this.current = page.data.into_iter(),
                Poll::Ready(Some(Err(error))) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(error)));
                }
                Poll::Ready(None) => this.done = true,
            }
        }
    }
}

impl<T> Drop for CursorStream<T> {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

impl<T> std::fmt::Debug for CursorStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CursorStream")
            .field("buffered", &self.current.len())
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}
