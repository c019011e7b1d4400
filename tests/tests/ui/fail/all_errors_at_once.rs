use conductor::{Result, Transport, api};

pub trait Widgets: Transport {
    #[api(get = "widgets/{shop}", lst_of = u8)]
    fn list(&self, id: &str, #[body] body: &str) -> Result<u8>;
}

fn main() {}
