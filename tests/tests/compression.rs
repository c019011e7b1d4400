//! Compression: requests ask for gzip, bodies are inflated as they stream,
//! the size limit counts inflated bytes, and the sandbox compresses as the
//! API does.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use conductor::Error;
use conductor_tests::scripted::{Answer, ScriptedServer, Step};
use conductor_tests::{end_user_json, list_json};
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn gzipped(status: u16, body: &[u8]) -> Step {
    already_gzipped(status, gzip(body))
}

fn already_gzipped(status: u16, compressed: Vec<u8>) -> Step {
    Step::Answer(Answer::raw(status, "application/json", compressed).header("content-encoding", "gzip"))
}

#[tokio::test]
async fn a_gzipped_answer_is_inflated_and_decoded() {
    let body = list_json("/v1/end-users", vec![end_user_json(); 200]).to_string();
    let server = ScriptedServer::start(vec![gzipped(200, body.as_bytes())]).await;
    let users = server.client_builder().build().unwrap().end_users().list().await.unwrap();
    assert_eq!(users.len(), 200);
    assert_eq!(server.seen()[0].header("accept-encoding"), Some("gzip"));
}

#[tokio::test]
async fn a_gzip_bomb_is_refused_without_inflating_past_the_limit() {
    // 64 MiB of zeros inside a JSON string: about 64 KiB compressed.
    let mut bomb = b"{\"id\":\"".to_vec();
    bomb.resize(64 * 1024 * 1024, b'0');
    bomb.extend_from_slice(b"\"}");
    let compressed = gzip(&bomb);
    drop(bomb);
    assert!(compressed.len() < 256 * 1024, "{} bytes compressed", compressed.len());
    // The server sends half of the compressed body, then stalls for 10 s:
    // only a client that inflates as bytes arrive, and counts what it
    // inflated, can refuse the body before the stall ends.
    let half = compressed.len() / 2;
    let answer = Answer::raw(200, "application/json", compressed).header("content-encoding", "gzip");
    let server = ScriptedServer::start(vec![Step::StallBody(answer, half, Duration::from_secs(10))]).await;
    let client = server.client_builder().max_response_bytes(1024 * 1024).max_retries(0).build().unwrap();
    let started = Instant::now();
    let error = client.end_users().retrieve("end_usr_1").await.unwrap_err();
    assert!(matches!(error, Error::ResponseTooLarge { limit: 1_048_576, .. }), "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
}

#[tokio::test]
async fn the_limit_counts_inflated_bytes() {
    // 2 MiB inflated, a few KiB on the wire, against a 1 MiB limit.
    let body = list_json("/v1/end-users", vec![end_user_json(); 10_000]).to_string();
    assert!(body.len() > 2 * 1024 * 1024);
    let server = ScriptedServer::start(vec![gzipped(200, body.as_bytes())]).await;
    let client = server.client_builder().max_response_bytes(1024 * 1024).build().unwrap();
    let error = client.end_users().list().await.unwrap_err();
    assert!(matches!(error, Error::ResponseTooLarge { .. }), "{error:?}");
}

#[tokio::test]
async fn the_sandbox_compresses_when_asked() {
    let sandbox = conductor_sandbox::Sandbox::start().await.unwrap();
    let user = sandbox.create_end_user("Acme", "a@acme.com");
    sandbox.seed_invoices(&user.id, 150).unwrap();
    let raw = conductor::reqwest::Client::builder().no_gzip().build().unwrap();
    let get = |encoding: Option<&'static str>| {
        let mut request = raw
            .get(format!("{}/quickbooks-desktop/invoices", sandbox.base_url()))
            .bearer_auth(sandbox.api_key())
            .header("conductor-end-user-id", &user.id);
        if let Some(encoding) = encoding {
            request = request.header("accept-encoding", encoding);
        }
        request.send()
    };

    let plain = get(None).await.unwrap();
    assert_eq!(plain.headers().get("content-encoding"), None);
    let plain = plain.bytes().await.unwrap();

    let compressed = get(Some("gzip, deflate")).await.unwrap();
    assert_eq!(compressed.headers().get("content-encoding").unwrap(), "gzip");
    let compressed = compressed.bytes().await.unwrap();
    assert!(compressed.len() * 5 < plain.len(), "{} vs {} bytes", compressed.len(), plain.len());
    let mut inflated = String::new();
    GzDecoder::new(&compressed[..]).read_to_string(&mut inflated).unwrap();
    let page: serde_json::Value = serde_json::from_str(&inflated).unwrap();
    assert_eq!(page["data"].as_array().unwrap().len(), 150);

    let refused = get(Some("gzip;q=0")).await.unwrap();
    assert_eq!(refused.headers().get("content-encoding"), None);

    // The client asks for gzip and reads it.
    let page = sandbox.client().qbd().for_end_user(&user.id).invoices().list(&Default::default()).await.unwrap();
    assert_eq!(page.data.len(), 150);
}

#[tokio::test]
async fn a_body_that_falsely_claims_gzip_is_a_decode_error_and_not_retried() {
    let plain = end_user_json().to_string().into_bytes();
    let mut bad_crc = gzip(&plain);
    let crc_at = bad_crc.len() - 8;
    bad_crc[crc_at] ^= 0xff;
    let mut truncated = gzip(&plain);
    truncated.truncate(truncated.len() - 4);
    for (what, body) in [("plain JSON", plain), ("a bad CRC", bad_crc), ("a cut stream", truncated)] {
        let server = ScriptedServer::start(vec![already_gzipped(200, body.clone()), already_gzipped(200, body)]).await;
        let client = server.client_builder().build().unwrap();
        let error = client.end_users().retrieve("end_usr_1").await.unwrap_err();
        let Error::Decode(decode) = &error else { panic!("{what}: {error:?}") };
        assert!(
            decode.message().starts_with("the body is not the gzip its `Content-Encoding` says"),
            "{what}: {error}"
        );
        assert_eq!(server.seen().len(), 1, "{what}: not retried");
        assert_eq!(error.attempts().unwrap().stop, Some(conductor::RetryStop::NotRetryable));
    }
}

#[tokio::test]
async fn every_member_of_a_gzip_stream_is_inflated() {
    let body = end_user_json().to_string();
    let (first, second) = body.split_at(body.len() / 2);
    let mut members = gzip(first.as_bytes());
    members.extend(gzip(second.as_bytes()));
    let server = ScriptedServer::start(vec![already_gzipped(200, members)]).await;
    let user = server.client_builder().build().unwrap().end_users().retrieve("end_usr_1").await.unwrap();
    assert_eq!(serde_json::to_value(&user).unwrap(), end_user_json());
}
