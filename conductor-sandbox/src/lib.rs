//! `conductor-sandbox`: a local fake of the Conductor API that behaves
//! like QuickBooks Desktop, for your tests and demos: in your process on
//! 127.0.0.1 (add it as a dev-dependency, as you would wiremock), or as a
//! server any language can call (the `conductor-sandbox` binary).
//!
//! ```
//! use conductor::CreateEndUser;
//! use conductor_sandbox::Sandbox;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let sandbox = Sandbox::start().await?;
//! let client = sandbox.client();
//! let user = client
//!     .end_users()
//!     .create(&CreateEndUser {
//!         company_name: "Acme Inc.".into(),
//!         source_id: "acme-1".into(),
//!         email: "alice@acme.com".into(),
//!     })
//!     .await?;
//! sandbox.seed_invoices(&user.id, 300)?;
//! let qbd = client.qbd().for_end_user(&user.id);
//! let page = qbd.invoices().list(&Default::default()).await?;
//! assert_eq!((page.data.len(), page.remaining_count), (150, Some(150)));
//! assert!(sandbox.audit(&user.id).is_empty(), "the books hold");
//! # Ok(())
//! # }
//! ```
//!
//! **As Conductor.** It checks the bearer key (a wrong one gets Conductor's
//! 401 error body), sends `Conductor-Request-Id` on every response and
//! Conductor's error body on every error, requires `Conductor-End-User-Id`
//! naming an existing end-user on QuickBooks Desktop routes, and answers
//! lists in the list envelope, paginated with `limit` (default and maximum
//! 150) and one cursor per list that expires 10 seconds after the page
//! before ([`Sandbox::set_cursor_ttl`]). It checks every request as
//! Conductor checks it, from the description's schema: a key the operation
//! does not have, a missing required field, a wrong type, a string over its
//! `maxLength`, an unknown enum value, a malformed date, GUID or decimal
//! string, or filters that may not be used together get Conductor's 400
//! `INVALID_PARAMETERS` (`Invalid request parameter: Unrecognized key(s) in
//! object: 'vendorAddress'`), and nothing is done.
//!
//! **As QuickBooks Desktop.** It refuses what QuickBooks refuses, with
//! QuickBooks' own error numbers in Conductor's form (a reference to a
//! record that does not exist is 3140, a name already in use 3100, a stale
//! revision number 3200, an empty transaction 3180), prices lines from
//! their items, works out sales tax, discounts and subtotals, pulls orders'
//! lines into the invoices, bills and receipts linked to them, builds
//! assemblies from their components, and keeps its books as QuickBooks
//! does: every balance, open amount, credit remaining, unused payment and
//! quantity on hand is worked out from what the transactions that exist do,
//! so a void or a delete of either side of a payment undoes it;
//! [`Sandbox::audit`] checks it. A write is whole or nothing. An end-user's
//! requests are answered one at a time, and [`Sandbox::set_connection`]
//! makes their QuickBooks offline, slow or not set up. The README's sandbox
//! section lists each behaviour, and what is not done yet.
//!
//! Faults for your own tests: [`Sandbox::inject`] makes the next calls to a
//! route fail with a status and Conductor's error body, drop the connection,
//! or wait; [`Sandbox::set_latency`] delays every answer. Whatever a request
//! holds, the sandbox answers it, and no request can panic it. Dropping the
//! [`Sandbox`] closes every connection, kept-alive ones included.
//!
//! The crate is layered as the service is: `http` (connections, limits,
//! faults, the queue per end-user) knows nothing of QuickBooks; `api` is
//! Conductor's side (its resources and its checks); `books` is QuickBooks'
//! (rules, ledger, storage), knowing nothing of HTTP; `table` is generated
//! from the description, of the types in `schema`, and read through
//! `catalog`.

// No hand-written function is longer than 60 lines (clippy.toml).
#![warn(clippy::too_many_lines)]

mod api;
mod books;
mod catalog;
mod failure;
mod http;
mod schema;
mod table;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use conductor::reqwest::Method;
use conductor::{Client, EndUser};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use self::books::ConnectionState;
use self::books::Store;
use self::failure::Failure;
use self::http::server::{self, Injected, Shared, lock};

/// The references of an operation's body that the sandbox checks, as
/// QuickBooks does: each field holding an id (`customerId`,
/// `lines.itemId`, `applyToTransactions.transactionId`, through objects and
/// arrays alike), with the resources (path segments such as
/// `"inventory-items"`) its records may come from. A request whose
/// reference names no such record is refused with QuickBooks' error 3140.
/// Generated from the description: a field names the resources its name
/// and its description say it names; a field the description says holds an
/// id from outside QuickBooks (a card processor's) is not listed.
///
/// ```
/// let references: Vec<_> = conductor_sandbox::references("POST", "/quickbooks-desktop/invoices").collect();
/// assert!(references.contains(&("customerId", &["customers"][..])));
/// ```
pub fn references(method: &str, path: &str) -> impl Iterator<Item = (&'static str, &'static [&'static str])> {
    catalog::references(method, path)
}

/// Why the sandbox would not do what a method asked: the error Conductor
/// or QuickBooks would answer with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    failure: Failure,
}

impl Error {
    /// Conductor's error code (`QBD_REQUEST_ERROR`, `RESOURCE_MISSING`).
    pub fn code(&self) -> &str {
        &self.failure.code
    }

    /// QuickBooks' error number, when QuickBooks refused (`"3100"`).
    pub fn integration_code(&self) -> Option<&str> {
        self.failure.integration_code.as_deref()
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.failure.code, self.failure.message)
    }
}

impl std::error::Error for Error {}

impl From<Failure> for Error {
    fn from(failure: Failure) -> Error {
        Error { failure }
    }
}

/// How long QuickBooks Desktop takes to answer a request, as
/// [`SandboxBuilder::qbd_latency`] sets it: a few seconds, one request at
/// a time per company file.
pub const QBD_LATENCY: Duration = Duration::from_secs(3);

/// What an injected fault does to a matching call.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Fault {
    /// Answers with this status and Conductor's error body.
    Status {
        /// The HTTP status.
        status: u16,
        /// The error `code`.
        code: String,
        /// The error `message`.
        message: String,
    },
    /// Closes the connection without answering.
    DropConnection,
    /// Carries the request out (a write is stored), then closes the
    /// connection without answering: the client cannot tell whether the
    /// write happened.
    DropConnectionAfterWrite,
    /// Waits, then answers as usual.
    Delay(Duration),
}

impl Fault {
    /// A status with a generic Conductor error body (code
    /// `SANDBOX_INJECTED_ERROR`).
    pub fn status(status: u16) -> Self {
        Fault::Status {
            status,
            code: "SANDBOX_INJECTED_ERROR".into(),
            message: format!("The sandbox was told to fail this request with {status}."),
        }
    }
}

/// A running fake Conductor API on 127.0.0.1; dropping it stops the server.
pub struct Sandbox {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
    /// The runtime of a sandbox started with
    /// [`start_blocking`](SandboxBuilder::start_blocking).
    thread: Option<Background>,
}

/// The thread a [`SandboxBuilder::start_blocking`] sandbox runs on, until
/// `stop` is dropped.
struct Background {
    stop: tokio::sync::oneshot::Sender<()>,
    thread: std::thread::JoinHandle<()>,
}

/// One request the sandbox answered, as [`SandboxBuilder::on_request`] is
/// told of it.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct RequestLog {
    /// The HTTP method.
    pub method: Method,
    /// The path, without the query.
    pub path: String,
    /// The status answered; 0 when an injected fault dropped the connection.
    pub status: u16,
    /// How long answering took.
    pub elapsed: Duration,
    /// The `Conductor-Request-Id` answered.
    pub request_id: String,
}

type Logger = Arc<dyn Fn(&RequestLog) + Send + Sync>;
type AcceptLogger = Arc<dyn Fn(&std::io::Error) + Send + Sync>;

/// Configures a [`Sandbox`] before it starts: where it listens, its key, and
/// what it is told of each request.
///
/// ```
/// use std::time::Duration;
/// use conductor_sandbox::Sandbox;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let sandbox = Sandbox::builder()
///     .api_key("sk_sandbox_local")
///     .cursor_ttl(Duration::from_secs(30))
///     .on_request(|log| eprintln!("{} {} {}", log.method, log.path, log.status))
///     .start()
///     .await?;
/// assert_eq!(sandbox.api_key(), "sk_sandbox_local");
/// # Ok(())
/// # }
/// ```
#[derive(Default)]
pub struct SandboxBuilder {
    addr: Option<SocketAddr>,
    key: Option<String>,
    latency: Duration,
    cursor_ttl: Option<Duration>,
    log: Option<Logger>,
    on_accept_error: Option<AcceptLogger>,
    max_connections: Option<usize>,
}

impl SandboxBuilder {
    /// Listens on this address; default 127.0.0.1 on a free port. Port 0
    /// picks a free one.
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = Some(addr);
        self
    }

    /// Accepts this secret key; default a fresh random `sk_sandbox_...`.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// Delays every answer; see [`Sandbox::set_latency`].
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Answers as slowly as QuickBooks Desktop does: [`QBD_LATENCY`] per
    /// request, one request at a time per end-user. For testing timeouts
    /// and how calls queue.
    pub fn qbd_latency(self) -> Self {
        self.latency(QBD_LATENCY)
    }

    /// How long a cursor lives; see [`Sandbox::set_cursor_ttl`].
    pub fn cursor_ttl(mut self, ttl: Duration) -> Self {
        self.cursor_ttl = Some(ttl);
        self
    }

    /// Calls `log` after each request is answered.
    pub fn on_request(mut self, log: impl Fn(&RequestLog) + Send + Sync + 'static) -> Self {
        self.log = Some(Arc::new(log));
        self
    }

    /// Tells `log` of every connection the listener failed to accept (too
    /// many open files, say). The sandbox goes on accepting after a short
    /// pause; `log` runs on the accepting task, so it must not block.
    pub fn on_accept_error(mut self, log: impl Fn(&std::io::Error) + Send + Sync + 'static) -> Self {
        self.on_accept_error = Some(Arc::new(log));
        self
    }

    /// Serves at most this many connections at once (default 512); one more
    /// is answered 503 `SERVICE_UNAVAILABLE` with `Retry-After: 1` and
    /// closed, so a flood of connections cannot exhaust the process's file
    /// descriptors. At least 1.
    pub fn max_connections(mut self, limit: usize) -> Self {
        self.max_connections = Some(limit.max(1));
        self
    }

    /// Binds and starts serving.
    pub async fn start(self) -> std::io::Result<Sandbox> {
        let addr = self.addr.unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)));
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let mut store = Store::default();
        store.cursor_ttl = self.cursor_ttl;
        let shared = Arc::new(Shared {
            key: self.key.unwrap_or_else(|| format!("sk_sandbox_{}", books::random_suffix(24))),
            store: Mutex::new(store),
            faults: Mutex::new(VecDeque::new()),
            latency: Mutex::new(self.latency),
            queues: Mutex::default(),
            log: self.log,
            on_accept_error: self.on_accept_error,
            connections: Arc::new(tokio::sync::Semaphore::new(
                self.max_connections.unwrap_or(server::DEFAULT_MAX_CONNECTIONS),
            )),
        });
        let task = tokio::spawn(server::serve(listener, Arc::clone(&shared)));
        Ok(Sandbox { addr, shared, task, thread: None })
    }

    /// Binds and starts serving on a thread of its own, with a runtime of
    /// its own: for programs and tests without an async runtime (those of
    /// `conductor::blocking`, say). Dropping the sandbox stops the thread.
    ///
    /// ```
    /// let sandbox = conductor_sandbox::Sandbox::builder().start_blocking()?;
    /// let user = sandbox.create_end_user("Acme Inc.", "alice@acme.com");
    /// assert!(user.id.starts_with("end_usr_"));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn start_blocking(self) -> std::io::Result<Sandbox> {
        let (ready, started) = std::sync::mpsc::sync_channel(1);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new().name("conductor-sandbox".into()).spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(runtime) => runtime,
                Err(error) => return drop(ready.send(Err(error))),
            };
            let sandbox = runtime.block_on(self.start());
            let serving = sandbox.is_ok();
            let _ = ready.send(sandbox);
            if serving {
                let _ = runtime.block_on(stopped);
            }
        })?;
        let mut sandbox =
            started.recv().map_err(|_| std::io::Error::other("the sandbox's thread ended as it started"))??;
        sandbox.thread = Some(Background { stop, thread });
        Ok(sandbox)
    }
}

/// The address a client on this machine reaches a listener on: a listener
/// on every interface (`0.0.0.0`, `::`) is reached through loopback, which
/// is also the only plain-HTTP host the crate's `Client` accepts.
fn reachable(addr: SocketAddr) -> SocketAddr {
    match addr.ip() {
        std::net::IpAddr::V4(ip) if ip.is_unspecified() => SocketAddr::from(([127, 0, 0, 1], addr.port())),
        std::net::IpAddr::V6(ip) if ip.is_unspecified() => {
            SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, addr.port()))
        }
        _ => addr,
    }
}

impl Sandbox {
    /// Starts a sandbox on 127.0.0.1 on a free port, with a fresh secret key
    /// and no data.
    pub async fn start() -> std::io::Result<Sandbox> {
        Sandbox::builder().start().await
    }

    /// A builder for a sandbox on another address, with a key of your own
    /// or a request log.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::default()
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL, `http://127.0.0.1:PORT/v1` (or the address it was
    /// started on).
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", reachable(self.addr))
    }

    /// The secret key the sandbox accepts.
    pub fn api_key(&self) -> &str {
        &self.shared.key
    }

    /// A client for this sandbox, with retries off so injected faults show
    /// as they are.
    #[allow(clippy::missing_panics_doc)]
    pub fn client(&self) -> Client {
        Client::builder()
            .api_key(self.api_key())
            .base_url(self.base_url())
            .max_retries(0)
            .build()
            .expect("the sandbox's key and URL are valid")
    }

    /// Creates an end-user directly, without a request.
    pub fn create_end_user(&self, company_name: &str, email: &str) -> EndUser {
        let source = format!("source-{}", books::random_suffix(8));
        let record = self.store().create_end_user(company_name, &source, email);
        serde_json::from_value(record).expect("the sandbox's end-user record decodes")
    }

    /// Adds `count` realistic invoices for an end-user and returns their
    /// ids, oldest first. They are created as a client would create them,
    /// through QuickBooks' rules: for 40 customers (`Customer 0` to
    /// `Customer 39`) and two service items, created on the way (a name
    /// already taken in another case is used as it is; one taken by another
    /// list of the same name space gets ` (2)`), with amounts that add up;
    /// every third is paid in full by a received payment, so balances and
    /// reports follow. Fails only for an end-user that does not exist.
    pub fn seed_invoices(&self, end_user_id: &str, count: usize) -> Result<Vec<String>, Error> {
        Ok(self.store().seed_invoices(end_user_id, count)?)
    }

    /// Adds a record of any QuickBooks Desktop resource (by its path segment,
    /// such as `"customers"`) for an end-user, as QuickBooks already holds
    /// it, without QuickBooks' checks: `id`, `objectType`, timestamps and
    /// `revisionNumber` are filled in where absent, an `openingBalance` (or
    /// `balance`) of a customer or vendor and a `quantityOnHand` of an item
    /// are its opening amounts, and the fields QuickBooks computes are
    /// worked out. Returns its id.
    pub fn insert(&self, end_user_id: &str, resource: &str, record: Value) -> Result<String, Error> {
        Ok(self.store().insert(end_user_id, resource, record)?)
    }

    /// Deletes a list object (a customer, an item, an account, ...) as
    /// someone working in QuickBooks would, which Conductor's API cannot
    /// do: it is gone from its list and listed in `/deleted-list-objects`.
    /// Returns whether it existed.
    pub fn delete_list_object(&self, end_user_id: &str, resource: &str, id: &str) -> bool {
        self.store().delete_list_object(end_user_id, resource, id).is_ok()
    }

    /// Works out every field QuickBooks computes in an end-user's company
    /// file from scratch (balances, open amounts, credits remaining, unused
    /// payments, quantities, links) and lists each that differs from what
    /// the sandbox holds, or names a record that no longer exists. Empty
    /// when the books hold, as they should after any sequence of requests.
    pub fn audit(&self, end_user_id: &str) -> Vec<String> {
        self.store().audit(end_user_id)
    }

    /// Sets the state of an end-user's connection to QuickBooks Desktop:
    /// what every QuickBooks Desktop request for them meets, the health
    /// check included. See [`ConnectionState`].
    pub fn set_connection(&self, end_user_id: &str, state: ConnectionState) {
        if let Some(company) = self.store().company_mut(end_user_id) {
            company.connection = state;
        }
    }

    /// Moves the clock of an end-user's computer by `seconds` (back when
    /// negative), as QuickBooks reads it: what it writes as `createdAt`,
    /// `updatedAt` and `deletedAt` from now on, and which deletions are
    /// within the 90 days `/deleted-transactions` and
    /// `/deleted-list-objects` keep. A clock moved 91 days forward makes
    /// every deletion so far too old to be listed.
    pub fn shift_clock(&self, end_user_id: &str, seconds: i64) {
        if let Some(company) = self.store().company_mut(end_user_id) {
            company.shift_clock(seconds);
        }
    }

    /// Makes the next `times` calls of `method` to `path` (after `/v1`,
    /// with `{id}`-style segments matching anything, as in
    /// `"/quickbooks-desktop/invoices/{id}"`) meet `fault`.
    pub fn inject(&self, method: Method, path: &str, times: usize, fault: Fault) {
        let path = path.trim_matches('/').split('/').map(str::to_owned).collect();
        lock(&self.shared.faults).push_back(Injected { method, path, remaining: times, fault });
    }

    /// How long a cursor lives after each page it returns; default 10
    /// seconds, as Conductor's. A request with a stale cursor gets a 400
    /// `INVALID_CURSOR`.
    pub fn set_cursor_ttl(&self, ttl: Duration) {
        self.store().cursor_ttl = Some(ttl);
    }

    /// Delays every answer by `latency`.
    pub fn set_latency(&self, latency: Duration) {
        *lock(&self.shared.latency) = latency;
    }

    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        lock(&self.shared.store)
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.task.abort();
        if let Some(Background { stop, thread }) = self.thread.take() {
            drop(stop);
            let _ = thread.join();
        }
    }
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox").field("base_url", &self.base_url()).finish_non_exhaustive()
    }
}
