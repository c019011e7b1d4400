use conductor::{Result, Transport, api};

pub trait Widgets: Transport {
    #[api(get = "/widgets")]
    fn list(&self) -> Result<serde_json::Value>;
}

fn main() {}
