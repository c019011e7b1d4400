//! Every shape of declaration: each verb, path placeholders of several types,
//! query structs and scalars, a body, headers, a list, a paginated list with
//! its stream, generics, a trait implemented for `Client` and for a user's
//! wrapper, an inherent impl, and every future and stream spawned on tokio.

use conductor::{Bytes, Client, CursorPage, CursorStream, Request, Response, Result, Transport, api};
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize)]
pub struct Widget {
    pub id: String,
}

#[derive(Serialize)]
pub struct Query {
    pub ids: Vec<String>,
}

#[derive(Serialize, Default)]
pub struct PageQuery {
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

#[derive(Serialize)]
pub struct Body {
    pub name: String,
}

pub trait Widgets: Transport {
    /// Lists widgets.
    #[api(get = "/widgets", list_of = Widget)]
    async fn list(&self) -> Result<Vec<Widget>>;

    #[api(get = "/widgets", list_of = Widget)]
    async fn search(&self, #[query] query: &Query, #[query("limit")] max: Option<u32>) -> conductor::Result<Vec<Widget>>;

    #[api(get = "/shops/{shop}/widgets/{id}.json")]
    async fn get(&self, shop: u64, id: &str) -> Result<Widget>;

    #[api(post = "/widgets")]
    async fn create(&self, #[body] body: &Body, #[header("Idempotency-Key")] key: &str) -> Result<Widget>;

    #[api(put = "/widgets/{id}")]
    async fn put(&self, id: String, #[body] body: Body) -> std::result::Result<Widget, conductor::Error>;

    #[api(patch = "/widgets/{id}")]
    async fn patch<B: Serialize + ?Sized>(&self, id: &str, #[body] body: &B) -> Result<serde_json::Value>;

    #[api(delete = "/widgets/{id}")]
    async fn delete(&self, id: &str) -> Result<serde_json::Value>;

    /// One page of a shop's widgets; `pages_all` streams every one.
    #[api(get = "/shops/{shop}/widgets", pages_of = Widget)]
    async fn pages(&self, shop: &str, #[query] query: &PageQuery) -> Result<CursorPage<Widget>>;

    #[api(get = "/widgets/paged", pages_of = Widget)]
    async fn pages_with_meta(&self) -> Result<Response<CursorPage<Widget>>>;
}

impl Widgets for Client {}

/// A user's wrapper around the client.
#[derive(Clone)]
pub struct Wrapper(Client);

impl Transport for Wrapper {
    async fn send(&self, request: Request) -> Result<Response<Bytes>> {
        self.0.send(request).await
    }
}

impl Widgets for Wrapper {}

impl Wrapper {
    /// An inherent endpoint.
    #[api(get = "/wrapper/{id}")]
    pub async fn inherent(&self, id: &str) -> Result<Widget>;
}

fn spawn_all<T: Widgets + Clone + 'static>(t: T) {
    let c = t.clone();
    drop(tokio::spawn(async move { c.list().await }));
    let c = t.clone();
    drop(tokio::spawn(async move { c.search(&Query { ids: vec![] }, Some(5)).await }));
    let c = t.clone();
    drop(tokio::spawn(async move { c.get(1, "w").await }));
    let c = t.clone();
    drop(tokio::spawn(async move { c.create(&Body { name: "n".into() }, "k").await }));
    let c = t.clone();
    drop(tokio::spawn(async move { c.put("w".to_owned(), Body { name: "n".into() }).await }));
    let c = t.clone();
    drop(tokio::spawn(async move { c.patch("w", &serde_json::json!({})).await }));
    let c = t.clone();
    drop(tokio::spawn(async move { c.delete("w").await }));
    let c = t.clone();
    drop(tokio::spawn(async move { c.pages("s", &PageQuery::default()).await }));
    let c = t.clone();
    drop(tokio::spawn(async move { c.pages_with_meta().await.map(|page| page.status()) }));
    // The stream takes the parameters by value and borrows nothing, so it
    // outlives `t` and the arguments.
    let shop = String::from("s");
    let first: CursorStream<Widget> = t.pages_all(&shop, PageQuery::default());
    let second: CursorStream<Widget> = t.pages_all("s", PageQuery { limit: Some(5), cursor: None });
    drop((t, shop));
    drop(tokio::spawn(async move { futures_util::StreamExt::count(first).await }));
    drop(tokio::spawn(async move { futures_util::StreamExt::count(second).await }));
}

fn main() {
    let client = Client::builder().api_key("sk_test").base_url("http://127.0.0.1:1/v1").build().unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let _guard = runtime.enter();
    spawn_all(client.clone());
    let wrapper = std::sync::Arc::new(Wrapper(client.clone()));
    drop(tokio::spawn(async move { wrapper.inherent("w").await }));
    drop(tokio::spawn(async move { client.end_users().list().await }));
    let qbd = Client::builder().api_key("sk_test").base_url("http://127.0.0.1:1/v1").build().unwrap();
    let invoices = qbd.qbd().for_end_user("end_usr_1").invoices().list_all(Default::default());
    drop(tokio::spawn(async move { futures_util::StreamExt::count(invoices).await }));
}
