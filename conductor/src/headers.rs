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
    let name = HeaderName::try_from(name).map_err(|_| format!("{name:?} is not a valid header name"))?;
    let value = checked_value(&name, value)?;
    Ok((name, value))
}

/// The value of a header whose name is already valid; the framing rule
/// applies as in [`parse`].
pub(crate) fn checked_value(name: &HeaderName, value: &str) -> Result<HeaderValue, String> {
    if is_framing(name) {
        return Err(format!(
            "header `{name}` is set by HTTP from the body and the connection, and cannot be given by the caller"
        ));
    }
    let mut value = HeaderValue::try_from(value).map_err(|_| {
        format!("the value of header `{name}` contains a character a header cannot carry (CR, LF or another control character)")
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
        for (name, value) in [("Authorization", "Bearer sk_live_1"), ("Proxy-Authorization", "Basic eA=="), ("X-Team", "a")]
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
