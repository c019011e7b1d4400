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
    /// The first header refused, reported by every call.
    pub(crate) invalid_header: Option<String>,
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
                self.invalid_header.get_or_insert(reason);
            }
        }
        self
    }
}

impl fmt::Debug for RequestOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestOptions")
            .field("settings", &self.settings)
            .field("headers", &headers::Redacted(&self.headers))
            .field("invalid_header", &self.invalid_header)
            .finish()
    }
}
