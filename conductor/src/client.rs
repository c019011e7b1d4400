//! [`Client`] and its [`ClientBuilder`].

use std::fmt;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{ACCEPT, ACCEPT_ENCODING, AUTHORIZATION, HeaderMap, HeaderValue, USER_AGENT};
use reqwest::{Url, redirect};

use crate::connect::ConnectTimeoutLayer;
use crate::exchange::{CallOptions, Exchange, Extras};
use crate::headers::{self, END_USER_ID};
use crate::retry::Backoff;
use crate::settings::{Resolved, Settings, setters};
use crate::transport::Transport;
use crate::turns::Turns;
use crate::{Error, Request, RequestOptions, Response, Result};

/// The production API.
pub const DEFAULT_BASE_URL: &str = "https://api.conductor.is/v1";
/// The largest response body read, in bytes (64 MiB).
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 64 * 1024 * 1024;
/// How many idle connections per host the pool keeps: all of them, as
/// reqwest does by default, so a burst of concurrent calls reuses its
/// connections afterwards instead of closing and opening them again (each
/// one a TLS handshake to the API). Idle connections close after 90 s.
///
/// While the pool is opening connections, a call that has read an HTTP/1
/// answer yields once before returning, so the connection is idle again
/// before the caller's next call looks for one: 64 callers starting at once
/// open 64 connections.
pub const DEFAULT_POOL_MAX_IDLE_PER_HOST: usize = usize::MAX;

const SECRET_KEY_VAR: &str = "CONDUCTOR_SECRET_KEY";
const BASE_URL_VAR: &str = "CONDUCTOR_BASE_URL";
const CUSTOM_HEADERS_VAR: &str = "CONDUCTOR_CUSTOM_HEADERS";

/// The headers of `CONDUCTOR_CUSTOM_HEADERS`: `Name: value` lines, blank
/// lines skipped. The header rules themselves are `build`'s.
fn custom_headers(lines: &str) -> Result<Vec<(String, String)>> {
    (lines.lines().enumerate())
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(number, line)| match line.split_once(':') {
            Some((name, value)) if !name.trim().is_empty() => Ok((name.trim().to_owned(), value.trim().to_owned())),
            // The line may hold a secret: only its number is told.
            _ => Err(Error::config(format!(
                "{CUSTOM_HEADERS_VAR} line {} is not `Name: value`; give one header per line",
                number + 1
            ))),
        })
        .collect()
}

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
    exchange: Arc<Exchange>,
    /// The client's settings with any per-call options applied.
    call: CallOptions,
}

impl Client {
    /// A builder for a client with custom settings.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the environment: the secret key from
    /// `CONDUCTOR_SECRET_KEY`, the base URL from `CONDUCTOR_BASE_URL` when it
    /// is set, and headers for every request from `CONDUCTOR_CUSTOM_HEADERS`,
    /// one `Name: value` per line, as the official SDKs read them. A line
    /// that is not a valid header fails with [`Error::Config`].
    pub fn from_env() -> Result<Self> {
        let key = std::env::var(SECRET_KEY_VAR)
            .map_err(|_| Error::config(format!("{SECRET_KEY_VAR} is not set; set it to your Conductor secret key")))?;
        let mut builder = Client::builder().api_key(key);
        if let Ok(url) = std::env::var(BASE_URL_VAR) {
            builder = builder.base_url(url);
        }
        if let Ok(lines) = std::env::var(CUSTOM_HEADERS_VAR) {
            for (name, value) in custom_headers(&lines)? {
                builder = builder.default_header(name, value);
            }
        }
        builder.build()
    }

    /// The base URL every path is appended to.
    pub fn base_url(&self) -> &str {
        &self.exchange.base_url
    }

    /// A client that makes its calls with `options`, sharing this client's
    /// connection pool and settings otherwise. Cheap: no new pool is built.
    /// Options given to a client that already has some are merged, the new
    /// ones winning.
    pub fn with_options(&self, options: RequestOptions) -> Client {
        let RequestOptions { settings, headers, query, body, invalid } = options;
        let nothing = headers.is_empty() && query.is_empty() && body.is_empty() && invalid.is_none();
        let extra = match &self.call.extra {
            None if nothing => None,
            None => Some(Arc::new(Extras { headers, query, body, invalid })),
            Some(current) => {
                let mut merged = Extras {
                    headers: current.headers.clone(),
                    query: current.query.clone(),
                    body: current.body.clone(),
                    invalid: current.invalid.clone().or(invalid),
                };
                merged.headers.extend(headers);
                // A query parameter given again replaces the earlier one.
                merged.query.retain(|(name, _)| !query.iter().any(|(new, _)| new == name));
                merged.query.extend(query);
                merged.body.extend(body);
                Some(Arc::new(merged))
            }
        };
        let call = CallOptions { settings: settings.over(self.call.settings), extra };
        Client { exchange: Arc::clone(&self.exchange), call }
    }
}

impl Transport for Client {
    fn send(&self, request: Request) -> impl Future<Output = Result<Response<Bytes>>> + Send {
        self.exchange.send(&self.call, request)
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.exchange.base_url)
            .field("api_key", &"<redacted>")
            .field("settings", &self.call.settings)
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
    settings: Settings,
    backoff: Option<Backoff>,
    max_response_bytes: Option<u64>,
    pool_max_idle_per_host: Option<usize>,
    max_concurrent_per_end_user: Option<usize>,
    allow_insecure_http: bool,
    default_headers: Vec<(String, String)>,
    default_query: Vec<(String, String)>,
    invalid_query: Option<String>,
    proxy: ProxySetting,
    root_certificates: Vec<reqwest::Certificate>,
    http: Option<reqwest::Client>,
}

/// Which proxy requests to a host other than loopback go through.
#[derive(Default)]
enum ProxySetting {
    /// The system's: `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY`.
    #[default]
    System,
    /// None.
    Off,
    /// These.
    Given(Vec<reqwest::Proxy>),
}

impl ClientBuilder {
    /// The secret key (`sk_...`), sent as `Authorization: Bearer <key>`.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// The base URL; default [`DEFAULT_BASE_URL`]. Plain `http://` is
    /// accepted only for loopback hosts unless
    /// [`allow_insecure_http`](ClientBuilder::allow_insecure_http) is set.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    setters!(settings);

    /// The backoff between retries when the server gives no `Retry-After`:
    /// `min(initial * 2^n, max)` less up to 25% jitter; default 0.5 s and
    /// 8 s.
    pub fn retry_backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.backoff = Some(Backoff { initial, max });
        self
    }

    /// The largest response body read, in bytes; default
    /// [`DEFAULT_MAX_RESPONSE_BYTES`]. A larger body fails the call with
    /// [`Error::ResponseTooLarge`] without being read into memory.
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = Some(limit);
        self
    }

    /// How many idle connections per host the pool keeps; default
    /// [`DEFAULT_POOL_MAX_IDLE_PER_HOST`].
    pub fn pool_max_idle_per_host(mut self, max: usize) -> Self {
        self.pool_max_idle_per_host = Some(max);
        self
    }

    /// At most `n` requests in flight per end-user (per
    /// `Conductor-End-User-Id`) from this client and its clones; the others
    /// wait their turn, in the order they came, before they are sent. No
    /// limit by default; requests naming no end-user are never held.
    ///
    /// QuickBooks Desktop answers one request at a time per company file:
    /// requests beyond that only queue inside Conductor, where the wait
    /// counts toward its timeout. With `1`, an application serving many
    /// end-users sends each company file one request at a time, and an
    /// attempt's timeout starts when its turn comes. Each attempt takes a
    /// turn of its own: a retry queues again. `0` is refused by `build`.
    pub fn max_concurrent_per_end_user(mut self, n: usize) -> Self {
        self.max_concurrent_per_end_user = Some(n);
        self
    }

    /// Accepts a plain `http://` base URL to a host other than loopback, so
    /// the key travels unencrypted. Off by default.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// A header sent with every request. Checked by
    /// [`build`](ClientBuilder::build).
    pub fn default_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.default_headers.push((name.into(), value.into()));
        self
    }

    /// A query parameter sent with every call that does not set it itself,
    /// encoded as declared parameters are (a list as repeated keys, a
    /// boolean as `true`/`false`). A value that cannot be is refused by
    /// [`build`](ClientBuilder::build).
    pub fn default_query(mut self, name: &str, value: impl serde::Serialize) -> Self {
        if let Err(reason) = crate::encode::value_pairs(&mut self.default_query, name, &value) {
            self.invalid_query.get_or_insert(format!("default query parameter `{name}`: {reason}"));
        }
        self
    }

    /// Sends requests through this proxy instead of the system's (add
    /// several to route by scheme). Never used for a loopback base URL.
    ///
    /// ```
    /// let client = conductor::Client::builder()
    ///     .api_key("sk_test_123")
    ///     .proxy(conductor::reqwest::Proxy::https("http://proxy.internal:3128")?)
    ///     .build()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn proxy(mut self, proxy: reqwest::Proxy) -> Self {
        match &mut self.proxy {
            ProxySetting::Given(proxies) => proxies.push(proxy),
            other => *other = ProxySetting::Given(vec![proxy]),
        }
        self
    }

    /// Trusts this certificate authority for TLS, besides the system's: for
    /// a proxy that inspects TLS with a certificate of its own, or a test
    /// server with a self-signed one. Not applied to a client given with
    /// [`http_client`](ClientBuilder::http_client).
    pub fn add_root_certificate(mut self, certificate: reqwest::Certificate) -> Self {
        self.root_certificates.push(certificate);
        self
    }

    /// Sends requests directly, ignoring the system's proxy settings.
    pub fn no_proxy(mut self) -> Self {
        self.proxy = ProxySetting::Off;
        self
    }

    /// Sends through this `reqwest::Client` (its pool, proxy, TLS, redirect
    /// and connect-timeout settings) instead of one built here. Its proxy
    /// settings hold as they are, for loopback too.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Checks the settings and builds the client.
    ///
    /// Refuses a missing or empty key, a key that cannot be a header value,
    /// a base URL that does not parse, is not `http`/`https`, or is plain
    /// `http` to a host other than loopback (see
    /// [`allow_insecure_http`](ClientBuilder::allow_insecure_http)), and an
    /// invalid default header.
    pub fn build(self) -> Result<Client> {
        let own_client = self.http.is_none();
        let (base_url, loopback, pin) =
            parse_base_url(self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL), self.allow_insecure_http, own_client)?;
        let headers = self.default_headers()?;
        if let Some(reason) = self.invalid_query {
            return Err(Error::config(reason));
        }
        let default_end_user = headers.get(END_USER_ID).cloned();
        let settings = self.settings.over(Resolved::default());
        settings.server_timeout_seconds().map_err(Error::config)?;
        let turns = match self.max_concurrent_per_end_user {
            Some(0) => return Err(Error::config("max_concurrent_per_end_user must be at least 1")),
            Some(limit) => Some(Turns::new(limit)),
            None => None,
        };
        let connecting = Arc::new(AtomicUsize::new(0));
        let (http, layer_connect_timeout) = match self.http {
            Some(http) => (http, None),
            None => {
                let pool_max_idle = self.pool_max_idle_per_host.unwrap_or(DEFAULT_POOL_MAX_IDLE_PER_HOST);
                let connection = Connection {
                    pool_max_idle_per_host: pool_max_idle,
                    connect_timeout: settings.effective_connect_timeout(),
                    proxy: self.proxy,
                    loopback,
                    pin,
                    root_certificates: self.root_certificates,
                    connecting: Arc::clone(&connecting),
                };
                (http_client(connection)?, Some(settings.effective_connect_timeout()))
            }
        };
        let exchange = Exchange {
            http,
            base_url,
            headers,
            max_response_bytes: self.max_response_bytes.unwrap_or(DEFAULT_MAX_RESPONSE_BYTES),
            backoff: self.backoff.unwrap_or_default(),
            default_end_user,
            layer_connect_timeout,
            connecting,
            default_query: self.default_query,
            turns,
        };
        Ok(Client { exchange: Arc::new(exchange), call: CallOptions { settings, extra: None } })
    }

    /// The headers every request carries: the key, `Accept`, `User-Agent`
    /// and the caller's defaults.
    fn default_headers(&self) -> Result<HeaderMap> {
        let key = self.api_key.as_deref().ok_or_else(|| Error::config("no API key: call .api_key(\"sk_...\")"))?;
        if key.trim().is_empty() {
            return Err(Error::config("the API key is empty"));
        }
        let mut auth = HeaderValue::try_from(format!("Bearer {key}"))
            .map_err(|_| Error::config("the API key contains characters a header cannot carry"))?;
        auth.set_sensitive(true);
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        // Answers are inflated by the exchange as they arrive (see
        // `exchange::Inflate`), whatever HTTP client sends the request.
        headers.insert(ACCEPT_ENCODING, HeaderValue::from_static("gzip"));
        headers.insert(USER_AGENT, HeaderValue::from_static(concat!("conductor-rust/", env!("CARGO_PKG_VERSION"))));
        for (name, value) in &self.default_headers {
            let (name, value) = headers::parse(name, value).map_err(Error::config)?;
            headers.insert(name, value);
        }
        headers.insert(AUTHORIZATION, auth);
        Ok(headers)
    }
}

/// How a client built here connects.
struct Connection {
    pool_max_idle_per_host: usize,
    connect_timeout: Duration,
    proxy: ProxySetting,
    /// Whether the base URL's host is loopback.
    loopback: bool,
    /// A host that is loopback by its name (`localhost`, `*.localhost`):
    /// resolved to loopback by the client itself, never by DNS.
    pin: Option<String>,
    root_certificates: Vec<reqwest::Certificate>,
    /// How many connections are being opened now, counted by the connector.
    connecting: Arc<AtomicUsize>,
}

/// The `reqwest::Client` a client builds for itself.
fn http_client(connection: Connection) -> Result<reqwest::Client> {
    // No default headers here: the exchange puts the client's headers on
    // each request itself, so reqwest has no map of its own to copy and
    // merge for every request.
    let http = reqwest::Client::builder()
        // Conductor does not redirect; a redirect is answered as an error
        // rather than followed, so the key goes nowhere else.
        .redirect(redirect::Policy::none())
        // The exchange inflates gzip itself: every member of the stream,
        // with a bad stream reported as a decode error.
        .no_gzip()
        .pool_max_idle_per_host(connection.pool_max_idle_per_host)
        .connector_layer(ConnectTimeoutLayer { default: connection.connect_timeout, connecting: connection.connecting })
        .tls_certs_merge(connection.root_certificates);
    let loopback_addrs = [SocketAddr::from(([127, 0, 0, 1], 0)), SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, 0))];
    let http = match &connection.pin {
        Some(host) => http.resolve_to_addrs(host, &loopback_addrs),
        None => http,
    };
    // Loopback is this machine: a proxy could only carry the key elsewhere,
    // in clear text when the URL is plain http.
    let http = match connection.proxy {
        _ if connection.loopback => http.no_proxy(),
        ProxySetting::System => http,
        ProxySetting::Off => http.no_proxy(),
        ProxySetting::Given(proxies) => proxies.into_iter().fold(http, reqwest::ClientBuilder::proxy),
    };
    http.build().map_err(|e| Error::config(format!("could not build the HTTP client: {e}")))
}

/// The base URL without a trailing `/`, whether its host is loopback, and
/// the host name to resolve to loopback.
///
/// A host is loopback by its address (`127.0.0.0/8`, `::1`) or by its name
/// (`localhost`, `*.localhost`, which RFC 6761 reserves for loopback). A
/// name is only as good as its resolution: the client's own HTTP client
/// resolves such a name to loopback itself, never through DNS; with an HTTP
/// client of the caller's, the name counts as loopback only if it resolves
/// to nothing but loopback addresses now.
fn parse_base_url(text: &str, allow_insecure_http: bool, own_client: bool) -> Result<(String, bool, Option<String>)> {
    // The text may hold a password: messages show it without one.
    let shown = without_userinfo(text);
    let invalid = |why: &dyn fmt::Display| Error::config(format!("invalid base URL {shown:?}: {why}"));
    let url = Url::parse(text).map_err(|e| invalid(&e))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid(&"the scheme must be http or https"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(
            &"it must not carry a user name or password; the API key is the only credential, given with .api_key()",
        ));
    }
    let Some(host) = url.host_str() else {
        return Err(invalid(&"it has no host"));
    };
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid(&"it must not have a query or fragment"));
    }
    let by_name = host.eq_ignore_ascii_case("localhost") || host.to_ascii_lowercase().ends_with(".localhost");
    let (loopback, pin) = match host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>() {
        Ok(ip) => (ip.is_loopback(), None),
        Err(_) if by_name && own_client => (true, Some(host.to_owned())),
        Err(_) if by_name => {
            use std::net::ToSocketAddrs as _;
            let port = url.port_or_known_default().unwrap_or(80);
            let addrs: Vec<SocketAddr> = (host, port).to_socket_addrs().map(Iterator::collect).unwrap_or_default();
            (!addrs.is_empty() && addrs.iter().all(|addr| addr.ip().is_loopback()), None)
        }
        Err(_) => (false, None),
    };
    if url.scheme() == "http" && !loopback && !allow_insecure_http {
        return Err(Error::config(format!(
            "refusing to send the API key unencrypted to {shown:?}: use https, \
             or call .allow_insecure_http(true) if you mean it"
        )));
    }
    Ok((url.as_str().trim_end_matches('/').to_owned(), loopback, pin))
}

/// A URL's text with anything between `//` and an `@` before the path
/// replaced, so a password in it is never repeated.
fn without_userinfo(text: &str) -> std::borrow::Cow<'_, str> {
    let Some(start) = text.find("//").map(|i| i + 2) else { return text.into() };
    let authority_end = text[start..].find(['/', '?', '#']).map_or(text.len(), |i| start + i);
    match text[start..authority_end].rfind('@') {
        Some(at) => format!("{}***{}", &text[..start], &text[start + at..]).into(),
        None => text.into(),
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("base_url", &self.base_url.as_deref().map(without_userinfo))
            .field("settings", &self.settings)
            .field("default_headers", &self.default_headers.iter().map(|(name, _)| name).collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_headers_are_name_colon_value_lines() {
        let headers = custom_headers("X-Team: billing\n\n  X-Trace :  t-1 \nX-Url: https://a.example/x").unwrap();
        assert_eq!(
            headers,
            [("X-Team", "billing"), ("X-Trace", "t-1"), ("X-Url", "https://a.example/x")]
                .map(|(n, v)| (n.to_owned(), v.to_owned()))
        );
        for bad in ["X-Team billing", ": no name", "ok: 1\nsecret-token-without-colon"] {
            let error = custom_headers(bad).unwrap_err();
            assert!(matches!(error, Error::Config { .. }), "{bad}");
            assert!(!error.to_string().contains("secret"), "{error}");
            assert!(error.to_string().contains("CONDUCTOR_CUSTOM_HEADERS line"), "{error}");
        }
        // What a header cannot carry is refused by `build`, as any default
        // header's.
        let built = Client::builder().api_key("sk_1").default_header("Content-Length", "0").build();
        assert!(matches!(built, Err(Error::Config { .. })));
    }

    #[test]
    fn base_urls_are_checked() {
        let parsed = |text| parse_base_url(text, false, true).map(|(url, _, _)| url).unwrap();
        assert_eq!(parsed("http://127.0.0.1:4010/v1/"), "http://127.0.0.1:4010/v1");
        assert_eq!(parsed("http://localhost:4010/v1"), "http://localhost:4010/v1");
        assert_eq!(parsed("http://[::1]:4010/v1"), "http://[::1]:4010/v1");
        assert_eq!(parsed(DEFAULT_BASE_URL), DEFAULT_BASE_URL);
        assert!(!parse_base_url(DEFAULT_BASE_URL, false, true).unwrap().1);
        assert!(parse_base_url("https://127.0.0.2/v1", false, true).unwrap().1);
        assert_eq!(parse_base_url("http://10.0.0.5/v1", true, true).unwrap().0, "http://10.0.0.5/v1");
        for bad in ["", "not a url", "ftp://x/v1", "https://x/v1?a=1", "https://x/v1#f", "/v1", "http://10.0.0.5/v1"] {
            assert!(matches!(parse_base_url(bad, false, true), Err(Error::Config { .. })), "{bad}");
        }
    }

    #[test]
    fn base_urls_with_credentials_are_refused_without_repeating_them() {
        for bad in [
            "http://user:hunter2@127.0.0.1:4010/v1",
            "https://user:hunter2@api.conductor.is/v1",
            "https://:hunter2@api.conductor.is/v1",
            "https://hunter2@api.conductor.is/v1",
            "https://user:hunter2@api.conductor.is:bad/v1",
        ] {
            let error = parse_base_url(bad, true, true).unwrap_err();
            let message = error.to_string();
            assert!(matches!(error, Error::Config { .. }), "{bad}");
            assert!(!message.contains("hunter2"), "{message}");
        }
        let message = parse_base_url("https://user:hunter2@api.conductor.is/v1", false, true).unwrap_err().to_string();
        assert_eq!(
            message,
            "invalid client configuration: invalid base URL \"https://***@api.conductor.is/v1\": it must not carry a \
             user name or password; the API key is the only credential, given with .api_key()"
        );
    }
}
