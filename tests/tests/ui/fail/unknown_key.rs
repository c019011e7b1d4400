use conductor::{Result, Transport, api};

pub trait Widgets: Transport {
    #[api(get = "/widgets", lst_of = serde_json::Value)]
    async fn list(&self) -> Result<Vec<serde_json::Value>>;

    #[api(path = "/widgets")]
    async fn other(&self) -> Result<serde_json::Value>;

    #[api(get = "/widgets", timeout = 5)]
    async fn third(&self) -> Result<serde_json::Value>;
}

fn main() {}
