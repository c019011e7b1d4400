//! Errors: Conductor's error body, non-JSON bodies, wrong envelopes, bad
//! input refused before sending, and configuration mistakes.

use conductor::{Client, Error, ErrorType};
use conductor_tests::*;
use serde_json::json;
use wiremock::ResponseTemplate;

async fn error_for(status: u16, error_type: &str, code: &str, message: &str) -> Error {
    let server = server_answering(json_response(status, error_json(status, error_type, code, message))).await;
    let error = client_for(&server).end_users().retrieve("end_usr_1").await.unwrap_err();
    only_request(&server).await;
    error
}

#[tokio::test]
async fn api_errors_carry_the_parsed_body() {
    let cases = [
        (401, "AUTHENTICATION_ERROR", "API_KEY_INVALID", "The API key is invalid.", ErrorType::AuthenticationError),
        (404, "INVALID_REQUEST_ERROR", "RESOURCE_MISSING", "No end-user with that ID.", ErrorType::InvalidRequestError),
        (422, "INVALID_REQUEST_ERROR", "INVALID_REQUEST", "`email` is required.", ErrorType::InvalidRequestError),
        (500, "INTERNAL_ERROR", "INTERNAL_SERVER_ERROR", "Something broke.", ErrorType::InternalError),
    ];
    for (status, error_type, code, message, expected_type) in cases {
        let error = error_for(status, error_type, code, message).await;
        assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(error.code(), Some(code));
        assert_eq!(error.request_id(), Some("req_body_1"));
        assert_eq!(error.user_facing_message(), Some(format!("Shown to users: {message}").as_str()));
        let details = error.as_api_error().and_then(|api| api.details()).expect("parsed body");
        assert_eq!(details.message, message);
        assert_eq!(details.error_type, Some(expected_type));
        assert_eq!(details.http_status_code, Some(status));
        let reason = reqwest_reason(status);
        assert_eq!(error.to_string(), format!("{status} {reason} {code}: {message} (request req_body_1)"));
    }
}

fn reqwest_reason(status: u16) -> &'static str {
    conductor::reqwest::StatusCode::from_u16(status).unwrap().canonical_reason().unwrap()
}

#[tokio::test]
async fn integration_codes_are_kept_as_text() {
    let mut body = error_json(502, "INTEGRATION_CONNECTION_ERROR", "QBD_CONNECTION_ERROR", "Denied.");
    body["error"]["integrationCode"] = json!(2147746848u64);
    let server = server_answering(json_response(502, body)).await;
    let error = client_for(&server).end_users().list().await.unwrap_err();
    let details = error.as_api_error().unwrap().details().unwrap();
    assert_eq!(details.integration_code.as_deref(), Some("2147746848"));
    assert_eq!(details.error_type, Some(ErrorType::IntegrationConnectionError));
}

#[tokio::test]
async fn html_bad_gateway_keeps_the_raw_text() {
    let html = "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>nginx</body>\n</html>\n";
    let server = server_answering(
        ResponseTemplate::new(502)
            .insert_header("conductor-request-id", "req_header_9")
            .set_body_raw(html, "text/html"),
    )
    .await;

    let error = client_for(&server).end_users().list().await.unwrap_err();

    let api = error.as_api_error().expect("an API error");
    assert_eq!(api.status().as_u16(), 502);
    assert!(api.details().is_none());
    assert_eq!(api.raw_body(), Some(html));
    assert_eq!(error.code(), None);
    assert_eq!(error.request_id(), Some("req_header_9"));
    assert_eq!(
        error.to_string(),
        "502 Bad Gateway: <html> <head><title>502 Bad Gateway</title></head> <body>nginx</body> </html> \
         (request req_header_9)"
    );
}

#[tokio::test]
async fn a_list_whose_envelope_is_wrong_is_a_decode_error() {
    let cases = [
        (
            json!({"objectType": "end_user", "url": "/v1/end-users", "data": []}),
            "objectType",
            "expected a list envelope with objectType \"list\", found objectType \"end_user\"",
        ),
        (json!({"objectType": "list", "url": "/v1/end-users"}), "", "missing field `data`"),
        (json!([end_user_json()]), "", "invalid type: sequence, expected a list envelope object"),
    ];
    for (body, path, message_start) in cases {
        let server = server_answering(json_response(200, body)).await;
        let error = client_for(&server).end_users().list().await.unwrap_err();
        let Error::Decode(decode) = &error else { panic!("expected a decode error, got {error:?}") };
        assert_eq!(decode.status().as_u16(), 200);
        assert_eq!(decode.path(), path);
        assert!(decode.message().starts_with(message_start), "{}", decode.message());
        assert_eq!(error.request_id(), Some("req_header_1"));
    }
}

#[tokio::test]
async fn decode_errors_name_the_failing_field() {
    let mut bad_item = end_user_json();
    bad_item["integrationConnections"][0]["createdAt"] = json!(12);
    let server =
        server_answering(json_response(200, list_json("/v1/end-users", vec![end_user_json(), bad_item]))).await;

    let error = client_for(&server).end_users().list().await.unwrap_err();

    let Error::Decode(decode) = &error else { panic!("expected a decode error, got {error:?}") };
    assert_eq!(decode.path(), "data[1].integrationConnections[0].createdAt");
    assert!(decode.message().starts_with("invalid type: integer `12`, expected a string"), "{}", decode.message());
    assert!(
        error.to_string().starts_with(
            "could not decode the 200 OK response at `data[1].integrationConnections[0].createdAt`: invalid type"
        ),
        "{error}"
    );
}

#[tokio::test]
async fn an_empty_body_is_a_decode_error() {
    let server = server_answering(ResponseTemplate::new(200)).await;
    let error = client_for(&server).end_users().retrieve("end_usr_1").await.unwrap_err();
    let Error::Decode(decode) = &error else { panic!("expected a decode error, got {error:?}") };
    assert_eq!(decode.message(), "the body is empty");
    assert_eq!(error.to_string(), "could not decode the 200 OK response: the body is empty");
}

#[tokio::test]
async fn path_values_are_encoded_as_one_segment() {
    let server = server_answering(json_response(200, end_user_json())).await;
    let client = client_for(&server);
    for (id, sent) in [
        ("a/b", "/v1/end-users/a%2Fb"),
        ("x?y", "/v1/end-users/x%3Fy"),
        ("50% #1", "/v1/end-users/50%25%20%231"),
        ("Zoë", "/v1/end-users/Zo%C3%AB"),
        ("...", "/v1/end-users/..."),
    ] {
        client.end_users().retrieve(id).await.unwrap();
        let requests = server.received_requests().await.unwrap();
        assert_eq!(path_and_query(requests.last().unwrap()), sent, "id {id:?}");
    }
}

#[tokio::test]
async fn dot_segments_and_empty_ids_are_refused_before_sending() {
    let server = server_answering(json_response(200, end_user_json())).await;
    let client = client_for(&server);
    for (id, reason) in [("", "must not be empty"), (".", "must not be `.` or `..`"), ("..", "must not be `.` or `..`")]
    {
        let error = client.end_users().delete(id).await.unwrap_err();
        let Error::InvalidInput { what, reason: got, .. } = &error else { panic!("got {error:?}") };
        assert_eq!(what, &format!("path parameter `id` ({id:?})"));
        assert_eq!(got, reason);
        assert_eq!(
            error.to_string(),
            format!("invalid path parameter `id` ({id:?}): {reason}; the request was not sent")
        );
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn connection_refused_is_a_connection_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let client =
        Client::builder().api_key(KEY).base_url(format!("http://127.0.0.1:{port}/v1")).max_retries(0).build().unwrap();
    let error = client.end_users().list().await.unwrap_err();
    let Error::Connection { message, .. } = &error else { panic!("got {error:?}") };
    assert!(message.contains(&format!("127.0.0.1:{port}")), "{message}");
    assert_eq!(error.status(), None);
}

#[test]
fn bad_configuration_is_refused_by_build() {
    let config_message = |result: conductor::Result<Client>| match result {
        Err(Error::Config { message, .. }) => message,
        other => panic!("expected a configuration error, got {other:?}"),
    };
    assert_eq!(config_message(Client::builder().build()), "no API key: call .api_key(\"sk_...\")");
    assert_eq!(config_message(Client::builder().api_key("  ").build()), "the API key is empty");
    assert_eq!(
        config_message(Client::builder().api_key("sk_1\n").build()),
        "the API key contains characters a header cannot carry"
    );
    assert_eq!(
        config_message(Client::builder().api_key("sk_1").base_url("localhost:4010/v1").build()),
        "invalid base URL \"localhost:4010/v1\": the scheme must be http or https"
    );
    assert_eq!(
        config_message(Client::builder().api_key("sk_1").base_url("http//nowhere").build()),
        "invalid base URL \"http//nowhere\": relative URL without a base"
    );
    assert_eq!(
        config_message(Client::builder().api_key("sk_1").default_header("X Bad", "v").build()),
        "\"X Bad\" is not a valid header name"
    );
    assert_eq!(
        config_message(Client::builder().api_key("sk_1").default_header("X-Team", "a\r\nb").build()),
        "the value of header \"X-Team\" contains a character a header cannot carry (CR, LF or another control character)"
    );
    assert_eq!(
        config_message(Client::builder().api_key("sk_1").default_header("Content-Length", "0").build()),
        "header \"Content-Length\" is set by HTTP from the body and the connection, and cannot be given by the caller"
    );
}

#[test]
fn the_key_never_shows_in_debug_or_errors() {
    let builder = Client::builder().api_key(KEY).base_url("http://127.0.0.1:9/v1");
    assert!(!format!("{builder:?}").contains("secret"), "{builder:?}");
    let client = builder.build().unwrap();
    let debug = format!("{client:?}");
    assert!(!debug.contains("secret"), "{debug}");
    assert!(debug.contains("<redacted>"), "{debug}");
    let error = Client::builder().api_key("sk_test_secret\n").build().unwrap_err();
    assert!(!format!("{error} {error:?}").contains("secret"));
}
