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
/// Body bytes the paced routes wrote, for `/v1/stats/paced-bytes`.
static PACED_BYTES: AtomicUsize = AtomicUsize::new(0);

/// The paced routes' link: 50 Mbit/s, and 20 ms before each answer starts.
const PACED_BYTES_PER_SECOND: f64 = 50e6 / 8.0;
const PACED_LATENCY: Duration = Duration::from_millis(20);
const PACED_CHUNK: usize = 16 * 1024;

struct Bodies {
    end_users: Bytes,
    /// 150 invoices, each serialized.
    invoices: Vec<String>,
    decode_page: Bytes,
}

pub(crate) fn serve(args: &[String]) {
    let spec_path = args.windows(2).find(|w| w[0] == "--spec").map(|w| w[1].clone()).expect("--spec PATH");
    let spec: Value = serde_json::from_str(&std::fs::read_to_string(&spec_path).expect("read the spec")).expect("JSON");
    // The first record of each example list of the description.
    let example = |path: &str| {
        spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["example"]["data"][0].clone()
    };
    let end_users: Vec<Value> = (0..10)
        .map(|i| {
            let mut user = example("/end-users");
            user["id"] = json!(format!("end_usr_{i:016}"));
            user
        })
        .collect();
    // The description's example invoice, with its two lines: a page of 150
    // is about 1 MB.
    let invoice = example("/quickbooks-desktop/invoices");
    assert!(invoice.is_object() && end_users[0].is_object(), "the description has example lists");
    let invoices: Vec<String> = (0..PAGE)
        .map(|i| {
            let mut invoice = invoice.clone();
            invoice["id"] = json!(format!("{i:X}-1234567890"));
            // Records differ as real ones do, so compression is not flattered
            // by identical records.
            invoice["refNumber"] = json!(format!("INV-{:05}", 10_000 + i * 37 % 9_000));
            invoice["memo"] = json!(format!("Order {} for site {}", i * 7919 % 100_000, i * 31 % 97));
            invoice["subtotal"] = json!(format!("{}.{:02}", 100 + i * 73 % 5_000, i * 13 % 100));
            invoice["createdAt"] =
                json!(format!("2024-{:02}-{:02}T{:02}:{:02}:11.000Z", i % 12 + 1, i % 28 + 1, i % 24, i * 7 % 60));
            invoice.to_string()
        })
        .collect();
    let decode_page = page(&invoices, PAGE, Some("cursor-1"), 1000);
    let bodies = Arc::new(Bodies {
        end_users: Bytes::from(json!({"objectType": "list", "url": "/v1/end-users", "data": end_users}).to_string()),
        invoices,
        decode_page: Bytes::from(decode_page),
    });

    let tls_dir = args.windows(2).find(|w| w[0] == "--tls").map(|w| std::path::PathBuf::from(&w[1]));
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("runtime");
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        // Plain HTTP/1.1, then TLS with HTTP/1.1 only, then TLS offering h2.
        let mut ports = vec![listener.local_addr().expect("address").port()];
        if let Some(dir) = tls_dir {
            for alpn in [vec![b"http/1.1".to_vec()], vec![b"h2".to_vec(), b"http/1.1".to_vec()]] {
                let tls = tls_acceptor(&dir, alpn);
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
                ports.push(listener.local_addr().expect("address").port());
                tokio::spawn(accept_tls(listener, tls, Arc::clone(&bodies)));
            }
        }
        println!("{}", ports.iter().map(u16::to_string).collect::<Vec<_>>().join(" "));
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

/// A TLS acceptor with the certificate and key in `dir`, offering `alpn`.
fn tls_acceptor(dir: &std::path::Path, alpn: Vec<Vec<u8>>) -> tokio_rustls::TlsAcceptor {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let cert = CertificateDer::from_pem_file(dir.join("cert.pem")).expect("certificate");
    let key = PrivateKeyDer::from_pem_file(dir.join("key.pem")).expect("key");
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .expect("TLS config");
    config.alpn_protocols = alpn;
    tokio_rustls::TlsAcceptor::from(Arc::new(config))
}

/// Serves TLS connections, HTTP/1.1 or h2 as ALPN chose, counting
/// handshakes as connections.
async fn accept_tls(listener: tokio::net::TcpListener, tls: tokio_rustls::TlsAcceptor, bodies: Arc<Bodies>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else { continue };
        let tls = tls.clone();
        let bodies = Arc::clone(&bodies);
        tokio::spawn(async move {
            let Ok(stream) = tls.accept(stream).await else { return };
            CONNECTIONS.fetch_add(1, Ordering::Relaxed);
            let service = service_fn(move |request| answer(Arc::clone(&bodies), request));
            let builder = hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new());
            let _ = builder.serve_connection(TokioIo::new(stream), service).await;
        });
    }
}

fn page(invoices: &[String], count: usize, next: Option<&str>, remaining: usize) -> String {
    format!(
        "{{\"objectType\":\"list\",\"url\":\"/v1/quickbooks-desktop/invoices\",\"data\":[{}],\"nextCursor\":{},\"hasMore\":{},\"remainingCount\":{remaining}}}",
        invoices[..count].join(","),
        next.map_or("null".to_owned(), |c| format!("{c:?}")),
        next.is_some(),
    )
}

type Body = http_body_util::combinators::BoxBody<Bytes, std::convert::Infallible>;

async fn answer(
    bodies: Arc<Bodies>,
    request: hyper::Request<hyper::body::Incoming>,
) -> Result<hyper::Response<Body>, std::convert::Infallible> {
    use http_body_util::BodyExt;
    if request.uri().path().starts_with("/paced/") {
        let gzip = request.headers().get("accept-encoding").is_some_and(|v| v.as_bytes().starts_with(b"gzip"));
        let body = invoices_page(&bodies, request.uri().query().unwrap_or(""));
        return Ok(paced(body, gzip).await);
    }
    let body = match request.uri().path() {
        "/v1/end-users" => bodies.end_users.clone(),
        "/v1/decode-page" => bodies.decode_page.clone(),
        "/v1/stats/connections" => Bytes::from(CONNECTIONS.load(Ordering::Relaxed).to_string()),
        "/v1/stats/paced-bytes" => Bytes::from(PACED_BYTES.load(Ordering::Relaxed).to_string()),
        "/v1/quickbooks-desktop/invoices" => {
            tokio::time::sleep(PAGE_DELAY).await;
            invoices_page(&bodies, request.uri().query().unwrap_or(""))
        }
        _ => Bytes::from_static(b"{\"error\":{\"message\":\"no such route\"}}"),
    };
    Ok(hyper::Response::builder()
        .header("content-type", "application/json")
        .header("conductor-request-id", "req_bench")
        .body(Full::new(body).boxed())
        .expect("response"))
}

/// A page of the invoice list the query asks for: the total number of
/// records comes as `refNumberContains=total-N`, the offset as the cursor.
fn invoices_page(bodies: &Bodies, query: &str) -> Bytes {
    let value =
        |name: &str| query.split('&').find_map(|pair| pair.strip_prefix(name).and_then(|rest| rest.strip_prefix('=')));
    // The total number of records comes in as `refNumberContains=total-N`.
    let total: usize =
        value("refNumberContains").and_then(|v| v.strip_prefix("total-")).and_then(|n| n.parse().ok()).unwrap_or(PAGE);
    let offset: usize =
        value("cursor").and_then(|c| c.strip_prefix("cursor-")).and_then(|n| n.parse().ok()).unwrap_or(0);
    let count = PAGE.min(total - offset);
    let end = offset + count;
    let next = (end < total).then(|| format!("cursor-{end}"));
    Bytes::from(page(&bodies.invoices, count, next.as_deref(), total - end))
}

/// `body` over a slow link: after the latency, chunks at the link's rate,
/// gzip-compressed when asked.
async fn paced(body: Bytes, gzip: bool) -> hyper::Response<Body> {
    use http_body_util::BodyExt;
    tokio::time::sleep(PACED_LATENCY).await;
    let body = if gzip { compress(&body) } else { body };
    PACED_BYTES.fetch_add(body.len(), Ordering::Relaxed);
    let chunks: Vec<Bytes> = body.chunks(PACED_CHUNK).map(Bytes::copy_from_slice).collect();
    let per_chunk = Duration::from_secs_f64(PACED_CHUNK as f64 / PACED_BYTES_PER_SECOND);
    let stream = futures_util::stream::unfold(chunks.into_iter(), move |mut chunks| async move {
        let chunk = chunks.next()?;
        tokio::time::sleep(per_chunk).await;
        Some((Ok::<_, std::convert::Infallible>(hyper::body::Frame::data(chunk)), chunks))
    });
    let mut response = hyper::Response::builder()
        .header("content-type", "application/json")
        .header("conductor-request-id", "req_bench_paced");
    if gzip {
        response = response.header("content-encoding", "gzip");
    }
    response.body(http_body_util::StreamBody::new(stream).boxed()).expect("response")
}

fn compress(body: &[u8]) -> Bytes {
    use std::io::Write as _;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(body).expect("compress");
    Bytes::from(encoder.finish().expect("compress"))
}
