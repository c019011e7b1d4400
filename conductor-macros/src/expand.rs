//! Writes the method body from the model: a few calls that build the request
//! as plain data, then one call into the runtime that sends it and decodes
//! the answer. A `pages_of` endpoint gets a second method, the stream.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{FnArg, Ident, Signature, Type};

use crate::ast::{Endpoint, Method, Role};
use crate::attr::{Items, ItemsKind, Verb};
use crate::check;
use crate::ctxt::Ctxt;
use crate::template::{Piece, Template};

/// The whole attribute: parse, check, then expand or fall back.
pub(crate) fn api(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut cx = Ctxt::default();
    let endpoint = match Endpoint::parse(&mut cx, args, item) {
        Ok(endpoint) => endpoint,
        Err(item) => {
            let errors = cx.into_compile_errors();
            return quote!(#errors #item);
        }
    };
    check::check(&mut cx, &endpoint);
    match expand(&endpoint) {
        Some(expanded) if !cx.has_errors() => expanded,
        _ => {
            let errors = cx.into_compile_errors();
            let fallback = fallback(&endpoint.method);
            quote!(#errors #fallback)
        }
    }
}

/// The method, and the stream method of a `pages_of` endpoint; `None` when
/// the model lacks what a method needs (each lack was reported by the
/// checks).
fn expand(endpoint: &Endpoint) -> Option<TokenStream> {
    let (verb, template, returns) = (endpoint.verb?, endpoint.template.as_ref()?, endpoint.returns.as_ref()?);
    let request = Ident::new("__request", Span::mixed_site());
    let build = build_request(endpoint, verb, template, &request);
    let send = match &endpoint.items {
        // Spanned on the item type, so a mismatch with the declared return
        // type points at `list_of` or `pages_of`.
        Some(Items { kind: ItemsKind::List, ty, .. }) => {
            quote_spanned!(ty.span()=> ::conductor::__private::send_list::<Self, #ty, _>(self, #request))
        }
        Some(Items { kind: ItemsKind::Pages, ty, .. }) => {
            quote_spanned!(ty.span()=> ::conductor::__private::send_page::<Self, #ty, _>(self, #request))
        }
        None => quote!(::conductor::__private::send_json::<Self, _>(self, #request)),
    };

    let Method { attrs, vis, sig, .. } = &endpoint.method;
    let mut sig = sig.clone();
    sig.asyncness = None;
    sig.output = syn::parse_quote!(
        -> impl ::core::future::Future<Output = #returns> + ::core::marker::Send
    );
    let route = format!(" `{} {}`", verb.constant(), template.lit.value());
    let route_doc = if attrs.iter().any(|a| a.path().is_ident("doc")) {
        quote!(#[doc = ""] #[doc = #route])
    } else {
        TokenStream::new()
    };
    let stream = match &endpoint.items {
        Some(items @ Items { kind: ItemsKind::Pages, .. }) => stream_method(endpoint, items, &build, &request),
        _ => TokenStream::new(),
    };

    Some(quote! {
        #(#attrs)*
        #route_doc
        #vis #sig {
            #build
            #send
        }

        #stream
    })
}

/// The statements that fill a `RequestBuilder` named `request` from the
/// arguments.
fn build_request(endpoint: &Endpoint, verb: Verb, template: &Template, request: &Ident) -> TokenStream {
    let verb_const = format_ident!("{}", verb.constant());
    let lit = &template.lit;
    let mut steps = Vec::new();
    for piece in &template.pieces {
        steps.push(match piece {
            Piece::Literal(text) => quote!(#request.path_literal(#text);),
            Piece::Placeholder(name) => {
                let ident = format_ident!("{}", name);
                quote!(#request.path_param(#name, &#ident);)
            }
        });
    }
    for arg in &endpoint.args {
        let Some(ident) = &arg.ident else { continue };
        steps.push(match arg.role() {
            Role::Path => continue,
            Role::Query { name } => quote!(#request.query(#name, &#ident);),
            Role::Body => quote!(#request.json_body(&#ident);),
            Role::Header { name } => {
                let name = name.as_ref().map(|lit| lit.value().to_ascii_lowercase()).unwrap_or_default();
                quote!(#request.header(::conductor::__private::HeaderName::from_static(#name), &#ident);)
            }
        });
    }
    quote! {
        let mut #request = ::conductor::__private::RequestBuilder::new(
            ::conductor::__private::Method::#verb_const,
            #lit,
        );
        #(#steps)*
    }
}

/// `<name>_all`: the same arguments (a `&T` of a sized `T` taken by value,
/// as list parameters usually are), the same request, and a stream of every
/// item across the pages. The request is built before the method returns, so
/// the stream borrows nothing.
fn stream_method(endpoint: &Endpoint, items: &Items, build: &TokenStream, request: &Ident) -> TokenStream {
    let Method { attrs, vis, sig, .. } = &endpoint.method;
    let item = &items.ty;
    let page_method = &sig.ident;
    let name = format_ident!("{}_all", page_method);
    let mut stream_sig: Signature = sig.clone();
    stream_sig.ident = name;
    stream_sig.asyncness = None;
    stream_sig.output = syn::parse_quote!(-> ::conductor::CursorStream<#item>);
    let bound = quote_spanned!(items.key.span()=> Self: ::conductor::PageTransport);
    stream_sig.generics.make_where_clause().predicates.push(syn::parse_quote!(#bound));
    let mut rebind = Vec::new();
    for input in stream_sig.inputs.iter_mut() {
        let FnArg::Typed(typed) = input else { continue };
        let (Type::Reference(reference), syn::Pat::Ident(pat)) = (&*typed.ty, &*typed.pat) else { continue };
        if unsized_type(&reference.elem, &sig.generics) {
            continue;
        }
        let (ident, target) = (&pat.ident, reference.elem.clone());
        rebind.push(quote!(let #ident: &#target = &#ident;));
        typed.ty = target;
    }
    // Attributes other than docs (`cfg`, `allow`, `deprecated`) apply to
    // both methods.
    let kept = attrs.iter().filter(|a| !a.path().is_ident("doc"));
    let doc = format!(
        " Every item across the pages of [`{page_method}`](Self::{page_method}), as a stream: the same request, \
         sent again for each page with only its cursor replaced. The next page is requested while the current \
         one is consumed; at most two decoded pages are held; the stream ends after the first error, which it \
         yields."
    );
    let send = quote_spanned!(item.span()=> ::conductor::__private::page_stream::<Self, #item>(self, #request));
    quote! {
        #[doc = #doc]
        #(#kept)*
        #vis #stream_sig {
            #(#rebind)*
            #build
            #send
        }
    }
}

/// Whether `ty` is one a value cannot be taken of: `str`, a slice, a trait
/// object, or a type parameter declared `?Sized`.
fn unsized_type(ty: &Type, generics: &syn::Generics) -> bool {
    match ty {
        Type::Slice(_) | Type::TraitObject(_) => true,
        Type::Path(path) if path.qself.is_none() => {
            let Some(ident) = path.path.get_ident() else { return false };
            ident == "str"
                || generics.type_params().any(|param| {
                    param.ident == *ident
                        && param
                            .bounds
                            .iter()
                            .any(|bound| matches!(bound, syn::TypeParamBound::Trait(t) if t.maybe.is_some()))
                })
        }
        _ => false,
    }
}

/// On error, the method is still emitted, with a body that type-checks, so
/// the user sees only the errors above and callers of the method do not add
/// more.
fn fallback(method: &Method) -> TokenStream {
    let Method { attrs, vis, sig, .. } = method;
    quote! {
        #(#attrs)*
        #[allow(unused_variables)]
        #vis #sig {
            ::core::unimplemented!()
        }
    }
}

#[cfg(test)]
mod snapshots {
    use std::path::PathBuf;

    use quote::quote;

    use super::*;

    /// The expansion of `attr` on `method`, pretty-printed inside an impl
    /// block, compared with `snapshots/<name>.rs`; `UPDATE_SNAPSHOTS=1`
    /// writes the file instead, for review in the diff.
    fn snapshot(name: &str, attr: TokenStream, method: TokenStream) {
        let expanded = api(attr, method);
        let file: syn::File = syn::parse2(quote!(impl Widgets { #expanded })).expect("the expansion parses");
        let text = prettyplease::unparse(&file);
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("snapshots").join(format!("{name}.rs"));
        if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &text).unwrap();
            return;
        }
        let expected = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e}; run with UPDATE_SNAPSHOTS=1 to write it", path.display()));
        assert_eq!(text, expected, "the expansion of {name} changed; run with UPDATE_SNAPSHOTS=1 and review the diff");
    }

    #[test]
    fn retrieve_by_path() {
        snapshot(
            "retrieve_by_path",
            quote!(get = "/end-users/{id}"),
            quote!(
                /// Retrieves an end-user.
                pub async fn retrieve(&self, id: &str) -> Result<EndUser>;
            ),
        );
    }

    #[test]
    fn list_of_with_query() {
        snapshot(
            "list_of_with_query",
            quote!(get = "/widgets", list_of = Widget),
            quote!(
                async fn search(
                    &self,
                    #[query] query: &Query,
                    #[query("limit")] max: Option<u32>,
                ) -> Result<Vec<Widget>>;
            ),
        );
    }

    #[test]
    fn body_and_header() {
        snapshot(
            "body_and_header",
            quote!(post = "/widgets"),
            quote!(
                async fn create(
                    &self,
                    #[body] body: &NewWidget,
                    #[header("Idempotency-Key")] key: &str,
                ) -> Result<Widget>;
            ),
        );
    }

    #[test]
    fn pages_of_with_stream() {
        snapshot(
            "pages_of_with_stream",
            quote!(get = "/shops/{shop}/widgets", pages_of = Widget),
            quote!(
                /// One page of a shop's widgets.
                pub async fn list(&self, shop: &str, #[query] params: &WidgetListParams) -> Result<CursorPage<Widget>>;
            ),
        );
    }

    #[test]
    fn response_with_metadata() {
        snapshot(
            "response_with_metadata",
            quote!(delete = "/widgets/{id}"),
            quote!(
                async fn delete(&self, id: &str) -> Result<Response<Deleted>>;
            ),
        );
    }

    #[test]
    fn misuse_falls_back_to_the_method() {
        snapshot(
            "misuse_falls_back_to_the_method",
            quote!(get = "widgets", lst_of = Widget),
            quote!(
                async fn list(&self, unused: &str) -> Result<Vec<Widget>>;
            ),
        );
    }
}
