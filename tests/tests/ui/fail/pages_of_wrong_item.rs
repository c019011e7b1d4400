use conductor::{CursorPage, Result, Transport, api};

pub trait Widgets: Transport {
    #[api(get = "/widgets", pages_of = u16)]
    async fn list(&self) -> Result<CursorPage<u8>>;
}

fn main() {}
