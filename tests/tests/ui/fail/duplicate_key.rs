use conductor::{Result, Transport, api};

pub trait Widgets: Transport {
    #[api(get = "/widgets", list_of = serde_json::Value, list_of = serde_json::Value)]
    async fn list(&self) -> Result<Vec<serde_json::Value>>;

    #[api(get = "/widgets", get = "/gadgets")]
    async fn other(&self) -> Result<serde_json::Value>;
}

fn main() {}
