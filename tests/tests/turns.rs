//! `ClientBuilder::max_concurrent_per_end_user`, seen from a server that
//! counts the requests in flight for each `Conductor-End-User-Id`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use conductor::Client;
use conductor::qbd::CustomerListParams;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The most requests each end-user had in flight at once, and the most of
/// all end-users together.
#[derive(Default)]
struct Counts {
    now: HashMap<String, usize>,
    most: HashMap<String, usize>,
    now_all: usize,
    most_all: usize,
}

/// A server that answers every request with an empty list of customers
/// after 40 ms, counting what is in flight.
async fn counting_server() -> (String, Arc<Mutex<Counts>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    let counts = Arc::new(Mutex::new(Counts::default()));
    let shared = Arc::clone(&counts);
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            tokio::spawn(serve(stream, Arc::clone(&shared)));
        }
    });
    (url, counts)
}

async fn serve(mut stream: TcpStream, counts: Arc<Mutex<Counts>>) {
    let body = r#"{"objectType":"list","url":"/v1/quickbooks-desktop/customers","data":[],"nextCursor":null,"hasMore":false,"remainingCount":0}"#;
    let mut buffer = Vec::new();
    loop {
        // One request head (the requests have no body).
        while !buffer.windows(4).any(|w| w == b"\r\n\r\n") {
            let mut chunk = [0; 4096];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        }
        let end = buffer.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
        let head = String::from_utf8_lossy(&buffer[..end]).to_lowercase();
        buffer.drain(..end);
        let end_user = head
            .lines()
            .find_map(|line| line.strip_prefix("conductor-end-user-id:"))
            .map(|value| value.trim().to_owned())
            .unwrap_or_default();
        {
            let mut counts = counts.lock().unwrap();
            let now = counts.now.entry(end_user.clone()).or_default();
            *now += 1;
            let now = *now;
            let most = counts.most.entry(end_user.clone()).or_default();
            *most = (*most).max(now);
            counts.now_all += 1;
            counts.most_all = counts.most_all.max(counts.now_all);
        }
        tokio::time::sleep(Duration::from_millis(40)).await;
        {
            let mut counts = counts.lock().unwrap();
            *counts.now.get_mut(&end_user).unwrap() -= 1;
            counts.now_all -= 1;
        }
        let answer = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        if stream.write_all(answer.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// Ten concurrent calls for each of three end-users; the counts seen.
async fn ten_calls_each(limit: Option<usize>) -> (HashMap<String, usize>, usize) {
    let (url, counts) = counting_server().await;
    let mut builder = Client::builder().api_key("sk_test_turns").base_url(url).max_retries(0);
    if let Some(limit) = limit {
        builder = builder.max_concurrent_per_end_user(limit);
    }
    let client = builder.build().unwrap();
    let calls: Vec<_> = ["end_usr_a", "end_usr_b", "end_usr_c"]
        .into_iter()
        .flat_map(|end_user| std::iter::repeat_n(end_user, 10))
        .map(|end_user| {
            let client = client.clone();
            tokio::spawn(async move {
                client.qbd().for_end_user(end_user).customers().list(&CustomerListParams::default()).await
            })
        })
        .collect();
    for call in calls {
        assert!(call.await.unwrap().unwrap().data.is_empty());
    }
    let counts = counts.lock().unwrap();
    (counts.most.clone(), counts.most_all)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_end_user_has_one_request_in_flight_and_the_others_are_not_held_back() {
    let (most, most_all) = ten_calls_each(Some(1)).await;
    assert_eq!(most, HashMap::from([("end_usr_a".into(), 1), ("end_usr_b".into(), 1), ("end_usr_c".into(), 1)]));
    assert_eq!(most_all, 3, "the three end-users' requests were in flight together");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_limit_of_two_keeps_two_in_flight() {
    let (most, _) = ten_calls_each(Some(2)).await;
    assert!(most.values().all(|&most| most == 2), "{most:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_limit_an_end_users_requests_go_at_once() {
    let (most, _) = ten_calls_each(None).await;
    assert!(most.values().all(|&most| most > 2), "{most:?}");
}

#[test]
fn a_limit_of_zero_is_refused() {
    let error = Client::builder().api_key("sk_test_turns").max_concurrent_per_end_user(0).build().unwrap_err();
    assert_eq!(error.to_string(), "invalid client configuration: max_concurrent_per_end_user must be at least 1");
}
