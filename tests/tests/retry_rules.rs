//! Retries follow what Conductor's answer means, not its status alone: each
//! row of the README's retry table against a scripted server that serves
//! Conductor's bodies (the real ones of `../shared/real-responses/errors.json`
//! where there is one), counting the attempts the server saw.

use std::path::PathBuf;

use conductor::{CreateEndUser, Error, RetryStop};
use conductor_tests::scripted::{Answer, ScriptedServer, Step};
use conductor_tests::{end_user_json, error_json};
use serde_json::{Value, json};

/// The real error bodies: two QuickBooks refusals (502, 3180), then two
/// invalid requests (400).
fn real_errors() -> Vec<Value> {
    let path = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/real-responses/errors.json"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn body(status: u16, error_type: &str, code: &str) -> Value {
    error_json(status, error_type, code, "Scripted.")
}

fn answer(status: u16, body: &Value) -> Step {
    Step::Answer(Answer::json(status, body))
}

fn html(status: u16) -> Step {
    Step::Answer(Answer::raw(status, "text/html", "<html><body>Bad gateway</body></html>"))
}

/// The attempts a GET (`retrieve`) and a POST (`create`) make against a
/// server that answers every attempt with `step`, and the errors.
async fn attempts(step: Step) -> ((usize, Error), (usize, Error)) {
    let script = vec![step; 3];
    let server = ScriptedServer::start(script.clone()).await;
    let get = server.client_builder().build().unwrap().end_users().retrieve("end_usr_1").await.unwrap_err();
    let get = (server.seen().len(), get);
    let server = ScriptedServer::start(script).await;
    let user = CreateEndUser { company_name: "Acme".into(), source_id: "s1".into(), email: "a@acme.com".into() };
    let post = server.client_builder().build().unwrap().end_users().create(&user).await.unwrap_err();
    ((get.0, get.1), (server.seen().len(), post))
}

fn stop(error: &Error) -> Option<RetryStop> {
    error.attempts().and_then(|attempts| attempts.stop)
}

#[tokio::test]
async fn a_quickbooks_refusal_is_never_retried_whatever_the_method() {
    let refusal = real_errors().remove(0);
    let ((get, get_error), (post, post_error)) = attempts(answer(502, &refusal)).await;
    assert_eq!((get, post), (1, 1));
    assert_eq!(stop(&get_error), Some(RetryStop::IntegrationError));
    assert_eq!(stop(&post_error), Some(RetryStop::IntegrationError));
    // QuickBooks refused it: the write did not happen.
    assert!(!post_error.outcome_unknown(), "{post_error}");
    assert_eq!(get_error.integration_code(), Some("3180"));
    assert!(get_error.to_string().contains("QuickBooks refused the request"), "{get_error}");
    // Whatever the status.
    let ((get, _), _) = attempts(answer(500, &body(500, "INTEGRATION_ERROR", "QBD_REQUEST_ERROR"))).await;
    assert_eq!(get, 1);
}

#[tokio::test]
async fn a_connection_error_on_the_end_users_side_is_not_retried() {
    let offline = body(502, "INTEGRATION_CONNECTION_ERROR", "QBD_CONNECTION_ERROR");
    let ((get, error), (post, _)) = attempts(answer(502, &offline)).await;
    assert_eq!((get, post), (1, 1));
    assert_eq!(stop(&error), Some(RetryStop::EndUserAction));
    assert!(error.is_end_user_fixable());
}

#[tokio::test]
async fn an_integration_connection_not_set_up_or_not_active_is_not_retried() {
    for code in ["INTEGRATION_CONNECTION_NOT_SET_UP", "INTEGRATION_CONNECTION_NOT_ACTIVE"] {
        let ((get, error), (post, _)) = attempts(answer(409, &body(409, "INTEGRATION_CONNECTION_ERROR", code))).await;
        assert_eq!((get, post), (1, 1), "{code}");
        assert_eq!(stop(&error), Some(RetryStop::ConnectionNotSetUp), "{code}");
        assert_eq!(error.code(), Some(code));
    }
}

#[tokio::test]
async fn a_quickbooks_timeout_is_not_retried_and_a_write_may_have_happened() {
    let timeout = json!({"error": {
        "message": "Request timed out after 90 seconds",
        "userFacingMessage": "QuickBooks Desktop did not respond in time.",
        "type": "INTEGRATION_CONNECTION_ERROR",
        "code": "QBD_REQUEST_TIMEOUT",
        "httpStatusCode": 504,
        "requestId": "req_1"
    }});
    let ((get, get_error), (post, post_error)) = attempts(answer(504, &timeout)).await;
    assert_eq!((get, post), (1, 1));
    assert_eq!(stop(&get_error), Some(RetryStop::QuickBooksTimeout));
    assert!(!get_error.outcome_unknown(), "a read's outcome is no question");
    assert!(post_error.outcome_unknown(), "{post_error}");
    assert!(post_error.to_string().starts_with("POST /end-users may have been carried out"), "{post_error}");
}

#[tokio::test]
async fn an_internal_error_or_a_5xx_without_a_conductor_body_is_retried_when_idempotent() {
    let ((get, error), (post, post_error)) = attempts(answer(500, &body(500, "INTERNAL_ERROR", "INTERNAL"))).await;
    assert_eq!((get, post), (3, 1));
    assert_eq!(stop(&error), Some(RetryStop::Exhausted));
    assert!(post_error.outcome_unknown());
    let ((get, _), (post, post_error)) = attempts(html(502)).await;
    assert_eq!((get, post), (3, 1));
    assert!(post_error.outcome_unknown(), "{post_error}");
    assert_eq!(stop(&post_error), Some(RetryStop::NonIdempotent));
}

#[tokio::test]
async fn request_timeouts_rate_limits_and_lock_conflicts_are_retried() {
    for status in [408, 409, 429] {
        let step = answer(status, &body(status, "INVALID_REQUEST_ERROR", "SCRIPTED")).clone();
        let script = vec![step, Step::Answer(Answer::json(200, &end_user_json()))];
        let server = ScriptedServer::start(script).await;
        server.client_builder().build().unwrap().end_users().retrieve("end_usr_1").await.unwrap();
        assert_eq!(server.seen().len(), 2, "{status}");
    }
}

#[tokio::test]
async fn x_should_retry_keeps_the_last_word() {
    let refusal = real_errors().remove(0);
    let asked = Step::Answer(Answer::json(502, &refusal).header("x-should-retry", "true"));
    let server = ScriptedServer::start(vec![asked, Step::Answer(Answer::json(200, &end_user_json()))]).await;
    server.client_builder().build().unwrap().end_users().retrieve("end_usr_1").await.unwrap();
    assert_eq!(server.seen().len(), 2);
    let declined = Step::Answer(Answer::json(500, &body(500, "INTERNAL_ERROR", "X")).header("x-should-retry", "false"));
    let ((get, error), _) = attempts(declined).await;
    assert_eq!((get, stop(&error)), (1, Some(RetryStop::ServerDeclined)));
}

#[tokio::test]
async fn an_invalid_request_is_not_retried() {
    let invalid = real_errors().remove(2);
    let ((get, error), (post, _)) = attempts(answer(400, &invalid)).await;
    assert_eq!((get, post), (1, 1));
    assert_eq!(stop(&error), Some(RetryStop::NotRetryable));
    assert_eq!(error.code(), Some(conductor::code::INVALID_PARAMETERS));
}

#[tokio::test]
async fn every_real_error_body_decodes_with_every_field_readable() {
    for real in real_errors() {
        let fields = &real["error"];
        let status = fields["httpStatusCode"].as_u64().unwrap() as u16;
        let server = ScriptedServer::start(vec![answer(status, &real)]).await;
        let error = server.client_builder().build().unwrap().end_users().retrieve("end_usr_1").await.unwrap_err();
        assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(error.code(), fields["code"].as_str());
        assert_eq!(error.error_type().map(|t| t.as_str()), fields["type"].as_str());
        assert_eq!(error.integration_code(), fields["integrationCode"].as_str());
        assert_eq!(error.user_facing_message(), fields["userFacingMessage"].as_str());
        assert_eq!(error.request_id(), fields["requestId"].as_str());
        let Error::Api(api) = &error else { panic!("{error:?}") };
        assert_eq!(Some(api.details().unwrap().message.as_str()), fields["message"].as_str());
        assert_eq!(api.details().unwrap().http_status_code, Some(status));
        assert!(!error.is_end_user_fixable());
        assert_eq!(server.seen().len(), 1, "{error}");
    }
}
