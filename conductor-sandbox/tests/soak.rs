//! The server under abuse: more connections than its descriptor limit
//! allows, slow clients that never finish their headers, malformed requests,
//! bodies that would take far more memory than their size, and a stderr
//! nobody reads, all at once. Afterwards ordinary calls are still answered.
//! The figures are printed (`--nocapture` shows them).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use conductor::Client;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The descriptor limit the server runs under.
const FILE_LIMIT: usize = 256;
const SLOW_CLIENTS: usize = 200;
const MALFORMED: usize = 50;
const CONCURRENT_CALLS: usize = 300;

/// Starts the binary under `ulimit -n FILE_LIMIT` with stderr a pipe this
/// test never reads; reads stdout to its end, which must come.
fn start(args: &[&str]) -> (Child, Vec<(String, String)>) {
    let script = format!("ulimit -n {FILE_LIMIT} && exec \"$0\" \"$@\"");
    let mut child = Command::new("sh")
        .args(["-c", &script, env!("CARGO_BIN_EXE_conductor-sandbox")])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let stdout = BufReader::new(child.stdout.take().expect("stdout"));
    // Reading to the end: stdout is closed once the settings are printed.
    let pairs = stdout
        .lines()
        .map(|line| {
            let line = line.expect("a line");
            let (name, value) = line.split_once('=').expect("NAME=value");
            (name.to_owned(), value.to_owned())
        })
        .collect();
    (child, pairs)
}

/// The process's peak resident memory, in KiB.
fn peak_memory_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    (status.lines().find_map(|line| line.strip_prefix("VmHWM:")))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_stays_up_under_more_connections_than_it_has_descriptors() {
    let (mut child, pairs) = start(&["--port", "0", "--seed-invoices", "20", "--max-connections", "128"]);
    let (base_url, key) = (pairs[0].1.clone(), pairs[1].1.clone());
    let addr = base_url.trim_start_matches("http://").trim_end_matches("/v1").to_owned();

    // Slow clients: headers begun and never finished.
    let mut slow = Vec::new();
    for _ in 0..SLOW_CLIENTS {
        if let Ok(mut stream) = TcpStream::connect(&addr).await {
            let _ = stream.write_all(b"GET /v1/end-users HTTP/1.1\r\nHost: x\r\nAuthor").await;
            slow.push(stream);
        }
    }
    // Malformed requests, each read until the server answers or closes.
    let malformed: Vec<_> = (0..MALFORMED)
        .map(|i| {
            let addr = addr.clone();
            tokio::spawn(async move {
                let Ok(mut stream) = TcpStream::connect(&addr).await else { return };
                let garbage: &[u8] = match i % 3 {
                    0 => b"BLAH\r\n\r\n",
                    1 => b"GET / HTTP/1.1\r\nContent-Length: nope\r\n\r\n",
                    _ => b"\x00\x01\x02\xff\r\n\r\n",
                };
                let _ = stream.write_all(garbage).await;
                let mut answer = Vec::new();
                let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer)).await;
            })
        })
        .collect();
    // Ordinary calls, all at once, with retries for the 503s of a full house.
    // While the slow clients hold the connection limit, the rest are told
    // 503 (retried, as a GET); none may be left without an answer.
    let client = Client::builder().api_key(&key).base_url(&base_url).build().unwrap();
    let answered = Arc::new(AtomicUsize::new(0));
    let busy = Arc::new(AtomicUsize::new(0));
    let calls: Vec<_> = (0..CONCURRENT_CALLS)
        .map(|_| {
            let (client, answered, busy) = (client.clone(), Arc::clone(&answered), Arc::clone(&busy));
            tokio::spawn(async move {
                match client.end_users().list().await {
                    Ok(_) => answered.fetch_add(1, Ordering::Relaxed),
                    Err(error) if error.code() == Some("SERVICE_UNAVAILABLE") => busy.fetch_add(1, Ordering::Relaxed),
                    Err(error) => panic!("a call was left without an answer: {error}"),
                };
            })
        })
        .collect();
    for task in malformed.into_iter().chain(calls) {
        task.await.unwrap();
    }
    let (answered_under_load, busy) = (answered.load(Ordering::Relaxed), busy.load(Ordering::Relaxed));
    assert_eq!(answered_under_load + busy, CONCURRENT_CALLS);
    drop(slow);

    // A body that would build 200,000 lines is refused for its size.
    let raw = reqwest_free_post(&addr, &key).await;
    assert!(raw.starts_with("HTTP/1.1 400"), "{raw}");
    assert!(raw.contains("Array must contain at most 1000 element(s)"), "{raw}");

    // Then: ordinary calls are answered, more than a blocked stderr would
    // have allowed.
    let started = Instant::now();
    let fresh = Client::builder().api_key(&key).base_url(&base_url).max_retries(5).build().unwrap();
    let mut after = 0;
    for _ in 0..2_000 {
        if fresh.end_users().list().await.is_ok() {
            after += 1;
        }
    }
    assert_eq!(after, 2_000, "every call after the load is answered");
    assert!(child.try_wait().unwrap().is_none(), "the server is still running");
    let peak = peak_memory_kib(child.id());
    println!(
        "soak: descriptor limit {FILE_LIMIT}, connection limit 128; {SLOW_CLIENTS} slow clients, {MALFORMED} \
         malformed requests and {CONCURRENT_CALLS} concurrent calls: {answered_under_load} answered and {busy} told 503 under load; \
         then 2000 of 2000 answered in {:.1} s, stderr never read; peak memory {} MiB",
        started.elapsed().as_secs_f64(),
        peak / 1024
    );
    let _ = child.kill();
    let _ = child.wait();
}

/// Sends an invoice of 200,000 empty lines (about 600 KB) by hand and
/// returns the raw answer.
async fn reqwest_free_post(addr: &str, key: &str) -> String {
    let lines = vec!["{}"; 200_000].join(",");
    let body = format!(r#"{{"customerId":"x","lines":[{lines}]}}"#);
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /v1/quickbooks-desktop/invoices HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {key}\r\n\
         Conductor-End-User-Id: end_usr_x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn a_closed_stderr_fails_no_request() {
    let script = "exec \"$0\" \"$@\" 2>&-";
    let mut child = Command::new("sh")
        .args(["-c", script, env!("CARGO_BIN_EXE_conductor-sandbox"), "--port", "0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let pairs: Vec<String> = stdout.lines().map(Result::unwrap).collect();
    let value = |name: &str| pairs.iter().find_map(|line| line.strip_prefix(name)).unwrap().to_owned();
    let client = Client::builder()
        .api_key(value("CONDUCTOR_SECRET_KEY="))
        .base_url(value("CONDUCTOR_BASE_URL="))
        .max_retries(0)
        .build()
        .unwrap();
    for _ in 0..50 {
        client.end_users().list().await.unwrap();
    }
    assert!(child.try_wait().unwrap().is_none());
    let _ = child.kill();
    let _ = child.wait();
}

/// The process's resident memory now, in KiB.
fn memory_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    (status.lines().find_map(|line| line.strip_prefix("VmRSS:")))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Requests that each name a new end-user keep nothing once answered,
/// whatever their key: 50,000 of them, refused for a wrong key or for an
/// end-user that does not exist, leave the server's memory as it was
/// (they took it from 9 MB to 213 MB for 50,000 before; sent one at a
/// time, 1.5 MB more for each 10,000).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_naming_new_end_users_keep_nothing() {
    let (mut child, pairs) = start(&["--port", "0"]);
    let (base_url, key) = (pairs[0].1.clone(), pairs[1].1.clone());
    let pid = child.id();
    let http = conductor::reqwest::Client::new();
    let send = |n: usize, key: String| {
        let (http, url) = (http.clone(), format!("{base_url}/quickbooks-desktop/customers"));
        async move {
            let end_user = format!("end_usr_{n:016}");
            let answer = http.get(url).bearer_auth(key).header("conductor-end-user-id", end_user).send().await;
            answer.map(|answer| answer.status().as_u16()).unwrap_or(0)
        }
    };
    // A warm-up, so what the allocator keeps for itself is counted first.
    for n in 0..2_000 {
        send(n, "sk_wrong".into()).await;
    }
    let mut statuses = std::collections::BTreeMap::new();
    let mut memory = vec![memory_kib(pid)];
    // Two rounds of 25,000: what a leak keeps grows with each.
    for round in 0..2 {
        for batch in 0..250 {
            let calls: Vec<_> = (0..100)
                .map(|n| {
                    let key = if n % 2 == 0 { "sk_wrong".to_owned() } else { key.clone() };
                    tokio::spawn(send(10_000 + round * 25_000 + batch * 100 + n, key))
                })
                .collect();
            for call in calls {
                *statuses.entry(call.await.unwrap()).or_insert(0) += 1;
            }
        }
        memory.push(memory_kib(pid));
    }
    println!(
        "50,000 requests naming new end-users: {statuses:?}; resident memory (KiB) before, after 25,000, after 50,000: {memory:?}"
    );
    assert_eq!(statuses.get(&401), Some(&25_000));
    assert_eq!(statuses.get(&404), Some(&25_000));
    assert!(memory[2] < memory[0] + 8 * 1024, "memory grew: {memory:?}");
    assert!(memory[2] < memory[1] + 1024, "the second 25,000 kept memory: {memory:?}");
    let _ = child.kill();
    let _ = child.wait();
}
