//! The `#[api]` attribute of the [`conductor`](https://docs.rs/conductor) crate.
//!
//! Depend on `conductor`, not on this crate: it re-exports the attribute and
//! supplies the runtime the expansions call. The attribute's full syntax is
//! documented on `conductor::api`.

mod ast;
mod attr;
mod check;
mod ctxt;
mod expand;
mod template;

use proc_macro::TokenStream;

/// Declares a Conductor API endpoint on a bodiless `async fn` in a trait or
/// an `impl` block.
///
/// See `conductor::api` for the syntax; this crate is an implementation
/// detail of `conductor`.
#[proc_macro_attribute]
pub fn api(args: TokenStream, input: TokenStream) -> TokenStream {
    expand::api(args.into(), input.into()).into()
}
