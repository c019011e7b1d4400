//! When a failed attempt is tried again, and how long to wait first.

use std::time::Duration;

use bytes::Bytes;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};

use crate::transport::Response;

pub(crate) enum Verdict {
    Done,
    Retry,
}

/// Retrying a request that may have reached the server is safe only for
/// idempotent methods: a repeated POST could create a record twice.
fn idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
    )
}

pub(crate) fn judge(method: &Method, outcome: &Result<Response<Bytes>, reqwest::Error>) -> Verdict {
    let retry = match outcome {
        Ok(response) => {
            let status = response.status();
            match response
                .headers()
                .get("x-should-retry")
                .map(|v| v.as_bytes())
            {
                Some(b"true") => true,
                Some(b"false") => false,
                _ => {
                    matches!(
                        status,
                        StatusCode::REQUEST_TIMEOUT
                            | StatusCode::CONFLICT
                            | StatusCode::TOO_MANY_REQUESTS
                    ) || (status.is_server_error() && idempotent(method))
                }
            }
        }
        // A refused connection never reached the server.
        Err(error) if error.is_connect() => true,
        Err(_) => idempotent(method),
    };
    if retry { Verdict::Retry } else { Verdict::Done }
}

/// The wait before retry number `attempt + 1`: the server's
/// `retry-after-ms` or `Retry-After` (seconds) when under a minute, else
/// exponential backoff `min(0.5 * 2^attempt, 8)` seconds less up to 25%
/// jitter.
pub(crate) fn delay(attempt: u32, headers: Option<&HeaderMap>) -> Duration {
    if let Some(wait) = headers.and_then(server_delay) {
        return wait;
    }
    let base = (0.5 * 2f64.powi(attempt.min(16) as i32)).min(8.0);
    Duration::from_secs_f64(base * (1.0 - 0.25 * jitter()))
}

fn server_delay(headers: &HeaderMap) -> Option<Duration> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    let wait = if let Some(ms) = header("retry-after-ms").and_then(|v| v.parse::<f64>().ok()) {
        ms / 1000.0
    } else {
        header("retry-after")?.parse::<f64>().ok()?
    };
    (wait.is_finite() && (0.0..60.0).contains(&wait)).then(|| Duration::from_secs_f64(wait))
}

/// A number in [0, 1), from the standard library's randomly seeded hasher.
fn jitter() -> f64 {
    use std::hash::{BuildHasher, RandomState};
    let bits = RandomState::new().hash_one(std::time::Instant::now());
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_eight_seconds_with_jitter() {
        for (attempt, base) in [(0, 0.5), (1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (10, 8.0)] {
            let wait = delay(attempt, None).as_secs_f64();
            assert!(
                wait <= base && wait >= base * 0.75,
                "attempt {attempt}: {wait}"
            );
        }
    }

    #[test]
    fn server_delay_is_honoured_under_a_minute() {
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", "2".parse().unwrap());
        assert_eq!(delay(0, Some(&headers)), Duration::from_secs(2));
        headers.insert("retry-after-ms", "250".parse().unwrap());
        assert_eq!(delay(0, Some(&headers)), Duration::from_millis(250));
        let mut long = HeaderMap::new();
        long.insert("retry-after", "120".parse().unwrap());
        assert!(delay(0, Some(&long)) <= Duration::from_millis(500));
    }
}
