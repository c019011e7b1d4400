//! [`CursorStream`]: every item of a cursor-paginated list, fetched page
//! after page by sending one [`Request`] again with its cursor replaced.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;
use serde::de::DeserializeOwned;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::decode;
use crate::page::CursorPage;
use crate::progress::{Progress, Step};
use crate::transport::Transport;
use crate::{Error, Result};
use crate::{Request, Response};

type Driver = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Every item of a cursor-paginated list, across pages.
///
/// An endpoint declared with `#[api(get = "...", pages_of = T)]` gets a
/// method returning one, named after the page method with `_all` added
/// (`list` → `list_all`). The stream sends the page method's request, then
/// the same request again for each next page with only its `cursor` query
/// parameter replaced.
///
/// Items arrive in order; the first error is yielded and ends the stream.
/// While the caller consumes one page, the next is already being fetched in
/// a task of its own (cursors expire 10 seconds after they are issued, and
/// this hides the latency); it holds at most two decoded pages, and the raw
/// body of the page after them. Dropping the stream stops its tasks.
///
/// Every record is yielded once, and a list either yields all of its records
/// or ends with an error; it never ends early without one:
///
/// - a page that brings a record not seen before is progress, whatever
///   `remainingCount` does, so records added or removed while the list is
///   read never end it; records are known by their `id` (by their content
///   when they have none), and one seen before is not yielded again;
/// - ten pages in a row that bring nothing new while claiming more end the
///   stream with [`Error::Decode`](crate::Error::Decode) (a hundred, when
///   `remainingCount` falls on each, as when records are being removed),
///   whether `remainingCount` is present, absent or null;
/// - `hasMore` and `nextCursor` that disagree (`hasMore: true` without a
///   cursor, or a cursor without `hasMore: true` and with a `remainingCount`
///   other than 0) are an error, not an end;
/// - a page request that carries the cursor is never sent twice (each one
///   returns the next page), so a failed page ends the stream with its
///   error.
///
/// The stream keeps an 8-byte hash per record it has yielded, about 16 MB
/// for a million records.
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
    /// The `remainingCount` of the page being consumed.
    remaining: Option<u64>,
    done: bool,
}

impl<T: DeserializeOwned + Send + 'static> CursorStream<T> {
    /// Every item of the list `request` asks for, sent through `transport`;
    /// a `cursor` already in the request is where the list starts.
    pub fn new<S: Transport + Clone + 'static>(transport: S, request: Request) -> Self {
        // One slot: the decoded page after the one being consumed. A page is
        // decoded, and the one after it requested, only once the consumer has
        // taken the page before, so the stream holds at most two decoded
        // pages, besides the raw bodies of the page being decoded and of the
        // one being received.
        let (sender, pages) = mpsc::channel(1);
        let driver = async move {
            let mut request = request;
            let mut progress = Progress::default();
            let mut pending = Background::spawn(fetch(transport.clone(), request.clone()));
            loop {
                let fetched = pending.finish().await;
                // Wait until the consumer has taken the page before: only
                // then is the next one requested and this one decoded.
                let Ok(slot) = sender.reserve().await else { return };
                let (raw, Step { fresh, next }) = match fetched.and_then(|raw| Ok((progress.step(&raw)?, raw))) {
                    Ok((step, raw)) => (raw, step),
                    Err(error) => {
                        slot.send(Err(error));
                        return;
                    }
                };
                let following = next.map(|cursor| {
                    request.set_cursor(cursor);
                    Background::spawn(fetch(transport.clone(), request.clone()))
                });
                // Decoding a page takes milliseconds of CPU: off the async
                // workers, so the request just sent and the consumer run on.
                let page = tokio::task::spawn_blocking(move || {
                    let mut page = decode::body::<CursorPage<T>>(&raw)?;
                    keep_fresh(&mut page.data, &fresh);
                    Ok(page)
                });
                let page = match page.await {
                    Ok(page) => page,
                    Err(error) => Err(Error::config(format!("decoding the page did not finish: {error}"))),
                };
                let failed = page.is_err();
                slot.send(page);
                match following {
                    Some(following) if !failed => pending = following,
                    _ => return,
                }
            }
        };
        CursorStream::from_driver(Box::pin(driver), pages)
    }
}

impl<T: Send + 'static> CursorStream<T> {
    /// A stream that yields `error` and ends: a request that could not be
    /// built is reported where its items would have been.
    pub(crate) fn failed(error: Error) -> Self {
        let (sender, pages) = mpsc::channel(1);
        let driver = async move {
            let _ = sender.send(Err(error)).await;
        };
        CursorStream::from_driver(Box::pin(driver), pages)
    }

    fn from_driver(driver: Driver, pages: mpsc::Receiver<Result<CursorPage<T>>>) -> Self {
        CursorStream {
            driver: Some(driver),
            task: None,
            pages,
            current: Vec::new().into_iter(),
            remaining: None,
            done: false,
        }
    }
}

/// One page, sent and checked: a non-2xx answer is the error.
async fn fetch<S: Transport>(transport: S, request: Request) -> Result<Response<Bytes>> {
    let response = transport.send(request).await?;
    decode::check_status(&response)?;
    Ok(response)
}

/// Keeps the records of a page that were not seen before.
fn keep_fresh<T>(data: &mut Vec<T>, fresh: &[bool]) {
    if fresh.iter().all(|&fresh| fresh) {
        return;
    }
    let mut flags = fresh.iter();
    data.retain(|_| flags.next().copied().unwrap_or(true));
}

/// A fetch running in a task of its own, stopped if dropped before it ends.
struct Background<O: Send + 'static>(Option<JoinHandle<Result<O>>>);

impl<O: Send + 'static> Background<O> {
    fn spawn(future: impl Future<Output = Result<O>> + Send + 'static) -> Self {
        Background(Some(tokio::spawn(future)))
    }

    async fn finish(mut self) -> Result<O> {
        let Some(task) = self.0.take() else {
            return Err(Error::config("the page fetch was already awaited"));
        };
        match task.await {
            Ok(result) => result,
            Err(error) => Err(Error::config(format!("the page fetch did not finish: {error}"))),
        }
    }
}

impl<O: Send + 'static> Drop for Background<O> {
    fn drop(&mut self) {
        if let Some(task) = &self.0 {
            task.abort();
        }
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
                Poll::Ready(Some(Ok(page))) => {
                    this.remaining = page.remaining_count.and_then(|count| u64::try_from(count).ok());
                    this.current = page.data.into_iter();
                }
                Poll::Ready(Some(Err(error))) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(error)));
                }
                Poll::Ready(None) => this.done = true,
            }
        }
    }
}

impl<T> CursorStream<T> {
    /// How many records the list still holds after those yielded so far, as
    /// the last page received says (its `remainingCount`, plus the records
    /// of that page not yet yielded): a progress bar's total. `None` before
    /// the first page, when the page did not say, and once the list ended.
    ///
    /// Records added or removed while the list is read change it; a count
    /// to show, not to stop by.
    pub fn remaining_count(&self) -> Option<u64> {
        if self.done && self.current.len() == 0 {
            return None;
        }
        Some(self.remaining? + self.current.len() as u64)
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
