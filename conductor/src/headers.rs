//! Headers: the names Conductor defines, the one rule every caller-supplied
//! header passes (builder, per-call options, `#[header]` arguments), and
//! reading a header as text.

use std::fmt;

use reqwest::header::{
    AUTHORIZATION, CONNECTION, CONTENT_LENGTH, COOKIE, HOST, HeaderMap, HeaderName, HeaderValue, PROXY_AUTHORIZATION,
    TE, TRANSFER_ENCODING, UPGRADE,
};

/// The end-user a QuickBooks Desktop request is made for.
pub(crate) const END_USER_ID: HeaderName = HeaderName::from_static("conductor-end-user-id");
/// The id Conductor gives each request.
pub(crate) const REQUEST_ID: HeaderName = HeaderName::from_static("conductor-request-id");
/// The server's word on whether a failure may be retried.
pub(crate) const SHOULD_RETRY: HeaderName = HeaderName::from_static("x-should-retry");
/// How long Conductor waits for QuickBooks Desktop, in whole seconds.
pub(crate) const CONDUCTOR_TIMEOUT: HeaderName = HeaderName::from_static("conductor-timeout-seconds");
/// The wait before a retry, in milliseconds.
pub(crate) const RETRY_AFTER_MS: HeaderName = HeaderName::from_static("retry-after-ms");

/// Headers that frame the message on the wire. HTTP itself sets them from
/// the body and the connection; a caller's value would contradict what is
/// sent (a `Content-Length: 0` on a 38-byte body) or smuggle a second
/// request.
const FRAMING: [HeaderName; 6] = [CONTENT_LENGTH, TRANSFER_ENCODING, HOST, CONNECTION, TE, UPGRADE];

/// Whether `name` is set by HTTP itself and refused from callers.
pub(crate) fn is_framing(name: &HeaderName) -> bool {
    FRAMING.contains(name) || name.as_str() == "keep-alive" || name.as_str() == "proxy-connection"
}

/// Headers whose values are credentials: kept out of `Debug` output and
/// marked sensitive for HTTP/2's header compression.
fn is_sensitive(name: &HeaderName) -> bool {
    *name == AUTHORIZATION || *name == PROXY_AUTHORIZATION || *name == COOKIE
}

/// A caller-supplied header, checked: a valid name that HTTP does not
/// reserve, and a value without CR, LF or another control character.
/// Credentials are marked sensitive.
pub(crate) fn parse(name: &str, value: &str) -> Result<(HeaderName, HeaderValue), String> {
    let parsed = HeaderName::try_from(name).map_err(|_| format!("{name:?} is not a valid header name"))?;
    let value = check(&parsed, name, value)?;
    Ok((parsed, value))
}

/// The value of a header whose name is already valid; the framing rule
/// applies as in [`parse`].
pub(crate) fn checked_value(name: &HeaderName, value: &str) -> Result<HeaderValue, String> {
    check(name, name.as_str(), value)
}

/// The rule itself; `shown` is the name as the caller wrote it, for
/// messages. The value is never repeated: it may be a secret.
fn check(name: &HeaderName, shown: &str, value: &str) -> Result<HeaderValue, String> {
    if is_framing(name) {
        return Err(format!(
            "header {shown:?} is set by HTTP from the body and the connection, and cannot be given by the caller"
        ));
    }
    let mut value = HeaderValue::try_from(value).map_err(|_| {
        format!(
            "the value of header {shown:?} contains a character a header cannot carry (CR, LF or another control character)"
        )
    })?;
    if is_sensitive(name) {
        value.set_sensitive(true);
    }
    Ok(value)
}

/// The value of header `name` as text, when present and visible ASCII.
pub(crate) fn text(headers: &HeaderMap, name: impl reqwest::header::AsHeaderName) -> Option<&str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

/// Shows a header map with the values of sensitive headers replaced.
pub(crate) struct Redacted<'a>(pub(crate) &'a HeaderMap);

impl fmt::Debug for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (name, value) in self.0 {
            if value.is_sensitive() || is_sensitive(name) {
                map.entry(name, &"<redacted>");
            } else {
                map.entry(name, value);
            }
        }
        map.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framing_headers_are_refused_in_any_case() {
        for name in [
            "Content-Length",
            "transfer-encoding",
            "HOST",
            "Connection",
            "TE",
            "Upgrade",
            "Keep-Alive",
            "Proxy-Connection",
        ] {
            let error = parse(name, "0").unwrap_err();
            assert!(error.contains("is set by HTTP"), "{name}: {error}");
        }
        assert!(parse("X-Trace", "abc").is_ok());
    }

    #[test]
    fn credentials_are_marked_sensitive_and_redacted() {
        let mut map = HeaderMap::new();
        for (name, value) in
            [("Authorization", "Bearer sk_live_1"), ("Proxy-Authorization", "Basic eA=="), ("X-Team", "a")]
        {
            let (name, value) = parse(name, value).unwrap();
            map.insert(name, value);
        }
        let mut marked = HeaderValue::from_static("secret-cookie-like");
        marked.set_sensitive(true);
        map.insert("x-api-token", marked);
        let shown = format!("{:?}", Redacted(&map));
        assert_eq!(
            shown,
            r#"{"authorization": "<redacted>", "proxy-authorization": "<redacted>", "x-team": "a", "x-api-token": "<redacted>"}"#
        );
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    /// What HTTP lets a header value carry: no control character but tab.
    fn carriable(value: &str) -> bool {
        value.bytes().all(|b| b == b'\t' || (b >= 0x20 && b != 0x7f))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        #[test]
        fn values_with_control_characters_are_refused_and_others_kept_exactly(
            value in prop_oneof![any::<String>(), "[ -~\t\r\n\u{0}\u{7f}\u{85}é]{0,16}"],
        ) {
            match parse("X-Custom", &value) {
                Ok((name, parsed)) => {
                    prop_assert!(carriable(&value), "{value:?} was accepted");
                    prop_assert_eq!(name.as_str(), "x-custom");
                    prop_assert_eq!(parsed.as_bytes(), value.as_bytes());
                }
                Err(reason) => {
                    prop_assert!(!carriable(&value), "{value:?} was refused: {reason}");
                    prop_assert!(!reason.contains(&value) || value.is_empty(), "the value is repeated: {reason}");
                }
            }
        }

        #[test]
        fn names_must_be_tokens(name in "[ -~\u{0}-\u{1f}é]{0,12}") {
            let token = !name.is_empty()
                && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
            prop_assert_eq!(parse(&name, "v").is_ok() || (token && is_framing(&HeaderName::try_from(name.as_str()).unwrap())), token);
        }
    }
}
