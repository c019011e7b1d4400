use conductor::{Result, Transport, api};

pub trait Widgets: Transport {
    #[api(get = "/widgets/{id")]
    async fn open(&self, id: &str) -> Result<serde_json::Value>;

    #[api(get = "/widgets/id}")]
    async fn close(&self) -> Result<serde_json::Value>;

    #[api(get = "/widgets/{}")]
    async fn empty(&self) -> Result<serde_json::Value>;
}

fn main() {}
