//! Cursor pagination: pages, and the stream of every item across pages,
//! against a paging server on 127.0.0.1.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use conductor::qbd::{InvoiceListParams, QbdClient};
use conductor::{Client, Error};
use conductor_tests::contract::{example_record, load_spec};
use conductor_tests::{KEY, error_json};
use futures_util::{StreamExt, TryStreamExt};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Serves `total` invoices, `per_page` at a time, with the page index as the
/// cursor; fails with a 500 on page `fail_at`.
struct Pages {
    invoice: Value,
    total: usize,
    per_page: usize,
    fail_at: Option<usize>,
    served: Arc<AtomicUsize>,
}

impl Respond for Pages {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        self.served.fetch_add(1, Ordering::SeqCst);
        let page: usize = request
            .url
            .query_pairs()
            .find(|(k, _)| k == "cursor")
            .map(|(_, v)| v.trim_start_matches("page-").parse().expect("cursor"))
            .unwrap_or(0);
        if Some(page) == self.fail_at {
            return ResponseTemplate::new(500).set_body_json(error_json(
                500,
                "INTERNAL_ERROR",
                "BROKEN",
                "Page broke.",
            ));
        }
        let start = page * self.per_page;
        let end = (start + self.per_page).min(self.total);
        let data: Vec<Value> = (start..end)
            .map(|i| {
                let mut invoice = self.invoice.clone();
                invoice["id"] = json!(format!("inv-{i}"));
                invoice
            })
            .collect();
        let has_more = end < self.total;
        ResponseTemplate::new(200).set_body_json(json!({
            "objectType": "list",
            "url": "/v1/quickbooks-desktop/invoices",
            "data": data,
            "nextCursor": if has_more { json!(format!("page-{}", page + 1)) } else { Value::Null },
            "hasMore": has_more,
            "remainingCount": self.total - end,
        }))
    }
}

struct Setup {
    _server: MockServer,
    qbd: QbdClient,
    served: Arc<AtomicUsize>,
}

async fn setup(total: usize, per_page: usize, fail_at: Option<usize>) -> Setup {
    let spec = load_spec();
    let invoice = example_record(&spec, "/quickbooks-desktop/invoices");
    let served = Arc::new(AtomicUsize::new(0));
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/quickbooks-desktop/invoices"))
        .respond_with(Pages { invoice, total, per_page, fail_at, served: served.clone() })
        .mount(&server)
        .await;
    let client =
        Client::builder().api_key(KEY).base_url(format!("{}/v1", server.uri())).max_retries(0).build().unwrap();
    let qbd = client.qbd().for_end_user("end_usr_1234567abcdefg");
    Setup { _server: server, qbd, served }
}

#[tokio::test]
async fn one_page_and_the_next() {
    let setup = setup(5, 2, None).await;
    let mut params = InvoiceListParams { limit: Some(2), ..Default::default() };
    let page = setup.qbd.invoices().list(&params).await.unwrap();
    assert_eq!(page.data.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(), ["inv-0", "inv-1"]);
    assert_eq!((page.has_more, page.remaining_count), (true, Some(3)));
    assert_eq!(page.next_cursor(), Some("page-1"));

    params.cursor = page.next_cursor().map(str::to_owned);
    let page = setup.qbd.invoices().list(&params).await.unwrap();
    assert_eq!(page.data[0].id, "inv-2");
    params.cursor = page.next_cursor().map(str::to_owned);
    let last = setup.qbd.invoices().list(&params).await.unwrap();
    assert_eq!(last.data.len(), 1);
    assert_eq!(last.next_cursor(), None);
}

#[tokio::test]
async fn the_stream_yields_every_item_in_order() {
    for (total, per_page) in [(0, 150), (1, 150), (150, 150), (151, 150), (1000, 150)] {
        let setup = setup(total, per_page, None).await;
        let ids: Vec<String> =
            setup.qbd.invoices().list_all(InvoiceListParams::default()).map_ok(|i| i.id).try_collect().await.unwrap();
        assert_eq!(ids, (0..total).map(|i| format!("inv-{i}")).collect::<Vec<_>>(), "{total} records");
        assert_eq!(setup.served.load(Ordering::SeqCst), total.div_ceil(per_page).max(1), "{total} records");
    }
}

#[tokio::test]
async fn the_stream_tells_how_many_records_remain() {
    let setup = setup(25, 10, None).await;
    let mut stream = setup.qbd.invoices().list_all(InvoiceListParams::default());
    assert_eq!(stream.remaining_count(), None, "before the first page");
    let mut seen = Vec::new();
    while let Some(invoice) = stream.try_next().await.unwrap() {
        seen.push((invoice.id, stream.remaining_count()));
    }
    let expected: Vec<(String, Option<u64>)> = (0..25).map(|i| (format!("inv-{i}"), Some(24 - i))).collect();
    assert_eq!(seen, expected);
    assert_eq!(stream.remaining_count(), None, "once it ended");
}

#[tokio::test]
async fn the_next_pages_are_fetched_while_the_current_is_consumed_and_no_further() {
    let setup = setup(100, 10, None).await;
    let mut stream = setup.qbd.invoices().list_all(InvoiceListParams::default());
    assert_eq!(setup.served.load(Ordering::SeqCst), 0, "nothing is fetched before the first poll");

    let first = stream.next().await.unwrap().unwrap();
    assert_eq!(first.id, "inv-0");
    // The consumer works on page 0: page 1 is fetched and decoded meanwhile,
    // page 2 fetched (its body kept undecoded), page 3 not requested.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(setup.served.load(Ordering::SeqCst), 3);

    for _ in 1..10 {
        stream.next().await.unwrap().unwrap();
    }
    let eleventh = stream.next().await.unwrap().unwrap();
    assert_eq!(eleventh.id, "inv-10");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(setup.served.load(Ordering::SeqCst), 4, "taking page 1 lets page 3 be requested");
}

#[tokio::test]
async fn the_stream_stops_at_the_first_error_and_yields_it() {
    let setup = setup(50, 10, Some(2)).await;
    let items: Vec<conductor::Result<_>> = setup.qbd.invoices().list_all(InvoiceListParams::default()).collect().await;
    assert_eq!(items.len(), 21);
    assert!(items[..20].iter().all(Result::is_ok));
    let Err(Error::Api(api)) = &items[20] else { panic!("got {:?}", items[20]) };
    assert_eq!(api.status().as_u16(), 500);
    assert_eq!(setup.served.load(Ordering::SeqCst), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_stream_stops_its_task() {
    let setup = setup(1000, 10, None).await;
    let metrics = tokio::runtime::Handle::current().metrics();
    let mut stream = setup.qbd.invoices().list_all(InvoiceListParams::default());
    stream.next().await.unwrap().unwrap();
    // Page 1 waits in the slot, page 2's body in the stream's task.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let alive = metrics.num_alive_tasks();
    let served = setup.served.load(Ordering::SeqCst);
    assert_eq!(served, 3);

    drop(stream);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(metrics.num_alive_tasks(), alive - 1, "the stream's task ended with it");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(setup.served.load(Ordering::SeqCst), served, "no page is fetched after the drop");
}

#[tokio::test]
async fn an_invalid_end_user_id_is_refused_before_sending() {
    let setup = setup(5, 2, None).await;
    let client = Client::builder().api_key(KEY).base_url("http://127.0.0.1:9/v1").build().unwrap();
    for bad in ["", "usr_123", "end_usr_1\r\nx: y", "80000001-1234567890"] {
        let error = client.qbd().for_end_user(bad).invoices().list(&InvoiceListParams::default()).await.unwrap_err();
        let Error::InvalidInput { what, reason, .. } = &error else { panic!("got {error:?}") };
        assert_eq!(what, "end-user id");
        assert!(reason.contains("is not a Conductor end-user id"), "{reason}");
    }
    assert_eq!(setup.served.load(Ordering::SeqCst), 0);
}
