//! Project tasks.
//!
//! `cargo run -p xtask -- codegen [--spec PATH] [--check]` writes the
//! QuickBooks Desktop declarations and models from the Conductor OpenAPI
//! description (default `../shared/conductor-openapi-official.json`). With `--check`
//! it writes nothing and fails when the committed files differ from what it
//! would write.
//!
//! It also writes `conductor-sandbox/RULES.md` and the README's table of
//! what the sandbox does not do yet: every rule the description states,
//! found by a script, and judged by `xtask/src/rules/catalog.rs`.
//!
//! `cargo run -p xtask -- bench-compile` prints compile-time figures.

mod bench_compile;
mod mcp;
mod model;
mod names;
mod references;
mod render;
mod rules;
mod sandbox;
mod sync;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const DEFAULT_SPEC: &str = "../shared/conductor-openapi-official.json";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<(), String> {
    let Some((task, rest)) = args.split_first() else {
        return Err("usage: cargo run -p xtask -- codegen [--spec PATH] [--check] | bench-compile".into());
    };
    let root = workspace_root();
    match task.as_str() {
        "codegen" => {}
        "bench-compile" => return bench_compile::run(&root),
        _ => return Err(format!("unknown task {task:?}; the tasks are `codegen` and `bench-compile`")),
    }
    let mut spec_path = root.join(DEFAULT_SPEC);
    let mut check = false;
    let mut rest = rest.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--spec" => spec_path = PathBuf::from(rest.next().ok_or("--spec needs a path")?),
            "--check" => check = true,
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    let text = std::fs::read_to_string(&spec_path).map_err(|e| format!("cannot read {}: {e}", spec_path.display()))?;
    let spec: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", spec_path.display()))?;

    let api = model::Api::from_spec(&spec)?;
    let mut files = render::files(&api);
    files.push(("conductor-mcp/src/operations.rs".into(), mcp::table(&api, &spec)?));
    files.push((sandbox::PATH.into(), sandbox::table(&api, &spec)?));
    files.push((sync::PATH.into(), sync::table(&api, &spec)?));

    // The rules the description states, and what the sandbox does of each.
    let statements = rules::statements(&spec);
    let judged = rules::judge(&statements)?;
    rules::tests_exist(&root)?;
    let counts = rules::counts(&judged);
    println!(
        "the description states {} rules ({} distinct): the sandbox keeps {}, leaves {}, and {} state no rule to keep",
        counts.places, counts.texts, counts.kept.1, counts.left.1, counts.describes.1
    );
    let readme = std::fs::read_to_string(root.join("README.md")).map_err(|e| format!("cannot read README.md: {e}"))?;
    let readme = rules::with_table(&readme, &rules::readme_table(&judged))?;
    let documents = [(rules::RULES_PATH.to_owned(), rules::document(&judged)), ("README.md".to_owned(), readme)];

    let mut stale = Vec::new();
    let written: Vec<PathBuf> = files.iter().map(|(relative, _)| root.join(relative)).collect();
    let formatted: Vec<(String, String)> =
        files.into_iter().map(|(relative, source)| Ok((relative, rustfmt(&source)?))).collect::<Result<_, String>>()?;
    for (relative, source) in formatted.into_iter().chain(documents) {
        let path = root.join(&relative);
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current == source {
            continue;
        }
        if check {
            stale.push(relative);
        } else {
            std::fs::write(&path, source).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            println!("wrote {relative}");
        }
    }
    // A generated file the generator no longer writes (a resource that is
    // gone) is stale too.
    for path in generated_files(&root.join("conductor/src/qbd"))? {
        if written.contains(&path) {
            continue;
        }
        if check {
            stale.push(path.display().to_string());
        } else {
            std::fs::remove_file(&path).map_err(|e| format!("cannot remove {}: {e}", path.display()))?;
            println!("removed {}", path.display());
        }
    }
    if !stale.is_empty() {
        return Err(format!(
            "generated files are out of date: {}; run `cargo run -p xtask -- codegen`",
            stale.join(", ")
        ));
    }
    if check {
        println!("generated files are up to date");
    }
    Ok(())
}

/// The files of `dir` that start with the generated-file header.
fn generated_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut found = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        if text.starts_with("// @generated") {
            found.push(path);
        }
    }
    found.sort();
    Ok(found)
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask sits in the workspace").to_path_buf()
}

/// Formats with the workspace's rustfmt settings, so the output is the same
/// on every machine with this toolchain.
fn rustfmt(source: &str) -> Result<String, String> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new("rustfmt")
        .args(["--edition", "2024", "--emit", "stdout", "--config-path"])
        .arg(workspace_root().join("rustfmt.toml"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run rustfmt: {e}"))?;
    child.stdin.take().expect("piped").write_all(source.as_bytes()).map_err(|e| e.to_string())?;
    let output = child.wait_with_output().map_err(|e| e.to_string())?;
    if !output.status.success() {
        return Err(format!("rustfmt failed: {}", String::from_utf8_lossy(&output.stderr)));
    }
    String::from_utf8(output.stdout).map_err(|e| e.to_string())
}
