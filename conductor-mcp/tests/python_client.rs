//! conductor-mcp through the official Python MCP SDK (`mcp`, in the
//! virtual environment `.ci/run` makes; `CONDUCTOR_MCP_TEST_PYTHON` names
//! its interpreter), over stdio and Streamable HTTP, against a sandbox of
//! the test's own that counts the requests it is sent: dynamic toolsets
//! (the tool list before and after `enable_toolset`, and the
//! `notifications/tools/list_changed` that follows), `dry_run` answering the
//! exact request with nothing sent, `--allow create` refusing an update,
//! and `/mcp/read-only` refusing every write.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use conductor_sandbox::Sandbox;
use serde_json::{Value, json};

const BINARY: &str = env!("CARGO_BIN_EXE_conductor-mcp");

/// The Python interpreter with `mcp`, or `None` (the test says it skips).
fn python() -> Option<String> {
    let python = std::env::var("CONDUCTOR_MCP_TEST_PYTHON").ok().filter(|path| !path.is_empty());
    if python.is_none() {
        eprintln!("skipped: CONDUCTOR_MCP_TEST_PYTHON is not set (.ci/run sets it, with `mcp` installed)");
    }
    python
}

fn script() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/mcp/client.py"))
}

/// A sandbox that counts the requests it is sent, with one end-user.
async fn counted() -> (Sandbox, Arc<AtomicUsize>, String) {
    let requests = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&requests);
    let sandbox = Sandbox::builder()
        .on_request(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
        })
        .start()
        .await
        .unwrap();
    let user = sandbox.create_end_user("Acme", "a@acme.com").id;
    (sandbox, requests, user)
}

fn run_python(python: &str, args: &[&str], sandbox: &Sandbox, end_user: &str) -> Value {
    let output = Command::new(python)
        .arg(script())
        .args(args)
        .env("CONDUCTOR_SECRET_KEY", sandbox.api_key())
        .env("CONDUCTOR_BASE_URL", sandbox.base_url())
        .env("CONDUCTOR_END_USER_ID", end_user)
        .output()
        .expect("python runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8(output.stdout).unwrap();
    serde_json::from_str(stdout.lines().last().unwrap()).unwrap()
}

fn check(seen: &Value, end_user: &str) {
    let core = ["list_end_users", "search_operations", "list_operations", "get_operation_schema", "call_operation"];
    let before: Vec<&str> = seen["toolsBefore"].as_array().unwrap().iter().map(|n| n.as_str().unwrap()).collect();
    assert_eq!(before[..5], core);
    assert_eq!(before[5..], ["check_write", "list_toolsets", "enable_toolset"], "no operation tool before");
    assert_eq!(seen["toolsets"].as_array().unwrap().len(), 11);
    assert_eq!(seen["unknownToolset"]["isError"], true);
    assert!(seen["unknownToolset"]["body"]["error"]["message"].as_str().unwrap().contains("receivables, payables"));
    assert_eq!(seen["enabled"]["body"]["enabled"], "receivables");
    assert_eq!(seen["notified"], true, "notifications/tools/list_changed");
    let after: Vec<&str> = seen["toolsAfter"].as_array().unwrap().iter().map(|n| n.as_str().unwrap()).collect();
    assert!(after.contains(&"list_invoices") && after.contains(&"create_invoice"), "{after:?}");
    assert!(!after.contains(&"update_invoice"), "--allow create: updates are not offered");
    assert!(!after.contains(&"list_bills"), "only receivables: {after:?}");
    // Receivables has 38 operations: 16 of them updates, deletes and voids.
    assert_eq!(after.len(), 8 + 22, "the receivables' reads and creates: {after:?}");

    for key in ["dryRun", "dryRunTool"] {
        let dry = &seen[key];
        assert_eq!(dry["isError"], false, "{dry}");
        let request = &dry["body"]["request"];
        assert_eq!((&request["method"], &request["path"]), (&json!("POST"), &json!("/quickbooks-desktop/invoices")));
        assert_eq!(request["conductorEndUserId"], end_user);
        assert_eq!(request["body"]["customerId"], "80000001-1234567890");
        assert_eq!(request["body"]["lines"][0]["amount"], "10.00");
        assert_eq!(request["body"]["externalId"].as_str().unwrap().len(), 36, "the GUID it would send");
        assert_eq!(dry["body"]["sent"], false);
    }
    let bad = &seen["dryRunBadArgument"];
    assert_eq!(bad["isError"], true, "decoded as the real call would be: {bad}");
    assert_eq!(bad["body"]["error"]["field"], "limit");
    let update = &seen["update"]["body"]["error"]["message"];
    assert!(update.as_str().unwrap().contains("allows only create"), "{update}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_python_sdk_over_stdio_enables_a_toolset_and_previews_writes_sending_nothing() {
    let Some(python) = python() else { return };
    let (sandbox, requests, end_user) = counted().await;
    let args = [&["stdio", BINARY][..], &["--dynamic-toolsets", "--allow", "create"]].concat();
    let seen = tokio::task::block_in_place(|| run_python(&python, &args, &sandbox, &end_user));
    check(&seen, &end_user);
    assert_eq!(requests.load(Ordering::SeqCst), 0, "nothing reached the sandbox");
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_python_sdk_over_http_and_the_read_only_url() {
    let Some(python) = python() else { return };
    let (sandbox, requests, end_user) = counted().await;
    let mut child = Command::new(BINARY)
        .args([
            "--transport",
            "http",
            "--port",
            "0",
            "--http-token",
            "tok_py",
            "--dynamic-toolsets",
            "--allow",
            "create",
        ])
        .env("CONDUCTOR_SECRET_KEY", sandbox.api_key())
        .env("CONDUCTOR_BASE_URL", sandbox.base_url())
        .env("CONDUCTOR_END_USER_ID", &end_user)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let _server = Server(child);
    let url = loop {
        let mut line = String::new();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "no URL printed");
        if let Some(url) = line.trim().strip_prefix("conductor-mcp: serving MCP on ") {
            break url.to_owned();
        }
    };
    let seen = tokio::task::block_in_place(|| run_python(&python, &["http", &url, "tok_py"], &sandbox, &end_user));
    check(&seen, &end_user);

    // The read-only URL offers no write and refuses one, whatever the
    // switches say.
    let read_only = format!("{url}/read-only");
    let seen =
        tokio::task::block_in_place(|| run_python(&python, &["http", &read_only, "tok_py"], &sandbox, &end_user));
    let after: Vec<&str> = seen["toolsAfter"].as_array().unwrap().iter().map(|n| n.as_str().unwrap()).collect();
    assert!(after.contains(&"list_invoices") && !after.contains(&"create_invoice"), "{after:?}");
    assert_eq!(seen["dryRun"]["isError"], true);
    let message = seen["dryRun"]["body"]["error"]["message"].as_str().unwrap();
    assert!(message.contains("read-only"), "{message}");
    assert_eq!(seen["dryRunTool"]["protocolError"], "there is no tool \"create_invoice\"");
    assert_eq!(requests.load(Ordering::SeqCst), 0, "nothing reached the sandbox");
}
