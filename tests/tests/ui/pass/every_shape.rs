//! Every shape of declaration: each verb, path placeholders of several types,
//! query structs and scalars, a body, headers, a list, generics, a trait
//! implemented for `Client` and for a user's wrapper, an inherent impl, and
//! every future spawned on tokio.

use conductor::{Bytes, Client, Request, Response, Result, Transport, api};
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize)]
pub struct Widget {
    pub id: String,
}

#[derive(Serialize)]
pub struct Query {
    pub ids: Vec<String>,
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
}

impl Widgets for Client {}

/// A user's wrapper around the client.
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
    drop(tokio::spawn(async move { t.delete("w").await }));
}

fn main() {
    let client = Client::builder().api_key("sk_test").base_url("http://127.0.0.1:1/v1").build().unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let _guard = runtime.enter();
    spawn_all(client.clone());
    let wrapper = std::sync::Arc::new(Wrapper(client.clone()));
    drop(tokio::spawn(async move { wrapper.inherent("w").await }));
    drop(tokio::spawn(async move { client.end_users().list().await }));
}
