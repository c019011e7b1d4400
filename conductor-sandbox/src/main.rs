//! `conductor-sandbox`: the in-memory fake of the Conductor API that
//! `conductor::sandbox` runs inside Rust tests, as a server any program can
//! call.
//!
//! ```sh
//! cargo run -p conductor-sandbox -- --port 4010 --seed-invoices 300
//! ```
//!
//! It prints `CONDUCTOR_BASE_URL=...`, `CONDUCTOR_SECRET_KEY=...` and, with
//! `--seed-invoices`, `CONDUCTOR_END_USER_ID=...` to stdout, one per line, so
//! a shell or an env file can take them; then one line per request to
//! stderr. It stops on SIGINT or SIGTERM.
//!
//! `--qbd-latency` answers as slowly as QuickBooks Desktop does, one request
//! at a time per end-user; `--connection offline` (or `timeout`,
//! `not-set-up`) puts the seeded end-user's QuickBooks in that state, and
//! `PUT /v1/sandbox/end-users/{id}/connection` with `{"state": "offline"}`
//! does it for any end-user while the server runs.

use std::io::Write as _;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use conductor::sandbox::{ConnectionState, QBD_LATENCY, RequestLog, Sandbox};

/// A fake of the Conductor API on this machine: end-users, auth sessions and
/// every QuickBooks Desktop resource, kept in memory.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// The port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 4010)]
    port: u16,
    /// The address to listen on. Only 127.0.0.1 unless another is named.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    host: IpAddr,
    /// The secret key to accept; a fresh random one by default.
    #[arg(long)]
    api_key: Option<String>,
    /// Creates an end-user with this many invoices and prints its id.
    #[arg(long, value_name = "N")]
    seed_invoices: Option<usize>,
    /// Delays every answer by this many milliseconds.
    #[arg(long, default_value_t = 0, value_name = "MS")]
    latency_ms: u64,
    /// Answers as slowly as QuickBooks Desktop: 3 seconds per request, one
    /// request at a time per end-user.
    #[arg(long, conflicts_with = "latency_ms")]
    qbd_latency: bool,
    /// The state of the seeded end-user's QuickBooks: connected, offline,
    /// timeout or not-set-up.
    #[arg(long, value_name = "STATE", value_parser = connection_state, requires = "seed_invoices")]
    connection: Option<ConnectionState>,
    /// How long a list's cursor lives after each page, in seconds.
    #[arg(long, default_value_t = 10, value_name = "SECS")]
    cursor_ttl_secs: u64,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let latency = if args.qbd_latency { QBD_LATENCY } else { Duration::from_millis(args.latency_ms) };
    let mut builder = Sandbox::builder()
        .addr(SocketAddr::new(args.host, args.port))
        .latency(latency)
        .cursor_ttl(Duration::from_secs(args.cursor_ttl_secs))
        .on_request(log);
    if let Some(key) = args.api_key {
        builder = builder.api_key(key);
    }
    let sandbox = match builder.start().await {
        Ok(sandbox) => sandbox,
        Err(error) => {
            eprintln!("conductor-sandbox: cannot listen on {}:{}: {error}", args.host, args.port);
            return ExitCode::FAILURE;
        }
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "CONDUCTOR_BASE_URL={}", sandbox.base_url());
    let _ = writeln!(out, "CONDUCTOR_SECRET_KEY={}", sandbox.api_key());
    if let Some(count) = args.seed_invoices {
        let user = sandbox.create_end_user("Sandbox Company", "sandbox@example.com");
        sandbox.seed_invoices(&user.id, count);
        if let Some(state) = args.connection {
            sandbox.set_connection(&user.id, state);
        }
        let _ = writeln!(out, "CONDUCTOR_END_USER_ID={}", user.id);
    }
    let _ = out.flush();
    drop(out);

    let signal = stopped().await;
    drop(sandbox);
    eprintln!("conductor-sandbox: stopped on {signal}");
    ExitCode::SUCCESS
}

fn connection_state(name: &str) -> Result<ConnectionState, String> {
    ConnectionState::from_name(name)
        .ok_or_else(|| format!("{name:?} is not a state: connected, offline, timeout or not-set-up"))
}

/// One line per request: method, path, status, time and request id.
fn log(request: &RequestLog) {
    eprintln!(
        "{} {} {} {:.1}ms {}",
        request.method,
        request.path,
        request.status,
        request.elapsed.as_secs_f64() * 1e3,
        request.request_id
    );
}

/// Waits for SIGINT or SIGTERM and names it.
async fn stopped() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut terminate = match signal(SignalKind::terminate()) {
            Ok(terminate) => terminate,
            Err(_) => return interrupted().await,
        };
        tokio::select! {
            name = interrupted() => name,
            _ = terminate.recv() => "SIGTERM",
        }
    }
    #[cfg(not(unix))]
    {
        interrupted().await
    }
}

async fn interrupted() -> &'static str {
    match tokio::signal::ctrl_c().await {
        Ok(()) => "SIGINT",
        // Without a signal handler, run until killed.
        Err(_) => std::future::pending().await,
    }
}
