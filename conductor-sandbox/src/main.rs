//! `conductor-sandbox`: the fake of the Conductor API that
//! `conductor_sandbox::Sandbox` runs inside Rust tests, as a server any
//! program can call.
//!
//! ```sh
//! cargo run -p conductor-sandbox -- --port 4010 --seed-invoices 300
//! eval "$(conductor-sandbox --detach --seed-invoices 300)"   # in the background
//! ```
//!
//! It prints `CONDUCTOR_BASE_URL=...`, `CONDUCTOR_SECRET_KEY=...` and, with
//! `--seed-invoices`, `CONDUCTOR_END_USER_ID=...` to stdout, one per line, so
//! a shell or an env file can take them, then closes stdout; then one line
//! per request to stderr, written by a thread of its own: a stderr nobody
//! reads, or a closed one, never holds up or fails a request (lines it
//! cannot keep up with are dropped). It stops on SIGINT or SIGTERM.
//!
//! With `--detach` it starts the same server as a process of its own in the
//! background, prints its settings and `CONDUCTOR_SANDBOX_PID=...`, and
//! exits: a shell waits for the process a command substitution runs, so
//! `eval "$(conductor-sandbox --detach)"` returns at once, and
//! `kill "$CONDUCTOR_SANDBOX_PID"` stops the server. Its request log goes to
//! `--log-file`, or nowhere.
//!
//! `--qbd-latency` answers as slowly as QuickBooks Desktop does, one request
//! at a time per end-user; `--connection offline` (or `timeout`,
//! `not-set-up`) puts the seeded end-user's QuickBooks in that state, and
//! `PUT /v1/sandbox/end-users/{id}/connection` with `{"state": "offline"}`
//! does it for any end-user while the server runs.

// No hand-written function is longer than 60 lines (clippy.toml).
#![warn(clippy::too_many_lines)]

use std::io::Write as _;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::time::Duration;

use clap::Parser;
use conductor_sandbox::{ConnectionState, QBD_LATENCY, RequestLog, Sandbox};

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
    /// How many connections are served at once; more are answered 503.
    #[arg(long, default_value_t = 512, value_name = "N")]
    max_connections: usize,
    /// Starts the server in the background, prints its settings and its
    /// process id (`CONDUCTOR_SANDBOX_PID`), and exits.
    #[arg(long)]
    detach: bool,
    /// With `--detach`, where the background server writes its request log.
    #[arg(long, value_name = "PATH", requires = "detach")]
    log_file: Option<std::path::PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if args.detach {
        return detach(args.log_file.as_deref());
    }
    match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime.block_on(serve(args)),
        Err(error) => {
            eprintln!("conductor-sandbox: cannot start: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Starts this program again without `--detach`, in a process group of its
/// own (so a terminal's Ctrl-C does not reach it), reads the settings it
/// prints, prints them with its process id, and exits.
fn detach(log_file: Option<&std::path::Path>) -> ExitCode {
    use std::io::BufRead as _;
    let failed = |message: String| {
        eprintln!("conductor-sandbox: {message}");
        ExitCode::FAILURE
    };
    let skip_value = |arg: &String| arg == "--log-file";
    let mut forwarded: Vec<String> = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--detach" => {}
            _ if skip_value(&arg) => drop(args.next()),
            _ if arg.starts_with("--log-file=") => {}
            _ => forwarded.push(arg),
        }
    }
    let log = match log_file.map(std::fs::File::create).transpose() {
        Ok(Some(file)) => std::process::Stdio::from(file),
        Ok(None) => std::process::Stdio::null(),
        Err(error) => return failed(format!("cannot open the log file: {error}")),
    };
    let Ok(program) = std::env::current_exe() else { return failed("cannot find its own program".into()) };
    let mut command = std::process::Command::new(program);
    command.args(&forwarded).stdin(std::process::Stdio::null()).stdout(std::process::Stdio::piped()).stderr(log);
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(error) => return failed(format!("cannot start the server: {error}")),
    };
    let Some(stdout) = child.stdout.take() else { return failed("no stdout from the server".into()) };
    let lines: Vec<String> = std::io::BufReader::new(stdout).lines().map_while(Result::ok).collect();
    if lines.is_empty() {
        let status = child.wait().map(|status| status.to_string()).unwrap_or_default();
        return failed(format!("the server did not start ({status}); run it without --detach to see why"));
    }
    let mut out = std::io::stdout().lock();
    for line in lines {
        let _ = writeln!(out, "{line}");
    }
    let _ = writeln!(out, "CONDUCTOR_SANDBOX_PID={}", child.id());
    ExitCode::SUCCESS
}

async fn serve(args: Args) -> ExitCode {
    let latency = if args.qbd_latency { QBD_LATENCY } else { Duration::from_millis(args.latency_ms) };
    let stderr = Stderr::start();
    let (requests, accepts) = (stderr.clone(), stderr.clone());
    let mut builder = Sandbox::builder()
        .addr(SocketAddr::new(args.host, args.port))
        .latency(latency)
        .cursor_ttl(Duration::from_secs(args.cursor_ttl_secs))
        .max_connections(args.max_connections)
        .on_request(move |request| requests.line(request_line(request)))
        .on_accept_error(move |error| accepts.line(format!("conductor-sandbox: accept failed: {error}")));
    if let Some(key) = args.api_key {
        builder = builder.api_key(key);
    }
    let sandbox = match builder.start().await {
        Ok(sandbox) => sandbox,
        Err(error) => {
            stderr.line(format!("conductor-sandbox: cannot listen on {}:{}: {error}", args.host, args.port));
            stderr.finish();
            return ExitCode::FAILURE;
        }
    };
    let mut lines = vec![
        format!("CONDUCTOR_BASE_URL={}", sandbox.base_url()),
        format!("CONDUCTOR_SECRET_KEY={}", sandbox.api_key()),
    ];
    if let Some(count) = args.seed_invoices {
        let user = sandbox.create_end_user("Sandbox Company", "sandbox@example.com");
        if let Err(error) = sandbox.seed_invoices(&user.id, count) {
            stderr.line(format!("conductor-sandbox: cannot seed invoices: {error}"));
        }
        if let Some(state) = args.connection {
            sandbox.set_connection(&user.id, state);
        }
        lines.push(format!("CONDUCTOR_END_USER_ID={}", user.id));
    }
    print_and_close_stdout(&lines);

    let signal = stopped().await;
    drop(sandbox);
    stderr.line(format!("conductor-sandbox: stopped on {signal}"));
    stderr.finish();
    ExitCode::SUCCESS
}

/// Prints `lines` to stdout, flushes them, and closes stdout, so that a
/// reader waiting for its end (`--detach`, or `head`) goes on. A stdout
/// that is already closed is no error: the lines are only lost.
fn print_and_close_stdout(lines: &[String]) {
    let mut out = std::io::stdout().lock();
    for line in lines {
        let _ = writeln!(out, "{line}");
    }
    let _ = out.flush();
    drop(out);
    // What stdout was is closed by putting /dev/null in its place, so that
    // its descriptor stays taken and nothing written later goes astray.
    #[cfg(unix)]
    if let Ok(null) = std::fs::OpenOptions::new().write(true).open("/dev/null") {
        let _ = rustix::stdio::dup2_stdout(&null);
    }
}

/// The lines for stderr, written by a thread of their own. A request never
/// waits for stderr: when the writer falls behind (a pipe nobody reads),
/// lines are dropped and counted, and a stderr that cannot be written (a
/// closed one) is ignored, never a panic.
#[derive(Clone)]
struct Stderr {
    sender: SyncSender<String>,
    dropped: Arc<AtomicU64>,
    done: Arc<std::sync::Mutex<Option<std::thread::JoinHandle<()>>>>,
}

/// How many lines may wait for the writer.
const STDERR_QUEUE: usize = 4096;

impl Stderr {
    fn start() -> Self {
        let (sender, receiver) = sync_channel(STDERR_QUEUE);
        let dropped = Arc::new(AtomicU64::new(0));
        let writer = {
            let dropped = Arc::clone(&dropped);
            std::thread::Builder::new().name("stderr".into()).spawn(move || write_lines(&receiver, &dropped)).ok()
        };
        Stderr { sender, dropped, done: Arc::new(std::sync::Mutex::new(writer)) }
    }

    fn line(&self, line: String) {
        match self.sender.try_send(line) {
            Ok(()) => {}
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                self.dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Lets the writer finish the lines queued so far, for up to a second.
    fn finish(self) {
        let writer = self.done.lock().ok().and_then(|mut writer| writer.take());
        drop(self);
        if let Some(writer) = writer {
            let deadline = std::time::Instant::now() + Duration::from_secs(1);
            while !writer.is_finished() && std::time::Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    }
}

fn write_lines(receiver: &Receiver<String>, dropped: &AtomicU64) {
    let mut stderr = std::io::stderr();
    while let Ok(line) = receiver.recv() {
        let missed = dropped.swap(0, Ordering::Relaxed);
        if missed > 0 {
            let _ = writeln!(stderr, "conductor-sandbox: {missed} log lines dropped (stderr was not being read)");
        }
        let _ = writeln!(stderr, "{line}");
    }
}

fn connection_state(name: &str) -> Result<ConnectionState, String> {
    ConnectionState::from_name(name)
        .ok_or_else(|| format!("{name:?} is not a state: connected, offline, timeout or not-set-up"))
}

/// One line per request: method, path, status, time and request id.
fn request_line(request: &RequestLog) -> String {
    format!(
        "{} {} {} {:.1}ms {}",
        request.method,
        request.path,
        request.status,
        request.elapsed.as_secs_f64() * 1e3,
        request.request_id
    )
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
