//! The benchmark server: fixed bodies on 127.0.0.1, in a process of its own.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};

use crate::PAGE;

/// How long the server takes for each page of invoices.
const PAGE_DELAY: Duration = Duration::from_millis(5);

/// Connections accepted so far, for `/v1/stats/connections`.
static CONNECTIONS: AtomicUsize = AtomicUsize::new(0);

struct Bodies {
    end_users: Bytes,
    /// 150 invoices, each serialized.
    invoices: Vec<String>,
    decode_page: Bytes,
}

pub(crate) fn serve(args: &[String]) {
    let spec_path = args.windows(2).find(|w| w[0] == "--spec").map(|w| w[1].clone()).expect("--spec PATH");
    let spec: Value = serde_json::from_str(&std::fs::read_to_string(&spec_path).expect("read the spec")).expect("JSON");
    let schemas = &spec["components"]["schemas"];
    let end_users: Vec<Value> = (0..10)
        .map(|i| {
            let mut user = schemas["end_user"]["example"].clone();
            user["id"] = json!(format!("end_usr_{i:016}"));
            user
        })
        .collect();
    // The description's example invoice, with its two lines: a page of 150
    // is about 1 MB.
    let invoice = schemas["qbd_invoice"]["example"].clone();
    let invoices: Vec<String> = (0..PAGE)
        .map(|i| {
            let mut invoice = invoice.clone();
            invoice["id"] = json!(format!("{i:X}-1234567890"));
            invoice.to_string()
        })
        .collect();
    let decode_page = page(&invoices, PAGE, Some("cursor-1"), 1000);
    let bodies = Arc::new(Bodies {
        end_users: Bytes::from(json!({"objectType": "list", "url": "/v1/end-users", "data": end_users}).to_string()),
        invoices,
        decode_page: Bytes::from(decode_page),
    });

    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("runtime");
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        println!("{}", listener.local_addr().expect("address").port());
        loop {
            let (stream, _) = listener.accept().await.expect("accept");
            CONNECTIONS.fetch_add(1, Ordering::Relaxed);
            let bodies = Arc::clone(&bodies);
            tokio::spawn(async move {
                let service = service_fn(move |request| answer(Arc::clone(&bodies), request));
                let _ =
                    hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
            });
        }
    });
}

fn page(invoices: &[String], count: usize, next: Option<&str>, remaining: usize) -> String {
    format!(
        "{{\"objectType\":\"list\",\"url\":\"/v1/quickbooks-desktop/invoices\",\"data\":[{}],\"nextCursor\":{},\"hasMore\":{},\"remainingCount\":{remaining}}}",
        invoices[..count].join(","),
        next.map_or("null".to_owned(), |c| format!("{c:?}")),
        next.is_some(),
    )
}

async fn answer(
    bodies: Arc<Bodies>,
    request: hyper::Request<hyper::body::Incoming>,
) -> Result<hyper::Response<Full<Bytes>>, std::convert::Infallible> {
    let body = match request.uri().path() {
        "/v1/end-users" => bodies.end_users.clone(),
        "/v1/decode-page" => bodies.decode_page.clone(),
        "/v1/stats/connections" => Bytes::from(CONNECTIONS.load(Ordering::Relaxed).to_string()),
        "/v1/quickbooks-desktop/invoices" => {
            tokio::time::sleep(PAGE_DELAY).await;
            let query = request.uri().query().unwrap_or("");
            let value = |name: &str| {
                query.split('&').find_map(|pair| pair.strip_prefix(name).and_then(|rest| rest.strip_prefix('=')))
            };
            // The total number of records comes in as `refNumberContains=total-N`.
            let total: usize = value("refNumberContains")
                .and_then(|v| v.strip_prefix("total-"))
                .and_then(|n| n.parse().ok())
                .unwrap_or(PAGE);
            let offset: usize =
                value("cursor").and_then(|c| c.strip_prefix("cursor-")).and_then(|n| n.parse().ok()).unwrap_or(0);
            let count = PAGE.min(total - offset);
            let end = offset + count;
            let next = (end < total).then(|| format!("cursor-{end}"));
            Bytes::from(page(&bodies.invoices, count, next.as_deref(), total - end))
        }
        _ => Bytes::from_static(b"{\"error\":{\"message\":\"no such route\"}}"),
    };
    Ok(hyper::Response::builder()
        .header("content-type", "application/json")
        .header("conductor-request-id", "req_bench")
        .body(Full::new(body))
        .expect("response"))
}
