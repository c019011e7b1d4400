//! What `#[api]` expansions call. Not public API: names here may change in
//! any release.

pub use reqwest::Method;
pub use reqwest::header::HeaderName;

pub use crate::decode::{FromList, FromPage, FromResponse};
pub use crate::endpoint::{page_stream, send_json, send_list, send_page};
pub use crate::request::RequestBuilder;
pub use crate::transport::PageTransport;
