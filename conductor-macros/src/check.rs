//! Every check of a declaration, on the model alone: the signature, each
//! argument's marker, the path template against the arguments, and the
//! return type against the list shape.

use std::collections::HashSet;

use syn::{FnArg, ReceiverKind, Type};

use crate::ast::{Arg, Endpoint, Role, page_inner, response_inner, vec_inner};
use crate::attr::{ItemsKind, Verb};
use crate::ctxt::Ctxt;

/// Headers HTTP sets itself; a caller's value would contradict the message
/// actually sent. The runtime refuses the same names from every route.
const FRAMING_HEADERS: &[&str] =
    &["content-length", "transfer-encoding", "host", "connection", "te", "upgrade", "keep-alive", "proxy-connection"];

pub(crate) fn check(cx: &mut Ctxt, endpoint: &Endpoint) {
    signature(cx, endpoint);
    for arg in &endpoint.args {
        argument(cx, arg);
    }
    output(cx, endpoint);
    template(cx, endpoint);
    roles(cx, endpoint);
    items(cx, endpoint);
}

fn signature(cx: &mut Ctxt, endpoint: &Endpoint) {
    if let Some(body) = &endpoint.method.body {
        cx.spanned(body, "#[api] writes the body of this method: end the declaration with `;` instead");
    }
    let sig = &endpoint.method.sig;
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
        _ => cx.at(sig.paren_token.span.open(), "#[api] methods take `&self`: add `&self` as the first argument"),
    }
}

fn argument(cx: &mut Ctxt, arg: &Arg) {
    let Some(ident) = &arg.ident else {
        cx.spanned(&arg.pat, "#[api] arguments must be plain names, as in `id: &str`");
        return;
    };
    for marker in &arg.markers {
        if let Role::Header { name: Some(lit) } = &marker.role {
            header_name(cx, lit);
        }
    }
    if arg.markers.len() > 1 {
        cx.spanned(ident, format!("`{ident}` has more than one of #[query], #[body] and #[header]; keep one"));
    }
}

fn header_name(cx: &mut Ctxt, lit: &syn::LitStr) {
    let name = lit.value();
    if name.is_empty() || !name.bytes().all(is_token_byte) {
        cx.spanned(
            lit,
            format!(
                "{name:?} is not a valid header name: use letters, digits and `-`, as in \"Conductor-End-User-Id\""
            ),
        );
    } else if FRAMING_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
        cx.spanned(
            lit,
            format!(
                "`{name}` is set by HTTP from the body and the connection, so it cannot be a #[header] argument; \
                 remove this argument"
            ),
        );
    }
}

/// RFC 9110 `tchar`.
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn output(cx: &mut Ctxt, endpoint: &Endpoint) {
    match &endpoint.returns {
        Some(ty) if endpoint.output.is_none() => {
            cx.spanned(ty, "#[api] methods return `conductor::Result<T>`, where `T` is the decoded response body");
        }
        Some(_) => {}
        None => cx.at(
            endpoint.method.sig.paren_token.span.close(),
            "#[api] methods return `conductor::Result<T>`: add `-> conductor::Result<T>`",
        ),
    }
}

fn template(cx: &mut Ctxt, endpoint: &Endpoint) {
    let Some(template) = &endpoint.template else { return };
    for problem in &template.problems {
        cx.spanned(&template.lit, problem);
    }
    for name in template.placeholders() {
        match endpoint.args.iter().find(|arg| arg.ident.as_ref().is_some_and(|ident| ident == name)) {
            Some(arg) if matches!(arg.role(), Role::Path) => {}
            Some(arg) => cx.spanned(
                &arg.ident,
                format!("`{name}` is a path placeholder, so it cannot also be marked #[query], #[body] or #[header]"),
            ),
            None => cx.spanned(
                &template.lit,
                format!("the path placeholder `{{{name}}}` has no argument: add `{name}: &str` to the method"),
            ),
        }
    }
}

/// Arguments used nowhere, and the body: at most one, never on GET.
fn roles(cx: &mut Ctxt, endpoint: &Endpoint) {
    let placeholders: HashSet<&str> = endpoint.template.iter().flat_map(|t| t.placeholders()).collect();
    let mut body: Option<&Arg> = None;
    for arg in &endpoint.args {
        let Some(ident) = &arg.ident else { continue };
        match arg.role() {
            Role::Path if endpoint.verb.is_some() && !placeholders.contains(ident.to_string().as_str()) => {
                cx.spanned(
                    ident,
                    format!(
                        "argument `{ident}` is used nowhere: put `{{{ident}}}` in the path, \
                         or mark it #[query], #[body] or #[header(\"Name\")]"
                    ),
                );
            }
            Role::Body => {
                let span = arg.markers.last().map_or_else(proc_macro2::Span::call_site, |marker| marker.span);
                match body {
                    Some(first) => cx.at(
                        span,
                        format!(
                            "a request has one JSON body and `{}` is already it: remove this #[body]",
                            first.ident.as_ref().map(ToString::to_string).unwrap_or_default()
                        ),
                    ),
                    None => body = Some(arg),
                }
                if endpoint.verb == Some(Verb::Get) {
                    cx.at(span, format!("a GET request has no body: send `{ident}` as #[query], or use `post`"));
                }
            }
            _ => {}
        }
    }
}

/// `list_of` answers `Vec<T>`, `pages_of` a `CursorPage<T>`.
fn items(cx: &mut Ctxt, endpoint: &Endpoint) {
    let (Some(items), Some(output), Some(declared)) = (&endpoint.items, &endpoint.output, &endpoint.returns) else {
        return;
    };
    let answer = response_inner(output).unwrap_or(output);
    let item = type_text(&items.ty);
    match items.kind {
        ItemsKind::List if vec_inner(answer).is_none() => cx.spanned(
            declared,
            format!(
                "`list_of` returns the list's items: declare the return type as \
                 `conductor::Result<Vec<{item}>>` (or `conductor::Result<conductor::Response<Vec<_>>>`)"
            ),
        ),
        ItemsKind::Pages if page_inner(answer).is_none() => cx.spanned(
            declared,
            format!(
                "`pages_of` returns one page of the list: declare the return type as \
                 `conductor::Result<conductor::CursorPage<{item}>>` \
                 (or `conductor::Result<conductor::Response<conductor::CursorPage<_>>>`)"
            ),
        ),
        _ => {}
    }
}

/// A type as the user would write it, for messages.
fn type_text(ty: &Type) -> String {
    quote::ToTokens::to_token_stream(ty)
        .to_string()
        .replace(" :: ", "::")
        .replace(":: ", "::")
        .replace(" <", "<")
        .replace("< ", "<")
        .replace(" >", ">")
        .replace(" ,", ",")
}
