//! What a route answers, and how an answer goes on the wire with its request
//! id.

use bytes::Bytes;
use http_body_util::Full;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::headers::REQUEST_ID;

/// An answer before its request id is added.
pub(crate) enum Reply {
    /// 200 with this body.
    Ok(Value),
    /// Conductor's error body.
    Error { status: StatusCode, error_type: &'static str, code: String, message: String },
}

pub(crate) fn ok(body: Value) -> Reply {
    Reply::Ok(body)
}

/// Conductor's error body.
pub(crate) fn error(status: StatusCode, error_type: &'static str, code: &str, message: &str) -> Reply {
    Reply::Error { status, error_type, code: code.to_owned(), message: message.to_owned() }
}

pub(crate) type Answer = hyper::Response<Full<Bytes>>;

impl Reply {
    /// The HTTP response, with `id` in the `Conductor-Request-Id` header and
    /// in an error body.
    pub(crate) fn render(self, id: &str) -> Answer {
        let (status, body) = match self {
            Reply::Ok(body) => (StatusCode::OK, body),
            Reply::Error { status, error_type, code, message } => (
                status,
                json!({"error": {
                    "message": message,
                    "userFacingMessage": message,
                    "type": error_type,
                    "code": code,
                    "httpStatusCode": status.as_u16(),
                    "requestId": id,
                }}),
            ),
        };
        let mut answer = hyper::Response::new(Full::new(Bytes::from(body.to_string())));
        *answer.status_mut() = status;
        let headers = answer.headers_mut();
        headers.insert(reqwest::header::CONTENT_TYPE, reqwest::header::HeaderValue::from_static("application/json"));
        // Ids are made of letters, digits and `_`; anything else is left out
        // rather than failing the answer.
        if let Ok(value) = reqwest::header::HeaderValue::from_str(id) {
            headers.insert(REQUEST_ID, value);
        }
        answer
    }
}
