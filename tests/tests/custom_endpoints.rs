//! Endpoints declared outside the crate, as a user would: every argument
//! kind on the wire, a user's own transport, and `tokio::spawn`.

use conductor::{Bytes, Client, CursorPage, Error, Request, Response, Result, Transport, api};
use conductor_tests::*;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};

#[derive(Debug, PartialEq, Deserialize)]
struct Widget {
    id: String,
    name: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WidgetQuery {
    ids: Vec<String>,
    include_archived: bool,
    name_contains: Option<String>,
    limit: Option<u32>,
}

#[derive(Serialize)]
struct NewWidget {
    name: String,
}

trait Widgets: Transport {
    #[api(get = "/widgets", list_of = Widget)]
    async fn list_widgets(&self, #[query] query: &WidgetQuery) -> Result<Vec<Widget>>;

    #[api(get = "/shops/{shop}/widgets/{id}")]
    async fn widget(&self, shop: u32, id: &str, #[query("expand")] expand: Option<&str>) -> Result<Widget>;

    #[api(put = "/widgets/{id}")]
    async fn replace_widget(
        &self,
        id: &str,
        #[body] widget: &NewWidget,
        #[header("Conductor-End-User-Id")] end_user_id: &str,
    ) -> Result<Widget>;

    #[api(patch = "/widgets/{id}")]
    async fn rename_widget(&self, id: &str, #[body] widget: &NewWidget) -> conductor::Result<Widget>;

    #[api(delete = "/widgets/{id}")]
    async fn delete_widget(&self, id: &str) -> Result<serde_json::Value>;

    /// One page of a shop's widgets; `shop_widgets_all` streams them all.
    #[api(get = "/shops/{shop}/widgets", pages_of = Widget)]
    async fn shop_widgets(
        &self,
        shop: &str,
        #[query] query: &WidgetQuery,
        #[header("X-Trace")] trace: &str,
    ) -> Result<CursorPage<Widget>>;
}

impl Widgets for Client {}

fn widget_json() -> serde_json::Value {
    json!({"id": "wdg_1", "name": "Sprocket"})
}

#[tokio::test]
async fn query_structs_flatten_with_repeated_keys() {
    let server = server_answering(json_response(200, list_json("/v1/widgets", vec![widget_json()]))).await;
    let query = WidgetQuery {
        ids: vec!["a 1".into(), "b&2".into()],
        include_archived: false,
        name_contains: None,
        limit: Some(10),
    };

    let widgets = client_for(&server).list_widgets(&query).await.unwrap();

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "GET");
    assert_eq!(path_and_query(&request), "/v1/widgets?ids=a%201&ids=b%262&includeArchived=false&limit=10");
    assert_standard_headers(&request, false);
    assert_eq!(widgets, vec![Widget { id: "wdg_1".into(), name: "Sprocket".into() }]);
}

#[tokio::test]
async fn scalar_query_arguments_use_their_name_and_none_is_omitted() {
    let server = server_answering(json_response(200, widget_json())).await;
    let client = client_for(&server);

    client.widget(7, "wdg_1", Some("owner,parts")).await.unwrap();
    client.widget(7, "wdg_1", None).await.unwrap();

    let requests = server.received_requests().await.unwrap();
    assert_eq!(path_and_query(&requests[0]), "/v1/shops/7/widgets/wdg_1?expand=owner%2Cparts");
    assert_eq!(path_and_query(&requests[1]), "/v1/shops/7/widgets/wdg_1");
}

#[tokio::test]
async fn put_and_patch_send_body_and_headers() {
    let server = server_answering(json_response(200, widget_json())).await;
    let client = client_for(&server);

    client.replace_widget("wdg_1", &NewWidget { name: "Cog".into() }, "end_usr_9").await.unwrap();
    client.rename_widget("wdg_1", &NewWidget { name: "Gear".into() }).await.unwrap();
    client.delete_widget("wdg_1").await.unwrap();

    let requests = server.received_requests().await.unwrap();
    let put = &requests[0];
    assert_eq!(put.method.as_str(), "PUT");
    assert_eq!(path_and_query(put), "/v1/widgets/wdg_1");
    assert_eq!(header(put, "conductor-end-user-id"), Some("end_usr_9"));
    assert_eq!(json_body(put), json!({"name": "Cog"}));
    let mut expected = header_names(&requests[1]);
    expected.insert("conductor-end-user-id".into());
    assert_eq!(header_names(put), expected);
    let patch = &requests[1];
    assert_eq!(patch.method.as_str(), "PATCH");
    assert_standard_headers(patch, true);
    assert_eq!(json_body(patch), json!({"name": "Gear"}));
    assert_eq!(requests[2].method.as_str(), "DELETE");
    assert_standard_headers(&requests[2], false);
}

#[tokio::test]
async fn header_values_with_line_breaks_are_refused_before_sending() {
    let server = server_answering(json_response(200, widget_json())).await;
    let client = client_for(&server);
    for bad in ["end_usr_1\r\nX-Injected: yes", "end_usr_1\n", "end\u{0}usr"] {
        let error = client.replace_widget("wdg_1", &NewWidget { name: "Cog".into() }, bad).await.unwrap_err();
        let Error::InvalidInput { what, .. } = &error else { panic!("got {error:?}") };
        assert_eq!(what, "header `conductor-end-user-id`");
        assert!(!error.to_string().contains("Injected"), "the value is not echoed: {error}");
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}

/// A user's transport: counts calls and adds a header, then delegates.
struct Counting {
    inner: Client,
    calls: AtomicUsize,
}

impl Transport for Counting {
    async fn send(&self, request: Request) -> Result<Response<Bytes>> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        assert_eq!(request.path_template(), "/shops/{shop}/widgets/{id}");
        assert_eq!(request.query(), &[("expand".to_owned(), "a b".to_owned())]);
        assert_eq!(request.query_string(), "expand=a%20b");
        self.inner.send(request).await
    }
}

impl Widgets for Counting {}

#[tokio::test]
async fn a_user_transport_serves_declared_traits() {
    let server = server_answering(json_response(200, widget_json())).await;
    let counting = Counting { inner: client_for(&server), calls: AtomicUsize::new(0) };

    let widget = counting.widget(1, "wdg_1", Some("a b")).await.unwrap();

    assert_eq!(widget.name, "Sprocket");
    assert_eq!(counting.calls.load(Ordering::SeqCst), 1);
    assert_eq!(path_and_query(&only_request(&server).await), "/v1/shops/1/widgets/wdg_1?expand=a%20b");
}

#[tokio::test]
async fn declared_and_builtin_futures_run_in_spawned_tasks() {
    let server = server_answering(json_response(200, widget_json())).await;
    let client = client_for(&server);
    let mut tasks = Vec::new();
    for i in 0..8 {
        let client = client.clone();
        tasks.push(tokio::spawn(async move { client.widget(i, "wdg_1", None).await }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap().id, "wdg_1");
    }
    assert_eq!(server.received_requests().await.unwrap().len(), 8);
}

/// A page of widgets `first..first + 2` of 5, with the cursor `c<next>`.
fn widget_page(first: usize) -> serde_json::Value {
    let data: Vec<_> = (first..(first + 2).min(5)).map(|i| json!({"id": format!("wdg_{i}"), "name": "W"})).collect();
    let more = first + 2 < 5;
    json!({"objectType": "list", "url": "/v1/shops/s 1/widgets", "data": data,
           "nextCursor": if more { json!(format!("c{}", first + 2)) } else { json!(null) },
           "hasMore": more, "remainingCount": 5usize.saturating_sub(first + 2)})
}

#[tokio::test]
async fn a_declared_paginated_endpoint_gives_a_page_and_a_stream_of_the_same_request() {
    use conductor_tests::scripted::{Answer, ScriptedServer, Step};
    use futures_util::TryStreamExt;

    let script = [0, 0, 2, 4].map(|first| Step::Answer(Answer::json(200, &widget_page(first)))).to_vec();
    let server = ScriptedServer::start(script).await;
    let client = Client::builder().api_key(KEY).base_url(server.base_url()).max_retries(0).build().unwrap();
    let query =
        WidgetQuery { ids: vec!["a".into(), "b".into()], include_archived: true, name_contains: None, limit: Some(2) };

    let page = client.shop_widgets("s 1", &query, "t-1").await.unwrap();
    assert_eq!((page.data.len(), page.next_cursor(), page.remaining_count), (2, Some("c2"), Some(3)));

    let all: Vec<Widget> = client.shop_widgets_all("s 1", query, "t-1").try_collect().await.unwrap();
    let ids: Vec<&str> = all.iter().map(|w| w.id.as_str()).collect();
    assert_eq!(ids, ["wdg_0", "wdg_1", "wdg_2", "wdg_3", "wdg_4"]);

    let seen = server.seen();
    let targets: Vec<&str> = seen.iter().map(|s| s.target.as_str()).collect();
    let base = "/v1/shops/s%201/widgets?ids=a&ids=b&includeArchived=true&limit=2";
    assert_eq!(targets, [base.to_owned(), base.to_owned(), format!("{base}&cursor=c2"), format!("{base}&cursor=c4")]);
    for request in &seen {
        assert_eq!((request.method.as_str(), request.header("x-trace")), ("GET", Some("t-1")));
        assert_eq!(request.header("authorization"), seen[0].header("authorization"));
    }
}
