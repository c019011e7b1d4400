//! `cargo run -p xtask -- bench-compile`: compile-time figures. Builds two
//! generated fixture crates, 100 endpoints declared with `#[api]` and the
//! same 100 written by hand over reqwest, and times each crate alone (its
//! dependencies built beforehand); then the clean build of `conductor` in
//! debug and release, and the size of the release quickstart binary.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const ENDPOINTS: usize = 100;

pub(crate) fn run(root: &Path) -> Result<(), String> {
    let fixtures = root.join("target/bench-fixtures");
    let target = root.join("target/bench-fixtures/target");
    write_fixture(&fixtures.join("declared"), "declared", &declared(), root)?;
    write_fixture(&fixtures.join("handwritten"), "handwritten", &handwritten(), root)?;

    let mut rows = Vec::new();
    for name in ["declared", "handwritten"] {
        let manifest = fixtures.join(name).join("Cargo.toml");
        // Dependencies first, then the crate alone, three times.
        cargo(&["build", "--manifest-path"], &manifest, &target, &[])?;
        let mut times = Vec::new();
        for _ in 0..3 {
            touch(&fixtures.join(name).join("src/lib.rs"))?;
            times.push(cargo(&["build", "--manifest-path"], &manifest, &target, &[])?);
        }
        times.sort();
        rows.push(format!(
            "| {ENDPOINTS} endpoints, {name} | debug build of the crate alone (median of 3) | {:.2} s |",
            times[1].as_secs_f64()
        ));
    }

    let workspace_manifest = root.join("Cargo.toml");
    for (profile, flags) in [("debug", &[][..]), ("release", &["--release"][..])] {
        cargo(&["build", "-p", "conductor", "--manifest-path"], &workspace_manifest, &root.join("target"), flags)?;
        cargo(&["clean", "-p", "conductor", "--manifest-path"], &workspace_manifest, &root.join("target"), flags)?;
        let time =
            cargo(&["build", "-p", "conductor", "--manifest-path"], &workspace_manifest, &root.join("target"), flags)?;
        rows.push(format!("| `conductor` with all resources | {profile} build of the crate alone, after `cargo clean -p conductor` | {:.1} s |", time.as_secs_f64()));
    }

    cargo(
        &["build", "--release", "--example", "quickstart", "--manifest-path"],
        &workspace_manifest,
        &root.join("target"),
        &[],
    )?;
    let binary = root.join("target/release/examples/quickstart");
    let size = std::fs::metadata(&binary).map_err(|e| format!("{}: {e}", binary.display()))?.len();
    rows.push(format!("| quickstart example | release binary size (with the sandbox) | {:.1} MB |", size as f64 / 1e6));

    println!("\n| what | measure | result |\n| --- | --- | --- |");
    for row in rows {
        println!("{row}");
    }
    Ok(())
}

fn cargo(args: &[&str], manifest: &Path, target: &Path, extra: &[&str]) -> Result<Duration, String> {
    let started = Instant::now();
    let status = Command::new(env!("CARGO"))
        .args(args)
        .arg(manifest)
        .args(extra)
        .arg("--quiet")
        .env("CARGO_TARGET_DIR", target)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!("cargo {} failed", args.join(" ")));
    }
    Ok(started.elapsed())
}

fn touch(path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    std::fs::write(path, text).map_err(|e| e.to_string())
}

fn write_fixture(dir: &Path, name: &str, source: &str, root: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir.join("src")).map_err(|e| e.to_string())?;
    let manifest = format!(
        "[package]\nname = \"fixture-{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         [workspace]\n\n[dependencies]\nconductor = {{ path = {:?} }}\nserde = {{ version = \"1\", features = [\"derive\"] }}\nserde_json = \"1\"\n",
        root.join("conductor").display().to_string()
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("src/lib.rs"), source).map_err(|e| e.to_string())
}

const MODELS: &str = "#![allow(missing_docs, dead_code)]\n\
    #[derive(Debug, serde::Deserialize)]\npub struct Item { pub id: String, pub name: String }\n\
    #[derive(serde::Serialize)]\npub struct NewItem { pub name: String }\n\
    #[derive(serde::Serialize)]\npub struct Query { pub ids: Vec<String>, pub limit: Option<u32> }\n";

/// A third of the endpoints each: get by id, list with a query, create with
/// a body.
fn declared() -> String {
    let mut out = String::from(MODELS);
    out.push_str("use conductor::{api, Result, Transport};\npub trait Endpoints: Transport {\n");
    for i in 0..ENDPOINTS {
        match i % 3 {
            0 => writeln!(out, "#[api(get = \"/things{i}/{{id}}\")]\nasync fn get{i}(&self, id: &str) -> Result<Item>;"),
            1 => writeln!(
                out,
                "#[api(get = \"/things{i}\", list_of = Item)]\nasync fn list{i}(&self, #[query] query: &Query) -> Result<Vec<Item>>;"
            ),
            _ => writeln!(out, "#[api(post = \"/things{i}\")]\nasync fn create{i}(&self, #[body] item: &NewItem) -> Result<Item>;"),
        }
        .expect("writing to a String");
    }
    out.push_str("}\nimpl Endpoints for conductor::Client {}\n");
    call_all(&mut out, "conductor::Client");
    out
}

/// The same endpoints over reqwest, as one would write them without the
/// crate: the URL, the headers, the status check and the decoding.
fn handwritten() -> String {
    let mut out = String::from(MODELS);
    out.push_str(
        "use conductor::reqwest::{self, header};\n\
         #[derive(Debug)]\npub enum Error { Http(reqwest::Error), Status(u16, Vec<u8>), Json(serde_json::Error) }\n\
         pub struct Api { pub http: reqwest::Client, pub base: String, pub key: String }\n\
         #[derive(serde::Deserialize)]\nstruct List<T> { data: Vec<T> }\n\
         fn segment(value: &str) -> String { value.bytes().map(|b| if b.is_ascii_alphanumeric() || b\"-._~\".contains(&b) { (b as char).to_string() } else { format!(\"%{b:02X}\") }).collect() }\n\
         impl Api {\n",
    );
    for i in 0..ENDPOINTS {
        let (signature, build, decode) = match i % 3 {
            0 => (
                format!("pub async fn get{i}(&self, id: &str) -> Result<Item, Error>"),
                format!("self.http.get(format!(\"{{}}/things{i}/{{}}\", self.base, segment(id)))"),
                "serde_json::from_slice::<Item>(&bytes).map_err(Error::Json)".to_owned(),
            ),
            1 => (
                format!("pub async fn list{i}(&self, query: &Query) -> Result<Vec<Item>, Error>"),
                format!(
                    "{{ let mut url = format!(\"{{}}/things{i}?\", self.base); for id in &query.ids {{ url.push_str(&format!(\"ids={{}}&\", segment(id))); }} if let Some(limit) = query.limit {{ url.push_str(&format!(\"limit={{limit}}\")); }} self.http.get(url) }}"
                ),
                "serde_json::from_slice::<List<Item>>(&bytes).map(|l| l.data).map_err(Error::Json)".to_owned(),
            ),
            _ => (
                format!("pub async fn create{i}(&self, item: &NewItem) -> Result<Item, Error>"),
                format!(
                    "self.http.post(format!(\"{{}}/things{i}\", self.base)).header(header::CONTENT_TYPE, \"application/json\").body(serde_json::to_vec(item).map_err(Error::Json)?)"
                ),
                "serde_json::from_slice::<Item>(&bytes).map_err(Error::Json)".to_owned(),
            ),
        };
        writeln!(
            out,
            "{signature} {{\n\
             let response = {build}.header(header::AUTHORIZATION, format!(\"Bearer {{}}\", self.key)).header(header::ACCEPT, \"application/json\").send().await.map_err(Error::Http)?;\n\
             let status = response.status();\n\
             let bytes = response.bytes().await.map_err(Error::Http)?;\n\
             if !status.is_success() {{ return Err(Error::Status(status.as_u16(), bytes.to_vec())); }}\n\
             {decode}\n}}"
        )
        .expect("writing to a String");
    }
    out.push_str("}\n");
    call_all(&mut out, "Api");
    out
}

/// A function calling every endpoint once, so the compiler generates each
/// one's code in both fixtures.
fn call_all(out: &mut String, receiver: &str) {
    let _ = writeln!(out, "pub async fn call_all(c: &{receiver}) {{");
    for i in 0..ENDPOINTS {
        let _ = match i % 3 {
            0 => writeln!(out, "let _ = c.get{i}(\"x\").await;"),
            1 => writeln!(out, "let _ = c.list{i}(&Query {{ ids: vec![], limit: None }}).await;"),
            _ => writeln!(out, "let _ = c.create{i}(&NewItem {{ name: String::new() }}).await;"),
        };
    }
    out.push_str("}\n");
}
