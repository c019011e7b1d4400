//! [`Client`], its [`ClientBuilder`], and the HTTP [`Transport`] it provides.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::Url;
use reqwest::header::{
    ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, USER_AGENT,
};

use crate::retry::{self, Verdict};
use crate::transport::{Request, Response, Transport};
use crate::{Error, Result};

/// The production API.
pub const DEFAULT_BASE_URL: &str = "https://api.conductor.is/v1";
/// How long one attempt may take, from connecting to the last body byte.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);
/// How many times a failed request is tried again.
pub const DEFAULT_MAX_RETRIES: u32 = 2;

const SECRET_KEY_VAR: &str = "CONDUCTOR_SECRET_KEY";
const BASE_URL_VAR: &str = "CONDUCTOR_BASE_URL";

/// A Conductor API client.
///
/// Cheap to clone: clones share one connection pool and configuration, so
/// make one and pass clones around. Every endpoint is a method on a resource
/// handle such as [`end_users`](Client::end_users), or on a trait of your own
/// declared with [`api`](crate::api).
///
/// ```no_run
/// # async fn run() -> conductor::Result<()> {
/// let client = conductor::Client::from_env()?;
/// for user in client.end_users().list().await? {
///     println!("{} {}", user.id, user.company_name);
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base_url: String,
    /// Authorization, Accept, User-Agent and the caller's default headers.
    headers: HeaderMap,
    timeout: Duration,
    max_retries: u32,
}

impl Client {
    /// A builder for a client with custom settings.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the environment: the secret key from
    /// `CONDUCTOR_SECRET_KEY`, and the base URL from `CONDUCTOR_BASE_URL`
    /// when it is set.
    pub fn from_env() -> Result<Self> {
        let key = std::env::var(SECRET_KEY_VAR).map_err(|_| {
            Error::config(format!(
                "{SECRET_KEY_VAR} is not set; set it to your Conductor secret key"
            ))
        })?;
        let mut builder = Client::builder().api_key(key);
        if let Ok(url) = std::env::var(BASE_URL_VAR) {
            builder = builder.base_url(url);
        }
        builder.build()
    }

    /// The base URL every path is appended to.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    async fn attempt(
        &self,
        request: &Request,
        url: &Url,
    ) -> Result<Response<Bytes>, reqwest::Error> {
        let inner = &*self.inner;
        let mut builder = inner
            .http
            .request(request.method.clone(), url.clone())
            .headers(inner.headers.clone())
            .headers(request.headers.clone())
            .timeout(inner.timeout);
        if let Some(body) = &request.body {
            builder = builder
                .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                .body(body.clone());
        }
        let response = builder.send().await?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await?;
        Ok(Response::new(status, headers, body))
    }

    fn url(&self, request: &Request) -> Result<Url> {
        let mut url = String::with_capacity(self.inner.base_url.len() + request.path.len() + 64);
        url.push_str(&self.inner.base_url);
        url.push_str(&request.path);
        let query = request.query_string();
        if !query.is_empty() {
            url.push('?');
            url.push_str(&query);
        }
        Url::parse(&url).map_err(|e| Error::invalid_input("request URL", e.to_string()))
    }

    fn map_error(&self, error: reqwest::Error) -> Error {
        if error.is_timeout() {
            Error::Timeout {
                limit: self.inner.timeout,
            }
        } else {
            Error::connection(error)
        }
    }
}

impl Transport for Client {
    async fn send(&self, request: Request) -> Result<Response<Bytes>> {
        let url = self.url(&request)?;
        let mut attempt = 0u32;
        loop {
            let started = Instant::now();
            let outcome = self.attempt(&request, &url).await;
            let verdict = retry::judge(&request.method, &outcome);
            tracing::debug!(
                method = %request.method,
                path = request.path_template,
                attempt = attempt + 1,
                status = outcome.as_ref().ok().map(|r| r.status().as_u16()),
                request_id = outcome.as_ref().ok().and_then(|r| r.request_id()),
                elapsed_ms = started.elapsed().as_millis() as u64,
                "conductor request",
            );
            if let Verdict::Retry = verdict {
                if attempt < self.inner.max_retries {
                    let wait = retry::delay(attempt, outcome.as_ref().ok().map(Response::headers));
                    attempt += 1;
                    tokio::time::sleep(wait).await;
                    continue;
                }
            }
            return outcome.map_err(|e| self.map_error(e));
        }
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("api_key", &"<redacted>")
            .field("timeout", &self.inner.timeout)
            .field("max_retries", &self.inner.max_retries)
            .finish_non_exhaustive()
    }
}

/// Configures and builds a [`Client`].
///
/// ```
/// use std::time::Duration;
///
/// let client = conductor::Client::builder()
///     .api_key("sk_test_123")
///     .base_url("http://127.0.0.1:4010/v1")
///     .timeout(Duration::from_secs(30))
///     .max_retries(3)
///     .default_header("X-Team", "billing")
///     .build()?;
/// # Ok::<(), conductor::Error>(())
/// ```
#[derive(Default)]
pub struct ClientBuilder {
    api_key: Option<String>,
    base_url: Option<String>,
    timeout: Option<Duration>,
    max_retries: Option<u32>,
    default_headers: Vec<(String, String)>,
    http: Option<reqwest::Client>,
}

impl ClientBuilder {
    /// The secret key (`sk_...`), sent as `Authorization: Bearer <key>`.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// The base URL; default [`DEFAULT_BASE_URL`].
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// How long one attempt may take, from connecting to the last body
    /// byte; default [`DEFAULT_TIMEOUT`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// How many times a failed request is tried again; default
    /// [`DEFAULT_MAX_RETRIES`], 0 disables retries.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = Some(retries);
        self
    }

    /// A header sent with every request. Checked by
    /// [`build`](ClientBuilder::build).
    pub fn default_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.default_headers.push((name.into(), value.into()));
        self
    }

    /// Sends through this `reqwest::Client` (its pool, proxy and TLS
    /// settings) instead of a new one.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Checks the settings and builds the client.
    ///
    /// Refuses a missing or empty key, a key that cannot be a header value,
    /// a base URL that does not parse or is not `http`/`https`, and an
    /// invalid default header.
    pub fn build(self) -> Result<Client> {
        let key = self
            .api_key
            .ok_or_else(|| Error::config("no API key: call .api_key(\"sk_...\")"))?;
        if key.trim().is_empty() {
            return Err(Error::config("the API key is empty"));
        }
        let mut auth = HeaderValue::try_from(format!("Bearer {key}"))
            .map_err(|_| Error::config("the API key contains characters a header cannot carry"))?;
        auth.set_sensitive(true);

        let base_url = parse_base_url(self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL))?;

        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        headers.insert(
            USER_AGENT,
            HeaderValue::from_static(concat!("conductor-rust/", env!("CARGO_PKG_VERSION"))),
        );
        for (name, value) in self.default_headers {
            let header = HeaderName::try_from(name.as_str())
                .map_err(|_| Error::config(format!("{name:?} is not a valid header name")))?;
            let value = HeaderValue::try_from(value).map_err(|_| {
                Error::config(format!(
                    "the value of header {name:?} contains characters a header cannot carry"
                ))
            })?;
            headers.insert(header, value);
        }
        headers.insert(AUTHORIZATION, auth);

        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .build()
                .map_err(|e| Error::config(format!("could not build the HTTP client: {e}")))?,
        };

        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base_url,
                headers,
                timeout: self.timeout.unwrap_or(DEFAULT_TIMEOUT),
                max_retries: self.max_retries.unwrap_or(DEFAULT_MAX_RETRIES),
            }),
        })
    }
}

fn parse_base_url(text: &str) -> Result<String> {
    let url =
        Url::parse(text).map_err(|e| Error::config(format!("invalid base URL {text:?}: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::config(format!(
            "invalid base URL {text:?}: the scheme must be http or https"
        )));
    }
    if url.host().is_none() {
        return Err(Error::config(format!(
            "invalid base URL {text:?}: it has no host"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::config(format!(
            "invalid base URL {text:?}: it must not have a query or fragment"
        )));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .field(
                "default_headers",
                &self
                    .default_headers
                    .iter()
                    .map(|(name, _)| name)
                    .collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_checked() {
        assert_eq!(
            parse_base_url("http://127.0.0.1:4010/v1/").unwrap(),
            "http://127.0.0.1:4010/v1"
        );
        assert_eq!(parse_base_url(DEFAULT_BASE_URL).unwrap(), DEFAULT_BASE_URL);
        for bad in [
            "",
            "not a url",
            "ftp://x/v1",
            "http://x/v1?a=1",
            "http://x/v1#f",
            "/v1",
        ] {
            assert!(
                matches!(parse_base_url(bad), Err(Error::Config { .. })),
                "{bad}"
            );
        }
    }
}
