//! Conductor's official Node SDK (`conductor-node`, pinned in
//! `tests/package.json`) run unchanged against the standalone server.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Instant;

#[test]
#[ignore = "needs Node: npm ci --prefix tests"]
fn the_official_node_sdk_works_against_the_server() {
    let workspace = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let sdk = format!("{workspace}/tests/node_modules/conductor-node");
    assert!(std::path::Path::new(&sdk).exists(), "{sdk} is missing: run `npm ci --prefix tests`");

    let mut server = Command::new(env!("CARGO_BIN_EXE_conductor-sandbox"))
        .args(["--port", "0", "--seed-invoices", "100"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the server starts");
    let mut env = Vec::new();
    let mut stdout = BufReader::new(server.stdout.take().expect("stdout"));
    for _ in 0..3 {
        let mut line = String::new();
        stdout.read_line(&mut line).expect("a line");
        let (name, value) = line.trim_end().split_once('=').expect("NAME=value");
        env.push((name.to_owned(), value.to_owned()));
    }

    let started = Instant::now();
    let output = Command::new("node")
        .arg(format!("{workspace}/tests/node/sdk_against_sandbox.mjs"))
        .envs(env)
        .output()
        .expect("node runs");
    let elapsed = started.elapsed();
    let _ = server.kill();
    let _ = server.wait();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    let seen: serde_json::Value = serde_json::from_str(stdout.trim()).expect("one JSON line");
    println!("the Node SDK ran in {elapsed:?}: {seen}");
    assert_eq!(seen["invoiceCustomer"], true);
    // The customer still owes the taxed invoice: 200.00 and 16.50 of tax.
    assert_eq!(
        seen["paid"],
        serde_json::json!({"isPaid": true, "balanceRemaining": "0.00", "appliedAmount": "-100.00", "customerBalance": "216.50"})
    );
    assert_eq!(
        seen["taxed"],
        serde_json::json!({"subtotal": "200.00", "salesTaxPercentage": "8.25", "salesTaxTotal": "16.50", "balanceRemaining": "216.50"})
    );
    assert_eq!(
        seen["refused"],
        serde_json::json!({"status": 502, "code": "QBD_REQUEST_ERROR", "integrationCode": "3140"})
    );
    assert_eq!(seen["pageSizes"], serde_json::json!([40, 40, 20]));
    assert_eq!(seen["autoPaginated"], 100);
    assert_eq!(seen["notFound"]["status"], 404);
    assert_eq!(seen["notFound"]["code"], "RESOURCE_MISSING");
    assert!(seen["notFound"]["requestId"].as_str().is_some_and(|id| id.starts_with("req_sbx_")), "{seen}");
}
