//! The settings a call may override, declared once: set on the
//! [`ClientBuilder`](crate::ClientBuilder) for every call, or on
//! [`RequestOptions`](crate::RequestOptions) for some, and resolved once when
//! the client or the options are made.

use std::time::Duration;

/// How long one attempt may take, from sending to the last body byte.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);
/// How long connecting (TCP and TLS) may take.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How many times a failed request is tried again.
pub const DEFAULT_MAX_RETRIES: u32 = 2;
/// How much longer than the server timeout an attempt may take, so that
/// Conductor's 504 arrives before the client gives up.
pub const SERVER_TIMEOUT_MARGIN: Duration = Duration::from_secs(10);
/// The server timeouts the client sends: whole seconds from 1 to 600.
/// Conductor documents its default (90 s) and the header, not a range.
pub const SERVER_TIMEOUT_RANGE: std::ops::RangeInclusive<Duration> = Duration::from_secs(1)..=Duration::from_secs(600);

/// The settings as given: `None` keeps the value they are applied over.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Settings {
    pub(crate) timeout: Option<Duration>,
    pub(crate) connect_timeout: Option<Duration>,
    pub(crate) max_retries: Option<u32>,
    pub(crate) retry_non_idempotent: Option<bool>,
    pub(crate) server_timeout: Option<Duration>,
}

/// The settings of a call, every one decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Resolved {
    pub(crate) timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) max_retries: u32,
    pub(crate) retry_non_idempotent: bool,
    /// How long Conductor waits for QuickBooks, sent as
    /// `Conductor-Timeout-Seconds`; `None` for Conductor's 90 s.
    pub(crate) server_timeout: Option<Duration>,
}

impl Default for Resolved {
    fn default() -> Self {
        Resolved {
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            max_retries: DEFAULT_MAX_RETRIES,
            retry_non_idempotent: false,
            server_timeout: None,
        }
    }
}

impl Resolved {
    /// How long one attempt may take: the timeout, or the server timeout and
    /// a margin when that is longer, so Conductor's 504 comes first.
    pub(crate) fn attempt_timeout(&self) -> Duration {
        match self.server_timeout {
            Some(server) => self.timeout.max(server.saturating_add(SERVER_TIMEOUT_MARGIN)),
            None => self.timeout,
        }
    }

    /// How long connecting may take in one attempt: the connect timeout, but
    /// never as long as the attempt itself (nine tenths of it at most), so
    /// that a connection that cannot be made in time (a TLS handshake that
    /// never ends) fails as a connect timeout, known not to have sent the
    /// request, rather than as a timeout of the whole attempt, which could
    /// have.
    pub(crate) fn effective_connect_timeout(&self) -> Duration {
        self.connect_timeout.min(self.attempt_timeout().mul_f64(0.9))
    }

    /// The `Conductor-Timeout-Seconds` value: whole seconds, a fraction
    /// rounded up; an error for a value Conductor does not take.
    pub(crate) fn server_timeout_seconds(&self) -> Result<Option<u64>, String> {
        let Some(timeout) = self.server_timeout else { return Ok(None) };
        if !SERVER_TIMEOUT_RANGE.contains(&timeout) {
            return Err(format!("the server timeout must be from 1 to 600 seconds, not {timeout:?}"));
        }
        Ok(Some(timeout.as_secs() + u64::from(timeout.subsec_nanos() > 0)))
    }
}

impl Settings {
    /// `base` with these settings applied over it.
    pub(crate) fn over(self, base: Resolved) -> Resolved {
        Resolved {
            timeout: self.timeout.unwrap_or(base.timeout),
            connect_timeout: self.connect_timeout.unwrap_or(base.connect_timeout),
            max_retries: self.max_retries.unwrap_or(base.max_retries),
            retry_non_idempotent: self.retry_non_idempotent.unwrap_or(base.retry_non_idempotent),
            server_timeout: self.server_timeout.or(base.server_timeout),
        }
    }
}

/// The setters of [`Settings`], written once for the builder and the
/// per-call options; `$holder` is the type's `Settings` field.
macro_rules! setters {
    ($holder:ident) => {
        /// How long one attempt may take, from sending to the last body
        /// byte; the client's default is
        /// [`DEFAULT_TIMEOUT`](crate::DEFAULT_TIMEOUT).
        pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
            self.$holder.timeout = Some(timeout);
            self
        }

        /// How long connecting (TCP and TLS) may take; the client's default
        /// is [`DEFAULT_CONNECT_TIMEOUT`](crate::DEFAULT_CONNECT_TIMEOUT).
        /// Not applied to a `reqwest::Client` given with
        /// [`ClientBuilder::http_client`](crate::ClientBuilder::http_client),
        /// whose own setting holds.
        pub fn connect_timeout(mut self, timeout: std::time::Duration) -> Self {
            self.$holder.connect_timeout = Some(timeout);
            self
        }

        /// How many times a failed request is tried again; 0 disables
        /// retries. The client's default is
        /// [`DEFAULT_MAX_RETRIES`](crate::DEFAULT_MAX_RETRIES).
        pub fn max_retries(mut self, retries: u32) -> Self {
            self.$holder.max_retries = Some(retries);
            self
        }

        /// Whether POST and PATCH requests are retried after failures where
        /// the server may have acted on them (5xx, timeouts, dropped
        /// connections). Off by default: a retried POST could create a record
        /// twice, so turn it on only where the endpoint is idempotent for
        /// your use. It never applies to a page request that carries a list's
        /// cursor, which is never sent twice (a repeat could skip a page), nor
        /// to QuickBooks' refusals, which would only be refused again.
        pub fn retry_non_idempotent(mut self, retry: bool) -> Self {
            self.$holder.retry_non_idempotent = Some(retry);
            self
        }

        /// How long Conductor waits for QuickBooks Desktop before answering
        /// 504 `QBD_REQUEST_TIMEOUT`, sent as `Conductor-Timeout-Seconds`
        /// (whole seconds, rounded up); Conductor's default is 90 s. From 1 s
        /// to 10 minutes: any other value fails the call before anything is
        /// sent. An attempt then may take up to this plus
        /// [`SERVER_TIMEOUT_MARGIN`](crate::SERVER_TIMEOUT_MARGIN), when that
        /// is longer than the [`timeout`](Self::timeout), so Conductor's 504
        /// arrives rather than a timeout of the client's own.
        pub fn server_timeout(mut self, timeout: std::time::Duration) -> Self {
            self.$holder.server_timeout = Some(timeout);
            self
        }
    };
}
pub(crate) use setters;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_settings_win_and_unset_ones_keep_the_base() {
        let client = Settings { timeout: Some(Duration::from_secs(30)), max_retries: Some(5), ..Settings::default() };
        let call = Settings { max_retries: Some(0), retry_non_idempotent: Some(true), ..Settings::default() };
        let resolved = call.over(client.over(Resolved::default()));
        assert_eq!(
            resolved,
            Resolved {
                timeout: Duration::from_secs(30),
                connect_timeout: DEFAULT_CONNECT_TIMEOUT,
                max_retries: 0,
                retry_non_idempotent: true,
                server_timeout: None,
            }
        );
        assert_eq!(Settings::default().over(Resolved::default()), Resolved::default());
    }

    #[test]
    fn an_attempt_outlasts_the_server_timeout() {
        let mut resolved = Resolved::default();
        assert_eq!((resolved.attempt_timeout(), resolved.server_timeout_seconds()), (DEFAULT_TIMEOUT, Ok(None)));
        resolved.server_timeout = Some(Duration::from_secs(200));
        assert_eq!(resolved.attempt_timeout(), Duration::from_secs(210));
        assert_eq!(resolved.server_timeout_seconds(), Ok(Some(200)));
        resolved.server_timeout = Some(Duration::from_millis(30_500));
        assert_eq!((resolved.attempt_timeout(), resolved.server_timeout_seconds()), (DEFAULT_TIMEOUT, Ok(Some(31))));
        for refused in [Duration::ZERO, Duration::from_millis(999), Duration::from_secs(601), Duration::MAX] {
            resolved.server_timeout = Some(refused);
            assert!(resolved.server_timeout_seconds().is_err(), "{refused:?}");
        }
        assert_eq!(resolved.attempt_timeout(), Duration::MAX, "saturating");
    }
}
