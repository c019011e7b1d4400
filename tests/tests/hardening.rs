//! Defects an adversarial review found, each with the exact outcome and the
//! number of requests the server saw: a retried success, a proxy that saw the
//! key, allocations from a header, lists that never end, credentials in the
//! base URL, secrets in Debug output, raw server text in messages, framing
//! headers from callers, local failures reported as network ones, lost
//! attempt counts, a silently replaced end-user, and a backoff that panics.

use std::time::Duration;

use conductor::qbd::InvoiceListParams;
use conductor::{Client, ClientBuilder, CreateEndUser, Error, RequestOptions, RetryStop, TimeoutPhase};
use conductor_tests::lists::{decode_error_at, drain, invoice_page_with};
use conductor_tests::scripted::{Answer, ScriptedServer, Step};
use conductor_tests::{KEY, end_user_json, error_json, list_json};
use serde_json::{Value, json};

fn builder(server: &ScriptedServer) -> ClientBuilder {
    server.client_builder()
}

fn new_user() -> CreateEndUser {
    CreateEndUser { company_name: "Acme".into(), source_id: "s1".into(), email: "a@acme.com".into() }
}

fn ok_user() -> Step {
    Step::Answer(Answer::json(200, &end_user_json()))
}

fn status(code: u16) -> Step {
    Step::Answer(Answer::json(code, &error_json(code, "INTERNAL_ERROR", "SCRIPTED", "Scripted failure.")))
}

// 1. A successful POST is sent again.

#[tokio::test]
async fn a_success_is_never_retried_whatever_its_headers_say() {
    let created = Answer::json(200, &end_user_json()).header("x-should-retry", "true");
    let server = ScriptedServer::start(vec![Step::Answer(created), ok_user(), ok_user()]).await;
    let response = builder(&server).build().unwrap().end_users().create(&new_user()).await.unwrap();
    assert_eq!(response.id, "end_usr_1234567abcdefg");
    assert_eq!(server.seen().len(), 1, "a POST that succeeded was sent again");

    let moved = Answer::raw(302, "text/plain", "").header("location", "/v1/x").header("x-should-retry", "true");
    let server = ScriptedServer::start(vec![Step::Answer(moved), ok_user()]).await;
    let error = builder(&server).build().unwrap().end_users().list().await.unwrap_err();
    assert_eq!(server.seen().len(), 1);
    assert_eq!(error.attempts().unwrap().stop, Some(RetryStop::NotRetryable));
}

// 2. The key goes to a proxy in clear text.

/// A client and the sandbox's client, in a process whose `HTTP_PROXY`,
/// `HTTPS_PROXY` and `ALL_PROXY` name a proxy that records what reaches it.
/// The environment is the process's own, so this runs in a child process of
/// the test binary; the parent checks who got the requests.
#[tokio::test]
async fn loopback_traffic_never_goes_through_the_system_proxy() {
    let proxy = ScriptedServer::start(vec![]).await;
    let server =
        ScriptedServer::start(vec![Step::Answer(Answer::json(200, &list_json("/v1/end-users", vec![])))]).await;
    let proxy_url = format!("http://{}", proxy.addr());
    let exe = std::env::current_exe().unwrap();
    let output = tokio::process::Command::new(exe)
        .args(["--exact", "child_calls_through_the_environments_proxy", "--nocapture", "--test-threads=1"])
        .env("CONDUCTOR_TEST_BASE_URL", server.base_url())
        .env("HTTP_PROXY", &proxy_url)
        .env("http_proxy", &proxy_url)
        .env("HTTPS_PROXY", &proxy_url)
        .env("ALL_PROXY", &proxy_url)
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "child failed:\n{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("client: ok") && stdout.contains("sandbox: ok"), "{stdout}");
    assert_eq!(server.seen().len(), 1, "the server did not get the request");
    assert_eq!(proxy.seen().len(), 0, "the proxy saw {:?}", proxy.seen());
}

/// The child half of the test above; does nothing in a normal run.
#[tokio::test]
async fn child_calls_through_the_environments_proxy() {
    let Ok(base_url) = std::env::var("CONDUCTOR_TEST_BASE_URL") else { return };
    let client = Client::builder().api_key(KEY).base_url(base_url).max_retries(0).build().unwrap();
    let result = client.end_users().list().await.map(|users| users.len());
    println!("client: {}", if result.is_ok() { "ok".to_owned() } else { format!("{result:?}") });
    let sandbox = conductor_sandbox::Sandbox::start().await.unwrap();
    let result = sandbox.client().end_users().list().await.map(|users| users.len());
    println!("sandbox: {}", if result.is_ok() { "ok".to_owned() } else { format!("{result:?}") });
}

#[tokio::test]
async fn a_proxy_given_to_the_builder_is_not_used_for_loopback() {
    let proxy = ScriptedServer::start(vec![]).await;
    let server =
        ScriptedServer::start(vec![Step::Answer(Answer::json(200, &list_json("/v1/end-users", vec![])))]).await;
    let proxy = conductor::reqwest::Proxy::all(format!("http://{}", proxy.addr())).unwrap();
    let client = builder(&server).proxy(proxy).build().unwrap();
    client.end_users().list().await.unwrap();
    assert_eq!(server.seen().len(), 1);
}

// 3. A header can abort the process.

#[tokio::test]
async fn a_huge_content_length_reserves_nothing_up_front() {
    let answer = Answer::json(200, &end_user_json());
    let server =
        ScriptedServer::start(vec![Step::Announce(answer, 1_000_000_000_000, Duration::from_millis(600))]).await;
    let client = builder(&server).max_response_bytes(u64::MAX).timeout(Duration::from_millis(300)).max_retries(0);
    let error = client.build().unwrap().end_users().retrieve("end_usr_1").await.unwrap_err();
    assert!(matches!(error, Error::Timeout { phase: TimeoutPhase::Request, .. }), "{error:?}");
    assert_eq!(server.seen().len(), 1);
}

// 4 and 5. `list_all` loops forever or ends silently.

fn decode_error_at_next_cursor(result: conductor::Result<()>) -> String {
    decode_error_at("nextCursor", result)
}

fn invoice_page(ids: std::ops::Range<usize>, next_cursor: Value, has_more: bool) -> Step {
    invoice_page_with(ids, next_cursor, json!(has_more), json!(5))
}

#[tokio::test]
async fn the_same_cursor_on_every_page_streams_every_record() {
    // As Conductor sends it: one cursor for the whole list, each request
    // answered with the next page.
    let script = (0..4)
        .map(|page| {
            let more = page < 3;
            invoice_page_with(page * 2..page * 2 + 2, json!("cur_1"), json!(more), json!(6 - page * 2))
        })
        .collect();
    let server = ScriptedServer::start(script).await;
    let (ids, end) = drain(builder(&server).max_retries(0)).await;
    end.unwrap();
    assert_eq!(ids.len(), 8);
    let targets: Vec<String> = server.seen().iter().map(|seen| seen.target.clone()).collect();
    assert!(targets[1..].iter().all(|target| target.ends_with("cursor=cur_1")), "{targets:?}");
}

#[tokio::test]
async fn has_more_without_a_cursor_is_an_error_not_a_silent_end() {
    for missing in [Value::Null, json!("")] {
        let server =
            ScriptedServer::start(vec![invoice_page(0..2, json!("c1"), true), invoice_page(2..4, missing, true)]).await;
        let (ids, end) = drain(builder(&server).max_retries(0)).await;
        assert_eq!(ids, ["inv-0", "inv-1"]);
        assert_eq!(
            decode_error_at_next_cursor(end),
            "`hasMore` is true but there is no `nextCursor`, so the rest of the list cannot be fetched"
        );
        assert_eq!(server.seen().len(), 2);
    }
}

// 6. Credentials in the base URL.

#[test]
fn a_base_url_with_credentials_is_refused_without_showing_them() {
    let builder = Client::builder().api_key(KEY).base_url("http://user:hunter2@127.0.0.1:4010/v1");
    let error = builder.build().unwrap_err();
    assert!(matches!(error, Error::Config { .. }));
    assert!(!error.to_string().contains("hunter2") && !format!("{error:?}").contains("hunter2"), "{error}");
    assert!(error.to_string().contains("must not carry a user name or password"), "{error}");
}

// 7. `RequestOptions` shows a key in Debug.

#[test]
fn request_options_redact_credentials_in_debug() {
    let options = RequestOptions::new()
        .header("Authorization", "Bearer sk_live_leaked")
        .header("Proxy-Authorization", "Basic cHJveHk6bGVha2Vk")
        .sensitive_header("X-Api-Token", "tok_leaked")
        .header("X-Trace", "checkout-42");
    let shown = format!("{options:?}");
    assert!(!shown.contains("leaked") && !shown.contains("cHJveHk6"), "{shown}");
    assert!(shown.contains(r#""authorization": "<redacted>""#), "{shown}");
    assert!(shown.contains(r#""x-api-token": "<redacted>""#), "{shown}");
    assert!(shown.contains(r#""x-trace": "checkout-42""#), "{shown}");
}

#[tokio::test]
async fn a_sensitive_per_call_header_is_still_sent() {
    let server =
        ScriptedServer::start(vec![Step::Answer(Answer::json(200, &list_json("/v1/end-users", vec![])))]).await;
    let client = builder(&server).build().unwrap();
    client
        .with_options(RequestOptions::new().sensitive_header("X-Api-Token", "tok_1"))
        .end_users()
        .list()
        .await
        .unwrap();
    assert_eq!(server.seen()[0].header("x-api-token"), Some("tok_1"));
}

// 8. Server text reaches `Display` raw.

#[tokio::test]
async fn server_text_is_escaped_in_messages() {
    let hostile = json!({"error": {
        "message": "Bad\u{1b}[2J\u{1b}[31m request\r\nFAKE LOG LINE",
        "type": "INVALID_REQUEST_ERROR",
        "code": "CODE\nX",
        "httpStatusCode": 400,
        "requestId": "req_1\r\nInjected: yes\u{7}",
    }});
    let server = ScriptedServer::start(vec![Step::Answer(Answer::json(400, &hostile))]).await;
    let error = builder(&server).build().unwrap().end_users().list().await.unwrap_err();
    let shown = error.to_string();
    assert!(!shown.chars().any(char::is_control), "{shown:?}");
    assert_eq!(
        shown,
        "400 Bad Request CODE X: Bad\\u{1b}[2J\\u{1b}[31m request FAKE LOG LINE (request req_1 Injected: yes\\u{7})"
    );
    // The accessors keep the server's exact text.
    assert_eq!(error.code(), Some("CODE\nX"));

    let raw = Answer::raw(502, "text/html", "<h1>Bad\u{1b}]0;title\u{7}gateway</h1>");
    let server = ScriptedServer::start(vec![Step::Answer(raw)]).await;
    let error = builder(&server).max_retries(0).build().unwrap().end_users().list().await.unwrap_err();
    assert_eq!(error.to_string(), "502 Bad Gateway: <h1>Bad\\u{1b}]0;title\\u{7}gateway</h1>");
}

// 9. Callers can set framing headers.

#[tokio::test]
async fn framing_headers_are_refused_before_sending() {
    let server = ScriptedServer::start(vec![ok_user()]).await;
    let client = builder(&server).build().unwrap();
    for name in ["Content-Length", "Transfer-Encoding", "Host", "Connection", "TE", "Upgrade"] {
        let error = client
            .with_options(RequestOptions::new().header(name, "0"))
            .end_users()
            .create(&new_user())
            .await
            .unwrap_err();
        assert!(matches!(error, Error::InvalidInput { .. }), "{name}: {error:?}");
        assert!(error.to_string().contains("is set by HTTP"), "{error}");
        let error = builder(&server).default_header(name, "0").build().unwrap_err();
        assert!(matches!(error, Error::Config { .. }), "{name}: {error:?}");
    }
    assert_eq!(server.seen().len(), 0);
}

// 10. Local failures are reported as network errors.

#[tokio::test]
async fn an_oversized_url_is_invalid_input_and_not_repeated() {
    let server = ScriptedServer::start(vec![ok_user()]).await;
    let client = builder(&server).build().unwrap();
    let huge = "x".repeat(1 << 20);
    let error = client.end_users().retrieve(&huge).await.unwrap_err();
    assert!(matches!(error, Error::InvalidInput { .. }), "{error:?}");
    assert_eq!(error.attempts(), None);
    let shown = error.to_string();
    assert!(
        shown.len() < 300 && !shown.contains("xxxxxxxx"),
        "{} bytes: {}",
        shown.len(),
        &shown[..300.min(shown.len())]
    );
    assert!(shown.contains("over the limit of 16384"), "{shown}");
    assert_eq!(server.seen().len(), 0);

    // Just under the limit goes out.
    let fits = "x".repeat(conductor::MAX_URL_BYTES - server.base_url().len() - "/end-users/".len());
    client.end_users().retrieve(&fits).await.unwrap();
    assert_eq!(server.seen().len(), 1);
}

// 11. Some errors lose their attempt count.

#[tokio::test]
async fn decode_and_size_errors_report_their_attempts() {
    let malformed = Step::Answer(Answer::raw(200, "application/json", "{\"id\": 5"));
    let server = ScriptedServer::start(vec![status(503), malformed]).await;
    let error = builder(&server).build().unwrap().end_users().retrieve("end_usr_1").await.unwrap_err();
    assert!(matches!(error, Error::Decode(_)), "{error:?}");
    assert_eq!(error.attempts().map(|a| (a.made, a.stop)), Some((2, None)));
    assert!(error.to_string().ends_with(" (2 attempts)"), "{error}");

    let big = Step::Answer(Answer::raw(200, "application/json", vec![b' '; 4096]));
    let server = ScriptedServer::start(vec![status(503), big]).await;
    let client = builder(&server).max_response_bytes(1024).build().unwrap();
    let error = client.end_users().retrieve("end_usr_1").await.unwrap_err();
    assert!(matches!(error, Error::ResponseTooLarge { .. }), "{error:?}");
    assert_eq!(error.attempts().map(|a| (a.made, a.stop)), Some((2, Some(RetryStop::NotRetryable))));
    assert_eq!(server.seen().len(), 2);
}

// 12. Per-call options silently lose the end-user id.

#[tokio::test]
async fn a_conflicting_end_user_id_is_refused() {
    let page = json!({"objectType": "list", "url": "/v1/quickbooks-desktop/invoices", "data": [],
                      "nextCursor": null, "hasMore": false, "remainingCount": 0});
    let server = ScriptedServer::start(vec![Step::Answer(Answer::json(200, &page))]).await;
    let client = builder(&server).build().unwrap();
    let params = InvoiceListParams::default();

    let other = client.with_options(RequestOptions::new().header("Conductor-End-User-Id", "end_usr_other"));
    let error = other.qbd().for_end_user("end_usr_mine").invoices().list(&params).await.unwrap_err();
    assert!(matches!(error, Error::InvalidInput { .. }), "{error:?}");
    assert!(error.to_string().contains("RequestOptions names a different end-user"), "{error}");

    let by_default = builder(&server).default_header("Conductor-End-User-Id", "end_usr_other").build().unwrap();
    let error = by_default.qbd().for_end_user("end_usr_mine").invoices().list(&params).await.unwrap_err();
    assert!(error.to_string().contains("a default header names a different end-user"), "{error}");
    assert_eq!(server.seen().len(), 0);

    let same = client.with_options(RequestOptions::new().header("Conductor-End-User-Id", "end_usr_mine"));
    same.qbd().for_end_user("end_usr_mine").invoices().list(&params).await.unwrap();
    assert_eq!(server.seen()[0].header("conductor-end-user-id"), Some("end_usr_mine"));
}

// 13. `retry_backoff(Duration::MAX, Duration::MAX)` would panic.

#[tokio::test]
async fn the_largest_backoff_waits_instead_of_panicking() {
    let server = ScriptedServer::start(vec![status(503), ok_user()]).await;
    let client = builder(&server).retry_backoff(Duration::MAX, Duration::MAX).build().unwrap();
    let call = tokio::spawn(async move { client.end_users().retrieve("end_usr_1").await.map(drop) });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!call.is_finished(), "the call should still be waiting: {:?}", call.await);
    call.abort();
    assert_eq!(server.seen().len(), 1);
}

// 14. The sandbox is not robust.

async fn sandbox_with_user() -> (conductor_sandbox::Sandbox, Client, String) {
    let sandbox = conductor_sandbox::Sandbox::start().await.unwrap();
    let client = sandbox.client();
    let user = client.end_users().create(&new_user()).await.unwrap();
    (sandbox, client, user.id)
}

/// `POST /v1/quickbooks-desktop/customers` with any JSON, answered as JSON.
async fn raw_post(sandbox: &conductor_sandbox::Sandbox, end_user: &str, body: Vec<u8>) -> (u16, Value) {
    let response = conductor::reqwest::Client::new()
        .post(format!("{}/quickbooks-desktop/customers", sandbox.base_url()))
        .bearer_auth(sandbox.api_key())
        .header("conductor-end-user-id", end_user)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, serde_json::from_slice(&response.bytes().await.unwrap()).unwrap())
}

#[tokio::test]
async fn the_sandbox_refuses_any_body_its_operation_does_not_take_and_keeps_serving() {
    let (sandbox, client, user) = sandbox_with_user().await;
    for (record, key) in [
        (json!({"name": "Five", "id": 5}), "'id'"),
        (json!({"name": "Error", "error": "boom"}), "'error'"),
        (json!({"name": "Nested error", "error": {"requestId": 1}}), "'error'"),
        (
            json!({"name": "Odd", "id": null, "objectType": [1], "revisionNumber": {"a": 1}}),
            "'id', 'objectType', 'revisionNumber'",
        ),
    ] {
        let (status, answer) = raw_post(&sandbox, &user, record.to_string().into_bytes()).await;
        assert_eq!((status, answer["error"]["code"].as_str()), (400, Some("INVALID_PARAMETERS")), "{record}: {answer}");
        let message = answer["error"]["message"].as_str().unwrap();
        assert_eq!(message, format!("Invalid request parameter: Unrecognized key(s) in object: {key}"));
    }
    for (bad, code) in [
        (b"[1,2]".to_vec(), "INVALID_PARAMETERS"),
        (b"\"text\"".to_vec(), "INVALID_PARAMETERS"),
        (b"{".to_vec(), "INVALID_JSON"),
        (vec![0xff, 0xfe], "INVALID_JSON"),
    ] {
        let (status, answer) = raw_post(&sandbox, &user, bad).await;
        assert_eq!((status, answer["error"]["code"].as_str()), (400, Some(code)), "{answer}");
    }
    let customers = client.qbd().for_end_user(&user).customers().list(&Default::default()).await.unwrap();
    assert!(customers.data.is_empty(), "nothing refused is stored");
    let (status, stored) = raw_post(&sandbox, &user, json!({"name": "Five"}).to_string().into_bytes()).await;
    assert_eq!((status, stored["objectType"].as_str()), (200, Some("qbd_customer")), "it keeps serving");
    client.end_users().list().await.unwrap();
}

#[tokio::test]
async fn the_sandbox_refuses_bodies_over_its_limit() {
    let (sandbox, client, user) = sandbox_with_user().await;
    let name = "x".repeat(17 * 1024 * 1024);
    let (status, answer) = raw_post(&sandbox, &user, json!({"name": name}).to_string().into_bytes()).await;
    assert_eq!(status, 413, "{}", &answer.to_string()[..200.min(answer.to_string().len())]);
    assert_eq!(answer["error"]["code"], "REQUEST_BODY_TOO_LARGE");
    assert!(answer["error"]["requestId"].as_str().is_some_and(|id| id.starts_with("req_sbx_")));
    let customers = client.qbd().for_end_user(&user).customers().list(&Default::default()).await.unwrap();
    assert_eq!(customers.data.len(), 0, "nothing is stored");
}

#[tokio::test]
async fn dropping_the_sandbox_closes_kept_alive_connections() {
    let (sandbox, client, _) = sandbox_with_user().await;
    // The client's pool now holds a kept-alive connection to the sandbox.
    client.end_users().list().await.unwrap();
    drop(sandbox);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let error = client.end_users().list().await.unwrap_err();
    assert!(matches!(error, Error::Connection { .. }), "{error:?}");
}

// Round two: names under `.localhost`, passwords in `Debug`, empty lists and
// non-finite numbers.

#[tokio::test]
async fn a_localhost_name_reaches_loopback_whatever_dns_says() {
    // The name is resolved by the client itself, to loopback: a DNS answer
    // pointing elsewhere could never take the key away over plain http.
    let server = ScriptedServer::start(vec![ok_user()]).await;
    let base_url = format!("http://conductor-test.localhost:{}/v1", server.addr().port());
    let client = Client::builder().api_key(KEY).base_url(&base_url).build().unwrap();
    client.end_users().retrieve("end_usr_1").await.unwrap();
    assert_eq!(server.seen().len(), 1);
    assert_eq!(server.seen()[0].header("host"), Some(&*format!("conductor-test.localhost:{}", server.addr().port())));
}

#[test]
fn no_debug_shows_a_password() {
    let builder = Client::builder().api_key(KEY).base_url("http://user:hunter2@127.0.0.1:4010/v1");
    let shown = format!("{builder:?}");
    assert!(!shown.contains("hunter2") && !shown.contains(KEY), "{shown}");
    assert!(shown.contains("http://***@127.0.0.1:4010/v1"), "{shown}");
}

#[tokio::test]
async fn an_empty_list_filter_is_refused_rather_than_dropped() {
    let server = ScriptedServer::start(vec![]).await;
    let qbd = builder(&server).build().unwrap().qbd().for_end_user("end_usr_1");
    let params = InvoiceListParams { ids: Some(vec![]), ..Default::default() };
    let error = qbd.invoices().list(&params).await.unwrap_err();
    assert!(matches!(error, Error::InvalidInput { .. }), "{error:?}");
    assert!(error.to_string().contains("`ids` is an empty list"), "{error}");
    let error = futures_util::TryStreamExt::try_next(&mut qbd.invoices().list_all(params)).await.unwrap_err();
    assert!(matches!(error, Error::InvalidInput { .. }), "{error:?}");
    assert!(server.seen().is_empty(), "nothing was sent, so every record could not come back");
}

#[tokio::test]
async fn non_finite_numbers_are_refused_before_sending() {
    use conductor::qbd::{
        InventoryAdjustmentCreateParams, InventoryAdjustmentCreateParamsLine,
        InventoryAdjustmentCreateParamsLineAdjustQuantity,
    };
    let server = ScriptedServer::start(vec![]).await;
    let qbd = builder(&server).build().unwrap().qbd().for_end_user("end_usr_1");
    for number in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let mut quantity = InventoryAdjustmentCreateParamsLineAdjustQuantity::new();
        quantity.new_quantity = Some(number);
        let mut line = InventoryAdjustmentCreateParamsLine::new("item_1");
        line.adjust_quantity = Some(quantity);
        let mut params = InventoryAdjustmentCreateParams::new("acct_1", conductor::Date::new(2024, 1, 2).unwrap());
        params.lines = Some(vec![line]);
        let error = qbd.inventory_adjustments().create(&params).await.unwrap_err();
        assert!(matches!(error, Error::InvalidInput { .. }), "{error:?}");
        assert!(error.to_string().contains("`lines[0].adjustQuantity.newQuantity` is NaN or infinite"), "{error}");
    }
    assert!(server.seen().is_empty());
}
