use conductor::{Result, Transport, api};

pub trait Widgets: Transport {
    #[api]
    async fn list(&self) -> Result<serde_json::Value>;

    #[api(list_of = serde_json::Value)]
    async fn list_items(&self) -> Result<Vec<serde_json::Value>>;
}

fn main() {}
