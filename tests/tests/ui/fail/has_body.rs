use conductor::{Result, Transport, api};

pub trait Widgets: Transport {
    #[api(get = "/widgets")]
    async fn list(&self) -> Result<serde_json::Value> {
        todo!()
    }
}

#[api(get = "/widgets")]
struct NotAMethod;

fn main() {}
