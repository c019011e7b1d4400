//! What a route answers, and how an answer goes on the wire with its request
//! id.

use bytes::Bytes;
use http_body_util::Full;
use reqwest::StatusCode;
use serde_json::{Value, json};

use reqwest::header::{CONTENT_ENCODING, CONTENT_TYPE, HeaderValue};

use crate::headers::REQUEST_ID;

/// Bodies shorter than this are sent as they are: compressing them saves
/// nothing.
const COMPRESS_FROM: usize = 1024;

fn compress(body: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut encoder = flate2::write::GzEncoder::new(Vec::with_capacity(body.len() / 4), flate2::Compression::fast());
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(body);
    encoder.finish().unwrap_or_default()
}

/// An answer before its request id is added.
#[derive(Debug)]
pub(crate) enum Reply {
    /// 200 with this body.
    Ok(Value),
    /// Conductor's error body.
    Error {
        status: StatusCode,
        error_type: &'static str,
        code: String,
        message: String,
        /// What to show the end-user; the `message` when `None`.
        user_facing: Option<String>,
        /// QuickBooks' or the Web Connector's own error code.
        integration_code: Option<String>,
    },
}

pub(crate) fn ok(body: Value) -> Reply {
    Reply::Ok(body)
}

/// Conductor's error body.
pub(crate) fn error(status: StatusCode, error_type: &'static str, code: &str, message: &str) -> Reply {
    Reply::Error {
        status,
        error_type,
        code: code.to_owned(),
        message: message.to_owned(),
        user_facing: None,
        integration_code: None,
    }
}

/// Conductor's 404 for a record or end-user that does not exist.
pub(crate) fn not_found(what: &str, id: &str) -> Reply {
    error(
        StatusCode::NOT_FOUND,
        "INVALID_REQUEST_ERROR",
        "RESOURCE_MISSING",
        &format!("No {what} exists with ID {id:?}."),
    )
}

/// Conductor's 400 for a request it refuses before QuickBooks sees it.
pub(crate) fn bad_request(code: &str, message: &str) -> Reply {
    error(StatusCode::BAD_REQUEST, "INVALID_REQUEST_ERROR", code, message)
}

pub(crate) fn route_missing() -> Reply {
    error(StatusCode::NOT_FOUND, "INVALID_REQUEST_ERROR", "ROUTE_NOT_FOUND", "No such route.")
}

pub(crate) fn method_missing() -> Reply {
    error(
        StatusCode::METHOD_NOT_ALLOWED,
        "INVALID_REQUEST_ERROR",
        "METHOD_NOT_ALLOWED",
        "This route does not take that method.",
    )
}

pub(crate) type Answer = hyper::Response<Full<Bytes>>;

impl Reply {
    /// The HTTP response, with `id` in the `Conductor-Request-Id` header and
    /// in an error body, gzip-compressed when the client accepts it and the
    /// body is worth it, as the API does.
    pub(crate) fn render(self, id: &str, gzip: bool) -> Answer {
        let (status, body) = match self {
            Reply::Ok(body) => (StatusCode::OK, body),
            Reply::Error { status, error_type, code, message, user_facing, integration_code } => {
                let shown = user_facing.unwrap_or_else(|| message.clone());
                let mut error = json!({
                    "message": message,
                    "userFacingMessage": shown,
                    "type": error_type,
                    "code": code,
                    "httpStatusCode": status.as_u16(),
                    "requestId": id,
                });
                if let Some(integration_code) = integration_code {
                    error["integrationCode"] = json!(integration_code);
                }
                (status, json!({ "error": error }))
            }
        };
        let body = body.to_string().into_bytes();
        let (body, compressed) = match gzip && body.len() >= COMPRESS_FROM {
            true => (compress(&body), true),
            false => (body, false),
        };
        let mut answer = hyper::Response::new(Full::new(Bytes::from(body)));
        *answer.status_mut() = status;
        let headers = answer.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if compressed {
            headers.insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        }
        // Ids are made of letters, digits and `_`; anything else is left out
        // rather than failing the answer.
        if let Ok(value) = HeaderValue::from_str(id) {
            headers.insert(REQUEST_ID, value);
        }
        answer
    }
}
