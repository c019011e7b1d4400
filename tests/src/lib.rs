//! Helpers shared by the tests: a mock Conductor on 127.0.0.1 and fixtures
//! taken from the examples of the Conductor OpenAPI description.

pub mod books;
pub mod contract;
pub mod contract_table;
pub mod fixtures;
pub mod lists;
pub mod raw;
pub mod scripted;

use std::collections::BTreeSet;

use conductor::Client;
use serde_json::{Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The key every test client sends.
pub const KEY: &str = "sk_test_secret_123";

/// The `User-Agent` every request carries.
pub const USER_AGENT: &str = concat!("conductor-rust/", env!("CARGO_PKG_VERSION"));

/// A server on 127.0.0.1 (port 0) answering every request with `response`.
pub async fn server_answering(response: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(response).mount(&server).await;
    server
}

/// A JSON response with a `Conductor-Request-Id` header, as Conductor sends.
pub fn json_response(status: u16, body: Value) -> ResponseTemplate {
    ResponseTemplate::new(status).insert_header("conductor-request-id", "req_header_1").set_body_json(body)
}

/// A client for `server`, with retries off so each test sees one attempt.
pub fn client_for(server: &MockServer) -> Client {
    Client::builder().api_key(KEY).base_url(format!("{}/v1", server.uri())).max_retries(0).build().expect("client")
}

/// The one request the server received; fails if it saw any other number.
pub async fn only_request(server: &MockServer) -> wiremock::Request {
    let mut requests = server.received_requests().await.expect("recording is on");
    assert_eq!(requests.len(), 1, "expected exactly one request, got {requests:?}");
    requests.remove(0)
}

/// The path and query of a received request, exactly as sent.
pub fn path_and_query(request: &wiremock::Request) -> String {
    match request.url.query() {
        Some(query) => format!("{}?{}", request.url.path(), query),
        None => request.url.path().to_owned(),
    }
}

/// The value of one header of a received request.
pub fn header<'a>(request: &'a wiremock::Request, name: &str) -> Option<&'a str> {
    request.headers.get(name).map(|v| v.to_str().expect("ascii header"))
}

/// The names of the headers of a received request.
pub fn header_names(request: &wiremock::Request) -> BTreeSet<String> {
    request.headers.keys().map(|name| name.as_str().to_owned()).collect()
}

/// Asserts the headers every request carries, and that a JSON content type
/// is sent exactly when there is a body.
pub fn assert_standard_headers(request: &wiremock::Request, has_body: bool) {
    assert_eq!(header(request, "authorization"), Some(format!("Bearer {KEY}").as_str()));
    assert_eq!(header(request, "accept"), Some("application/json"));
    assert_eq!(header(request, "user-agent"), Some(USER_AGENT));
    assert_eq!(header(request, "accept-encoding"), Some("gzip"));
    let mut expected: BTreeSet<String> =
        ["accept", "accept-encoding", "authorization", "host", "user-agent"].into_iter().map(str::to_owned).collect();
    if has_body {
        assert_eq!(header(request, "content-type"), Some("application/json"));
        expected.insert("content-type".to_owned());
        expected.insert("content-length".to_owned());
    } else {
        assert!(request.body.is_empty(), "unexpected body {:?}", String::from_utf8_lossy(&request.body));
    }
    assert_eq!(header_names(request), expected);
}

/// The body of a received request as JSON.
pub fn json_body(request: &wiremock::Request) -> Value {
    serde_json::from_slice(&request.body).expect("JSON body")
}

/// The spec's example end-user.
pub fn end_user_json() -> Value {
    json!({
        "id": "end_usr_1234567abcdefg",
        "objectType": "end_user",
        "createdAt": "2021-01-01T12:34:56.789Z",
        "companyName": "Acme Inc.",
        "sourceId": "12345678-abcd-abcd-example-1234567890ab",
        "email": "bob@acme.com",
        "integrationConnections": [{
            "id": "int_conn_1234567abcdefg",
            "objectType": "integration_connection",
            "createdAt": "2021-01-01T12:34:56.789Z",
            "integrationSlug": "quickbooks_desktop",
            "lastRequestAt": "2021-01-01T12:34:56.789Z",
            "lastSuccessfulRequestAt": null
        }]
    })
}

/// A list envelope around `data`.
pub fn list_json(url: &str, data: Vec<Value>) -> Value {
    json!({"objectType": "list", "url": url, "data": data})
}

/// Conductor's error body.
pub fn error_json(status: u16, error_type: &str, code: &str, message: &str) -> Value {
    json!({"error": {
        "message": message,
        "userFacingMessage": format!("Shown to users: {message}"),
        "type": error_type,
        "code": code,
        "httpStatusCode": status,
        "requestId": "req_body_1"
    }})
}

/// The README's examples, compiled as doc tests here, where every crate
/// they use (the client and the sandbox) is a dependency.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
