//! Options of a call that differ from the client's: [`RequestOptions`].

use std::fmt;
use std::time::Duration;

use reqwest::header::HeaderMap;

use crate::headers;

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
    pub(crate) timeout: Option<Duration>,
    pub(crate) connect_timeout: Option<Duration>,
    pub(crate) max_retries: Option<u32>,
    pub(crate) retry_non_idempotent: Option<bool>,
    pub(crate) headers: HeaderMap,
    /// The first header refused, reported by every call.
    pub(crate) invalid_header: Option<String>,
}

impl RequestOptions {
    /// Options that change nothing.
    pub fn new() -> Self {
        RequestOptions::default()
    }

    /// How long one attempt may take, from sending to the last body byte.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// How long connecting (TCP and TLS) may take.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// How many times a failed request is tried again; 0 disables retries.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = Some(retries);
        self
    }

    /// Whether POST and PATCH requests are retried after failures where the
    /// server may have acted on them (5xx, timeouts, dropped connections).
    /// Only safe when the endpoint is idempotent for your use.
    pub fn retry_non_idempotent(mut self, retry: bool) -> Self {
        self.retry_non_idempotent = Some(retry);
        self
    }

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
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("max_retries", &self.max_retries)
            .field("retry_non_idempotent", &self.retry_non_idempotent)
            .field("headers", &headers::Redacted(&self.headers))
            .field("invalid_header", &self.invalid_header)
            .finish()
    }
}
