//! The model of one declaration: the method as written (without our
//! argument markers), the verb, the path template, each argument with its
//! role, the output type and the shape of a list answer. Parsing builds it
//! once; the checks and the expansion read it.

use proc_macro2::{Span, TokenStream};
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{
    Attribute, Block, FnArg, GenericArgument, Ident, LitStr, Meta, Pat, PathArguments, ReturnType, Signature, Token,
    Type, Visibility,
};

use crate::attr::{self, Items, Verb};
use crate::ctxt::Ctxt;
use crate::template::Template;

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

/// How an argument is sent.
pub(crate) enum Role {
    /// Bound to a `{placeholder}` of the path.
    Path,
    /// Serialized into the query string under `name` (a struct contributes
    /// its fields instead).
    Query { name: String },
    /// Serialized as the JSON body.
    Body,
    /// Sent as the header named by the literal; `None` when the marker had
    /// no name (already reported).
    Header { name: Option<LitStr> },
}

/// One of `#[query]`, `#[body]` and `#[header("Name")]` on an argument.
pub(crate) struct Marker {
    pub(crate) role: Role,
    pub(crate) span: Span,
}

pub(crate) struct Arg {
    /// The pattern as written, for the error when it is not a plain name.
    pub(crate) pat: Box<Pat>,
    /// The name, when the pattern is one.
    pub(crate) ident: Option<Ident>,
    pub(crate) markers: Vec<Marker>,
}

impl Arg {
    /// The role of the last marker (more than one is an error of its own);
    /// an unmarked argument fills a placeholder.
    pub(crate) fn role(&self) -> &Role {
        self.markers.last().map_or(&Role::Path, |marker| &marker.role)
    }
}

pub(crate) struct Endpoint {
    /// The method, with our markers taken off its arguments.
    pub(crate) method: Method,
    pub(crate) verb: Option<Verb>,
    pub(crate) template: Option<Template>,
    /// The arguments after `&self`.
    pub(crate) args: Vec<Arg>,
    /// The declared return type, when there is one.
    pub(crate) returns: Option<Box<Type>>,
    /// `T` of the declared `Result<T>`, when the return type has that shape.
    pub(crate) output: Option<Type>,
    /// `list_of` or `pages_of`, with the item type.
    pub(crate) items: Option<Items>,
}

impl Endpoint {
    /// Parses the attribute's arguments and the method it is on. Syntax that
    /// cannot be read is reported here; everything readable goes into the
    /// model for the checks. `Err` gives the tokens to emit when there is no
    /// method to model.
    pub(crate) fn parse(cx: &mut Ctxt, args: TokenStream, item: TokenStream) -> Result<Endpoint, TokenStream> {
        let attr = attr::parse(cx, args);
        let mut method: Method = syn::parse2(item.clone()).map_err(|_| {
            cx.at(Span::call_site(), "#[api] goes on a bodiless `async fn` in a trait or an impl block");
            item
        })?;
        let args = take_args(cx, &mut method.sig);
        let returns = match &method.sig.output {
            ReturnType::Type(_, ty) => Some(ty.clone()),
            ReturnType::Default => None,
        };
        let output = returns.as_deref().and_then(result_inner).cloned();
        let (verb, template) = match attr.verb {
            Some((verb, lit)) => (Some(verb), Some(Template::parse(lit))),
            None => (None, None),
        };
        Ok(Endpoint { method, verb, template, args, returns, output, items: attr.items })
    }
}

/// Reads the arguments after `&self`, taking our markers off them.
fn take_args(cx: &mut Ctxt, sig: &mut Signature) -> Vec<Arg> {
    let mut args = Vec::new();
    for input in sig.inputs.iter_mut() {
        let FnArg::Typed(typed) = input else { continue };
        let ident = match &*typed.pat {
            Pat::Ident(pat) if pat.by_ref.is_none() && pat.subpat.is_none() => Some(pat.ident.clone()),
            _ => None,
        };
        let mut markers = Vec::new();
        let mut kept = Vec::new();
        for attr in typed.attrs.drain(..) {
            match marker(cx, &attr, ident.as_ref()) {
                Some(role) => markers.push(Marker { role, span: attr.span() }),
                None => kept.push(attr),
            }
        }
        typed.attrs = kept;
        args.push(Arg { pat: typed.pat.clone(), ident, markers });
    }
    args
}

/// The role a marker attribute gives, or `None` for any other attribute.
fn marker(cx: &mut Ctxt, attr: &Attribute, ident: Option<&Ident>) -> Option<Role> {
    let default_name = || ident.map(Ident::to_string).unwrap_or_default();
    if attr.path().is_ident("query") {
        let name = match &attr.meta {
            Meta::Path(_) => default_name(),
            Meta::List(list) => match list.parse_args::<LitStr>() {
                Ok(lit) if !lit.value().is_empty() => lit.value(),
                _ => {
                    cx.spanned(
                        list,
                        "#[query] takes an optional parameter name: write `#[query]` or `#[query(\"cursor\")]`",
                    );
                    default_name()
                }
            },
            Meta::NameValue(nv) => {
                cx.spanned(nv, "write `#[query(\"name\")]` to rename a query parameter");
                default_name()
            }
        };
        Some(Role::Query { name })
    } else if attr.path().is_ident("body") {
        if !matches!(attr.meta, Meta::Path(_)) {
            cx.spanned(attr, "`#[body]` takes no arguments");
        }
        Some(Role::Body)
    } else if attr.path().is_ident("header") {
        let name = match &attr.meta {
            Meta::List(list) => list.parse_args::<LitStr>().ok(),
            _ => None,
        };
        if name.is_none() {
            cx.spanned(attr, "#[header] needs the header's name: write `#[header(\"Conductor-End-User-Id\")]`");
        }
        Some(Role::Header { name })
    } else {
        None
    }
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

/// `T` in `CursorPage<T>`.
pub(crate) fn page_inner(ty: &Type) -> Option<&Type> {
    generic_argument(ty, "CursorPage")
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
