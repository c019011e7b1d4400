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

/// The settings as given: `None` keeps the value they are applied over.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Settings {
    pub(crate) timeout: Option<Duration>,
    pub(crate) connect_timeout: Option<Duration>,
    pub(crate) max_retries: Option<u32>,
    pub(crate) retry_non_idempotent: Option<bool>,
}

/// The settings of a call, every one decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Resolved {
    pub(crate) timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) max_retries: u32,
    pub(crate) retry_non_idempotent: bool,
}

impl Default for Resolved {
    fn default() -> Self {
        Resolved {
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            max_retries: DEFAULT_MAX_RETRIES,
            retry_non_idempotent: false,
        }
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
        /// your use.
        pub fn retry_non_idempotent(mut self, retry: bool) -> Self {
            self.$holder.retry_non_idempotent = Some(retry);
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
            }
        );
        assert_eq!(Settings::default().over(Resolved::default()), Resolved::default());
    }
}
