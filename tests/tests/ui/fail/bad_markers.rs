use conductor::{Result, Transport, api};

pub trait Widgets: Transport {
    #[api(post = "/widgets")]
    async fn create(
        &self,
        #[header("Bad Name")] a: &str,
        #[header] b: &str,
        #[query(limit)] c: u32,
        #[body(json)] d: &str,
        #[query] #[body] e: &str,
    ) -> Result<serde_json::Value>;
}

fn main() {}
