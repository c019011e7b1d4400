//! What a route answers, and how an answer goes on the wire with its request
//! id.

use bytes::Bytes;
use http_body_util::Full;
use hyper::StatusCode;
use hyper::header::{CONTENT_ENCODING, CONTENT_TYPE, HeaderValue};
use serde_json::json;

use crate::failure::{Failure, Outcome};

/// The header that carries the request id on every answer.
pub(crate) const REQUEST_ID: &str = "conductor-request-id";

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

pub(crate) type Answer = hyper::Response<Full<Bytes>>;

/// The HTTP response to an outcome, with `id` in the `Conductor-Request-Id`
/// header and in an error body, gzip-compressed when the client accepts it
/// and the body is worth it, as the API does.
pub(crate) fn render(outcome: Outcome, id: &str, gzip: bool) -> Answer {
    let (status, body) = match outcome {
        Ok(body) => (StatusCode::OK, body),
        Err(Failure { status, error_type, code, message, user_facing, integration_code }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
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
