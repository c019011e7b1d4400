//! `conductor-mcp`: every QuickBooks Desktop operation of the Conductor API as
//! MCP tools, for AI agents.
//!
//! ```sh
//! cargo run -p conductor-mcp                       # stdio, read-only
//! cargo run -p conductor-mcp -- --transport http --port 8808 --http-token secret
//! ```
//!
//! It reads `CONDUCTOR_SECRET_KEY`, `CONDUCTOR_BASE_URL` and
//! `CONDUCTOR_END_USER_ID` (the default end-user) as the SDK does. Without a
//! key it serves an embedded sandbox seeded with a small company, and says so
//! on stderr. Over stdio nothing but MCP messages goes to stdout.

mod audit;
mod call;
mod check;
mod dry;
mod held;
mod operations;
mod search;
mod tools;
mod toolsets;
mod writes;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use clap::Parser;
use conductor::Client;
use conductor_sandbox::Sandbox;
use rmcp::ServiceExt;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};

use crate::tools::{Kind, Settings, Tools};

/// A mutex's value, even after a panic elsewhere held it: what it guards
/// (held lists, the audit file, dry runs, enabled toolsets) stays usable.
pub(crate) fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Every QuickBooks Desktop operation of the Conductor API as MCP tools.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// How MCP clients reach the server: stdio, or Streamable HTTP.
    #[arg(long, default_value = "stdio", value_parser = ["stdio", "http"])]
    transport: String,
    /// With `--transport http`: the port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8808)]
    port: u16,
    /// With `--transport http`: the address to listen on.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    host: IpAddr,
    /// With `--transport http`: the bearer token every request must carry.
    #[arg(long, env = "CONDUCTOR_MCP_TOKEN", hide_env_values = true)]
    http_token: Option<String>,
    /// Allow every kind of write: creates, updates, voids, deletes and
    /// passthrough (read-only otherwise).
    #[arg(long)]
    allow_writes: bool,
    /// Allow only these kinds of write (comma-separated: create, update,
    /// void, delete, passthrough).
    #[arg(long, value_name = "KINDS", conflicts_with = "allow_writes", value_parser = writes::parse_allowed)]
    allow: Option<std::collections::BTreeSet<&'static str>>,
    /// Append one JSON line per tool call to this file, before answering.
    #[arg(long, value_name = "PATH")]
    audit_log: Option<std::path::PathBuf>,
    /// With `--transport http`: another Host name to accept (repeatable),
    /// for a server behind a reverse proxy; browsers on its https origin are
    /// accepted too.
    #[arg(long = "allowed-host", value_name = "NAME")]
    allowed_hosts: Vec<String>,
    /// `all` also offers one tool per operation (`list_invoices`, ...).
    #[arg(long, default_value = "core", value_parser = ["core", "all"])]
    tools: String,
    /// With `--tools all`: only this resource's operations (`invoices`).
    #[arg(long)]
    resource: Option<String>,
    /// With `--tools all`: only reads or only writes.
    #[arg(long, value_parser = Kind::parse)]
    operation: Option<Kind>,
    /// Also offer one tool per operation of these toolsets
    /// (comma-separated: receivables, payables, banking, accounting, items,
    /// inventory, sales_tax, lists, employees, reports, account; or all).
    #[arg(long, value_name = "NAMES", value_parser = toolsets::parse)]
    toolsets: Option<toolsets::Names>,
    /// Let the agent enable toolsets itself (`list_toolsets`,
    /// `enable_toolset`), the tool list changing as it does.
    #[arg(long)]
    dynamic_toolsets: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("conductor-mcp: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), String> {
    let (client, default_end_user, _sandbox) = connect().await?;
    let allowed = match (&args.allow, args.allow_writes) {
        (_, true) => writes::VERBS.into_iter().collect(),
        (Some(allowed), false) => allowed.clone(),
        (None, false) => Default::default(),
    };
    let audit = args.audit_log.as_deref().map(audit::Audit::open).transpose()?;
    let settings = Settings {
        allowed,
        audit,
        every_operation: args.tools == "all",
        resource: args.resource.clone(),
        kind: args.operation,
        toolsets: args.toolsets.clone().map(|names| names.0).unwrap_or_default(),
        dynamic: args.dynamic_toolsets,
        default_end_user,
    };
    let tools = Tools::new(client, settings);
    match args.transport.as_str() {
        "http" => serve_http(tools, &args).await,
        _ => {
            let service = tools.serve(rmcp::transport::stdio()).await.map_err(|e| format!("cannot start: {e}"))?;
            service.waiting().await.map_err(|e| format!("stopped: {e}"))?;
            Ok(())
        }
    }
}

/// The client, from the environment; or an embedded sandbox's, seeded with
/// a small company, when no key is set.
async fn connect() -> Result<(Client, Option<String>, Option<Sandbox>), String> {
    let end_user = std::env::var("CONDUCTOR_END_USER_ID").ok().filter(|id| !id.is_empty());
    if std::env::var("CONDUCTOR_SECRET_KEY").is_ok_and(|key| !key.is_empty()) {
        let client = Client::from_env().map_err(|e| e.to_string())?;
        return Ok((client, end_user, None));
    }
    let sandbox = Sandbox::start().await.map_err(|e| format!("cannot start the sandbox: {e}"))?;
    let user = sandbox.create_end_user("Sandbox Company", "sandbox@example.com");
    sandbox.seed_invoices(&user.id, 40).map_err(|e| e.to_string())?;
    eprintln!(
        "conductor-mcp: CONDUCTOR_SECRET_KEY is not set, so this serves an embedded sandbox (not QuickBooks): one \
         end-user, {}, with 40 invoices and their customers",
        user.id
    );
    let client =
        Client::builder().api_key(sandbox.api_key()).base_url(sandbox.base_url()).build().map_err(|e| e.to_string())?;
    Ok((client, end_user.or(Some(user.id)), Some(sandbox)))
}

/// Streamable HTTP at `/mcp`, behind the bearer token, and `GET /health`.
async fn serve_http(tools: Tools, args: &Args) -> Result<(), String> {
    let Some(token) = args.http_token.clone().filter(|token| !token.is_empty()) else {
        return Err("--transport http needs a bearer token: --http-token or CONDUCTOR_MCP_TOKEN".into());
    };
    let listener = tokio::net::TcpListener::bind(SocketAddr::new(args.host, args.port))
        .await
        .map_err(|e| format!("cannot listen on {}:{}: {e}", args.host, args.port))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    // Only this machine's names, and browsers on this machine, unless
    // another address was asked for: DNS rebinding gets nowhere.
    let mut hosts = vec!["localhost".to_owned(), "127.0.0.1".to_owned(), "::1".to_owned()];
    if !args.host.is_loopback() && !args.host.is_unspecified() {
        hosts.push(args.host.to_string());
    }
    let mut origins = vec![
        "http://localhost:*".to_owned(),
        "http://127.0.0.1:*".to_owned(),
        "https://localhost:*".to_owned(),
        "https://127.0.0.1:*".to_owned(),
    ];
    for name in &args.allowed_hosts {
        if name.is_empty() || name.contains(['/', ' ', '*']) {
            return Err(format!("--allowed-host {name:?} is not a host name"));
        }
        hosts.push(name.clone());
        origins.push(format!("https://{name}"));
        origins.push(format!("https://{name}:*"));
    }
    let config = StreamableHttpServerConfig::default()
        .with_allowed_hosts(hosts)
        .with_allowed_origins(origins)
        .enforce_origin_validation();
    // `/mcp` follows the switches; `/mcp/read-only` refuses every write
    // whatever they say.
    let read_only = tools.read_only();
    let service =
        StreamableHttpService::new(move || Ok(tools.clone()), Arc::new(LocalSessionManager::default()), config.clone());
    let read_only =
        StreamableHttpService::new(move || Ok(read_only.clone()), Arc::new(LocalSessionManager::default()), config);
    let token = Arc::new(token);
    let app = Router::new()
        .nest_service("/mcp/read-only", read_only)
        .nest_service("/mcp", service)
        .layer(middleware::from_fn(move |request: Request, next: Next| {
            let token = Arc::clone(&token);
            async move { bearer(&token, request, next).await }
        }))
        .route("/health", get(|| async { axum::Json(serde_json::json!({"status": "ok"})) }));
    eprintln!("conductor-mcp: serving MCP on http://{addr}/mcp");
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| e.to_string())
}

/// Refuses a request without the bearer token, comparing in constant time.
async fn bearer(token: &str, request: Request, next: Next) -> Response {
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .unwrap_or_default();
    let equal =
        given.len() == token.len() && given.bytes().zip(token.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
    if !equal {
        let mut response = (StatusCode::UNAUTHORIZED, "a bearer token is required").into_response();
        response.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
        return response;
    }
    next.run(request).await
}
