//! A blocking client, for programs without an async runtime: scripts,
//! command-line tools, desktop programs, jobs.
//!
//! [`Client`] does not mirror the async API. It runs any call of it, and
//! blocks until the call ends: every operation, every page stream and every
//! endpoint you declare with [`#[api]`](crate::api) works through one method,
//! [`call`](Client::call), and one more for lists, [`iter`](Client::iter).
//!
//! ```no_run
//! use conductor::blocking::Client;
//!
//! fn main() -> conductor::Result<()> {
//!     let client = Client::from_env()?; // CONDUCTOR_SECRET_KEY
//!     let end_user = "end_usr_1234567abcdefg";
//!
//!     // One call: any future of the async API.
//!     let customers = client.call(|c| async move {
//!         c.qbd().for_end_user(end_user).customers().list(&Default::default()).await
//!     })?;
//!     println!("{} customers on the first page", customers.data.len());
//!
//!     // A whole list, page after page, as an iterator.
//!     for invoice in client.iter(|c| c.qbd().for_end_user(end_user).invoices().list_all(Default::default())) {
//!         let invoice = invoice?;
//!         println!("{} {}", invoice.id, invoice.subtotal);
//!     }
//!     Ok(())
//! }
//! ```
//!
//! # How it runs
//!
//! The client owns a Tokio runtime on a thread of its own, named
//! `conductor-blocking`, which drives the network and timers and runs the
//! tasks a call starts (connections, the next page of a list). The call's
//! own future runs on the calling thread, inside that runtime's context, so
//! it may borrow from the caller and need not be `Send`. Calls from many
//! threads run at once and share one connection pool. Dropping the last
//! clone of the client (and of its iterators) stops the runtime and its
//! threads, and waits for them to end.
//!
//! It works from any thread: a plain one, a [`spawn_blocking`] task, or
//! even an async task, whose thread it blocks until the call ends (in async
//! code, use the async [`crate::Client`] and `.await` instead: a blocked
//! thread runs none of its runtime's other tasks meanwhile). The one place
//! it cannot work is inside its own runtime, in a task a call spawned, where
//! waiting would stop the very thread that must answer: there it answers
//! [`Error::Config`], and never waits.
//!
//! [`spawn_blocking`]: https://docs.rs/tokio/1/tokio/task/fn.spawn_blocking.html

use std::fmt;
use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, JoinHandle, Thread, ThreadId};

use futures_core::Stream;
use futures_util::StreamExt;
use tokio::runtime::Handle;
use tokio::sync::oneshot;

use crate::{ClientBuilder, Error, Result};

/// The name of the client's runtime thread and of its blocking pool's.
const THREAD_NAME: &str = "conductor-blocking";

/// A blocking Conductor client: runs calls of the async [`crate::Client`]
/// and blocks until they end.
///
/// Cheap to clone: clones share one runtime and one connection pool.
/// See the [module](self) for how it runs.
#[derive(Clone)]
pub struct Client {
    client: crate::Client,
    runtime: Arc<Runtime>,
}

/// The client's runtime: its handle, and the thread that drives it until
/// the last clone is dropped.
struct Runtime {
    handle: Handle,
    thread_id: ThreadId,
    thread: Option<JoinHandle<()>>,
    stop: Option<oneshot::Sender<()>>,
}

impl Client {
    /// A blocking client configured from the environment, as
    /// [`crate::Client::from_env`] is.
    pub fn from_env() -> Result<Client> {
        Client::new(crate::Client::from_env()?)
    }

    /// A builder for a client with custom settings: the async client's
    /// builder, finished with
    /// [`build_blocking`](ClientBuilder::build_blocking).
    ///
    /// ```no_run
    /// let client = conductor::blocking::Client::builder()
    ///     .api_key("sk_test_1234")
    ///     .max_retries(5)
    ///     .build_blocking()?;
    /// # Ok::<(), conductor::Error>(())
    /// ```
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A blocking client making its calls with `client`, on a runtime of
    /// its own.
    ///
    /// Give it a client that has not been used yet, or whose runtime still
    /// runs: connections opened on another runtime die with it.
    /// [`Error::Config`] when the runtime's thread cannot be started.
    pub fn new(client: crate::Client) -> Result<Client> {
        Ok(Client { client, runtime: Arc::new(Runtime::start()?) })
    }

    /// The async client the calls are given.
    pub fn async_client(&self) -> &crate::Client {
        &self.client
    }

    /// Runs the future `call` makes from the async client, and blocks until
    /// it ends; its result.
    ///
    /// The future runs on the calling thread and may borrow from it:
    ///
    /// ```no_run
    /// # fn run(client: conductor::blocking::Client) -> conductor::Result<()> {
    /// let end_user = String::from("end_usr_1234567abcdefg");
    /// let invoice = client.call(|c| async move {
    ///     c.qbd().for_end_user(&end_user).invoices().retrieve("1A2B-1234567890").await
    /// })?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// [`Error::Config`] without calling `call` when this runs inside the
    /// client's own runtime (in a task a call spawned), where it would wait
    /// for itself. A panic in the future is the caller's, as it would be in
    /// async code.
    pub fn call<F, Fut, T>(&self, call: F) -> Result<T>
    where
        F: FnOnce(crate::Client) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        self.runtime.usable()?;
        let client = self.client.clone();
        self.runtime.block_on(async move { call(client).await })
    }

    /// The items of the stream `list` makes from the async client, as a
    /// blocking iterator: typically an endpoint's `list_all`, whose
    /// guarantees hold item for item (every record once, in order, or an
    /// error; the next page is fetched while the caller works through this
    /// one).
    ///
    /// ```no_run
    /// # fn run(client: conductor::blocking::Client) -> conductor::Result<()> {
    /// let qbd = "end_usr_1234567abcdefg";
    /// let mut total = 0;
    /// for invoice in client.iter(|c| c.qbd().for_end_user(qbd).invoices().list_all(Default::default())) {
    ///     total += invoice?.lines.len();
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// Used inside the client's own runtime, the iterator yields
    /// [`Error::Config`] once and ends.
    pub fn iter<F, S, T>(&self, list: F) -> Iter<S>
    where
        F: FnOnce(crate::Client) -> S,
        S: Stream<Item = Result<T>>,
    {
        let stream = {
            let _entered = self.runtime.handle.enter();
            list(self.client.clone())
        };
        Iter { stream: Some(Box::pin(stream)), runtime: Arc::clone(&self.runtime) }
    }
}

impl ClientBuilder {
    /// Checks the settings and builds a [blocking client](Client), with its
    /// own runtime; fails as [`build`](ClientBuilder::build) does, or with
    /// [`Error::Config`] when the runtime's thread cannot be started.
    pub fn build_blocking(self) -> Result<Client> {
        Client::new(self.build()?)
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("blocking::Client").field("client", &self.client).finish_non_exhaustive()
    }
}

/// The items of a stream, one blocking call each: made by
/// [`Client::iter`].
///
/// Dropping it drops the stream, which stops what it was fetching.
pub struct Iter<S> {
    stream: Option<Pin<Box<S>>>,
    runtime: Arc<Runtime>,
}

impl<S, T> Iterator for Iter<S>
where
    S: Stream<Item = Result<T>>,
{
    type Item = Result<T>;

    fn next(&mut self) -> Option<Result<T>> {
        let stream = self.stream.as_mut()?;
        if let Err(error) = self.runtime.usable() {
            self.stream = None;
            return Some(Err(error));
        }
        let item = self.runtime.block_on(stream.next());
        if item.is_none() {
            // Ended: dropped now, so what it held goes with it.
            self.stream = None;
        }
        item
    }
}

impl<S> Drop for Iter<S> {
    fn drop(&mut self) {
        // What the stream drops (its tasks, its connection) may look for
        // the runtime it was made in.
        let _entered = self.runtime.handle.enter();
        self.stream = None;
    }
}

impl<S> fmt::Debug for Iter<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("blocking::Iter").field("ended", &self.stream.is_none()).finish_non_exhaustive()
    }
}

impl Runtime {
    /// Starts a current-thread runtime on a thread of its own, driven until
    /// `stop` is sent or dropped.
    fn start() -> Result<Runtime> {
        let (ready, started) = mpsc::sync_channel(1);
        let (stop, stopped) = oneshot::channel::<()>();
        // The runtime is built on its own thread, so that it is never
        // dropped where it could not be (inside another runtime).
        let thread = thread::Builder::new()
            .name(THREAD_NAME.to_owned())
            .spawn(move || {
                let runtime =
                    tokio::runtime::Builder::new_current_thread().enable_all().thread_name(THREAD_NAME).build();
                let runtime = match runtime {
                    Ok(runtime) => runtime,
                    Err(error) => {
                        let _ = ready.send(Err(error));
                        return;
                    }
                };
                let _ = ready.send(Ok(runtime.handle().clone()));
                let _ = runtime.block_on(stopped);
                // Dropping the runtime ends its tasks and waits for its
                // blocking pool's threads.
            })
            .map_err(|error| Error::config(format!("could not start the blocking client's thread: {error}")))?;
        let thread_id = thread.thread().id();
        match started.recv() {
            Ok(Ok(handle)) => Ok(Runtime { handle, thread_id, thread: Some(thread), stop: Some(stop) }),
            Ok(Err(error)) => Err(Error::config(format!("could not start the blocking client's runtime: {error}"))),
            Err(_) => Err(Error::config("the blocking client's runtime thread ended as it started")),
        }
    }

    /// Whether a call may block here: anywhere but on the runtime's own
    /// thread.
    fn usable(&self) -> Result<()> {
        if thread::current().id() == self.thread_id {
            return Err(Error::config(
                "conductor::blocking::Client was called from a task on its own runtime, where waiting would stop \
                 the thread that answers; in async code use the async conductor::Client and .await it",
            ));
        }
        Ok(())
    }

    /// Polls `future` on this thread, inside the runtime's context, until
    /// it ends; the runtime's thread drives the network and timers and
    /// wakes it.
    fn block_on<F: Future>(&self, future: F) -> F::Output {
        let _entered = self.handle.enter();
        // Out of Tokio's cooperative budget: inside another runtime's task,
        // that task's budget would run out and never be renewed while this
        // thread waits here.
        let mut future = pin!(tokio::task::unconstrained(future));
        let signal = Arc::new(Signal { thread: thread::current(), woken: AtomicBool::new(false) });
        let waker = Waker::from(Arc::clone(&signal));
        let mut context = Context::from_waker(&waker);
        loop {
            if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
                return output;
            }
            while !signal.woken.swap(false, Ordering::Acquire) {
                thread::park();
            }
        }
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            // Dropped by a task on the runtime itself (a clone moved into a
            // spawned task): the thread ends by itself once that task is
            // done; waiting for it here would never end.
            if thread::current().id() != self.thread_id {
                let _ = thread.join();
            }
        }
    }
}

/// Wakes the thread waiting in [`Runtime::block_on`].
struct Signal {
    thread: Thread,
    woken: AtomicBool,
}

impl Wake for Signal {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::Release);
        self.thread.unpark();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> Client {
        Client::builder()
            .api_key("sk_test_1")
            .base_url("http://127.0.0.1:9/v1")
            .max_retries(0)
            .build_blocking()
            .unwrap()
    }

    #[test]
    fn a_call_runs_on_the_calling_thread_and_may_borrow() {
        let client = client();
        let caller = thread::current().id();
        let borrowed = String::from("borrowed");
        let seen = client.call(|_| async { Ok((thread::current().id(), borrowed.len())) }).unwrap();
        assert_eq!(seen, (caller, 8));
    }

    #[test]
    fn timers_and_spawned_tasks_run_on_its_runtime() {
        let client = client();
        let answer = client
            .call(|_| async {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                let task = tokio::spawn(async { thread::current().name().map(str::to_owned) });
                Ok(task.await.unwrap())
            })
            .unwrap();
        assert_eq!(answer.as_deref(), Some(THREAD_NAME));
    }

    /// Inside an async task, Tokio allows 128 operations on its resources
    /// per turn of the task; the task never takes another turn while a call
    /// blocks its thread.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn inside_an_async_task_tokios_budget_does_not_run_out() {
        let client = client();
        let sum = tokio::spawn(async move {
            client.call(|_| async {
                let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel();
                let mut sum = 0;
                for n in 0..1_000 {
                    sender.send(n).unwrap();
                    sum += receiver.recv().await.unwrap();
                }
                Ok(sum)
            })
        });
        assert_eq!(sum.await.unwrap().unwrap(), 499_500);
    }

    #[test]
    fn inside_its_own_runtime_it_is_a_config_error_not_a_deadlock() {
        let client = client();
        let inner = client.clone();
        let answer = client
            .call(|_| async move {
                let task = tokio::spawn(async move {
                    let called = inner.call(|_| async { Ok(1) });
                    let listed = inner.iter(|_| futures_util::stream::iter([Ok::<_, Error>(1)])).collect::<Vec<_>>();
                    (called, listed)
                });
                Ok(task.await.unwrap())
            })
            .unwrap();
        let (called, listed) = answer;
        let message = called.unwrap_err().to_string();
        assert!(message.contains("use the async conductor::Client"), "{message}");
        assert!(matches!(listed.as_slice(), [Err(Error::Config { .. })]), "{listed:?}");
    }

    #[test]
    fn the_last_clone_dropped_inside_its_runtime_does_not_wait_for_itself() {
        let client = client();
        let inner = client.clone();
        let (dropped, told) = mpsc::channel();
        client
            .call(|_| async move {
                tokio::spawn(async move {
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    // The last clone, dropped on the runtime's own thread.
                    drop(inner);
                    dropped.send(()).unwrap();
                });
                Ok(())
            })
            .unwrap();
        drop(client);
        told.recv_timeout(std::time::Duration::from_secs(10)).expect("the drop returned");
    }
}
