use conductor::{CursorPage, Result, Transport, api};

pub trait Widgets: Transport {
    #[api(get = "/widgets", pages_of = u8)]
    async fn not_a_page(&self) -> Result<Vec<u8>>;

    #[api(get = "/widgets", pages_of)]
    async fn no_item(&self) -> Result<CursorPage<u8>>;

    #[api(get = "/widgets", pages_of = "u8")]
    async fn not_a_type(&self) -> Result<CursorPage<u8>>;

    #[api(get = "/widgets", list_of = u8, pages_of = u8)]
    async fn both(&self) -> Result<CursorPage<u8>>;

    #[api(get = "/widgets", pages_of = u8, pages_of = u16)]
    async fn twice(&self) -> Result<CursorPage<u8>>;

    #[api(get = "/widgets", paginated = u8)]
    async fn near_miss(&self) -> Result<CursorPage<u8>>;
}

fn main() {}
