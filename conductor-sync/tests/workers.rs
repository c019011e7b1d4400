//! The command as processes: a worker killed with SIGKILL mid-run loses
//! nothing, and two workers on one PostgreSQL database split the end-users
//! between them, each synced exactly once per round, even when one of them
//! is killed.

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::{Change, TestDatabase, World};
use conductor_sandbox::Sandbox;
use conductor_sync::{Database, RunStatus};
use serde_json::Value;

/// `conductor-sync run` against the world's sandbox, its events on stdout.
fn worker(world: &World, database: &TestDatabase, name: &str, concurrency: usize) -> Child {
    Command::new(env!("CARGO_BIN_EXE_conductor-sync"))
        .args(["run", "--log", "json", "--database", &database.url, "--worker", name])
        .args(["--concurrency", &concurrency.to_string(), "--resource", &world.resources.join(",")])
        .env("CONDUCTOR_SECRET_KEY", world.sandbox.api_key())
        .env("CONDUCTOR_BASE_URL", world.sandbox.base_url())
        .env_remove("CONDUCTOR_CUSTOM_HEADERS")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the conductor-sync binary starts")
}

/// The events a worker prints, as they come.
fn events(child: &mut Child) -> mpsc::Receiver<Value> {
    let stdout = child.stdout.take().expect("stdout is piped");
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Ok(event) = serde_json::from_str(&line)
                && sender.send(event).is_err()
            {
                return;
            }
        }
    });
    receiver
}

/// Waits for an event `matches` accepts; every event seen on the way.
fn until(events: &mpsc::Receiver<Value>, mut matches: impl FnMut(&Value) -> bool) -> Vec<Value> {
    let mut seen = Vec::new();
    loop {
        let event = events.recv_timeout(Duration::from_secs(120)).expect("the worker goes on");
        let found = matches(&event);
        seen.push(event);
        if found {
            return seen;
        }
    }
}

/// Every event until the worker's stdout closes.
fn rest(events: &mpsc::Receiver<Value>) -> Vec<Value> {
    events.iter().collect()
}

fn kind(event: &Value) -> &str {
    event["event"].as_str().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_killed_mid_run_loses_nothing_and_its_run_is_recorded_as_failed() {
    for database in common::databases().await {
        let world = World::with(Sandbox::builder().latency(Duration::from_millis(4)), 3, 200).await;
        let mut child = worker(&world, &database, "doomed", 2);
        let events = events(&mut child);
        // Killed once some records are written and the run is under way.
        let seen = until(&events, |event| kind(event) == "progress");
        let run = seen.iter().find(|event| kind(event) == "run_started").unwrap()["run"].as_i64().unwrap();
        child.kill().unwrap();
        child.wait().unwrap();
        for change in [Change::Pay { user: 0, invoice: 1, percent: 100 }, Change::DeleteInvoice { user: 2, invoice: 3 }]
        {
            world.apply(&change).await;
        }

        let db = Database::connect(&database.url, 8).await.unwrap();
        let report = world.syncer(db.clone()).build().unwrap().run().await.unwrap();
        assert_eq!(report.status, RunStatus::Succeeded, "{}", database.label);
        assert_eq!(world.differences(&db).await, Vec::<String>::new(), "{}", database.label);
        let statuses = common::run_statuses(&db).await;
        assert_eq!(statuses[&run], "failed", "{}: the killed run", database.label);
        assert_eq!(statuses[&report.run], "succeeded", "{}", database.label);
    }
}

/// Each end-user's finished attempts in a worker's events.
fn finished(events: &[Value]) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for event in events.iter().filter(|event| kind(event) == "end_user_finished") {
        *out.entry(event["end_user"].as_str().unwrap().to_owned()).or_default() += 1;
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_on_postgres_sync_each_of_fifty_end_users_exactly_once() {
    let Some(database) = common::postgres().await else { return };
    let world = World::with(Sandbox::builder().latency(Duration::from_millis(10)), 50, 3).await;
    // The schema is made once, before the two start.
    Database::connect(&database.url, 2).await.unwrap().close().await;
    let (mut first, mut second) = (worker(&world, &database, "first", 4), worker(&world, &database, "second", 4));
    let (first_events, second_events) = (events(&mut first), events(&mut second));
    let (a, b) = (rest(&first_events), rest(&second_events));
    assert!(first.wait().unwrap().success() && second.wait().unwrap().success());

    let (done_a, done_b) = (finished(&a), finished(&b));
    let mut all = done_a.clone();
    for (end_user, count) in &done_b {
        *all.entry(end_user.clone()).or_default() += count;
    }
    assert_eq!(all.len(), 50, "every end-user was synced");
    assert!(all.values().all(|&count| count == 1), "each exactly once: {all:?}");
    assert!(
        !done_a.is_empty() && !done_b.is_empty(),
        "both workers synced some: {} and {}",
        done_a.len(),
        done_b.len()
    );
    let db = Database::connect(&database.url, 4).await.unwrap();
    assert_eq!(world.differences(&db).await, Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_one_of_two_workers_is_killed_the_other_syncs_what_it_left() {
    let Some(database) = common::postgres().await else { return };
    let world = World::with(Sandbox::builder().latency(Duration::from_millis(10)), 20, 3).await;
    Database::connect(&database.url, 2).await.unwrap().close().await;
    let (mut doomed, mut survivor) = (worker(&world, &database, "doomed", 3), worker(&world, &database, "survivor", 3));
    let (doomed_events, survivor_events) = (events(&mut doomed), events(&mut survivor));
    // Killed while it holds end-users: once it finished two.
    let mut done = 0;
    let before = until(&doomed_events, |event| {
        done += usize::from(kind(event) == "end_user_finished");
        done == 2
    });
    doomed.kill().unwrap();
    doomed.wait().unwrap();
    let after = rest(&survivor_events);
    assert!(survivor.wait().unwrap().success());

    let mut all = finished(&before);
    for (end_user, count) in finished(&after) {
        *all.entry(end_user).or_default() += count;
    }
    assert_eq!(all.len(), 20, "every end-user was synced by one or the other: {all:?}");
    let db = Database::connect(&database.url, 4).await.unwrap();
    assert_eq!(world.differences(&db).await, Vec::<String>::new());
    let statuses = db.status().await.unwrap();
    assert!(statuses.iter().all(|status| status.status == "succeeded"), "{statuses:?}");
}
