use conductor::{Result, Transport, api};

pub trait Widgets: Transport {
    #[api(get = "/shops/{shop_id}/widgets/{id}")]
    async fn get(&self, id: &str) -> Result<serde_json::Value>;

    #[api(get = "/widgets/{id}")]
    async fn queried(&self, #[query] id: &str) -> Result<serde_json::Value>;
}

fn main() {}
