//! Benchmarks: the cost of the client over hand-written reqwest + serde_json
//! code doing the same requests on the same runtime and connection pool.
//!
//! ```sh
//! cargo run --release -p conductor-bench [-- --spec PATH] [--quick] [--profile ours|raw [--rounds N]]
//! ```
//!
//! The server is this binary run with `--serve`, in a process of its own, so
//! neither its work nor its memory is measured. It answers fixed bodies on
//! 127.0.0.1. The figures are printed, not asserted.

mod alloc;
mod server;

use std::time::{Duration, Instant};

use bytes::Bytes;
use conductor::qbd::{CursorPage, Invoice, InvoiceListParams};
use conductor::reqwest::{self, StatusCode, header};
use conductor::{Client, EndUser, Response};
use futures_util::TryStreamExt;
use serde::Deserialize;
use tokio::io::AsyncBufReadExt;

/// A caller of `GET /end-users` written by hand (`raw_end_users`) that
/// tasks can own: a closure over clones of the client and the base URL.
macro_rules! raw_caller {
    ($http:expr, $base:expr) => {{
        let (http, base) = ($http.clone(), $base.to_owned());
        move || raw_end_users(http.clone(), format!("{base}/end-users"))
    }};
}

/// A caller of `client.end_users().list()` that tasks can own.
macro_rules! our_caller {
    ($client:expr) => {{
        let client = $client.clone();
        move || {
            let client = client.clone();
            async move { client.end_users().list().await.expect("list") }
        }
    }};
}

#[global_allocator]
static ALLOCATOR: alloc::Counting = alloc::Counting;

const KEY: &str = "sk_bench_key";
const PAGE: usize = 150;
const STREAM_RECORDS: usize = 100_000;
/// What the consumer spends on each page of the stream.
const CONSUMER_WORK_PER_PAGE: Duration = Duration::from_millis(5);

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--serve") {
        return server::serve(&args);
    }
    let quick = args.iter().any(|a| a == "--quick");
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    runtime.block_on(run(&args, quick));
}

/// The list envelope, decoded the way hand-written code would.
#[derive(Deserialize)]
struct RawList<T> {
    data: Vec<T>,
}

struct Row {
    scenario: &'static str,
    measure: &'static str,
    value: String,
    target: &'static str,
}

async fn run(args: &[String], quick: bool) {
    let spec = args.windows(2).find(|w| w[0] == "--spec").map(|w| w[1].clone()).unwrap_or_else(|| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/conductor-openapi-official.json").to_owned()
    });
    // A self-signed certificate for 127.0.0.1, trusted only by this run.
    let tls_dir = std::env::temp_dir().join(format!("conductor-bench-{}", std::process::id()));
    std::fs::create_dir_all(&tls_dir).expect("a temporary folder");
    let certified = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).expect("a certificate");
    std::fs::write(tls_dir.join("cert.pem"), certified.cert.pem()).expect("write the certificate");
    std::fs::write(tls_dir.join("key.pem"), certified.signing_key.serialize_pem()).expect("write the key");
    let certificate = reqwest::Certificate::from_pem(certified.cert.pem().as_bytes()).expect("certificate");
    let mut child = tokio::process::Command::new(std::env::current_exe().expect("own path"))
        .args(["--serve", "--spec", &spec, "--tls", tls_dir.to_str().expect("a UTF-8 path")])
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start the server");
    let mut lines = tokio::io::BufReader::new(child.stdout.take().expect("stdout")).lines();
    let ports: Vec<u16> = lines
        .next_line()
        .await
        .expect("server output")
        .expect("the ports")
        .split(' ')
        .map(|port| port.parse().expect("a port number"))
        .collect();
    let base = format!("http://127.0.0.1:{}/v1", ports[0]);
    let (tls_base, h2_base) =
        (format!("https://127.0.0.1:{}/v1", ports[1]), format!("https://127.0.0.1:{}/v1", ports[2]));

    let http = reqwest::Client::builder().pool_max_idle_per_host(64).build().expect("reqwest client");
    let client = Client::builder().api_key(KEY).base_url(&base).http_client(http.clone()).build().expect("client");
    let mut rows = Vec::new();

    // 1. One call at a time.
    let calls = if quick { 300 } else { 3000 };
    let raw_list = raw_caller!(http, base);
    let ours_list = our_caller!(client);
    // `--profile ours|raw`: only the 64-caller load of one side, for a
    // profiler to record.
    if let Some(side) = args.windows(2).find(|w| w[0] == "--profile").map(|w| w[1].clone()) {
        let rounds = args.windows(2).find(|w| w[0] == "--rounds").and_then(|w| w[1].parse().ok()).unwrap_or(20);
        for _ in 0..rounds {
            let load = if side == "raw" {
                load(64, 150, raw_list.clone()).await
            } else {
                load(64, 150, ours_list.clone()).await
            };
            println!("{side}: {:.0} calls/s, {:.1} µs CPU per call", load.rate, load.cpu_per_call * 1e6);
        }
        let _ = child.kill().await;
        return;
    }

    for _ in 0..100 {
        assert_eq!(raw_list().await.len(), 10);
        assert_eq!(ours_list().await.len(), 10);
    }
    let mut raw_times = Vec::with_capacity(calls);
    let mut our_times = Vec::with_capacity(calls);
    for _ in 0..calls {
        let started = Instant::now();
        raw_list().await;
        raw_times.push(started.elapsed());
        let started = Instant::now();
        ours_list().await;
        our_times.push(started.elapsed());
    }
    let (raw_median, our_median) = (median(&mut raw_times), median(&mut our_times));
    rows.push(Row {
        scenario: "`end_users().list()` of 10, one call at a time",
        measure: "median latency, ours / raw",
        value: format!("{:.3} ({:?} / {:?})", ratio(our_median, raw_median), our_median, raw_median),
        target: "<= 1.05",
    });

    // 2. 64 concurrent callers on one client.
    let per_caller = if quick { 20 } else { 150 };
    let (mut rate_ratios, mut cpu_ratios) = (Vec::new(), Vec::new());
    let (mut raw_rates, mut our_rates) = (Vec::new(), Vec::new());
    // The two sides take turns going first, so neither always runs on a
    // pool the other has just warmed.
    let rounds = if quick { 6 } else { 20 };
    for round in 0..rounds {
        let (raw, ours) = if round % 2 == 0 {
            let raw = load(64, per_caller, raw_list.clone()).await;
            (raw, load(64, per_caller, ours_list.clone()).await)
        } else {
            let ours = load(64, per_caller, ours_list.clone()).await;
            (load(64, per_caller, raw_list.clone()).await, ours)
        };
        rate_ratios.push(ours.rate / raw.rate);
        cpu_ratios.push(ours.cpu_per_call / raw.cpu_per_call);
        raw_rates.push(raw.rate);
        our_rates.push(ours.rate);
    }
    rows.push(Row {
        scenario: if quick {
            "the same with 64 concurrent callers on one client (median of 6 rounds, the sides taking turns)"
        } else {
            "the same with 64 concurrent callers on one client (median of 20 rounds, the sides taking turns)"
        },
        measure: "throughput, ours / raw (lowest to highest round)",
        value: format!(
            "{:.3} ({:.0} / {:.0} calls/s; {})",
            median_f64(&mut rate_ratios),
            median_f64(&mut our_rates),
            median_f64(&mut raw_rates),
            spread(&rate_ratios),
        ),
        target: ">= 1.00",
    });
    rows.push(Row {
        scenario: "the same",
        measure: "CPU time per call (client process), ours / raw (lowest to highest round)",
        value: format!("{:.3} ({})", median_f64(&mut cpu_ratios), spread(&cpu_ratios)),
        target: "<= 1.00",
    });

    // 3. Decoding one page of 150 invoices.
    let page_bytes: Bytes =
        http.get(format!("{base}/decode-page")).send().await.expect("page").bytes().await.expect("body");
    let rounds = if quick { 20 } else { 200 };
    let mut raw_decode = Vec::new();
    let mut our_decode = Vec::new();
    for _ in 0..rounds {
        let started = Instant::now();
        let page: CursorPage<Invoice> = serde_json::from_slice(&page_bytes).expect("raw decode");
        raw_decode.push(started.elapsed());
        drop(page);
        let response = Response::new(StatusCode::OK, header::HeaderMap::new(), page_bytes.clone());
        let started = Instant::now();
        let page: CursorPage<Invoice> = conductor::__private::FromResponse::from_response(response).expect("decode");
        our_decode.push(started.elapsed());
        assert_eq!(page.data.len(), PAGE);
    }
    let (raw_d, our_d) = (median(&mut raw_decode), median(&mut our_decode));
    rows.push(Row {
        scenario: "decode one page of 150 invoices with line items",
        measure: "time, ours / `serde_json::from_slice`",
        value: format!("{:.3} ({our_d:?} / {raw_d:?}, {:.2} MB)", ratio(our_d, raw_d), page_bytes.len() as f64 / 1e6),
        target: "<= 1.05",
    });

    // 4 and 5. Streaming 100,000 invoices, 5 ms per page at the server and
    // 5 ms of work per page at the consumer.
    let records = if quick { 15_000 } else { STREAM_RECORDS };
    let qbd = client.qbd().for_end_user("end_usr_bench");
    let one_page_bytes = {
        let before = alloc::live_bytes();
        let page: CursorPage<Invoice> = serde_json::from_slice(&page_bytes).expect("decode");
        let size = alloc::live_bytes() - before;
        drop(page);
        size
    };
    let params = InvoiceListParams {
        limit: Some(PAGE as i64),
        ref_number_contains: Some(format!("total-{records}")),
        ..Default::default()
    };
    let started = Instant::now();
    let baseline = alloc::reset_peak();
    let mut stream = qbd.invoices().list_all(params.clone());
    let mut consumed = 0usize;
    while let Some(_invoice) = stream.try_next().await.expect("stream") {
        consumed += 1;
        if consumed % PAGE == 0 {
            tokio::time::sleep(CONSUMER_WORK_PER_PAGE).await;
        }
    }
    let stream_time = started.elapsed();
    let peak = alloc::peak_bytes() - baseline;
    drop(stream);
    assert_eq!(consumed, records);

    let started = Instant::now();
    let mut consumed = 0usize;
    let mut cursor: Option<String> = None;
    loop {
        let mut page_params = params.clone();
        page_params.cursor = cursor.take();
        let mut url = format!("{base}/quickbooks-desktop/invoices?limit={PAGE}&refNumberContains=total-{records}");
        if let Some(cursor) = &page_params.cursor {
            url.push_str(&format!("&cursor={cursor}"));
        }
        let request = http
            .get(url)
            .header(header::AUTHORIZATION, format!("Bearer {KEY}"))
            .header("conductor-end-user-id", "end_usr_bench");
        let body = request.send().await.expect("send").bytes().await.expect("body");
        let page: CursorPage<Invoice> = serde_json::from_slice(&body).expect("decode");
        consumed += page.data.len();
        tokio::time::sleep(CONSUMER_WORK_PER_PAGE).await;
        match page.next_cursor() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    let raw_stream_time = started.elapsed();
    assert_eq!(consumed, records);
    rows.push(Row {
        scenario: "stream 100,000 invoices in pages of 150 (server 5 ms, consumer 5 ms per page)",
        measure: "peak heap while streaming, in decoded pages",
        value: format!(
            "{:.2} pages ({:.1} MB; one page {:.1} MB)",
            peak as f64 / one_page_bytes as f64,
            peak as f64 / 1e6,
            one_page_bytes as f64 / 1e6
        ),
        target: "< 4",
    });
    rows.push(Row {
        scenario: "the same",
        measure: "wall time, ours / raw page-by-page loop",
        value: format!("{:.3} ({stream_time:.2?} / {raw_stream_time:.2?})", ratio(stream_time, raw_stream_time)),
        target: "<= 0.65",
    });

    // 6. Allocations of one request.
    let count = 500;
    let before = alloc::allocations();
    for _ in 0..count {
        raw_list().await;
    }
    let raw_allocs = (alloc::allocations() - before) as f64 / count as f64;
    let before = alloc::allocations();
    for _ in 0..count {
        ours_list().await;
    }
    let our_allocs = (alloc::allocations() - before) as f64 / count as f64;
    rows.push(Row {
        scenario: "one `end_users().list()` request",
        measure: "allocations, ours vs raw",
        value: format!("{our_allocs:.0} vs {raw_allocs:.0} ({:+.0})", our_allocs - raw_allocs),
        target: "report",
    });

    // The futures of one call, as a caller stores them (and moves them,
    // into a task or a collection): the bytes that are copied.
    let our_future = std::mem::size_of_val(&client.end_users().list());
    let raw_future = std::mem::size_of_val(&raw_list());
    rows.push(Row {
        scenario: "the future of one `end_users().list()` call, before it is polled",
        measure: "size in bytes, ours vs raw",
        value: format!("{our_future} vs {raw_future}"),
        target: "report",
    });

    // 7. Connections opened by 64 concurrent callers, each client with its
    // own pool and default settings: fresh clients each round, the sides
    // taking turns going first.
    let total_calls = if quick { 2_000 } else { 20_000 };
    let connection_rounds = if quick { 3 } else { 5 };
    let (mut our_counts, mut raw_counts) = (Vec::new(), Vec::new());
    for round in 0..connection_rounds {
        let ours_default = Client::builder().api_key(KEY).base_url(&base).build().expect("client");
        let raw_default = reqwest::Client::new();
        let raw_default_list = raw_caller!(raw_default, base);
        let ours_default_list = our_caller!(ours_default);
        let raw_run = || connections_opened(&http, &base, throughput(64, total_calls / 64, raw_default_list.clone()));
        let our_run = || connections_opened(&http, &base, throughput(64, total_calls / 64, ours_default_list.clone()));
        if round % 2 == 0 {
            raw_counts.push(raw_run().await);
            our_counts.push(our_run().await);
        } else {
            our_counts.push(our_run().await);
            raw_counts.push(raw_run().await);
        }
    }
    let rounds_shown =
        our_counts.iter().zip(&raw_counts).map(|(ours, raw)| format!("{ours} vs {raw}")).collect::<Vec<_>>().join(", ");
    rows.push(Row {
        scenario: "20,000 `end_users().list()` calls from 64 concurrent callers, each client with its own pool and default settings (fresh clients each round)",
        measure: "TCP connections opened, ours vs raw reqwest: median; each round",
        value: format!("{} vs {}; {rounds_shown}", median_i64(&mut our_counts), median_i64(&mut raw_counts)),
        target: "<= raw",
    });

    // 9 and 10. Over TLS, with each client's own pool and default settings:
    // HTTP/1.1 only, then a server that offers h2.
    for (scenario, tls_url) in [("TLS, HTTP/1.1", &tls_base), ("TLS, h2 offered by ALPN", &h2_base)] {
        let (mut handshakes, mut rate_ratios, mut cpu_ratios) = (Vec::new(), Vec::new(), Vec::new());
        for round in 0..connection_rounds {
            let raw_tls =
                reqwest::Client::builder().tls_certs_only([certificate.clone()]).build().expect("raw TLS client");
            let ours_tls = Client::builder()
                .api_key(KEY)
                .base_url(tls_url)
                .add_root_certificate(certificate.clone())
                .build()
                .expect("TLS client");
            let raw_call = raw_caller!(raw_tls, tls_url);
            let our_call = our_caller!(ours_tls);
            // One call first, as an application's first call would be: it
            // tells the pool whether the server speaks h2, so the burst that
            // follows can share its connection.
            let raw_run = || async {
                let mut raw = None;
                let opened = connections_opened(&http, &base, async {
                    raw_call().await;
                    raw = Some(load(64, total_calls / 64, raw_call.clone()).await);
                })
                .await;
                (raw.expect("ran"), opened)
            };
            let our_run = || async {
                let mut ours = None;
                let opened = connections_opened(&http, &base, async {
                    our_call().await;
                    ours = Some(load(64, total_calls / 64, our_call.clone()).await);
                })
                .await;
                (ours.expect("ran"), opened)
            };
            let ((raw, raw_connections), (ours, our_connections)) = if round % 2 == 0 {
                let raw = raw_run().await;
                (raw, our_run().await)
            } else {
                let ours = our_run().await;
                (raw_run().await, ours)
            };
            handshakes.push((our_connections, raw_connections));
            rate_ratios.push(ours.rate / raw.rate);
            cpu_ratios.push(ours.cpu_per_call / raw.cpu_per_call);
        }
        let rows_handshakes =
            handshakes.iter().map(|(ours, raw)| format!("{ours} vs {raw}")).collect::<Vec<_>>().join(", ");
        rows.push(Row {
            scenario: if scenario.starts_with("TLS, h2") {
                "one call, then 20,000 calls from 64 concurrent callers, over TLS to a server offering h2 (fresh clients each round, the sides taking turns)"
            } else {
                "one call, then 20,000 calls from 64 concurrent callers, over TLS with HTTP/1.1 (fresh clients each round, the sides taking turns)"
            },
            measure: "connections (TLS handshakes) each round, ours vs raw; throughput and CPU per call, ours / raw (medians)",
            value: format!(
                "{rows_handshakes}; {:.3}; {:.3}",
                median_f64(&mut rate_ratios),
                median_f64(&mut cpu_ratios)
            ),
            target: "report",
        });
    }
    let _ = std::fs::remove_dir_all(&tls_dir);

    // 11. A realistic network: 50 Mbit/s and 20 ms before each answer, with
    // gzip and without.
    let paced_base = format!("http://127.0.0.1:{}/paced/v1", ports[0]);
    let mut paced: Vec<PacedRun> = Vec::new();
    for gzip in [true, false] {
        let mut builder = Client::builder().api_key(KEY).base_url(&paced_base);
        if !gzip {
            builder = builder.http_client(reqwest::Client::builder().no_gzip().build().expect("client"));
        }
        let qbd = builder.build().expect("client").qbd().for_end_user("end_usr_bench");
        let params = |total: usize| InvoiceListParams {
            limit: Some(PAGE as i64),
            ref_number_contains: Some(format!("total-{total}")),
            ..Default::default()
        };
        qbd.invoices().list(&params(1)).await.expect("warm-up");
        let paced_bytes = || async {
            let text = http.get(format!("{base}/stats/paced-bytes")).send().await.expect("stats").text().await;
            text.expect("stats body").parse::<usize>().expect("a count")
        };
        let before = paced_bytes().await;
        let started = Instant::now();
        assert_eq!(qbd.invoices().list(&params(PAGE)).await.expect("page").data.len(), PAGE);
        let one_page = (started.elapsed(), paced_bytes().await - before);
        let before = paced_bytes().await;
        let started = Instant::now();
        let all: Vec<Invoice> = qbd.invoices().list_all(params(10 * PAGE)).try_collect().await.expect("stream");
        assert_eq!(all.len(), 10 * PAGE);
        let ten_pages = (started.elapsed(), paced_bytes().await - before);
        paced.push((if gzip { "gzip" } else { "identity" }, one_page, ten_pages));
    }
    let shown = |pick: fn(&PacedRun) -> (Duration, usize)| {
        paced
            .iter()
            .map(|row| {
                let (time, bytes) = pick(row);
                format!("{}: {:.0} ms, {:.0} KB", row.0, time.as_secs_f64() * 1e3, bytes as f64 / 1e3)
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    rows.push(Row {
        scenario: "one page of 150 invoices over 50 Mbit/s with 20 ms latency",
        measure: "wall time; body bytes on the wire",
        value: shown(|row| row.1),
        target: "report",
    });
    rows.push(Row {
        scenario: "`list_all` of 10 such pages",
        measure: "wall time; body bytes on the wire",
        value: shown(|row| row.2),
        target: "report",
    });

    // 8. Memory of the models.
    let heap_per_invoice = one_page_bytes as f64 / PAGE as f64;
    rows.push(Row {
        scenario: "the spec's example invoice, decoded (two lines)",
        measure: "`size_of::<Invoice>()`; heap bytes per decoded invoice",
        value: format!(
            "{} bytes; {heap_per_invoice:.0} bytes (`InvoiceLine` {} bytes, `ObjectRef` {} bytes)",
            std::mem::size_of::<Invoice>(),
            std::mem::size_of::<conductor::qbd::InvoiceLine>(),
            std::mem::size_of::<conductor::qbd::ObjectRef>(),
        ),
        target: "report",
    });

    println!("\n| scenario | measure | result | target |\n| --- | --- | --- | --- |");
    for row in rows {
        println!("| {} | {} | {} | {} |", row.scenario, row.measure, row.value, row.target);
    }
    let _ = child.kill().await;
}

/// Calls per second of `callers` tasks, each making `per_caller` calls one
/// after another, each call made as it is awaited (as an application
/// makes them).
async fn throughput<F, Fut, T>(callers: usize, per_caller: usize, call: F) -> f64
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(callers);
    for _ in 0..callers {
        let call = call.clone();
        tasks.push(tokio::spawn(async move {
            for _ in 0..per_caller {
                call().await;
            }
        }));
    }
    for task in tasks {
        task.await.expect("caller");
    }
    (callers * per_caller) as f64 / started.elapsed().as_secs_f64()
}

/// `GET /end-users` written by hand over reqwest + serde_json: the baseline.
async fn raw_end_users(http: reqwest::Client, url: String) -> Vec<EndUser> {
    let response = http
        .get(url)
        .header(header::AUTHORIZATION, format!("Bearer {KEY}"))
        .header(header::ACCEPT, "application/json")
        .send()
        .await
        .expect("send");
    let body = response.bytes().await.expect("body");
    serde_json::from_slice::<RawList<EndUser>>(&body).expect("decode").data
}

/// An encoding, and the wall time and bytes of one page and of ten pages.
type PacedRun = (&'static str, (Duration, usize), (Duration, usize));

/// The rate and the client process's CPU time per call of a load run.
struct Load {
    rate: f64,
    cpu_per_call: f64,
}

async fn load<F, Fut, T>(callers: usize, per_caller: usize, call: F) -> Load
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let cpu = cpu_time();
    let rate = throughput(callers, per_caller, call).await;
    let cpu_per_call = (cpu_time() - cpu).as_secs_f64() / (callers * per_caller) as f64;
    Load { rate, cpu_per_call }
}

/// The CPU time this process has used, user and system, to the nanosecond
/// (`CLOCK_PROCESS_CPUTIME_ID`: every thread of the process, none of the
/// server's).
fn cpu_time() -> Duration {
    let mut now = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `now` is a valid, writable timespec for the call to fill.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut now) };
    assert_eq!(status, 0, "clock_gettime(CLOCK_PROCESS_CPUTIME_ID)");
    Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
}

/// How many connections the server accepted while `work` ran; the counting
/// requests go through the benchmark's own pool, already open.
async fn connections_opened<T>(http: &reqwest::Client, base: &str, work: impl std::future::Future<Output = T>) -> i64 {
    let count = || async {
        let text = http.get(format!("{base}/stats/connections")).send().await.expect("stats").text().await;
        text.expect("stats body").parse::<i64>().expect("a count")
    };
    let before = count().await;
    work.await;
    count().await - before
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn median_i64(values: &mut [i64]) -> i64 {
    values.sort();
    values[values.len() / 2]
}

fn median_f64(values: &mut [f64]) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values[values.len() / 2]
}

/// The lowest and highest of sorted ratios.
fn spread(sorted: &[f64]) -> String {
    format!("{:.3} to {:.3}", sorted[0], sorted[sorted.len() - 1])
}

fn ratio(ours: Duration, raw: Duration) -> f64 {
    ours.as_secs_f64() / raw.as_secs_f64()
}
