//! The server as a user starts it: the lines it prints, a client configured
//! from them, its request log, its cursors, and a clean stop on SIGTERM and
//! SIGINT.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use conductor::Client;
use conductor::qbd::InvoiceListParams;

/// Starts the binary with `args` and reads its first `lines` lines as
/// `NAME=value` pairs.
fn start(args: &[&str], lines: usize) -> (Child, Vec<(String, String)>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_conductor-sandbox"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut pairs = Vec::new();
    for _ in 0..lines {
        let mut line = String::new();
        stdout.read_line(&mut line).expect("a line");
        let (name, value) = line.trim_end().split_once('=').unwrap_or_else(|| panic!("not NAME=value: {line:?}"));
        pairs.push((name.to_owned(), value.to_owned()));
    }
    (child, pairs)
}

/// Sends `signal` and waits for the process to end; its stderr.
fn stop(mut child: Child, signal: &str) -> String {
    let status = Command::new("kill").args([signal, &child.id().to_string()]).status().expect("kill runs");
    assert!(status.success());
    let started = Instant::now();
    let exit = loop {
        if let Some(exit) = child.try_wait().expect("wait") {
            break exit;
        }
        assert!(started.elapsed() < Duration::from_secs(5), "still running 5 s after {signal}");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(exit.success(), "{exit:?}");
    let mut stderr = String::new();
    child.stderr.take().expect("stderr").read_to_string(&mut stderr).expect("stderr");
    stderr
}

#[tokio::test]
async fn it_prints_its_settings_serves_them_logs_and_stops_on_sigterm() {
    let (child, pairs) = start(&["--port", "0", "--seed-invoices", "320", "--api-key", "sk_sandbox_cli"], 3);
    let names: Vec<&str> = pairs.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["CONDUCTOR_BASE_URL", "CONDUCTOR_SECRET_KEY", "CONDUCTOR_END_USER_ID"]);
    let (base_url, key, end_user) = (&pairs[0].1, &pairs[1].1, &pairs[2].1);
    assert!(base_url.starts_with("http://127.0.0.1:") && base_url.ends_with("/v1"), "{base_url}");
    assert!(!base_url.ends_with(":0/v1"), "the free port chosen is printed: {base_url}");
    assert_eq!(key, "sk_sandbox_cli");

    let client = Client::builder().api_key(key).base_url(base_url).build().unwrap();
    let qbd = client.qbd().for_end_user(end_user);
    let page = qbd.invoices().list(&InvoiceListParams::default()).await.unwrap();
    assert_eq!((page.data.len(), page.remaining_count), (150, Some(170)));
    let missing = client.end_users().retrieve("end_usr_missing").await.unwrap_err();
    assert_eq!(missing.code(), Some("RESOURCE_MISSING"));

    let log = stop(child, "-TERM");
    let lines: Vec<&str> = log.lines().collect();
    let invoice_line =
        lines.iter().find(|l| l.starts_with("GET /v1/quickbooks-desktop/invoices 200 ")).expect("logged");
    let fields: Vec<&str> = invoice_line.split(' ').collect();
    assert_eq!(fields.len(), 5, "{invoice_line}");
    assert!(fields[3].ends_with("ms") && fields[4].starts_with("req_sbx_"), "{invoice_line}");
    assert!(lines.iter().any(|l| l.starts_with("GET /v1/end-users/end_usr_missing 404 ")), "{log}");
    assert_eq!(lines.last(), Some(&"conductor-sandbox: stopped on SIGTERM"));
}

#[tokio::test]
async fn cursors_expire_as_configured_and_sigint_stops_it() {
    let (child, pairs) = start(&["--port", "0", "--seed-invoices", "20", "--cursor-ttl-secs", "1"], 3);
    let client = Client::builder().api_key(&pairs[1].1).base_url(&pairs[0].1).build().unwrap();
    let qbd = client.qbd().for_end_user(&pairs[2].1);
    let mut params = InvoiceListParams { limit: Some(5), ..Default::default() };
    let first = qbd.invoices().list(&params).await.unwrap();
    params.cursor = first.next_cursor().map(str::to_owned);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(qbd.invoices().list(&params).await.unwrap_err().code(), Some("INVALID_CURSOR"));
    let log = stop(child, "-INT");
    assert!(log.ends_with("conductor-sandbox: stopped on SIGINT\n"), "{log}");
}

#[test]
fn a_port_in_use_is_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let output = Command::new(env!("CARGO_BIN_EXE_conductor-sandbox")).args(["--port", &port]).output().unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.starts_with(&format!("conductor-sandbox: cannot listen on 127.0.0.1:{port}: ")), "{stderr}");
}

#[tokio::test]
async fn the_seeded_end_users_quickbooks_can_be_offline_and_come_back() {
    let (child, pairs) = start(&["--port", "0", "--seed-invoices", "1", "--connection", "offline"], 3);
    let client = Client::builder().api_key(&pairs[1].1).base_url(&pairs[0].1).build().unwrap();
    let end_user = &pairs[2].1;
    let qbd = client.qbd().for_end_user(end_user);
    let error = qbd.health_check().await.unwrap_err();
    assert_eq!((error.status().map(|s| s.as_u16()), error.code()), (Some(502), Some("QBD_CONNECTION_ERROR")));

    // Any end-user's state, from any language, while the server runs.
    let url = format!("{}/sandbox/end-users/{end_user}/connection", pairs[0].1);
    let http = conductor::reqwest::Client::new();
    let answer = http.put(&url).bearer_auth(&pairs[1].1).body(r#"{"state": "connected"}"#).send().await;
    assert_eq!(answer.unwrap().status().as_u16(), 200);
    assert_eq!(qbd.health_check().await.unwrap().duration, 12.0);
    let wrong = http.put(&url).bearer_auth(&pairs[1].1).body(r#"{"state": "asleep"}"#).send().await;
    assert_eq!(wrong.unwrap().status().as_u16(), 400);
    stop(child, "-TERM");
}

#[tokio::test]
async fn qbd_latency_answers_as_slowly_as_quickbooks() {
    let (child, pairs) = start(&["--port", "0", "--seed-invoices", "1", "--qbd-latency"], 3);
    let client = Client::builder().api_key(&pairs[1].1).base_url(&pairs[0].1).build().unwrap();
    let started = Instant::now();
    client.qbd().for_end_user(&pairs[2].1).health_check().await.unwrap();
    let took = started.elapsed();
    assert!(took >= Duration::from_secs(3), "{took:?}");
    stop(child, "-TERM");
}

#[tokio::test]
async fn listening_on_every_interface_prints_a_url_a_client_can_use() {
    let (child, pairs) = start(&["--port", "0", "--host", "0.0.0.0"], 2);
    let base_url = &pairs[0].1;
    assert!(base_url.starts_with("http://127.0.0.1:"), "{base_url}");
    let client = Client::builder().api_key(&pairs[1].1).base_url(base_url).build().unwrap();
    client.end_users().list().await.unwrap();
    stop(child, "-TERM");
}

#[tokio::test]
async fn the_longest_cursor_life_does_not_break_the_second_page() {
    let ttl = u64::MAX.to_string();
    let (child, pairs) = start(&["--port", "0", "--seed-invoices", "20", "--cursor-ttl-secs", &ttl], 3);
    let client = Client::builder().api_key(&pairs[1].1).base_url(&pairs[0].1).build().unwrap();
    let qbd = client.qbd().for_end_user(&pairs[2].1);
    let mut params = InvoiceListParams { limit: Some(5), ..Default::default() };
    let first = qbd.invoices().list(&params).await.unwrap();
    params.cursor = first.next_cursor().map(str::to_owned);
    let second = qbd.invoices().list(&params).await.unwrap();
    assert_eq!((second.data.len(), second.remaining_count), (5, Some(10)));
    stop(child, "-TERM");
}

#[test]
fn stdout_ends_once_the_settings_are_printed() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_conductor-sandbox"))
        .args(["--port", "0", "--seed-invoices", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // As `eval "$(conductor-sandbox)"` reads it: to the end.
    let mut out = String::new();
    child.stdout.take().unwrap().read_to_string(&mut out).unwrap();
    let names: Vec<&str> = out.lines().map(|line| line.split('=').next().unwrap()).collect();
    assert_eq!(names, ["CONDUCTOR_BASE_URL", "CONDUCTOR_SECRET_KEY", "CONDUCTOR_END_USER_ID"]);
    assert!(child.try_wait().unwrap().is_none(), "the server runs on");
    stop(child, "-TERM");
}

/// `eval "$(conductor-sandbox --detach ...)"` in a real shell: the shell
/// waits for the process its command substitution runs, so the server must
/// go on in a process of its own. The command returns at once, the shell
/// has the settings, the server answers, and `kill` stops it.
#[tokio::test]
async fn detach_returns_at_once_and_leaves_the_server_running() {
    let program = env!("CARGO_BIN_EXE_conductor-sandbox");
    let script = format!(
        "eval \"$('{program}' --detach --port 0 --seed-invoices 3)\" && \
         printf '%s\\n' \"$CONDUCTOR_BASE_URL\" \"$CONDUCTOR_SECRET_KEY\" \"$CONDUCTOR_END_USER_ID\" \"$CONDUCTOR_SANDBOX_PID\""
    );
    let started = Instant::now();
    let output = Command::new("bash").args(["-c", &script]).output().expect("bash runs");
    let took = started.elapsed();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(took < Duration::from_secs(10), "the shell waited {took:?}");
    let lines: Vec<String> = String::from_utf8_lossy(&output.stdout).lines().map(str::to_owned).collect();
    let [base_url, key, end_user, pid] = &lines[..] else { panic!("{lines:?}") };
    let client = Client::builder().api_key(key).base_url(base_url).build().unwrap();
    let page = client.qbd().for_end_user(end_user).invoices().list(&InvoiceListParams::default()).await.unwrap();
    assert_eq!(page.data.len(), 3);
    assert!(Command::new("kill").arg(pid).status().unwrap().success());
    let stopped = Instant::now();
    while std::path::Path::new(&format!("/proc/{pid}")).exists() && stopped.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(client.end_users().list().await.is_err(), "killed, it answers no more");
}

/// A request for an end-user whose body never comes does not hold up that
/// end-user's other requests: the body is read before the request waits its
/// turn at the company file.
#[tokio::test]
async fn a_stalled_body_does_not_hold_an_end_users_queue() {
    use tokio::io::AsyncWriteExt;
    let (child, pairs) = start(&["--port", "0", "--seed-invoices", "1"], 3);
    let (base_url, key, end_user) = (&pairs[0].1, &pairs[1].1, &pairs[2].1);
    let addr = base_url.trim_start_matches("http://").trim_end_matches("/v1");
    let mut stalled = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /v1/quickbooks-desktop/customers HTTP/1.1\r\nhost: {addr}\r\nauthorization: Bearer {key}\r\n\
         conductor-end-user-id: {end_user}\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{{\"name\""
    );
    stalled.write_all(head.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let client = Client::builder().api_key(key).base_url(base_url).build().unwrap();
    let started = Instant::now();
    client.qbd().for_end_user(end_user).invoices().list(&InvoiceListParams::default()).await.unwrap();
    let took = started.elapsed();
    assert!(took < Duration::from_secs(5), "waited {took:?} behind a body that never came");
    drop(stalled);
    stop(child, "-TERM");
}
