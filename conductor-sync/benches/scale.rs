//! The sync at scale, with figures printed (not a timed test):
//!
//! 1. 1,000 end-users with 200 invoices each (and the customers, items and
//!    payments seeding makes), 50 ms per request in the sandbox: the wall
//!    time of a first run against its lower bound (requests per end-user ×
//!    latency × end-users ÷ concurrency), and the sync's peak memory.
//! 2. The same books with no latency: rows written per second into SQLite
//!    and into PostgreSQL, next to reading the same lists with `list_all`
//!    alone (the database should not be the bottleneck).
//!
//! ```sh
//! cargo bench -p conductor-sync --bench scale                 # SQLite
//! CONDUCTOR_SYNC_TEST_POSTGRES=postgres://... cargo bench -p conductor-sync --bench scale
//! cargo bench -p conductor-sync --bench scale -- --end-users 100   # smaller
//! ```
//!
//! The sandbox runs in a process of its own (this binary, with `--serve`),
//! so its memory is not the sync's. Peak memory is the process's high-water
//! mark of resident memory (`VmHWM`).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use conductor_sync::{Database, Syncer};
use futures_util::StreamExt;

const RESOURCES: [&str; 4] = ["receive-payments", "invoices", "customers", "service-items"];

struct Settings {
    end_users: usize,
    invoices: usize,
    latency_ms: u64,
    concurrency: usize,
}

fn settings() -> Settings {
    let args: Vec<String> = std::env::args().collect();
    let value = |name: &str, default: usize| {
        (args.iter().position(|arg| arg == name))
            .and_then(|at| args.get(at + 1))
            .and_then(|value| value.parse().ok())
            .unwrap_or(default)
    };
    Settings {
        end_users: value("--end-users", 1_000),
        invoices: value("--invoices", 200),
        latency_ms: value("--latency-ms", 50) as u64,
        concurrency: value("--concurrency", 8),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    if args.iter().any(|arg| arg == "--serve") {
        runtime.block_on(serve(settings()));
        return;
    }
    if args.iter().any(|arg| arg == "--list") {
        return;
    }
    runtime.block_on(bench(settings()));
}

/// The sandbox: seeded, then serving until stdin closes.
async fn serve(settings: Settings) {
    let requests = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let counter = std::sync::Arc::clone(&requests);
    let sandbox = conductor_sandbox::Sandbox::builder()
        .latency(Duration::from_millis(settings.latency_ms))
        .on_request(move |_| {
            counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        })
        .start()
        .await
        .unwrap();
    for n in 0..settings.end_users {
        let user = sandbox.create_end_user(&format!("Company {n}"), "owner@example.com");
        // Books kept over time, not made a moment before the sync: seeded
        // by a clock two hours back (records changed during a run are
        // checked for names their referrers show, which a real first sync
        // meets for a few records only).
        sandbox.shift_clock(&user.id, -2 * 3600);
        sandbox.seed_invoices(&user.id, settings.invoices).unwrap();
        sandbox.shift_clock(&user.id, 2 * 3600);
    }
    println!("{} {}", sandbox.base_url(), sandbox.api_key());
    // Each line asks for the requests served so far; the end of input ends
    // the sandbox.
    let mut line = String::new();
    while std::io::stdin().read_line(&mut line).is_ok_and(|read| read > 0) {
        println!("{}", requests.load(std::sync::atomic::Ordering::Relaxed));
        line.clear();
    }
}

/// A sandbox process, its output, its URL and key.
struct Served {
    child: Child,
    output: BufReader<std::process::ChildStdout>,
}

impl Served {
    /// The requests it has served so far.
    fn requests(&mut self) -> u64 {
        use std::io::Write;
        let stdin = self.child.stdin.as_mut().unwrap();
        writeln!(stdin).unwrap();
        stdin.flush().unwrap();
        let mut line = String::new();
        self.output.read_line(&mut line).unwrap();
        line.trim().parse().unwrap()
    }

    fn stop(mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

/// A sandbox process; its URL and key.
fn sandbox(settings: &Settings, latency_ms: u64) -> (Served, String, String) {
    let started = Instant::now();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--serve", "--end-users", &settings.end_users.to_string()])
        .args(["--invoices", &settings.invoices.to_string(), "--latency-ms", &latency_ms.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    let mut output = BufReader::new(child.stdout.take().unwrap());
    output.read_line(&mut line).unwrap();
    let (url, key) = line.trim().split_once(' ').unwrap();
    eprintln!(
        "sandbox: {} end-users × {} invoices, {latency_ms} ms per request, seeded in {:.1} s",
        settings.end_users,
        settings.invoices,
        started.elapsed().as_secs_f64()
    );
    (Served { child, output }, url.to_owned(), key.to_owned())
}

fn client_of(url: &str, key: &str) -> conductor::Client {
    conductor::Client::builder().api_key(key).base_url(url).max_concurrent_per_end_user(1).build().unwrap()
}

/// The process's peak resident memory, in MB.
fn peak_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb: f64 = (status.lines())
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0.0);
    kb / 1024.0
}

/// CPU seconds (user and system) a process, or one of this process's
/// threads, has used: fields 14 and 15 of its `stat`, in clock ticks.
fn cpu_seconds(stat_path: &str) -> f64 {
    let stat = std::fs::read_to_string(stat_path).unwrap_or_default();
    // The command name (field 2) may hold spaces; the fields after it do not.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<f64> = after.split_whitespace().filter_map(|field| field.parse().ok()).collect();
    // After the name: state (not a number, so filtered out), then ppid… ;
    // utime and stime are fields 14 and 15 of the whole line.
    fields.get(10..12).map_or(0.0, |ticks| (ticks[0] + ticks[1]) / 100.0)
}

/// CPU seconds used so far by this process (SQLite's threads included)
/// and by the sandbox's process.
fn cpu(sandbox: &Served) -> (f64, f64) {
    (cpu_seconds("/proc/self/stat"), cpu_seconds(&format!("/proc/{}/stat", sandbox.child.id())))
}

/// One run into `url`; the report, its wall time and the requests made.
async fn run(client: &conductor::Client, url: &str, settings: &Settings) -> (conductor_sync::RunReport, Duration) {
    let database = Database::connect(url, u32::try_from(settings.concurrency * 2 + 4).unwrap()).await.unwrap();
    let started = Instant::now();
    let report = Syncer::builder(client.clone(), database.clone())
        .resources(RESOURCES)
        .concurrency(settings.concurrency)
        .build()
        .unwrap()
        .run()
        .await
        .unwrap();
    let elapsed = started.elapsed();
    database.close().await;
    assert_eq!(report.status, conductor_sync::RunStatus::Succeeded);
    (report, elapsed)
}

fn written(report: &conductor_sync::RunReport) -> u64 {
    report.end_users.iter().flat_map(|user| user.counts.values()).map(|count| count.written).sum()
}

async fn databases(label: &str) -> Vec<(String, String, Option<std::path::PathBuf>)> {
    let path = std::env::temp_dir().join(format!("conductor-sync-bench-{label}-{}.db", std::process::id()));
    let mut out = vec![("SQLite".to_owned(), format!("sqlite:{}", path.display()), Some(path))];
    if let Ok(admin) = std::env::var("CONDUCTOR_SYNC_TEST_POSTGRES") {
        sqlx::any::install_default_drivers();
        let name = format!("bench_{label}_{}", std::process::id());
        let mut connection = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut connection).await.unwrap();
        let (base, _) = admin.rsplit_once('/').unwrap();
        out.push(("PostgreSQL".to_owned(), format!("{base}/{name}"), None));
    }
    out
}

/// The pages one end-user's lists take: the requests a first run cannot do
/// without.
fn pages_per_end_user(settings: &Settings) -> usize {
    let payments = settings.invoices / 3;
    let customers = settings.invoices.min(40);
    [payments, settings.invoices, customers, 2].iter().map(|records| records.div_ceil(150).max(1)).sum()
}

async fn bench(settings: Settings) {
    // 1. At QuickBooks' pace.
    let (mut slow, url, key) = sandbox(&settings, settings.latency_ms);
    let client = client_of(&url, &key);
    let latency = Duration::from_millis(settings.latency_ms);
    let pages = pages_per_end_user(&settings);
    // The time `requests` take one at a time per end-user, `concurrency`
    // end-users at once.
    let bound = |requests: u64| latency.mul_f64(requests as f64 / settings.concurrency as f64);
    for (label, url, path) in databases("paced").await {
        let before = slow.requests();
        let (report, elapsed) = run(&client, &url, &settings).await;
        let made = slow.requests() - before;
        let by_pages = bound((pages * settings.end_users) as u64);
        println!(
            "{label}, {} ms per request: {} end-users in {:.1} s; lower bound {:.1} s by the {pages} pages of each \
             end-user's lists ({:.2}×), {:.1} s by the {made} requests made ({:.1} an end-user: {:.2}×); {} rows; \
             peak memory so far {:.0} MB",
            settings.latency_ms,
            report.end_users.len(),
            elapsed.as_secs_f64(),
            by_pages.as_secs_f64(),
            elapsed.as_secs_f64() / by_pages.as_secs_f64(),
            bound(made).as_secs_f64(),
            made as f64 / settings.end_users as f64,
            elapsed.as_secs_f64() / bound(made).as_secs_f64(),
            written(&report),
            peak_mb()
        );
        if let Some(path) = path {
            remove(&path);
        }
    }
    slow.stop();

    // 2. Without latency: the database's share.
    let (fast, url, key) = sandbox(&settings, 0);
    let client = client_of(&url, &key);
    let (own, served) = cpu(&fast);
    let (records, elapsed) = list_all_alone(&client, settings.concurrency).await;
    let (own_after, served_after) = cpu(&fast);
    println!(
        "list_all alone, no latency: {records} records in {:.1} s, {:.0} records/s; CPU: reader {:.1} s, sandbox {:.1} s",
        elapsed.as_secs_f64(),
        records as f64 / elapsed.as_secs_f64(),
        own_after - own,
        served_after - served
    );
    for (label, url, path) in databases("fast").await {
        let (own, served) = cpu(&fast);
        let (report, elapsed) = run(&client, &url, &settings).await;
        let rows = written(&report);
        let (own_after, served_after) = cpu(&fast);
        println!(
            "into {label}, no latency: {rows} rows in {:.1} s, {:.0} rows/s; CPU: sync {:.1} s, sandbox {:.1} s; peak memory so far {:.0} MB",
            elapsed.as_secs_f64(),
            rows as f64 / elapsed.as_secs_f64(),
            own_after - own,
            served_after - served,
            peak_mb()
        );
        if let Some(path) = path {
            remove(&path);
        }
    }
    fast.stop();
}

/// Reads every list the sync reads, for every end-user, `concurrency` at a
/// time, keeping nothing; the records read and the time it took.
async fn list_all_alone(client: &conductor::Client, concurrency: usize) -> (u64, Duration) {
    use conductor::qbd::{CustomerListParams, InvoiceListParams, ReceivePaymentListParams, ServiceItemListParams};
    let users = client.end_users().list().await.unwrap();
    let started = Instant::now();
    let counts = futures_util::stream::iter(users)
        .map(|user| async move {
            let qbd = client.qbd().for_end_user(&user.id);
            let mut records = 0u64;
            records += qbd.receive_payments().list_all(ReceivePaymentListParams::default()).count().await as u64;
            records += qbd.invoices().list_all(InvoiceListParams::default()).count().await as u64;
            records += qbd.customers().list_all(CustomerListParams::default()).count().await as u64;
            records += qbd.service_items().list_all(ServiceItemListParams::default()).count().await as u64;
            records
        })
        .buffer_unordered(concurrency)
        .collect::<Vec<u64>>()
        .await;
    (counts.iter().sum(), started.elapsed())
}

fn remove(path: &std::path::Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}
