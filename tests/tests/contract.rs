//! The contract with the OpenAPI description: every operation is declared,
//! every declared call is valid against the description (checked by Prism, a
//! spec-validating mock server), and every example response decodes.

use std::collections::BTreeSet;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use conductor::qbd::QbdClient;
use conductor::{AuthSessions, Bytes, Client, EndUsers, Request, Response, Result, Transport};
use conductor_tests::contract::{Args, args_for, load_spec, operations, template};
use conductor_tests::contract_table;

fn source_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("source directory") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            source_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every `#[api(verb = "path" ...)]` in the crate's source.
fn declared_operations() -> BTreeSet<(String, String)> {
    let mut files = Vec::new();
    source_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../conductor/src"), &mut files);
    let mut declared = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("source");
        // Declarations only: attribute lines, not examples in doc comments.
        for rest in text.lines().filter_map(|line| line.trim_start().strip_prefix("#[api(")) {
            let Some((verb, rest)) = rest.split_once('=') else { continue };
            let verb = verb.trim();
            if !matches!(verb, "get" | "post" | "put" | "patch" | "delete") {
                continue;
            }
            let path = rest.trim_start().trim_start_matches('"');
            let path = &path[..path.find('"').expect("closing quote")];
            declared.insert((verb.to_owned(), template(path)));
        }
    }
    declared
}

#[test]
fn declared_operations_are_exactly_the_specs() {
    let spec = load_spec();
    let specified: BTreeSet<(String, String)> =
        operations(&spec).into_iter().map(|(m, p, _)| (m, template(&p))).collect();
    let declared = declared_operations();

    let missing: Vec<_> = specified.difference(&declared).collect();
    let extra: Vec<_> = declared.difference(&specified).collect();
    println!("{} operations in the description, {} declared", specified.len(), declared.len());
    assert!(missing.is_empty(), "operations in the description with no #[api] declaration: {missing:?}");
    assert!(extra.is_empty(), "#[api] declarations the description does not have: {extra:?}");
    assert_eq!((specified.len(), declared.len()), (262, 262));
}

#[test]
fn every_example_response_decodes() {
    let spec = load_spec();
    let mut decoded = 0;
    let mut failures = Vec::new();
    for (method, path, _) in operations(&spec) {
        let Some(example) = conductor_tests::contract::example_response(&spec, &method, &path) else { continue };
        match conductor_tests::contract::decode_any(&method, &path, &serde_json::to_vec(&example).unwrap()) {
            Some(Ok(())) => decoded += 1,
            Some(Err(error)) => failures.push(format!("{method} {path}: {error}")),
            None => failures.push(format!("{method} {path}: no Rust method is declared for it")),
        }
    }
    println!("{decoded} example responses decoded");
    assert!(failures.is_empty(), "examples that did not decode:\n{}", failures.join("\n"));
    assert_eq!(decoded, 262);
}

/// A transport that records the method and path template of each request.
#[derive(Clone)]
struct Recording {
    client: Client,
    seen: Arc<Mutex<Vec<(String, &'static str)>>>,
}

impl Transport for Recording {
    async fn send(&self, request: Request) -> Result<Response<Bytes>> {
        self.seen.lock().unwrap().push((request.method().as_str().to_ascii_lowercase(), request.path_template()));
        self.client.send(request).await
    }
}

/// Prism serving the description on 127.0.0.1; stopped when dropped.
struct Prism {
    child: Child,
    base_url: String,
}

impl Prism {
    fn start() -> Prism {
        let bin = std::env::var("PRISM_BIN")
            .map(PathBuf::from)
            .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("node_modules/.bin/prism"));
        assert!(
            bin.exists(),
            "Prism is not installed at {}: run `npm ci --prefix tests` (bash .ci/run does), or set PRISM_BIN",
            bin.display()
        );
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let spec_path = conductor_tests::contract::spec_path();
        let child = Command::new(bin)
            .args(["mock", "-h", "127.0.0.1", "-p", &port.to_string(), &spec_path])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start Prism");
        let prism = Prism { child, base_url: format!("http://127.0.0.1:{port}") };
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(60), "Prism did not start within 60 s");
            std::thread::sleep(Duration::from_millis(100));
        }
        prism
    }
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn call_outside_qbd(transport: &Recording, method: &str, path: &str, args: &Args) -> Option<Result<()>> {
    let end_users = EndUsers::new(transport);
    Some(match (method, template(path).as_str()) {
        ("get", "/end-users") => end_users.list().await.map(drop),
        ("post", "/end-users") => async { end_users.create(&args.body()?).await.map(drop) }.await,
        ("get", "/end-users/{}") => end_users.retrieve(&args.id).await.map(drop),
        ("delete", "/end-users/{}") => end_users.delete(&args.id).await.map(drop),
        ("post", "/end-users/{}/passthrough/{}") => {
            let slug = args.path.iter().find(|(name, _)| *name != "id").map(|(_, slug)| slug.clone());
            let slug = serde_json::from_value(slug.unwrap_or_default()).expect("an integration slug");
            end_users.passthrough(&args.id, &slug, &args.body).await.map(drop)
        }
        ("post", "/auth-sessions") => {
            async { AuthSessions::new(transport).create(&args.body()?).await.map(drop) }.await
        }
        _ => return None,
    })
}

#[tokio::test]
#[ignore = "needs Prism: npm ci --prefix tests"]
async fn every_operation_is_valid_against_prism() {
    let spec = load_spec();
    let prism = Prism::start();
    let client =
        Client::builder().api_key("sk_test_contract").base_url(&prism.base_url).max_retries(0).build().unwrap();
    let recording = Recording { client, seen: Arc::default() };
    let qbd = QbdClient::new(recording.clone(), "end_usr_1234567abcdefg");

    let all = operations(&spec);
    let mut exercised = 0;
    let mut failures = Vec::new();
    // Each operation with the description's example body, and again with
    // every property of the body (optional ones included) from its example.
    let calls = all.iter().flat_map(|(method, path, operation)| {
        let args = args_for(&spec, operation);
        let full =
            (args.full_body != args.body).then(|| Args { body: args.full_body.clone(), ..args_for(&spec, operation) });
        std::iter::once((method, path, args)).chain(full.map(|full| (method, path, full)))
    });
    let mut bodies_in_full = 0;
    for (method, path, args) in calls {
        bodies_in_full += usize::from(args.body == args.full_body && !args.body.is_null());
        recording.seen.lock().unwrap().clear();
        let outcome = match contract_table::call(&qbd, method, path, &args).await {
            Some(outcome) => outcome,
            None => call_outside_qbd(&recording, method, path, &args).await.unwrap_or_else(|| {
                panic!("no Rust method is declared for {method} {path}");
            }),
        };
        let seen: Vec<(String, String)> =
            recording.seen.lock().unwrap().iter().map(|(m, p)| (m.clone(), template(p))).collect();
        if seen != [(method.clone(), template(path))] {
            failures.push(format!("{method} {path}: the client sent {seen:?}"));
            continue;
        }
        match outcome {
            Ok(()) => exercised += 1,
            Err(error) => {
                failures.push(format!("{method} {path}: {error} {}", violations(&error)));
            }
        }
    }
    println!(
        "calls exercised against Prism: {exercised}, over {} operations; {bodies_in_full} with every body property",
        all.len()
    );
    assert!(failures.is_empty(), "{} calls failed:\n{}", failures.len(), failures.join("\n"));
    assert!(exercised >= all.len(), "only {exercised} calls for {} operations", all.len());
    assert_eq!(bodies_in_full, 96, "each of the 96 operations with a body, with every property");
}

/// The control for the test above: Prism does refuse what the description
/// does not allow, so a pass there means the requests were valid.
#[tokio::test]
#[ignore = "needs Prism: npm ci --prefix tests"]
async fn prism_refuses_requests_the_description_does_not_allow() {
    let prism = Prism::start();
    let client =
        Client::builder().api_key("sk_test_contract").base_url(&prism.base_url).max_retries(0).build().unwrap();
    let qbd = client.qbd().for_end_user("end_usr_1234567abcdefg");

    let too_many = conductor::qbd::InvoiceListParams { limit: Some(1000), ..Default::default() };
    let error = qbd.invoices().list(&too_many).await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(422));
    assert!(violations(&error).contains("limit must be <= 150"), "{error:?}");

    let mut body =
        conductor::qbd::InvoiceCreateParams::new("80000001-1234567890", conductor::Date::new(2021, 10, 1).unwrap());
    body.external_id = Some("not-a-uuid".into());
    let error = qbd.invoices().create(&body).await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(422), "{error}");
    assert!(violations(&error).contains("externalId"), "{error:?}");
}

/// What Prism refused in a request: it names it in the `sl-violations`
/// header when the description has an error response to answer with, and
/// in the `validation` of its own problem body when it has none.
fn violations(error: &conductor::Error) -> String {
    let Some(api) = error.as_api_error() else { return String::new() };
    let header = api.headers().get("sl-violations").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let body: serde_json::Value = api.raw_body().and_then(|raw| serde_json::from_str(raw).ok()).unwrap_or_default();
    let messages = body["validation"].as_array().into_iter().flatten().filter_map(|v| {
        let location: Vec<String> = v["location"].as_array()?.iter().map(|part| part.to_string()).collect();
        Some(format!("{}: {}", location.join("."), v["message"].as_str()?))
    });
    std::iter::once(header.to_owned()).chain(messages).filter(|m| !m.is_empty()).collect::<Vec<_>>().join("; ")
}
