use conductor::{Result, Transport, api};

pub trait Widgets: Transport {
    #[api(get = "/widgets", post = "/widgets")]
    async fn list(&self) -> Result<serde_json::Value>;
}

fn main() {}
