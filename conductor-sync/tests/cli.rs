//! The command on a fresh machine: `run` without a key syncs an embedded
//! sandbox, `status` tells where each end-user stands, `schema` prints the
//! tables.

mod common;

use std::process::Command;

fn command(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_conductor-sync"))
        .args(args)
        .env_remove("CONDUCTOR_SECRET_KEY")
        .env_remove("CONDUCTOR_SYNC_DATABASE")
        .output()
        .expect("the binary runs")
}

#[test]
fn run_without_a_key_syncs_an_embedded_sandbox_and_status_tells_of_it() {
    let database = common::sqlite();
    let run = command(&["run", "--database", &database.url, "--resource", "invoices,customers"]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(stderr.starts_with("CONDUCTOR_SECRET_KEY is not set: syncing an embedded sandbox"), "{stderr}");
    assert!(stderr.contains(": 3 succeeded, 0 paused, 0 failed"), "{stderr}");

    let status = command(&["status", "--database", &database.url]);
    let stdout = String::from_utf8_lossy(&status.stdout);
    assert!(status.status.success());
    assert!(stdout.starts_with("last run: 1 succeeded\n"), "{stdout}");
    for company in ["Acme Inc.", "Globex LLC", "Initech"] {
        assert!(stdout.contains(&format!("  {company}  succeeded  last success: ")), "{stdout}");
    }
    // Two resources, and the two lists of deletions.
    assert_eq!(stdout.matches("    all 4 resources read up to ").count(), 3, "{stdout}");

    let json = command(&["status", "--database", &database.url, "--log", "json"]);
    let statuses: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let statuses = statuses.as_array().unwrap();
    assert_eq!(statuses.len(), 3);
    assert!(
        statuses.iter().all(|status| status["status"] == "succeeded" && status["watermarks"]["invoices"].is_string())
    );
}

#[test]
fn run_with_json_logs_prints_one_event_per_line() {
    let database = common::sqlite();
    let run = command(&["run", "--database", &database.url, "--resource", "customers", "--log", "json"]);
    assert!(run.status.success());
    let events: Vec<serde_json::Value> =
        String::from_utf8_lossy(&run.stdout).lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    assert_eq!(events.first().unwrap()["event"], "run_started");
    assert_eq!(events.last().unwrap()["event"], "run_finished");
    assert_eq!(events.last().unwrap()["status"], "succeeded");
    assert_eq!(events.iter().filter(|event| event["event"] == "end_user_finished").count(), 3);
}

#[test]
fn bad_settings_are_told_by_name_and_exit_with_failure() {
    let database = common::sqlite();
    let run = command(&["run", "--database", &database.url, "--resource", "invoice"]);
    assert!(!run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("conductor-sync: unknown resource \"invoice\"; the resources are: accounts,"), "{stderr}");
    let run = command(&["status", "--database", "mysql://root:hunter2@db/books"]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success() && stderr.contains("root:***@db") && !stderr.contains("hunter2"), "{stderr}");
}

#[test]
fn schema_prints_the_tables_for_either_database() {
    let postgres = String::from_utf8(command(&["schema", "--postgres"]).stdout).unwrap();
    assert!(
        postgres.contains("CREATE TABLE IF NOT EXISTS \"invoices\" (\"end_user_id\" TEXT NOT NULL, "),
        "{postgres}"
    );
    assert!(postgres.contains("\"subtotal\" NUMERIC") && postgres.contains("\"record\" JSONB NOT NULL"));
    assert!(postgres.contains("CREATE TABLE IF NOT EXISTS \"invoice_lines\""));
    let sqlite = String::from_utf8(command(&["schema"]).stdout).unwrap();
    assert!(sqlite.contains("\"subtotal\" TEXT") && !sqlite.contains("NUMERIC"));
}
