//! conductor-mcp as MCP clients see it: the official TypeScript SDK
//! (`tests/mcp/client.mjs`) over stdio and Streamable HTTP, against the
//! embedded sandbox; and the HTTP guards (token, Origin, health) and a raw
//! stdio session without Node.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const BINARY: &str = env!("CARGO_BIN_EXE_conductor-mcp");

fn tests_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests"))
}

/// Runs the TypeScript client with `args` and returns what it saw.
fn typescript_client(args: &[&str]) -> Value {
    typescript_client_with(args, &[])
}

fn typescript_client_with(args: &[&str], env: &[(&str, &str)]) -> Value {
    let sdk = tests_dir().join("node_modules/@modelcontextprotocol/sdk");
    assert!(sdk.exists(), "{} is missing: run `npm ci --prefix tests`", sdk.display());
    let output = Command::new("node")
        .arg(tests_dir().join("mcp/client.mjs"))
        .args(args)
        .env_remove("CONDUCTOR_SECRET_KEY")
        .envs(env.iter().copied())
        .output()
        .expect("node runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8(output.stdout).unwrap();
    serde_json::from_str(stdout.lines().last().unwrap()).unwrap()
}

fn check_reads(seen: &Value) {
    let tools: Vec<&str> = seen["tools"].as_array().unwrap().iter().map(|tool| tool.as_str().unwrap()).collect();
    assert_eq!(
        tools[..6],
        [
            "list_end_users",
            "search_operations",
            "list_operations",
            "get_operation_schema",
            "call_operation",
            "check_write"
        ]
    );
    assert_eq!(seen["searchFirst"], "qbd.receive_payments.create", "{}", seen["searchNames"]);
    assert_eq!(seen["schemaHasUpdatedAfter"], true);
    assert_eq!(seen["filtered"].as_array().unwrap().len(), 1, "{}", seen["filtered"]);
    assert_eq!(seen["filtered"][0]["refNumber"], "INV-00003");
    assert_eq!(seen["filtered"][0].as_object().unwrap().len(), 2, "only the fields asked for");
    assert_eq!(
        (seen["paged"].as_u64(), seen["pagedUnique"].as_u64(), seen["pages"].as_u64()),
        (Some(40), Some(40), Some(3))
    );
    let wrong = &seen["wrongArgument"];
    assert_eq!(wrong["isError"], true);
    assert_eq!(wrong["body"]["error"]["field"], "limit", "{wrong}");
}

#[test]
#[ignore = "needs Node: npm ci --prefix tests"]
fn the_typescript_sdk_over_stdio_reads_and_is_refused_a_write() {
    let seen = typescript_client(&["stdio", BINARY]);
    check_reads(&seen);
    let write = &seen["write"];
    assert_eq!(write["isError"], true);
    let message = write["body"]["error"]["message"].as_str().unwrap();
    assert!(message.contains("this server is read-only"), "{message}");
    println!(
        "stdio: tools/list {} characters, call_operation retrieve {} ms; to find the operation that records a \
         payment: list_operations {} characters, search_operations {} characters; its schema {} characters",
        seen["toolsListChars"],
        seen["retrieveMillis"],
        seen["listOperationsChars"],
        seen["searchChars"],
        seen["paymentSchemaChars"]
    );
}

#[test]
#[ignore = "needs Node: npm ci --prefix tests"]
fn the_typescript_sdk_over_stdio_creates_a_customer_with_writes_allowed() {
    let seen = typescript_client(&["stdio", BINARY, "--allow-writes"]);
    check_reads(&seen);
    let write = &seen["write"];
    assert_eq!(write["isError"], false, "{write}");
    assert_eq!(write["body"]["result"]["name"], "Made by an agent");
    assert_eq!(write["body"]["result"]["objectType"], "qbd_customer");
}

#[test]
#[ignore = "needs Node: npm ci --prefix tests"]
fn the_typescript_sdk_with_dynamic_toolsets_and_a_cursor_used_30_seconds_later() {
    let seen =
        typescript_client_with(&["stdio", BINARY, "--dynamic-toolsets"], &[("CONDUCTOR_MCP_TEST_WAIT_MS", "30000")]);
    // The list was read to its end though the agent waited 30 s (three
    // times a Conductor cursor's life) before its second page.
    check_reads(&seen);
    assert_eq!(seen["tools"].as_array().unwrap().len(), 8, "{}", seen["tools"]);
    let dynamic = &seen["dynamic"];
    assert_eq!(dynamic["enabled"]["enabled"], "reports");
    assert_eq!(dynamic["notified"], true, "notifications/tools/list_changed");
    let after: Vec<&str> =
        dynamic["toolsAfter"].as_array().unwrap().iter().map(|tool| tool.as_str().unwrap()).collect();
    assert_eq!(after.len(), 8 + 10, "{after:?}");
    assert!(after.contains(&"aging_report"), "{after:?}");
}

/// A server process, stopped when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the binary over HTTP on a free port; its URL.
fn http_server(extra: &[&str]) -> (Server, String) {
    let child = Command::new(BINARY)
        .args(["--transport", "http", "--port", "0", "--http-token", "tok_test"])
        .args(extra)
        .env_remove("CONDUCTOR_SECRET_KEY")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = Server(child);
    let mut stderr = BufReader::new(child.0.stderr.take().unwrap());
    let started = Instant::now();
    loop {
        let mut line = String::new();
        stderr.read_line(&mut line).unwrap();
        if let Some(url) = line.trim().strip_prefix("conductor-mcp: serving MCP on ") {
            return (child, url.to_owned());
        }
        assert!(started.elapsed() < Duration::from_secs(20) && !line.is_empty(), "no URL printed");
    }
}

#[test]
#[ignore = "needs Node: npm ci --prefix tests"]
fn the_typescript_sdk_over_streamable_http() {
    let (_server, url) = http_server(&[]);
    let seen = typescript_client(&["http", &url, "tok_test"]);
    check_reads(&seen);
    assert_eq!(seen["write"]["isError"], true);
}

#[tokio::test]
async fn http_needs_the_token_refuses_other_origins_and_answers_health() {
    let (_server, url) = http_server(&[]);
    let http = conductor::reqwest::Client::new();
    let initialize = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}});
    let post = |token: Option<&str>, origin: Option<&str>| {
        let mut request = http
            .post(&url)
            .header("Accept", "application/json, text/event-stream")
            .header("Content-Type", "application/json")
            .body(initialize.to_string());
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(origin) = origin {
            request = request.header("Origin", origin);
        }
        request.send()
    };
    assert_eq!(post(None, None).await.unwrap().status(), 401);
    assert_eq!(post(Some("tok_wrong"), None).await.unwrap().status(), 401);
    assert_eq!(post(Some("tok_test"), Some("https://evil.example")).await.unwrap().status(), 403);
    assert_eq!(post(Some("tok_test"), None).await.unwrap().status(), 200);
    assert_eq!(post(Some("tok_test"), Some("http://localhost:3000")).await.unwrap().status(), 200);
    let health_url = url.replace("/mcp", "/health");
    let health = http.get(&health_url).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let body: Value = serde_json::from_slice(&health.bytes().await.unwrap()).unwrap();
    assert_eq!(body, json!({"status": "ok"}));
}

#[tokio::test]
async fn an_allowed_host_is_accepted_behind_a_proxy_and_others_still_refused() {
    let (_server, url) = http_server(&["--allowed-host", "mcp.example.com"]);
    let http = conductor::reqwest::Client::new();
    let initialize = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}});
    let post = |host: &str, origin: Option<&str>| {
        let mut request = http
            .post(&url)
            .header("Host", host)
            .header("Accept", "application/json, text/event-stream")
            .header("Content-Type", "application/json")
            .bearer_auth("tok_test")
            .body(initialize.to_string());
        if let Some(origin) = origin {
            request = request.header("Origin", origin);
        }
        request.send()
    };
    assert_eq!(post("mcp.example.com", None).await.unwrap().status(), 200);
    assert_eq!(post("mcp.example.com", Some("https://mcp.example.com")).await.unwrap().status(), 200);
    assert_eq!(post("evil.example", None).await.unwrap().status(), 403, "DNS rebinding still refused");
    assert_eq!(post("mcp.example.com", Some("https://evil.example")).await.unwrap().status(), 403);
}

/// Starts the binary over stdio with `env` (the embedded sandbox when it
/// sets no key): the process, its stdin and its stdout.
fn stdio_server(env: &[(&str, &str)]) -> (Server, std::process::ChildStdin, BufReader<std::process::ChildStdout>) {
    let mut command = Command::new(BINARY);
    command.env_remove("CONDUCTOR_SECRET_KEY").envs(env.iter().copied());
    let child = command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let mut child = Server(child);
    let stdin = child.0.stdin.take().unwrap();
    let stdout = BufReader::new(child.0.stdout.take().unwrap());
    (child, stdin, stdout)
}

#[test]
fn over_stdio_only_mcp_messages_reach_stdout() {
    let (_server, mut stdin, mut stdout) = stdio_server(&[]);
    let messages = [
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "call_operation",
            "arguments": {"operation": "qbd.invoices.list", "arguments": {"limit": "many"}}}}),
        json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "call_operation",
            "arguments": {"operation": "qbd.nothing.here"}}}),
    ];
    for message in &messages {
        writeln!(stdin, "{message}").unwrap();
    }
    let mut answers = Vec::new();
    while answers.len() < 3 {
        let mut line = String::new();
        assert!(stdout.read_line(&mut line).unwrap() > 0, "stdout ended");
        let message: Value = serde_json::from_str(&line).unwrap_or_else(|_| panic!("not an MCP message: {line:?}"));
        assert_eq!(message["jsonrpc"], "2.0");
        answers.push(message);
    }
    answers.sort_by_key(|answer| answer["id"].as_u64());
    let error = |answer: &Value| -> Value {
        serde_json::from_str(answer["result"]["content"][0]["text"].as_str().unwrap()).unwrap()
    };
    assert_eq!(answers[1]["result"]["isError"], true);
    assert_eq!(error(&answers[1])["error"]["field"], "limit");
    assert_eq!(error(&answers[2])["error"]["field"], "operation");
    drop(stdin);
}

/// What a `call_operation` costs over the SDK call it makes: the same
/// retrieve, against one sandbox, through the SDK in process and through the
/// binary over stdio. Prints the figures (`--nocapture`); checks the answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_through_mcp_against_the_sdk_call_alone() {
    const CALLS: u32 = 200;
    let sandbox = conductor_sandbox::Sandbox::start().await.unwrap();
    let user = sandbox.create_end_user("Acme", "a@acme.com");
    let ids = sandbox.seed_invoices(&user.id, 5).unwrap();
    let client = conductor::Client::builder().api_key(sandbox.api_key()).base_url(sandbox.base_url()).build().unwrap();
    let qbd = client.qbd().for_end_user(&user.id);
    let started = Instant::now();
    for _ in 0..CALLS {
        assert_eq!(qbd.invoices().retrieve(&ids[0]).await.unwrap().id, ids[0]);
    }
    let sdk = started.elapsed() / CALLS;

    let base_url = sandbox.base_url();
    let (_server, mut stdin, mut stdout) = stdio_server(&[
        ("CONDUCTOR_SECRET_KEY", sandbox.api_key()),
        ("CONDUCTOR_BASE_URL", &base_url),
        ("CONDUCTOR_END_USER_ID", &user.id),
    ]);
    let mut send = |message: Value| writeln!(stdin, "{message}").unwrap();
    let mut read = || {
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        serde_json::from_str::<Value>(&line).unwrap()
    };
    send(json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}));
    read();
    send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
    let started = Instant::now();
    for id in 1..=CALLS {
        send(json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": "call_operation",
            "arguments": {"operation": "qbd.invoices.retrieve", "arguments": {"id": ids[0]}}}}));
        let answer = read();
        let text = answer["result"]["content"][0]["text"].as_str().unwrap();
        let body: Value = serde_json::from_str(text).unwrap();
        assert_eq!(body["result"]["id"], ids[0].as_str());
    }
    let mcp = started.elapsed() / CALLS;
    println!("retrieve: SDK alone {sdk:?} a call, call_operation over stdio {mcp:?} a call ({CALLS} calls each)");
}
