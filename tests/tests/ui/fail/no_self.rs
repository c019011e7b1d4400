use conductor::{Result, Transport, api};

pub trait Widgets: Transport {
    #[api(get = "/widgets")]
    async fn list() -> Result<serde_json::Value>;

    #[api(get = "/widgets")]
    async fn by_value(self) -> Result<serde_json::Value>
    where
        Self: Sized;

    #[api(get = "/widgets")]
    async fn mutable(&mut self) -> Result<serde_json::Value>;
}

fn main() {}
