use conductor::{Bytes, CursorPage, Request, Response, Result, Transport, api};

/// A transport that is not `Clone`, so no stream can keep it.
pub struct Unshared;

impl Transport for Unshared {
    async fn send(&self, _request: Request) -> Result<Response<Bytes>> {
        unimplemented!()
    }
}

impl Unshared {
    #[api(get = "/widgets", pages_of = u8)]
    pub async fn list(&self) -> Result<CursorPage<u8>>;
}

fn main() {}
