use conductor::{Result, Transport, api};

pub trait Widgets: Transport {
    #[api(get = "/widgets", list_of = serde_json::Value)]
    async fn list(&self) -> Result<serde_json::Value>;

    #[api(get = "/widgets", list_of = String)]
    async fn items(&self) -> Result<Vec<u32>>;
}

fn main() {}
