use conductor::{Result, Transport, api};

pub trait Widgets: Transport {
    #[api(get = "/widgets/{id}")]
    async fn get(&self, id: &str, expand: &str) -> Result<serde_json::Value>;
}

fn main() {}
