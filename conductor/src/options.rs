//! Options of a call that differ from the client's: [`RequestOptions`].

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

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
#[derive(Clone, Debug, Default)]
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
    /// another control character) makes every call fail with
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) before anything is
    /// sent.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        match (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            (Ok(name), Ok(value)) => {
                self.headers.insert(name, value);
            }
            (Err(_), _) => {
                self.invalid_header.get_or_insert_with(|| format!("{name:?} is not a valid header name"));
            }
            (Ok(_), Err(_)) => {
                self.invalid_header.get_or_insert_with(|| {
                    format!("the value of header {name:?} contains a character a header cannot carry (CR, LF or another control character)")
                });
            }
        }
        self
    }
}
