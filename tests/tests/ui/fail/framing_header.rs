use conductor::{Result, Transport, api};

pub trait Widgets: Transport {
    #[api(post = "/widgets")]
    async fn create(
        &self,
        #[body] widget: &serde_json::Value,
        #[header("Content-Length")] length: u64,
        #[header("Transfer-Encoding")] encoding: &str,
        #[header("X-Trace")] trace: &str,
    ) -> Result<serde_json::Value>;
}

fn main() {}
