//! Benchmarks: the cost of the client over hand-written reqwest + serde_json
//! code doing the same requests on the same runtime and connection pool.
//!
//! ```sh
//! cargo run --release -p conductor-bench [-- --spec PATH] [--quick]
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
    let spec = args
        .windows(2)
        .find(|w| w[0] == "--spec")
        .map(|w| w[1].clone())
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/conductor-openapi.json").to_owned());
    let mut child = tokio::process::Command::new(std::env::current_exe().expect("own path"))
        .args(["--serve", "--spec", &spec])
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start the server");
    let mut lines = tokio::io::BufReader::new(child.stdout.take().expect("stdout")).lines();
    let port: u16 = lines.next_line().await.expect("server output").expect("a port").parse().expect("a port number");
    let base = format!("http://127.0.0.1:{port}/v1");

    let http = reqwest::Client::builder().pool_max_idle_per_host(64).build().expect("reqwest client");
    let client = Client::builder().api_key(KEY).base_url(&base).http_client(http.clone()).build().expect("client");
    let mut rows = Vec::new();

    // 1. One call at a time.
    let calls = if quick { 300 } else { 3000 };
    let raw_list = || {
        let http = http.clone();
        let url = format!("{base}/end-users");
        async move {
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
    };
    let ours_list = || {
        let client = client.clone();
        async move { client.end_users().list().await.expect("list") }
    };
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
    let mut raw_rates = Vec::new();
    let mut our_rates = Vec::new();
    for _ in 0..3 {
        raw_rates.push(throughput(64, per_caller, raw_list).await);
        our_rates.push(throughput(64, per_caller, ours_list).await);
    }
    let (raw_rate, our_rate) = (median_f64(&mut raw_rates), median_f64(&mut our_rates));
    rows.push(Row {
        scenario: "the same with 64 concurrent callers on one client",
        measure: "throughput, ours / raw",
        value: format!("{:.3} ({our_rate:.0} / {raw_rate:.0} calls/s)", our_rate / raw_rate),
        target: ">= 0.95",
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

    // 7. Connections opened by 64 concurrent callers, each client with its
    // own pool and default settings.
    let total_calls = if quick { 2_000 } else { 20_000 };
    let ours_default = Client::builder().api_key(KEY).base_url(&base).build().expect("client");
    let raw_default = reqwest::Client::new();
    let raw_default_list = || {
        let http = raw_default.clone();
        let url = format!("{base}/end-users");
        async move {
            let response =
                http.get(url).header(header::AUTHORIZATION, format!("Bearer {KEY}")).send().await.expect("send");
            let body = response.bytes().await.expect("body");
            serde_json::from_slice::<RawList<EndUser>>(&body).expect("decode").data
        }
    };
    let ours_default_list = || {
        let client = ours_default.clone();
        async move { client.end_users().list().await.expect("list") }
    };
    let raw_connections = connections_opened(&http, &base, throughput(64, total_calls / 64, raw_default_list)).await;
    let our_connections = connections_opened(&http, &base, throughput(64, total_calls / 64, ours_default_list)).await;
    rows.push(Row {
        scenario: "20,000 `end_users().list()` calls from 64 concurrent callers, each client with its own pool and default settings",
        measure: "TCP connections opened, ours vs raw reqwest",
        value: format!("{our_connections} vs {raw_connections}"),
        target: "<= raw",
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

async fn throughput<F, Fut, T>(callers: usize, per_caller: usize, call: F) -> f64
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(callers);
    for _ in 0..callers {
        let futures: Vec<Fut> = (0..per_caller).map(|_| call()).collect();
        tasks.push(tokio::spawn(async move {
            for future in futures {
                future.await;
            }
        }));
    }
    for task in tasks {
        task.await.expect("caller");
    }
    (callers * per_caller) as f64 / started.elapsed().as_secs_f64()
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

fn median_f64(values: &mut [f64]) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values[values.len() / 2]
}

fn ratio(ours: Duration, raw: Duration) -> f64 {
    ours.as_secs_f64() / raw.as_secs_f64()
}
