//! Writes the method body: a few calls that build the request as plain data,
//! then one call into the runtime that sends it and decodes the answer.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Ident, ReturnType};

use crate::attr::{self, Verb};
use crate::check;
use crate::ctxt::Ctxt;
use crate::method::{self, ArgKind, Method};
use crate::template::{self, Piece};

pub(crate) fn api(args: TokenStream, input: TokenStream) -> TokenStream {
    let mut cx = Ctxt::default();
    let attr = attr::parse(&mut cx, args);
    let mut method: Method = match syn::parse2(input.clone()) {
        Ok(method) => method,
        Err(_) => {
            cx.at(Span::call_site(), "#[api] goes on a bodiless `async fn` in a trait or an impl block");
            let errors = cx.into_compile_errors();
            return quote!(#errors #input);
        }
    };

    let analysis = method::analyze(&mut cx, &mut method);
    let pieces = match &attr.verb {
        Some((_, lit)) => template::parse(&mut cx, lit),
        None => Vec::new(),
    };
    check::check(
        &mut cx,
        attr.verb.as_ref().map(|(verb, lit)| (*verb, lit)),
        &pieces,
        &analysis.args,
        &method.sig,
        analysis.output.as_ref(),
        attr.list_of.as_ref(),
    );

    match (&attr.verb, cx.has_errors()) {
        (Some((verb, lit)), false) => expand(&method, *verb, lit, &pieces, &analysis.args, attr.list_of.as_ref()),
        _ => {
            let errors = cx.into_compile_errors();
            let fallback = fallback(&method);
            quote!(#errors #fallback)
        }
    }
}

fn expand(
    method: &Method,
    verb: Verb,
    template: &syn::LitStr,
    pieces: &[Piece],
    args: &[method::Arg],
    list_of: Option<&syn::Type>,
) -> TokenStream {
    let request = Ident::new("__request", Span::mixed_site());
    let verb_const = format_ident!("{}", verb.constant());

    let mut steps = Vec::new();
    for piece in pieces {
        steps.push(match piece {
            Piece::Literal(text) => quote!(#request.path_literal(#text);),
            Piece::Placeholder(name) => {
                let ident = format_ident!("{}", name);
                quote!(#request.path_param(#name, &#ident);)
            }
        });
    }
    for arg in args {
        let ident = &arg.ident;
        steps.push(match &arg.kind {
            ArgKind::Path => continue,
            ArgKind::Query { name } => quote!(#request.query(#name, &#ident);),
            ArgKind::Body { .. } => quote!(#request.json_body(&#ident);),
            ArgKind::Header { name } => quote!(
                #request.header(::conductor::__private::HeaderName::from_static(#name), &#ident);
            ),
        });
    }
    let send = match list_of {
        // Spanned on the item type, so a mismatch with the declared `Vec<_>`
        // points at `list_of`.
        Some(item) => {
            quote_spanned!(item.span()=> ::conductor::__private::send_list::<Self, #item, _>(self, #request))
        }
        None => quote!(::conductor::__private::send_json::<Self, _>(self, #request)),
    };

    let Method { attrs, vis, sig, .. } = method;
    let mut sig = sig.clone();
    sig.asyncness = None;
    let output = match &sig.output {
        ReturnType::Type(_, ty) => ty.clone(),
        ReturnType::Default => unreachable_output(),
    };
    sig.output = syn::parse_quote!(
        -> impl ::core::future::Future<Output = #output> + ::core::marker::Send
    );
    let route = format!(" `{} {}`", verb.constant(), template.value());
    let route_doc = if attrs.iter().any(|a| a.path().is_ident("doc")) {
        quote!(#[doc = ""] #[doc = #route])
    } else {
        TokenStream::new()
    };

    quote! {
        #(#attrs)*
        #route_doc
        #vis #sig {
            let mut #request = ::conductor::__private::RequestBuilder::new(
                ::conductor::__private::Method::#verb_const,
                #template,
            );
            #(#steps)*
            #send
        }
    }
}

/// The return type was checked before expansion; this keeps the function total.
fn unreachable_output() -> Box<syn::Type> {
    Box::new(syn::parse_quote!(()))
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
