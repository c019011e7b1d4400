use conductor::{Result, Transport, api};

pub trait Widgets: Transport {
    #[api(get = "/widgets")]
    async fn search(&self, #[body] filter: &serde_json::Value) -> Result<serde_json::Value>;

    #[api(post = "/widgets")]
    async fn create(&self, #[body] a: &serde_json::Value, #[body] b: &serde_json::Value) -> Result<serde_json::Value>;
}

fn main() {}
