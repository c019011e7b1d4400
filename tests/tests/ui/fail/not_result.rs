use conductor::{Transport, api};

pub trait Widgets: Transport {
    #[api(get = "/widgets")]
    async fn list(&self) -> serde_json::Value;

    #[api(get = "/widgets")]
    async fn nothing(&self);
}

fn main() {}
