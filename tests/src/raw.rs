//! A raw HTTP view of a sandbox: requests and answers as JSON, not as Rust
//! types, to see exactly what goes on the wire.

use conductor::reqwest::{self, Method};
use conductor_sandbox::Sandbox;
use serde_json::Value;

/// Sends requests to a sandbox for one end-user.
pub struct Raw {
    http: reqwest::Client,
    base: String,
    key: String,
    /// The end-user every QuickBooks Desktop request is for.
    pub end_user: String,
}

impl Raw {
    /// A raw view of `sandbox` for `end_user`.
    pub fn new(sandbox: &Sandbox, end_user: &str) -> Raw {
        Raw::at(&sandbox.base_url(), sandbox.api_key(), end_user)
    }

    /// A raw view of the server at `base` (`http://127.0.0.1:4010/v1`) with
    /// `key`, for `end_user`.
    pub fn at(base: &str, key: &str, end_user: &str) -> Raw {
        Raw { http: reqwest::Client::new(), base: base.to_owned(), key: key.to_owned(), end_user: end_user.to_owned() }
    }

    /// Sends `method path?query` with `body`; the status and the answer as
    /// JSON (`null` when it is not JSON).
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        query: &[(String, String)],
        body: Option<&Value>,
    ) -> (u16, Value) {
        let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let mut url = reqwest::Url::parse(&format!("{}{path}", self.base)).unwrap();
        url.query_pairs_mut().extend_pairs(query);
        let mut request = self
            .http
            .request(method, url)
            .header("Authorization", format!("Bearer {}", self.key))
            .header("Conductor-End-User-Id", &self.end_user);
        if let Some(body) = body {
            request = request.header("Content-Type", "application/json").body(body.to_string());
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let bytes = response.bytes().await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }
}
