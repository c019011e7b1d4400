//! What an agent relies on, through the binary over stdio against a
//! sandbox of the test's own: a create whose connection drops after the
//! sandbox stored it is reported unknown with its `externalId`, found by
//! `check_write`, and not made twice; duplicates by `refNumber`; the
//! per-verb switches; unknown arguments and a non-string `end_user_id`
//! refused with nothing sent; a list continued long after Conductor's
//! cursor expired; and the audit log.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Duration;

use conductor::reqwest::Method;
use conductor_sandbox::{Fault, Sandbox};
use serde_json::{Value, json};

const BINARY: &str = env!("CARGO_BIN_EXE_conductor-mcp");

/// The binary over stdio, initialized: each call's answer body.
struct Agent {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    next: u64,
}

impl Agent {
    fn start(sandbox: &Sandbox, end_user: &str, args: &[&str]) -> Agent {
        let mut child = Command::new(BINARY)
            .args(args)
            .env("CONDUCTOR_SECRET_KEY", sandbox.api_key())
            .env("CONDUCTOR_BASE_URL", sandbox.base_url())
            .env("CONDUCTOR_END_USER_ID", end_user)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let mut agent = Agent { child, stdin, stdout, next: 1 };
        agent.send(json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}));
        agent.read();
        agent.send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
        agent
    }

    fn send(&mut self, message: Value) {
        writeln!(self.stdin, "{message}").unwrap();
    }

    fn read(&mut self) -> Value {
        let mut line = String::new();
        assert!(self.stdout.read_line(&mut line).unwrap() > 0, "stdout ended");
        serde_json::from_str(&line).unwrap()
    }

    /// Calls `tool`: whether it is an error, and its body.
    fn call(&mut self, tool: &str, arguments: Value) -> (bool, Value) {
        let id = self.next;
        self.next += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
                         "params": {"name": tool, "arguments": arguments}}));
        let answer = self.read();
        assert_eq!(answer["id"], id, "{answer}");
        let text = answer["result"]["content"][0]["text"].as_str().unwrap_or_else(|| panic!("{answer}"));
        (answer["result"]["isError"] == true, serde_json::from_str(text).unwrap())
    }

    fn operation(&mut self, operation: &str, arguments: Value) -> (bool, Value) {
        self.call("call_operation", json!({"operation": operation, "arguments": arguments}))
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn sandbox() -> (Sandbox, String, Vec<String>) {
    let sandbox = Sandbox::start().await.unwrap();
    let user = sandbox.create_end_user("Acme", "a@acme.com");
    let invoices = sandbox.seed_invoices(&user.id, 40).unwrap();
    (sandbox, user.id, invoices)
}

async fn customers(sandbox: &Sandbox, end_user: &str, name: &str) -> usize {
    let client = conductor::Client::builder().api_key(sandbox.api_key()).base_url(sandbox.base_url()).build().unwrap();
    let params = conductor::qbd::CustomerListParams { full_names: Some(vec![name.to_owned()]), ..Default::default() };
    client.qbd().for_end_user(end_user).customers().list(&params).await.unwrap().data.len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_whose_outcome_is_unknown_is_found_by_check_write_and_never_made_twice() {
    let (sandbox, end_user, _) = sandbox().await;
    let log = tempfile_path("audit");
    let mut agent = Agent::start(&sandbox, &end_user, &["--allow", "create", "--audit-log", &log]);
    sandbox.inject(Method::POST, "/quickbooks-desktop/customers", 1, Fault::DropConnectionAfterWrite);
    let (is_error, body) = agent.operation("qbd.customers.create", json!({"name": "Dropped Ltd"}));
    assert!(is_error, "{body}");
    let external_id = body["error"]["externalId"].as_str().unwrap_or_else(|| panic!("{body}")).to_owned();
    let told = body["error"]["outcomeUnknown"].as_str().unwrap();
    assert!(told.contains("check_write") && told.contains(&external_id), "{told}");
    assert_eq!(customers(&sandbox, &end_user, "Dropped Ltd").await, 1, "stored once, not sent twice");

    let (_, found) =
        agent.call("check_write", json!({"operation": "qbd.customers.create", "external_id": external_id}));
    assert_eq!(found["result"]["status"], "created", "{found}");
    assert_eq!(found["result"]["record"]["name"], "Dropped Ltd");
    let (_, missing) = agent.call(
        "check_write",
        json!({"operation": "qbd.customers.create", "external_id": "12345678-abcd-1234-abcd-1234567890ab"}),
    );
    assert_eq!(missing["status"], "not_found", "{missing}");

    // The agent tries again with the same externalId: refused, with the id.
    let id = found["result"]["record"]["id"].as_str().unwrap();
    let (is_error, again) =
        agent.operation("qbd.customers.create", json!({"name": "Dropped Ltd 2", "externalId": external_id}));
    assert!(is_error);
    let message = again["error"]["message"].as_str().unwrap();
    assert!(message.contains(id) && message.contains("allow_duplicate"), "{message}");

    // Updates are not allowed by `--allow create`, and are not offered.
    let (is_error, refused) = agent.operation("qbd.customers.update", json!({"id": id, "revisionNumber": "1"}));
    assert!(is_error);
    assert_eq!(
        refused["error"]["message"],
        "`operation` qbd.customers.update is a update and this server allows only create (--allow)"
    );

    // One line per call, before each answer; no key in any.
    let lines = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<Value> = lines.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    let outcomes: Vec<&str> = lines.iter().map(|line| line["outcome"].as_str().unwrap()).collect();
    assert_eq!(outcomes, ["outcome_unknown", "ok", "ok", "refused", "refused"]);
    assert_eq!(lines[0]["operation"], "qbd.customers.create");
    assert_eq!(lines[0]["endUserId"], end_user.as_str());
    assert_eq!(lines[0]["externalId"], external_id.as_str());
    assert!(!std::fs::read_to_string(&log).unwrap().contains(sandbox.api_key()));
    let _ = std::fs::remove_file(&log);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_invoice_with_a_ref_number_of_its_customer_is_refused_unless_asked_for() {
    let (sandbox, end_user, invoices) = sandbox().await;
    let mut agent = Agent::start(&sandbox, &end_user, &["--allow-writes"]);
    let (_, invoice) = agent.operation("qbd.invoices.retrieve", json!({"id": invoices[0]}));
    let invoice = &invoice["result"];
    let create = json!({"customerId": invoice["customer"]["id"], "refNumber": invoice["refNumber"],
                        "transactionDate": "2026-12-01",
                        "lines": [{"itemId": invoice["lines"][0]["item"]["id"], "amount": "10.00"}]});
    let (is_error, refused) = agent.operation("qbd.invoices.create", create.clone());
    assert!(is_error, "{refused}");
    let message = refused["error"]["message"].as_str().unwrap();
    assert!(message.contains(invoices[0].as_str()) && message.contains("refNumber"), "{message}");
    let (is_error, made) = agent.call(
        "call_operation",
        json!({"operation": "qbd.invoices.create", "arguments": create, "allow_duplicate": true}),
    );
    assert!(!is_error, "{made}");
    let external_id = made["result"]["externalId"].as_str().unwrap();
    assert_eq!(external_id.len(), 36, "a GUID was given to the create: {external_id}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_arguments_and_end_users_that_are_not_strings_are_refused() {
    let (sandbox, end_user, _) = sandbox().await;
    let mut agent = Agent::start(&sandbox, &end_user, &["--allow-writes"]);
    let (is_error, body) = agent.operation("qbd.invoices.list", json!({"refNumber": ["nope"]}));
    assert!(is_error);
    assert_eq!(
        body["error"]["message"],
        "`refNumber` is not an argument of qbd.invoices.list; did you mean `refNumbers`? (get_operation_schema lists \
         them); nothing was sent"
    );
    let (_, customers) = agent.operation("qbd.customers.list", json!({"limit": 1}));
    let customer = &customers["result"]["data"][0];
    let (is_error, body) = agent.operation(
        "qbd.customers.update",
        json!({"id": customer["id"], "revisionNumber": customer["revisionNumber"], "notez": "x"}),
    );
    assert!(is_error);
    assert_eq!(body["error"]["field"], "notez");
    assert!(body["error"]["message"].as_str().unwrap().contains("did you mean `note`"), "{body}");
    let (_, after) = agent.operation("qbd.customers.retrieve", json!({"id": customer["id"]}));
    assert_eq!(after["result"]["revisionNumber"], customer["revisionNumber"], "nothing was sent");

    let (is_error, body) =
        agent.call("call_operation", json!({"operation": "qbd.invoices.list", "arguments": {}, "end_user_id": 12345}));
    assert!(is_error);
    assert_eq!(body["error"]["field"], "end_user_id");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_list_continues_long_after_conductors_cursor_expired() {
    let (sandbox, end_user, invoices) = sandbox().await;
    sandbox.set_cursor_ttl(Duration::from_millis(500));
    let mut agent = Agent::start(&sandbox, &end_user, &[]);
    let mut ids = Vec::new();
    let (_, page) = agent.operation("qbd.invoices.list", json!({"limit": 10}));
    let mut page = page["result"].clone();
    loop {
        ids.extend(page["data"].as_array().unwrap().iter().map(|record| record["id"].as_str().unwrap().to_owned()));
        if page["hasMore"] != true {
            break;
        }
        // The agent thinks for longer than Conductor keeps a cursor.
        tokio::time::sleep(Duration::from_millis(1_200)).await;
        let (is_error, next) = agent.operation("qbd.invoices.list", json!({"limit": 10, "cursor": page["nextCursor"]}));
        assert!(!is_error, "{next}");
        page = next["result"].clone();
    }
    let mut expected = invoices.clone();
    expected.sort();
    ids.sort();
    assert_eq!(ids, expected, "every invoice once");

    // A cursor this server never gave, or no longer holds, says to start
    // again.
    let (is_error, body) = agent.operation("qbd.invoices.list", json!({"cursor": "mcp_0000"}));
    assert!(is_error);
    assert!(body["error"]["message"].as_str().unwrap().contains("start the list again"), "{body}");
}

fn tempfile_path(name: &str) -> String {
    std::env::temp_dir()
        .join(format!("conductor-mcp-{name}-{}-{:?}.jsonl", std::process::id(), std::thread::current().id()))
        .display()
        .to_string()
}
