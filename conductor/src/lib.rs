//! Rust client for the [Conductor API](https://docs.conductor.is), the
//! real-time REST API for QuickBooks Desktop.
//!
//! Every endpoint is an `async` method declared with one attribute,
//! [`#[api]`](api), and you can declare endpoints of your own the same way.
//!
//! ```no_run
//! # async fn run() -> conductor::Result<()> {
//! let client = conductor::Client::from_env()?; // CONDUCTOR_SECRET_KEY
//! let user = client
//!     .end_users()
//!     .create(&conductor::CreateEndUser {
//!         company_name: "Acme Inc.".into(),
//!         source_id: "12345678-abcd".into(),
//!         email: "alice@acme.com".into(),
//!     })
//!     .await?;
//! for user in client.end_users().list().await? {
//!     println!("{} {}", user.id, user.company_name);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! Errors are one type, [`Error`], with Conductor's code, request id and
//! user-facing message behind accessors.

#![cfg_attr(docsrs, feature(doc_cfg))]

extern crate self as conductor;

#[cfg(feature = "blocking")]
#[cfg_attr(docsrs, doc(cfg(feature = "blocking")))]
pub mod blocking;
mod client;
pub mod code;
mod connect;
mod decode;
mod encode;
mod endpoint;
mod error;
mod exchange;
mod finite;
mod fixed;
mod headers;
mod options;
mod page;
mod progress;
pub mod qbd;
mod request;
mod resources;
mod response;
mod retry;
mod settings;
mod stream;
mod string_enum;
mod transport;
mod turns;
mod values;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use bytes::Bytes;
pub use reqwest;

pub use crate::client::{
    Client, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_POOL_MAX_IDLE_PER_HOST,
};
pub use crate::error::{
    ApiError, Attempts, DecodeError, Error, ErrorDetails, ErrorType, OutcomeUnknown, Result, RetryStop, TimeoutPhase,
};
pub use crate::exchange::MAX_URL_BYTES;
pub use crate::options::RequestOptions;
pub use crate::page::CursorPage;
pub use crate::request::Request;
pub use crate::resources::auth_sessions::{AuthSession, AuthSessions, CreateAuthSession};
pub use crate::resources::end_users::{
    CreateEndUser, EndUser, EndUserDeleted, EndUsers, IntegrationConnection, IntegrationSlug,
};
pub use crate::response::Response;
pub use crate::settings::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT, SERVER_TIMEOUT_MARGIN, SERVER_TIMEOUT_RANGE,
};
pub use crate::stream::CursorStream;
pub use crate::transport::{PageTransport, Transport};
pub use crate::values::{Amount, Date, DateTime, InvalidValue};

/// Declares a Conductor endpoint: one attribute on a bodiless `async fn`
/// writes the method.
///
/// ```
/// use conductor::{Client, Result, api};
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Debug, Deserialize)]
/// pub struct Widget {
///     pub id: String,
///     pub name: String,
/// }
///
/// #[derive(Serialize)]
/// pub struct WidgetQuery {
///     pub ids: Vec<String>,
///     #[serde(skip_serializing_if = "Option::is_none")]
///     pub limit: Option<u32>,
/// }
///
/// #[derive(Serialize)]
/// pub struct NewWidget {
///     pub name: String,
/// }
///
/// pub trait Widgets: conductor::Transport {
///     /// GET /widgets?ids=a&ids=b&limit=10, answered by a list envelope.
///     #[api(get = "/widgets", list_of = Widget)]
///     async fn list_widgets(&self, #[query] query: &WidgetQuery) -> Result<Vec<Widget>>;
///
///     /// GET /widgets/{id}, with `id` percent-encoded as one path segment.
///     #[api(get = "/widgets/{id}")]
///     async fn widget(&self, id: &str) -> Result<Widget>;
///
///     /// One page of GET /widgets; `widget_pages_all(query)` streams them all.
///     #[api(get = "/widgets", pages_of = Widget)]
///     async fn widget_pages(&self, #[query] query: &WidgetQuery) -> Result<conductor::CursorPage<Widget>>;
///
///     /// POST /widgets with a JSON body and a header of this call.
///     #[api(post = "/widgets")]
///     async fn create_widget(
///         &self,
///         #[body] widget: &NewWidget,
///         #[header("Conductor-End-User-Id")] end_user_id: &str,
///     ) -> Result<Widget>;
/// }
///
/// impl Widgets for Client {}
///
/// # async fn run(client: Client) -> Result<()> {
/// let widget = client.widget("wdg_1").await?;
/// # Ok(())
/// # }
/// ```
///
/// # The attribute
///
/// - Exactly one verb, `get`, `post`, `put`, `patch` or `delete`, set to a
///   path template beginning with `/`. The path is appended to the client's
///   base URL.
/// - `{name}` in the path is filled from the argument `name` (anything that
///   implements `Display`), percent-encoded as one path segment: `/`, `?`,
///   `#`, `%`, space and non-ASCII are encoded. An empty value, `.` or `..`
///   is refused with [`Error::InvalidInput`] and nothing is sent.
/// - `list_of = T`: the response is Conductor's list envelope
///   `{"objectType":"list","data":[...]}` and the method returns
///   `Result<Vec<T>>`. Without it, the body decodes into the `T` of
///   `Result<T>`.
/// - `pages_of = T`: the response is one page of a cursor-paginated list and
///   the method returns `Result<CursorPage<T>>`. The attribute also writes
///   `<method>_all`, with the same arguments (a `&Params` taken by value),
///   returning a [`CursorStream<T>`] of every item: it sends the same request
///   again for each page with only `cursor` replaced. The transport must be a
///   [`PageTransport`] (any `Clone + 'static` one).
///
/// # The arguments
///
/// Each argument after `&self` is a path placeholder or carries a marker:
///
/// | marker | sent as |
/// | --- | --- |
/// | none | the path placeholder of the same name |
/// | `#[query]` | query parameters: a struct or map contributes its fields; any other value is sent under the argument's name. `None` is omitted, arrays repeat the key (`ids=a&ids=b`), booleans are `true`/`false` |
/// | `#[query("name")]` | the same, under `name` |
/// | `#[body]` | the JSON body (at most one; not on `get`), with `Content-Type: application/json` |
/// | `#[header("Name")]` | the header `Name` (any `Display` value); a value with CR, LF or another control character is refused before sending, and a header HTTP sets itself (`Content-Length`, `Transfer-Encoding`, `Host`, `Connection`, `TE`, `Upgrade`) is a compile error |
///
/// # Where it goes
///
/// In a trait whose supertrait is [`Transport`], the method gets a default
/// body, so `impl MyTrait for Client {}` is all an implementation needs. In
/// an inherent `impl` block of a type that implements [`Transport`], it
/// becomes an ordinary method. Either way the method returns a `Send`
/// future, usable inside `tokio::spawn`.
///
/// # Mistakes are compile errors
///
/// A missing or second verb, an unknown or repeated key, a path that does not
/// begin with `/` or has unbalanced braces, a placeholder without an argument,
/// an argument used nowhere, `list_of` without `Result<Vec<_>>`, `pages_of`
/// without `Result<CursorPage<_>>`, a header HTTP sets itself, a body on
/// `get`, a method that is not `async`, lacks `&self` or does not return
/// `Result<_>`: each is reported at the offending token, all at once.
pub use conductor_macros::api;
