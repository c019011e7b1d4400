//! Options of a call that differ from the client's: [`RequestOptions`].

use std::fmt;

use reqwest::header::HeaderMap;

use crate::headers;
use crate::settings::{Settings, setters};

/// Settings for the calls made through
/// [`Client::with_options`](crate::Client::with_options), overriding the
/// client's. Unset fields keep the client's value.
///
/// ```
/// use std::time::Duration;
/// use conductor::RequestOptions;
///
/// # async fn run(client: conductor::Client) -> conductor::Result<()> {
/// let patient = client.with_options(
///     RequestOptions::new()
///         .timeout(Duration::from_secs(600))
///         .max_retries(5)
///         .header("X-Trace", "checkout-42"),
/// );
/// let users = patient.end_users().list().await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Default)]
pub struct RequestOptions {
    pub(crate) settings: Settings,
    pub(crate) headers: HeaderMap,
    /// Query parameters added to every call, encoded.
    pub(crate) query: Vec<(String, String)>,
    /// Fields added to every call's JSON body.
    pub(crate) body: serde_json::Map<String, serde_json::Value>,
    /// The first option refused, reported by every call.
    pub(crate) invalid: Option<(&'static str, String)>,
}

impl RequestOptions {
    /// Options that change nothing.
    pub fn new() -> Self {
        RequestOptions::default()
    }

    setters!(settings);

    /// A header sent with every call, replacing a default header of the
    /// same name. A name or value that a header cannot carry (CR, LF or
    /// another control character), or a header HTTP sets itself
    /// (`Content-Length`, `Transfer-Encoding`, `Host`, `Connection`, `TE`,
    /// `Upgrade`), makes every call fail with
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) before anything is
    /// sent.
    ///
    /// `Authorization`, `Proxy-Authorization` and `Cookie` are kept out of
    /// `Debug` output; use [`sensitive_header`](RequestOptions::sensitive_header)
    /// for any other header that carries a secret.
    ///
    /// A `Conductor-End-User-Id` given here must agree with the end-user of a
    /// [`QbdClient`](crate::qbd::QbdClient): a call whose two ids differ fails
    /// with [`Error::InvalidInput`](crate::Error::InvalidInput) rather than
    /// picking one.
    pub fn header(self, name: &str, value: &str) -> Self {
        self.add_header(name, value, false)
    }

    /// Like [`header`](RequestOptions::header), for a value that is a secret:
    /// it is shown as `<redacted>` in `Debug` output and marked sensitive on
    /// the wire.
    pub fn sensitive_header(self, name: &str, value: &str) -> Self {
        self.add_header(name, value, true)
    }

    fn add_header(mut self, name: &str, value: &str, sensitive: bool) -> Self {
        match headers::parse(name, value) {
            Ok((name, mut value)) => {
                if sensitive {
                    value.set_sensitive(true);
                }
                self.headers.insert(name, value);
            }
            Err(reason) => {
                self.invalid.get_or_insert(("header in RequestOptions", reason));
            }
        }
        self
    }

    /// A query parameter sent with every call, for a parameter Conductor has
    /// added before this crate declares it. The value is encoded as declared
    /// parameters are: a list as repeated keys (`ids=a&ids=b`), a boolean as
    /// `true`/`false`, a `Date` or `Amount` as its text; a value that cannot
    /// be (a nested object, a non-finite number) fails every call with
    /// [`Error::InvalidInput`](crate::Error::InvalidInput). A call that
    /// already sends a parameter of that name fails the same way rather than
    /// send it twice.
    ///
    /// ```
    /// # async fn run(client: conductor::Client) -> conductor::Result<()> {
    /// use conductor::RequestOptions;
    ///
    /// let client = client.with_options(RequestOptions::new().query("includeArchived", true));
    /// # Ok(())
    /// # }
    /// ```
    pub fn query(mut self, name: &str, value: impl serde::Serialize) -> Self {
        if let Err(reason) = crate::encode::value_pairs(&mut self.query, name, &value) {
            self.invalid.get_or_insert(("query parameter in RequestOptions", format!("`{name}`: {reason}")));
        }
        self
    }

    /// A field added to the JSON body of every call that has one, for a field
    /// Conductor has added before this crate declares it. A call without a
    /// body, or whose body already has the field, fails with
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) before anything is
    /// sent.
    pub fn body_field(mut self, name: &str, value: serde_json::Value) -> Self {
        self.body.insert(name.to_owned(), value);
        self
    }
}

impl fmt::Debug for RequestOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestOptions")
            .field("settings", &self.settings)
            .field("headers", &headers::Redacted(&self.headers))
            .field("query", &self.query)
            .field("body", &self.body)
            .field("invalid", &self.invalid)
            .finish()
    }
}
