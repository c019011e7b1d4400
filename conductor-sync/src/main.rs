//! `conductor-sync`: keeps a database in step with every end-user's
//! QuickBooks Desktop company file.
//!
//! ```text
//! conductor-sync run [--database URL] [--end-user ID]... [--resource a,b] [--concurrency N] [--log json]
//! conductor-sync status [--database URL] [--log json]
//! conductor-sync schema [--postgres]
//! ```
//!
//! Without `CONDUCTOR_SECRET_KEY`, `run` syncs an embedded sandbox seeded
//! with three end-users, so the command shows what it does on a fresh
//! clone with nothing configured.

#![warn(clippy::too_many_lines)]

use std::collections::HashMap;
use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use conductor_sandbox::Sandbox;
use conductor_sync::{Database, EndUserStatus, Event, RunStatus, Syncer};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use jiff::Timestamp;

const DEFAULT_DATABASE: &str = "sqlite:conductor-sync.db";

/// Keeps a database in step with every end-user's QuickBooks Desktop
/// company file, through the Conductor API.
#[derive(Parser)]
#[command(name = "conductor-sync", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Syncs every end-user (or those given) into the database, once.
    Run(RunArgs),
    /// Shows each end-user's last success, how far behind each resource
    /// is, and why an end-user is paused.
    Status(StatusArgs),
    /// Prints the statements that create the tables.
    Schema {
        /// PostgreSQL's types (SQLite's by default).
        #[arg(long)]
        postgres: bool,
    },
}

#[derive(Parser)]
struct RunArgs {
    /// `sqlite:PATH` or `postgres://user:password@host/database`.
    #[arg(long, env = "CONDUCTOR_SYNC_DATABASE", default_value = DEFAULT_DATABASE)]
    database: String,
    /// Syncs only this end-user (repeatable).
    #[arg(long = "end-user", value_name = "ID")]
    end_users: Vec<String>,
    /// Syncs only these resources (comma-separated path segments:
    /// `invoices,customers`).
    #[arg(long = "resource", value_delimiter = ',', value_name = "NAMES")]
    resources: Vec<String>,
    /// End-users synced at once; each one's requests go one at a time.
    #[arg(long, default_value_t = conductor_sync::DEFAULT_CONCURRENCY)]
    concurrency: usize,
    /// Seconds each incremental read goes back before its watermark.
    #[arg(long, value_name = "SECONDS", default_value_t = conductor_sync::DEFAULT_OVERLAP.as_secs())]
    overlap: u64,
    /// `text`: progress bars in a terminal, a line per end-user otherwise;
    /// `json`: one JSON line per event on stdout.
    #[arg(long, value_enum, default_value_t = Log::Text)]
    log: Log,
    /// This worker's name in `sync_runs`.
    #[arg(long)]
    worker: Option<String>,
}

#[derive(Parser)]
struct StatusArgs {
    /// `sqlite:PATH` or `postgres://user:password@host/database`.
    #[arg(long, env = "CONDUCTOR_SYNC_DATABASE", default_value = DEFAULT_DATABASE)]
    database: String,
    /// `json`: the statuses as one JSON document.
    #[arg(long, value_enum, default_value_t = Log::Text)]
    log: Log,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Log {
    Text,
    Json,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Run(args) => run(args).await,
        Command::Status(args) => status(args).await,
        Command::Schema { postgres } => {
            print!("{}", conductor_sync::schema_sql(postgres));
            Ok(ExitCode::SUCCESS)
        }
    };
    outcome.unwrap_or_else(|error| {
        eprintln!("conductor-sync: {error}");
        ExitCode::FAILURE
    })
}

async fn run(args: RunArgs) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let (client, _sandbox) = client().await?;
    let database = Database::connect(&args.database, u32::try_from(args.concurrency * 2 + 4).unwrap_or(64)).await?;
    let mut builder = Syncer::builder(client, database.clone())
        .concurrency(args.concurrency)
        .overlap(Duration::from_secs(args.overlap));
    if !args.end_users.is_empty() {
        builder = builder.end_users(args.end_users);
    }
    if !args.resources.is_empty() {
        builder = builder.resources(args.resources);
    }
    if let Some(worker) = args.worker {
        builder = builder.worker(worker);
    }
    builder = match args.log {
        Log::Json => builder.on_event(|event| {
            if let Ok(line) = serde_json::to_string(event) {
                println!("{line}");
            }
        }),
        Log::Text => {
            let progress = Progress::new();
            builder.on_event(move |event| progress.show(event))
        }
    };
    let report = builder.build()?.run().await?;
    database.close().await;
    if args.log == Log::Text {
        let count = |status: &str| report.end_users.iter().filter(|user| user.status == status).count();
        eprintln!(
            "run {} {}: {} succeeded, {} paused, {} failed, {} synced by another worker, in {:.1} s",
            report.run,
            report.status.as_str(),
            count("succeeded"),
            count("paused"),
            count("failed"),
            report.skipped.len(),
            report.elapsed.as_secs_f64()
        );
    }
    Ok(if report.status == RunStatus::Failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// The client: the real API with `CONDUCTOR_SECRET_KEY`, else an embedded
/// sandbox seeded with three end-users (kept alive by the returned value).
async fn client() -> Result<(conductor::Client, Option<Sandbox>), Box<dyn std::error::Error>> {
    if std::env::var_os("CONDUCTOR_SECRET_KEY").is_some() {
        let client = conductor::Client::from_env()?;
        // The same settings, with each end-user's requests one at a time.
        let mut builder = conductor::Client::builder()
            .api_key(std::env::var("CONDUCTOR_SECRET_KEY")?)
            .base_url(client.base_url())
            .max_concurrent_per_end_user(1);
        if let Ok(headers) = std::env::var("CONDUCTOR_CUSTOM_HEADERS") {
            for line in headers.lines().filter(|line| !line.trim().is_empty()) {
                if let Some((name, value)) = line.split_once(':') {
                    builder = builder.default_header(name.trim(), value.trim());
                }
            }
        }
        return Ok((builder.build()?, None));
    }
    eprintln!(
        "CONDUCTOR_SECRET_KEY is not set: syncing an embedded sandbox of three end-users with 200 invoices each \
         (its records live as long as this command)."
    );
    let sandbox = Sandbox::start().await?;
    for (company, email) in
        [("Acme Inc.", "alice@acme.test"), ("Globex LLC", "hank@globex.test"), ("Initech", "bill@initech.test")]
    {
        let user = sandbox.create_end_user(company, email);
        sandbox.seed_invoices(&user.id, 200)?;
    }
    let client = conductor::Client::builder()
        .api_key(sandbox.api_key())
        .base_url(sandbox.base_url())
        .max_concurrent_per_end_user(1)
        .build()?;
    Ok((client, Some(sandbox)))
}

/// Progress bars in a terminal (one per end-user and resource being read),
/// a line per end-user otherwise.
struct Progress {
    bars: MultiProgress,
    active: Mutex<HashMap<(String, &'static str), ProgressBar>>,
    terminal: bool,
}

impl Progress {
    fn new() -> Arc<Progress> {
        let terminal = std::io::stderr().is_terminal();
        let target = if terminal { ProgressDrawTarget::stderr() } else { ProgressDrawTarget::hidden() };
        Arc::new(Progress { bars: MultiProgress::with_draw_target(target), active: Mutex::default(), terminal })
    }

    fn show(&self, event: &Event) {
        let mut active = self.active.lock().unwrap_or_else(PoisonError::into_inner);
        match event {
            Event::ResourceStarted { end_user, resource, .. } if self.terminal => {
                let bar = self.bars.add(ProgressBar::new_spinner());
                bar.set_style(
                    ProgressStyle::with_template("{prefix:>24} {wide_bar} {pos}/{len} {msg}")
                        .unwrap_or_else(|_| ProgressStyle::default_bar()),
                );
                bar.set_prefix(short(end_user));
                bar.set_message(*resource);
                active.insert((end_user.clone(), resource), bar);
            }
            Event::Progress { end_user, resource, read, remaining } => {
                if let Some(bar) = active.get(&(end_user.clone(), resource)) {
                    bar.set_length(read + remaining.unwrap_or(0));
                    bar.set_position(*read);
                }
            }
            Event::ResourceFinished { end_user, resource, .. } => {
                if let Some(bar) = active.remove(&(end_user.clone(), resource)) {
                    bar.finish_and_clear();
                    self.bars.remove(&bar);
                }
            }
            Event::EndUserFinished { end_user, status, reason, elapsed_ms, .. } => {
                let why = reason.as_deref().map(|reason| format!(": {reason}")).unwrap_or_default();
                let line = format!("{end_user} {status} in {:.1} s{why}", *elapsed_ms as f64 / 1000.0);
                self.say(&line);
            }
            Event::RunInterrupted { run } => self.say(&format!("run {run} was interrupted; recorded as failed")),
            _ => {}
        }
    }

    fn say(&self, line: &str) {
        if self.terminal {
            let _ = self.bars.println(line);
        } else {
            eprintln!("{line}");
        }
    }
}

fn short(end_user: &str) -> String {
    end_user.chars().take(24).collect()
}

async fn status(args: StatusArgs) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let database = Database::connect(&args.database, 2).await?;
    let statuses = database.status().await?;
    let runs = database.runs(1).await?;
    database.close().await;
    if args.log == Log::Json {
        let json: Vec<serde_json::Value> = statuses.iter().map(status_json).collect();
        println!("{}", serde_json::to_string_pretty(&json)?);
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(run) = runs.first() {
        println!(
            "last run: {} {}{}",
            run.id,
            run.status,
            run.error.as_deref().map(|e| format!(" ({e})")).unwrap_or_default()
        );
    }
    let now = Timestamp::now();
    for status in &statuses {
        let last = status.last_succeeded_at.map_or_else(|| "never".to_owned(), |at| ago(now, at));
        println!(
            "{}  {}  {}  last success: {last}",
            status.end_user_id,
            status.company_name.as_deref().unwrap_or("-"),
            status.status
        );
        if let Some(reason) = &status.reason {
            println!("    why: {reason}");
        }
        let groups = behind(now, status);
        match groups.as_slice() {
            [(behind, resources)] => println!("    all {} resources read up to {behind} ago", resources.len()),
            _ => {
                for (behind, resources) in groups {
                    println!("    read up to {behind} ago: {}", resources.join(", "));
                }
            }
        }
    }
    if statuses.is_empty() {
        println!("no end-user synced yet: run `conductor-sync run`");
    }
    Ok(ExitCode::SUCCESS)
}

/// The resources of an end-user grouped by how far behind they are.
fn behind(now: Timestamp, status: &EndUserStatus) -> Vec<(String, Vec<String>)> {
    let mut groups: Vec<(Timestamp, Vec<String>)> = Vec::new();
    for (resource, at) in &status.watermarks {
        match groups.iter_mut().find(|(mark, _)| mark == at) {
            Some((_, names)) => names.push(resource.clone()),
            None => groups.push((*at, vec![resource.clone()])),
        }
    }
    groups.sort_by_key(|(at, _)| *at);
    groups.into_iter().map(|(at, names)| (ago(now, at), names)).collect()
}

fn ago(now: Timestamp, at: Timestamp) -> String {
    let seconds = now.duration_since(at).as_secs().max(0);
    match seconds {
        0..60 => format!("{seconds} s"),
        60..3600 => format!("{} min", seconds / 60),
        3600..86_400 => format!("{:.1} h", seconds as f64 / 3600.0),
        _ => format!("{:.1} days", seconds as f64 / 86_400.0),
    }
}

fn status_json(status: &EndUserStatus) -> serde_json::Value {
    serde_json::json!({
        "endUserId": status.end_user_id,
        "companyName": status.company_name,
        "status": status.status,
        "reason": status.reason,
        "lastSucceededAt": status.last_succeeded_at.map(|at| at.to_string()),
        "lastAttemptStartedAt": status.last_attempt_started_at.map(|at| at.to_string()),
        "watermarks": status.watermarks.iter().map(|(resource, at)| (resource.clone(), serde_json::json!(at.to_string()))).collect::<serde_json::Map<_, _>>(),
    })
}
