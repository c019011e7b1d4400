//! A property test of the sync against a model, the sandbox itself:
//! random sequences of changes (invoices, payments, credits, voids,
//! deletions, renames, bills), runs, and runs stopped at a random point
//! (the run's future dropped mid-flight, as a process killed would leave
//! it), then a final run. Afterwards:
//!
//! - every row of every synced resource is what the sandbox serves, for
//!   every end-user, and nothing the sandbox no longer has is live;
//! - no row is held twice (the tables' keys say so; the comparison too);
//! - every run that was stopped is recorded as failed, never succeeded,
//!   and every run that ended succeeded.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{Change, World};
use conductor_sync::{Database, RunStatus};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use tokio::sync::Notify;

/// One thing that happens.
#[derive(Clone, Debug)]
enum Step {
    Change(Change),
    /// A run to its end.
    Run,
    /// A run stopped once it told of this many events.
    Stopped(usize),
}

fn change() -> impl Strategy<Value = Change> {
    let user = 0..2usize;
    let pick = 0..12usize;
    prop_oneof![
        (user.clone(), pick.clone(), 1..90_000u32).prop_map(|(user, customer, cents)| Change::Invoice {
            user,
            customer,
            cents
        }),
        (user.clone(), pick.clone(), 1..=100u8).prop_map(|(user, invoice, percent)| Change::Pay {
            user,
            invoice,
            percent
        }),
        (user.clone(), pick.clone(), 1..20_000u32).prop_map(|(user, invoice, cents)| Change::Credit {
            user,
            invoice,
            cents
        }),
        (user.clone(), pick.clone()).prop_map(|(user, invoice)| Change::Edit { user, invoice }),
        (user.clone(), pick.clone()).prop_map(|(user, invoice)| Change::Void { user, invoice }),
        (user.clone(), pick.clone()).prop_map(|(user, invoice)| Change::DeleteInvoice { user, invoice }),
        (user.clone(), pick.clone()).prop_map(|(user, payment)| Change::DeletePayment { user, payment }),
        (user.clone(), pick.clone()).prop_map(|(user, customer)| Change::Rename { user, customer }),
        user.clone().prop_map(|user| Change::Customer { user }),
        (user.clone(), pick.clone()).prop_map(|(user, customer)| Change::DeleteCustomer { user, customer }),
        (user, 1..90_000u32).prop_map(|(user, cents)| Change::Bill { user, cents }),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => change().prop_map(Step::Change),
        2 => Just(Step::Run),
        2 => (1..80usize).prop_map(Step::Stopped),
    ]
}

static CASES: AtomicUsize = AtomicUsize::new(0);
static STEPS: AtomicUsize = AtomicUsize::new(0);
static LONGEST: AtomicUsize = AtomicUsize::new(0);
static STOPPED: AtomicUsize = AtomicUsize::new(0);

/// Runs the sync until it has told of `events` events, then drops it.
async fn stopped_run(world: &World, database: &Database, events: usize) {
    let told = Arc::new(AtomicUsize::new(0));
    let enough = Arc::new(Notify::new());
    let (count, signal) = (Arc::clone(&told), Arc::clone(&enough));
    let syncer = world
        .syncer(database.clone())
        .on_event(move |_| {
            if count.fetch_add(1, Ordering::SeqCst) + 1 == events {
                signal.notify_one();
            }
        })
        .build()
        .unwrap();
    tokio::select! {
        report = syncer.run() => {
            // It ended before it was stopped: then it ran as any run.
            assert_eq!(report.unwrap().status, RunStatus::Succeeded);
        }
        () = enough.notified() => {}
    }
}

async fn case(steps: Vec<Step>) {
    let world = World::new(2, 6).await;
    let file = common::sqlite();
    let database = Database::connect(&file.url, 4).await.unwrap();
    let mut ended = Vec::new();
    for step in &steps {
        match step {
            Step::Change(change) => world.apply(change).await,
            Step::Run => {
                let report = world.syncer(database.clone()).build().unwrap().run().await.unwrap();
                assert_eq!(report.status, RunStatus::Succeeded, "{report:?}");
                ended.push(report.run);
            }
            Step::Stopped(events) => {
                STOPPED.fetch_add(1, Ordering::Relaxed);
                stopped_run(&world, &database, *events).await;
            }
        }
    }
    let last = world.syncer(database.clone()).build().unwrap().run().await.unwrap();
    assert_eq!(last.status, RunStatus::Succeeded);
    ended.push(last.run);
    assert_eq!(world.differences(&database).await, Vec::<String>::new(), "after {steps:#?}");
    for (run, status) in common::run_statuses(&database).await {
        let expected = if ended.contains(&run) { "succeeded" } else { "failed" };
        // A stopped run that had already ended counts as ended.
        assert!(status == expected || status == "succeeded" && !ended.contains(&run), "run {run} is {status}");
        assert_ne!(status, "running", "run {run} was left running by the final run");
    }
    database.close().await;
}

#[test]
fn the_database_equals_the_sandbox_after_any_changes_runs_and_stopped_runs() {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(32);
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runner
        .run(&proptest::collection::vec(step(), 1..14), |steps| {
            CASES.fetch_add(1, Ordering::Relaxed);
            STEPS.fetch_add(steps.len() + 1, Ordering::Relaxed);
            LONGEST.fetch_max(steps.len() + 1, Ordering::Relaxed);
            runtime.block_on(case(steps));
            Ok(())
        })
        .unwrap();
    println!(
        "{} cases, {} steps, the longest {} (with its final run), {} runs stopped part way",
        CASES.load(Ordering::Relaxed),
        STEPS.load(Ordering::Relaxed),
        LONGEST.load(Ordering::Relaxed),
        STOPPED.load(Ordering::Relaxed)
    );
}
