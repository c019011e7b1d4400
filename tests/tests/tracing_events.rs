//! The tracing span of a call: method, path template, attempts, status,
//! request id and elapsed time, and never the key.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use conductor::Client;
use conductor_tests::scripted::{Answer, ScriptedServer, Step};
use conductor_tests::{KEY, end_user_json, error_json};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn one_span_per_call_with_its_attempts_and_no_key() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter("conductor=debug")
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let failure = Answer::json(503, &error_json(503, "INTERNAL_ERROR", "UNAVAILABLE", "Down."));
    let success = Answer::json(200, &end_user_json()).header("conductor-request-id", "req_trace_1");
    let server = ScriptedServer::start(vec![Step::Answer(failure), Step::Answer(success)]).await;
    let client = Client::builder()
        .api_key(KEY)
        .base_url(server.base_url())
        .retry_backoff(Duration::from_millis(1), Duration::from_millis(2))
        .build()
        .unwrap();
    client.end_users().retrieve("end_usr_1").await.unwrap();

    let output = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    println!("{output}");
    let closing = output.lines().find(|line| line.contains("close")).expect("the span closes");
    for field in [
        "conductor.request",
        "method=GET",
        "path=\"/end-users/{id}\"",
        "attempts=2",
        "status=200",
        "request_id=\"req_trace_1\"",
        "elapsed_ms=",
    ] {
        assert!(closing.contains(field), "missing {field} in {closing}");
    }
    assert_eq!(output.lines().filter(|line| line.contains("response") && line.contains("attempt=")).count(), 2);
    assert!(output.contains("retrying"));
    assert!(!output.contains(KEY), "the key leaked into the logs");
    assert!(!output.to_ascii_lowercase().contains("bearer"), "the Authorization header leaked into the logs");
}
