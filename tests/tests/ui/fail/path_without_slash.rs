use conductor::{Result, Transport, api};

pub trait Widgets: Transport {
    #[api(get = "widgets/{id}")]
    async fn get(&self, id: &str) -> Result<serde_json::Value>;

    #[api(get = "/widgets?active=true")]
    async fn active(&self) -> Result<serde_json::Value>;

    #[api(get = Path)]
    async fn not_literal(&self) -> Result<serde_json::Value>;
}

fn main() {}
