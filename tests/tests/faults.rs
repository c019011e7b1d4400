//! The fault-injection suite: each fault from a scripted server on
//! 127.0.0.1, the exact outcome, and the exact number of attempts the server
//! saw.

use std::time::{Duration, Instant};

use conductor::{Client, ClientBuilder, CreateEndUser, Error, RequestOptions, RetryStop, TimeoutPhase};
use conductor_tests::scripted::{Answer, ScriptedServer, Step};
use conductor_tests::{KEY, end_user_json, error_json, list_json};

/// A client with fast backoff, so retried tests take milliseconds.
fn builder(server: &ScriptedServer) -> ClientBuilder {
    server.client_builder()
}

fn ok_user() -> Step {
    Step::Answer(Answer::json(200, &end_user_json()))
}

fn status(code: u16) -> Step {
    Step::Answer(Answer::json(code, &error_json(code, "INTERNAL_ERROR", "SCRIPTED", "Scripted failure.")))
}

fn new_user() -> CreateEndUser {
    CreateEndUser { company_name: "Acme".into(), source_id: "s1".into(), email: "a@acme.com".into() }
}

#[tokio::test]
async fn get_500_then_200_is_retried() {
    let server = ScriptedServer::start(vec![status(500), ok_user()]).await;
    let user = builder(&server).build().unwrap().end_users().retrieve("end_usr_1").await.unwrap();
    assert_eq!(user.id, "end_usr_1234567abcdefg");
    assert_eq!(server.seen().len(), 2);
}

#[tokio::test]
async fn get_503_three_times_exhausts_the_retries() {
    let server = ScriptedServer::start(vec![status(503), status(503), status(503)]).await;
    let error = builder(&server).build().unwrap().end_users().retrieve("end_usr_1").await.unwrap_err();
    assert_eq!(server.seen().len(), 3);
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    let attempts = error.attempts().unwrap();
    assert_eq!((attempts.made, attempts.stop), (3, Some(RetryStop::Exhausted)));
    assert!(error.to_string().ends_with("(request req_body_1); gave up after 3 attempts"), "{error}");
}

#[tokio::test]
async fn post_500_is_not_retried_and_says_why() {
    let server = ScriptedServer::start(vec![status(500), ok_user()]).await;
    let error = builder(&server).build().unwrap().end_users().create(&new_user()).await.unwrap_err();
    assert_eq!(server.seen().len(), 1);
    let attempts = error.attempts().unwrap();
    assert_eq!((attempts.made, attempts.stop), (1, Some(RetryStop::NonIdempotent)));
    assert!(error.outcome_unknown());
    assert_eq!(
        error.to_string(),
        "POST /end-users may have been carried out: 500 Internal Server Error SCRIPTED: Scripted failure. \
         (request req_body_1); not retried after 1 attempt: the request is not idempotent and may have reached \
         the server, so a retry could apply it twice. QuickBooks has no idempotency key: before sending it again, \
         look for what it would have written (by its `externalId`)"
    );
}

#[tokio::test]
async fn post_500_is_retried_when_the_caller_opts_in() {
    let server = ScriptedServer::start(vec![status(500), ok_user(), status(500), ok_user()]).await;
    let opted_in = builder(&server).retry_non_idempotent(true).build().unwrap();
    opted_in.end_users().create(&new_user()).await.unwrap();
    assert_eq!(server.seen().len(), 2);

    let per_call = builder(&server).build().unwrap().with_options(RequestOptions::new().retry_non_idempotent(true));
    per_call.end_users().create(&new_user()).await.unwrap();
    assert_eq!(server.seen().len(), 4);
    assert!(server.seen().iter().all(|seen| seen.method == "POST"));
}

#[tokio::test]
async fn post_409_and_429_are_retried_since_nothing_was_done() {
    let server = ScriptedServer::start(vec![status(409), status(429), ok_user()]).await;
    builder(&server).build().unwrap().end_users().create(&new_user()).await.unwrap();
    assert_eq!(server.seen().len(), 3);
}

/// The wait between the first and second request the server saw.
fn gap(server: &ScriptedServer) -> Duration {
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    seen[1].at - seen[0].at
}

#[tokio::test]
async fn retry_after_ms_is_honoured() {
    let answer = Answer::json(429, &error_json(429, "INVALID_REQUEST_ERROR", "RATE_LIMITED", "Slow down."))
        .header("retry-after-ms", "250");
    let server = ScriptedServer::start(vec![Step::Answer(answer), ok_user()]).await;
    // A long backoff shows that the header, not the backoff, set the wait.
    let client = builder(&server).retry_backoff(Duration::from_secs(10), Duration::from_secs(10)).build().unwrap();
    client.end_users().retrieve("end_usr_1").await.unwrap();
    let waited = gap(&server);
    assert!(waited >= Duration::from_millis(250) && waited < Duration::from_millis(1500), "waited {waited:?}");
}

#[tokio::test]
async fn retry_after_seconds_is_honoured() {
    let answer = Answer::json(429, &error_json(429, "INVALID_REQUEST_ERROR", "RATE_LIMITED", "Slow down."))
        .header("retry-after", "1");
    let server = ScriptedServer::start(vec![Step::Answer(answer), ok_user()]).await;
    let client = builder(&server).retry_backoff(Duration::from_secs(10), Duration::from_secs(10)).build().unwrap();
    client.end_users().retrieve("end_usr_1").await.unwrap();
    let waited = gap(&server);
    assert!(waited >= Duration::from_secs(1) && waited < Duration::from_millis(2500), "waited {waited:?}");
}

#[tokio::test]
async fn should_retry_false_stops_a_503() {
    let answer =
        Answer::json(503, &error_json(503, "INTERNAL_ERROR", "UNAVAILABLE", "Down.")).header("x-should-retry", "false");
    let server = ScriptedServer::start(vec![Step::Answer(answer), ok_user()]).await;
    let error = builder(&server).build().unwrap().end_users().list().await.unwrap_err();
    assert_eq!(server.seen().len(), 1);
    assert_eq!(error.attempts().unwrap().stop, Some(RetryStop::ServerDeclined));
    assert!(error.to_string().ends_with("; not retried after 1 attempt: the server sent `x-should-retry: false`"));
}

#[tokio::test]
async fn should_retry_true_retries_a_400() {
    let answer = Answer::json(400, &error_json(400, "INVALID_REQUEST_ERROR", "BUSY", "Try again."))
        .header("x-should-retry", "true");
    let server = ScriptedServer::start(vec![Step::Answer(answer), ok_user()]).await;
    builder(&server).build().unwrap().end_users().create(&new_user()).await.unwrap();
    assert_eq!(server.seen().len(), 2);
}

#[tokio::test]
async fn a_plain_400_is_not_retried() {
    let server = ScriptedServer::start(vec![status(400), ok_user()]).await;
    let error = builder(&server).build().unwrap().end_users().list().await.unwrap_err();
    assert_eq!(server.seen().len(), 1);
    assert_eq!(error.attempts().unwrap(), conductor::Attempts { made: 1, stop: Some(RetryStop::NotRetryable) });
}

#[tokio::test]
async fn reset_before_any_byte_retries_a_get_but_not_a_post() {
    let server = ScriptedServer::start(vec![Step::Reset, ok_user()]).await;
    builder(&server).build().unwrap().end_users().retrieve("end_usr_1").await.unwrap();
    assert_eq!(server.seen().len(), 2);

    let server = ScriptedServer::start(vec![Step::Reset, ok_user()]).await;
    let error = builder(&server).build().unwrap().end_users().create(&new_user()).await.unwrap_err();
    assert_eq!(server.seen().len(), 1);
    // The server read the request: it may have created the end-user.
    let Error::OutcomeUnknown(unknown) = &error else { panic!("got {error:?}") };
    let Error::Connection { attempts, .. } = unknown.error() else { panic!("got {error:?}") };
    assert_eq!(attempts.stop, Some(RetryStop::NonIdempotent));
    assert!(error.outcome_unknown());
}

#[tokio::test]
async fn connection_closed_mid_body() {
    let body = Answer::json(200, &end_user_json());
    let server = ScriptedServer::start(vec![Step::CloseMidBody(body.clone(), 20), ok_user()]).await;
    builder(&server).build().unwrap().end_users().retrieve("end_usr_1").await.unwrap();
    assert_eq!(server.seen().len(), 2);

    let server = ScriptedServer::start(vec![Step::CloseMidBody(body, 20)]).await;
    let error = builder(&server).max_retries(0).build().unwrap().end_users().retrieve("end_usr_1").await.unwrap_err();
    assert_eq!(server.seen().len(), 1);
    let Error::Connection { message, attempts, .. } = &error else { panic!("got {error:?}") };
    assert!(message.contains("body"), "{message}");
    assert_eq!(attempts.stop, Some(RetryStop::Disabled));
}

#[tokio::test]
async fn headers_arriving_after_the_timeout() {
    let late = Step::Delay(Duration::from_secs(2), Answer::json(200, &end_user_json()));
    let server = ScriptedServer::start(vec![late.clone(), late.clone(), late]).await;
    let client = builder(&server).timeout(Duration::from_millis(200)).build().unwrap();
    let started = Instant::now();
    let error = client.end_users().retrieve("end_usr_1").await.unwrap_err();
    assert!(started.elapsed() < Duration::from_millis(1500), "took {:?}", started.elapsed());
    assert_eq!(server.seen().len(), 3);
    let Error::Timeout { phase, limit, attempts, .. } = &error else { panic!("got {error:?}") };
    assert_eq!((*phase, *limit), (TimeoutPhase::Request, Duration::from_millis(200)));
    assert_eq!((attempts.made, attempts.stop), (3, Some(RetryStop::Exhausted)));
    assert_eq!(error.to_string(), "the request timed out after 200ms; gave up after 3 attempts");
}

#[tokio::test]
async fn a_post_that_times_out_is_not_retried() {
    let late = Step::Delay(Duration::from_secs(2), Answer::json(200, &end_user_json()));
    let server = ScriptedServer::start(vec![late.clone(), late]).await;
    let client = builder(&server).timeout(Duration::from_millis(200)).build().unwrap();
    let error = client.end_users().create(&new_user()).await.unwrap_err();
    assert_eq!(server.seen().len(), 1);
    let Error::OutcomeUnknown(unknown) = &error else { panic!("got {error:?}") };
    assert!(
        matches!(unknown.error(), Error::Timeout { attempts, .. } if attempts.stop == Some(RetryStop::NonIdempotent))
    );
    assert!(
        error.to_string().starts_with("POST /end-users may have been carried out: the request timed out"),
        "{error}"
    );
}

#[tokio::test]
async fn body_stalling_after_the_headers() {
    let server =
        ScriptedServer::start(vec![Step::StallBody(Answer::json(200, &end_user_json()), 10, Duration::from_secs(3))])
            .await;
    let client = builder(&server).timeout(Duration::from_millis(300)).max_retries(0).build().unwrap();
    let started = Instant::now();
    let error = client.end_users().retrieve("end_usr_1").await.unwrap_err();
    assert!(started.elapsed() < Duration::from_millis(2000), "took {:?}", started.elapsed());
    assert!(matches!(error, Error::Timeout { phase: TimeoutPhase::Request, .. }), "{error:?}");
    assert_eq!(server.seen().len(), 1);
}

async fn decode_error_for(step: Step) -> (conductor::DecodeError, usize) {
    let server = ScriptedServer::start(vec![step, ok_user()]).await;
    let error = builder(&server).build().unwrap().end_users().retrieve("end_usr_1").await.unwrap_err();
    let Error::Decode(decode) = error else { panic!("got {error:?}") };
    (*decode, server.seen().len())
}

#[tokio::test]
async fn malformed_truncated_and_empty_200_bodies_are_decode_errors() {
    let (malformed, seen) =
        decode_error_for(Step::Answer(Answer::raw(200, "application/json", "{\"id\": nope}"))).await;
    assert_eq!(seen, 1, "a decode error is not retried");
    assert_eq!(malformed.path(), "id");
    assert_eq!(malformed.message(), "expected ident at line 1 column 9");

    let full = end_user_json().to_string();
    let (truncated, _) = decode_error_for(Step::Answer(Answer::raw(200, "application/json", &full[..40]))).await;
    assert!(truncated.message().starts_with("EOF while parsing"), "{}", truncated.message());

    let (empty, _) = decode_error_for(Step::Answer(Answer::raw(200, "application/json", ""))).await;
    assert_eq!(empty.message(), "the body is empty");
    assert_eq!(empty.status().as_u16(), 200);
}

#[tokio::test]
async fn html_502_is_retried_then_reported_raw() {
    let html = Step::Answer(Answer::raw(502, "text/html", "<html><body><h1>502 Bad Gateway</h1></body></html>"));
    let server = ScriptedServer::start(vec![html.clone(), html.clone(), html]).await;
    let error = builder(&server).build().unwrap().end_users().list().await.unwrap_err();
    assert_eq!(server.seen().len(), 3);
    let api = error.as_api_error().unwrap();
    assert_eq!(api.raw_body(), Some("<html><body><h1>502 Bad Gateway</h1></body></html>"));
    assert_eq!(
        error.to_string(),
        "502 Bad Gateway: <html><body><h1>502 Bad Gateway</h1></body></html>; gave up after 3 attempts"
    );
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_without_reading_it() {
    // Announces 1 GiB, sends 64 KiB, then stalls: reading it all would hang.
    let head = Answer::raw(200, "application/json", vec![b' '; 64 * 1024]);
    let server = ScriptedServer::start(vec![Step::Announce(head, 1 << 30, Duration::from_secs(10))]).await;
    let client = builder(&server).max_response_bytes(1 << 20).build().unwrap();
    let started = Instant::now();
    let error = client.end_users().list().await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());
    assert!(matches!(error, Error::ResponseTooLarge { limit: 1_048_576, .. }), "{error:?}");
    assert_eq!(error.to_string(), "the 200 OK response body is larger than the limit of 1048576 bytes");
    assert_eq!(server.seen().len(), 1);

    // Without a length: chunks of 64 KiB, 32 MiB in all, cut off past 1 MiB.
    let chunk = Answer::raw(200, "application/json", vec![b' '; 64 * 1024]);
    let server = ScriptedServer::start(vec![Step::Chunked(chunk, 512)]).await;
    let error = builder(&server).max_response_bytes(1 << 20).build().unwrap().end_users().list().await.unwrap_err();
    assert!(matches!(error, Error::ResponseTooLarge { .. }), "{error:?}");
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn a_redirect_to_another_host_is_not_followed() {
    let elsewhere = ScriptedServer::start(vec![ok_user()]).await;
    let location = format!("http://localhost:{}/v1/end-users/end_usr_1", elsewhere.addr().port());
    let redirect = Answer::raw(302, "text/plain", "").header("location", &location);
    let server = ScriptedServer::start(vec![Step::Answer(redirect.clone())]).await;

    let error = builder(&server).build().unwrap().end_users().retrieve("end_usr_1").await.unwrap_err();

    assert_eq!(error.status().map(|s| s.as_u16()), Some(302));
    assert_eq!(error.to_string(), format!("302 Found: redirect to {location} not followed"));
    assert_eq!(server.seen().len(), 1);
    assert!(elsewhere.seen().is_empty(), "nothing reached the other host");

    // A caller's own reqwest client may follow redirects: reqwest then drops
    // the Authorization header on the way to another host.
    let server = ScriptedServer::start(vec![Step::Answer(redirect)]).await;
    let client = builder(&server).http_client(conductor::reqwest::Client::new()).build().unwrap();
    client.end_users().retrieve("end_usr_1").await.unwrap();
    let followed = elsewhere.seen();
    assert_eq!(followed.len(), 1);
    assert_eq!(followed[0].header("authorization"), None);
    assert_eq!(server.seen()[0].header("authorization"), Some(format!("Bearer {KEY}").as_str()));
}

#[test]
fn plain_http_to_a_remote_host_is_refused() {
    let error = Client::builder().api_key(KEY).base_url("http://api.example.com/v1").build().unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid client configuration: refusing to send the API key unencrypted to \"http://api.example.com/v1\": \
         use https, or call .allow_insecure_http(true) if you mean it"
    );
    Client::builder().api_key(KEY).base_url("http://api.example.com/v1").allow_insecure_http(true).build().unwrap();
    Client::builder().api_key(KEY).base_url("http://localhost:4010/v1").build().unwrap();
}

#[tokio::test]
async fn invalid_header_values_are_refused_before_sending() {
    let server = ScriptedServer::start(vec![ok_user()]).await;
    let client = builder(&server).build().unwrap();
    let bad = client.with_options(RequestOptions::new().header("X-Trace", "a\r\nX-Injected: 1"));
    let error = bad.end_users().list().await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid header in RequestOptions: the value of header \"X-Trace\" contains a character a header cannot \
         carry (CR, LF or another control character); the request was not sent"
    );
    let error = client.with_options(RequestOptions::new().header("X Trace", "a")).end_users().list().await.unwrap_err();
    assert!(matches!(error, Error::InvalidInput { .. }));
    assert!(server.seen().is_empty());
}

#[tokio::test]
async fn connection_refused_is_retried_even_for_a_post() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let client = Client::builder()
        .api_key(KEY)
        .base_url(format!("http://127.0.0.1:{port}/v1"))
        .retry_backoff(Duration::from_millis(1), Duration::from_millis(5))
        .build()
        .unwrap();
    let error = client.end_users().create(&new_user()).await.unwrap_err();
    let Error::Connection { attempts, .. } = &error else { panic!("got {error:?}") };
    assert_eq!((attempts.made, attempts.stop), (3, Some(RetryStop::Exhausted)));
}

#[tokio::test]
async fn a_tls_handshake_that_never_completes_hits_the_connect_timeout() {
    // Accepts TCP connections and never answers the TLS ClientHello.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = accepted.clone();
    let holder = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            held.push(stream);
        }
    });
    let client = Client::builder()
        .api_key(KEY)
        .base_url(format!("https://127.0.0.1:{port}/v1"))
        .connect_timeout(Duration::from_millis(200))
        .retry_backoff(Duration::from_millis(1), Duration::from_millis(5))
        .max_retries(1)
        .build()
        .unwrap();

    let started = Instant::now();
    let error = client.end_users().create(&new_user()).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());
    let Error::Timeout { phase, limit, attempts, .. } = &error else { panic!("got {error:?}") };
    assert_eq!((*phase, *limit), (TimeoutPhase::Connect, Duration::from_millis(200)));
    // Never sent, so retried even though it is a POST.
    assert_eq!((attempts.made, attempts.stop), (2, Some(RetryStop::Exhausted)));
    assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 2);

    // A per-call connect timeout replaces the client's.
    let quick = client.with_options(RequestOptions::new().connect_timeout(Duration::from_millis(50)).max_retries(0));
    let error = quick.end_users().list().await.unwrap_err();
    assert!(
        matches!(error, Error::Timeout { phase: TimeoutPhase::Connect, limit, .. } if limit == Duration::from_millis(50))
    );

    // A whole-attempt timeout shorter than the connect timeout: the
    // handshake that never ends is still a connect timeout (at nine tenths
    // of the attempt), so the POST, never sent, is retried.
    let hasty = Client::builder()
        .api_key(KEY)
        .base_url(format!("https://127.0.0.1:{port}/v1"))
        .timeout(Duration::from_millis(200))
        .connect_timeout(Duration::from_secs(5))
        .retry_backoff(Duration::from_millis(1), Duration::from_millis(5))
        .max_retries(1)
        .build()
        .unwrap();
    let error = hasty.end_users().create(&new_user()).await.unwrap_err();
    let Error::Timeout { phase, limit, attempts, .. } = &error else { panic!("got {error:?}") };
    assert_eq!((*phase, *limit), (TimeoutPhase::Connect, Duration::from_millis(180)));
    assert_eq!((attempts.made, attempts.stop), (2, Some(RetryStop::Exhausted)));
    assert!(!error.outcome_unknown(), "{error}");
    holder.abort();
}

#[tokio::test]
async fn per_call_options_override_the_client() {
    let late = Step::Delay(Duration::from_millis(400), Answer::json(200, &end_user_json()));
    let server = ScriptedServer::start(vec![late.clone(), late, status(500), ok_user()]).await;
    let client = builder(&server)
        .timeout(Duration::from_millis(100))
        .max_retries(0)
        .default_header("X-Team", "billing")
        .build()
        .unwrap();

    let patient = client.with_options(RequestOptions::new().timeout(Duration::from_secs(5)).header("X-Trace", "t-1"));
    patient.end_users().retrieve("end_usr_1").await.unwrap();
    let error = client.end_users().retrieve("end_usr_1").await.unwrap_err();
    assert!(matches!(error, Error::Timeout { limit, .. } if limit == Duration::from_millis(100)));
    client.with_options(RequestOptions::new().max_retries(1)).end_users().retrieve("end_usr_1").await.unwrap();

    let seen = server.seen();
    assert_eq!(seen.len(), 4);
    assert_eq!(seen[0].header("x-trace"), Some("t-1"));
    assert_eq!(seen[0].header("x-team"), Some("billing"));
    assert_eq!(seen[1].header("x-trace"), None, "options do not leak into the client they came from");
}

#[tokio::test]
async fn declared_responses_carry_status_headers_and_attempts() {
    use conductor::{Response, Result, Transport, api};

    trait WithMeta: Transport {
        #[api(get = "/end-users/{id}")]
        async fn user_with_meta(&self, id: &str) -> Result<Response<conductor::EndUser>>;

        #[api(get = "/end-users", list_of = conductor::EndUser)]
        async fn users_with_meta(&self) -> Result<Response<Vec<conductor::EndUser>>>;
    }
    impl WithMeta for Client {}

    let user = Answer::json(200, &end_user_json()).header("conductor-request-id", "req_meta_1");
    let list = Answer::json(200, &list_json("/v1/end-users", vec![end_user_json()]))
        .header("conductor-request-id", "req_meta_2");
    let server = ScriptedServer::start(vec![status(503), Step::Answer(user), Step::Answer(list)]).await;
    let client = builder(&server).build().unwrap();

    let response = client.user_with_meta("end_usr_1").await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.request_id(), Some("req_meta_1"));
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(response.attempts(), conductor::Attempts { made: 2, stop: None });
    assert_eq!(response.company_name, "Acme Inc.");

    let response = client.users_with_meta().await.unwrap();
    assert_eq!(response.request_id(), Some("req_meta_2"));
    assert_eq!(response.into_body().len(), 1);
}

#[tokio::test]
async fn a_page_request_with_a_cursor_is_not_retried_after_a_5xx() {
    // Each request that sends a list's cursor returns the next page: sent
    // again, it would skip one.
    let empty_page = serde_json::json!({"objectType": "list", "data": [], "nextCursor": null, "hasMore": false,
                                        "remainingCount": 0});
    let page = || Step::Answer(Answer::json(200, &empty_page));
    let server = ScriptedServer::start(vec![status(500), page(), status(500), page()]).await;
    let qbd = builder(&server).build().unwrap().qbd().for_end_user("end_usr_1");

    let first = conductor::qbd::InvoiceListParams::default();
    qbd.invoices().list(&first).await.unwrap();
    assert_eq!(server.seen().len(), 2, "the first page, without a cursor, is retried");

    let next = conductor::qbd::InvoiceListParams { cursor: Some("cur_1".into()), ..Default::default() };
    let error = qbd.invoices().list(&next).await.unwrap_err();
    assert_eq!(server.seen().len(), 3);
    assert_eq!(error.attempts().unwrap().stop, Some(RetryStop::CursorPage));
    assert!(error.to_string().ends_with("so a retry could skip one; start the list again"), "{error}");
    assert!(!error.to_string().contains("retry_non_idempotent"), "no setting brings the page back: {error}");
}
