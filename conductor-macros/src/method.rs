//! Reads the annotated method: its signature, its arguments and how each is
//! sent (path, query, body or header).

use proc_macro2::Span;
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{
    Attribute, Block, FnArg, GenericArgument, Ident, LitStr, Meta, Pat, PathArguments, ReceiverKind, ReturnType,
    Signature, Token, Type, Visibility,
};

use crate::ctxt::Ctxt;

/// A method as written: bodiless, in a trait or an inherent `impl`.
pub(crate) struct Method {
    pub(crate) attrs: Vec<Attribute>,
    pub(crate) vis: Visibility,
    pub(crate) sig: Signature,
    pub(crate) body: Option<Block>,
}

impl Parse for Method {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis = input.parse()?;
        let sig = input.parse()?;
        let body = if input.peek(Token![;]) {
            input.parse::<Token![;]>()?;
            None
        } else {
            Some(input.parse()?)
        };
        Ok(Method { attrs, vis, sig, body })
    }
}

pub(crate) enum ArgKind {
    /// Bound to a `{placeholder}` of the path.
    Path,
    /// Serialized into the query string under `name` (a struct contributes
    /// its fields instead).
    Query { name: String },
    /// Serialized as the JSON body.
    Body { span: Span },
    /// Sent as the header `name` (lowercase).
    Header { name: String },
}

pub(crate) struct Arg {
    pub(crate) ident: Ident,
    pub(crate) kind: ArgKind,
}

/// What the checks found in the signature.
pub(crate) struct Analysis {
    pub(crate) args: Vec<Arg>,
    /// `T` of `Result<T>`, when the return type has that shape.
    pub(crate) output: Option<Type>,
}

/// Checks the signature and classifies the arguments. Our own argument
/// attributes are removed from `method.sig` as they are read.
pub(crate) fn analyze(cx: &mut Ctxt, method: &mut Method) -> Analysis {
    if let Some(body) = &method.body {
        cx.spanned(body, "#[api] writes the body of this method: end the declaration with `;` instead");
    }
    let sig = &mut method.sig;
    if sig.asyncness.is_none() {
        cx.spanned(sig.fn_token, format!("#[api] methods are async: write `async fn {}(&self, ...)`", sig.ident));
    }
    if let Some(constness) = &sig.constness {
        cx.spanned(constness, "#[api] methods cannot be `const`");
    }
    if let Some(abi) = &sig.abi {
        cx.spanned(abi, "#[api] methods cannot have an `extern` ABI");
    }
    if let Some(variadic) = &sig.variadic {
        cx.spanned(variadic, "#[api] methods cannot be variadic");
    }

    match sig.inputs.first() {
        Some(FnArg::Receiver(receiver)) => {
            let shared_ref = matches!(receiver.kind, ReceiverKind::Reference(_, _, None));
            if !shared_ref || receiver.mutability.is_some() {
                cx.spanned(receiver, "#[api] methods take `&self`: write `&self` as the first argument");
            }
        }
        _ => {
            let span = sig.paren_token.span.open();
            cx.at(span, "#[api] methods take `&self`: add `&self` as the first argument");
        }
    }

    let mut args = Vec::new();
    for input in sig.inputs.iter_mut() {
        let FnArg::Typed(typed) = input else { continue };
        let ident = match &*typed.pat {
            Pat::Ident(pat) if pat.by_ref.is_none() && pat.subpat.is_none() => pat.ident.clone(),
            other => {
                cx.spanned(other, "#[api] arguments must be plain names, as in `id: &str`");
                continue;
            }
        };
        let mut kind = ArgKind::Path;
        let mut marker: Option<Span> = None;
        let mut kept = Vec::new();
        for attr in typed.attrs.drain(..) {
            let found = if attr.path().is_ident("query") {
                Some(query_kind(cx, &attr, &ident))
            } else if attr.path().is_ident("body") {
                if !matches!(attr.meta, Meta::Path(_)) {
                    cx.spanned(&attr, "`#[body]` takes no arguments");
                }
                Some(ArgKind::Body { span: attr.span() })
            } else if attr.path().is_ident("header") {
                Some(header_kind(cx, &attr))
            } else {
                kept.push(attr);
                None
            };
            if let Some(found) = found {
                if marker.is_some() {
                    cx.spanned(
                        &ident,
                        format!("`{ident}` has more than one of #[query], #[body] and #[header]; keep one"),
                    );
                }
                marker = Some(ident.span());
                kind = found;
            }
        }
        typed.attrs = kept;
        args.push(Arg { ident, kind });
    }

    let output = match &sig.output {
        ReturnType::Type(_, ty) => match result_inner(ty) {
            Some(inner) => Some(inner.clone()),
            None => {
                cx.spanned(ty, "#[api] methods return `conductor::Result<T>`, where `T` is the decoded response body");
                None
            }
        },
        ReturnType::Default => {
            let span = sig.paren_token.span.close();
            cx.at(span, "#[api] methods return `conductor::Result<T>`: add `-> conductor::Result<T>`");
            None
        }
    };

    Analysis { args, output }
}

fn query_kind(cx: &mut Ctxt, attr: &Attribute, ident: &Ident) -> ArgKind {
    let name = match &attr.meta {
        Meta::Path(_) => ident.to_string(),
        Meta::List(list) => match list.parse_args::<LitStr>() {
            Ok(lit) if !lit.value().is_empty() => lit.value(),
            _ => {
                cx.spanned(
                    list,
                    "#[query] takes an optional parameter name: write `#[query]` or `#[query(\"cursor\")]`",
                );
                ident.to_string()
            }
        },
        Meta::NameValue(nv) => {
            cx.spanned(nv, "write `#[query(\"name\")]` to rename a query parameter");
            ident.to_string()
        }
    };
    ArgKind::Query { name }
}

fn header_kind(cx: &mut Ctxt, attr: &Attribute) -> ArgKind {
    let lit = match &attr.meta {
        Meta::List(list) => list.parse_args::<LitStr>().ok(),
        _ => None,
    };
    let Some(lit) = lit else {
        cx.spanned(attr, "#[header] needs the header's name: write `#[header(\"Conductor-End-User-Id\")]`");
        return ArgKind::Header { name: String::new() };
    };
    let name = lit.value();
    if name.is_empty() || !name.bytes().all(is_token_byte) {
        cx.spanned(
            &lit,
            format!(
                "{name:?} is not a valid header name: use letters, digits and `-`, as in \"Conductor-End-User-Id\""
            ),
        );
    }
    let lower = name.to_ascii_lowercase();
    if FRAMING_HEADERS.contains(&lower.as_str()) {
        cx.spanned(
            &lit,
            format!(
                "`{name}` is set by HTTP from the body and the connection, so it cannot be a #[header] argument; \
                 remove this argument"
            ),
        );
    }
    ArgKind::Header { name: lower }
}

/// Headers HTTP sets itself; a caller's value would contradict the message
/// actually sent. The runtime refuses the same names from every route.
const FRAMING_HEADERS: &[&str] =
    &["content-length", "transfer-encoding", "host", "connection", "te", "upgrade", "keep-alive", "proxy-connection"];

/// RFC 9110 `tchar`.
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// `T` in `Result<T>` or `Result<T, E>`, matched by the last path segment.
pub(crate) fn result_inner(ty: &Type) -> Option<&Type> {
    generic_argument(ty, "Result")
}

/// `T` in `Response<T>`.
pub(crate) fn response_inner(ty: &Type) -> Option<&Type> {
    generic_argument(ty, "Response")
}

/// `T` in `Vec<T>`.
pub(crate) fn vec_inner(ty: &Type) -> Option<&Type> {
    generic_argument(ty, "Vec")
}

fn generic_argument<'a>(ty: &'a Type, name: &str) -> Option<&'a Type> {
    let Type::Path(path) = ty else { return None };
    if path.qself.is_some() {
        return None;
    }
    let last = path.path.segments.last()?;
    if last.ident != name {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first()? {
        GenericArgument::Type(inner) => Some(inner),
        _ => None,
    }
}
