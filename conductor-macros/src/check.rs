//! Checks that need the attribute, the path template and the signature
//! together.

use std::collections::HashSet;

use syn::{LitStr, ReturnType, Signature, Type};

use crate::attr::Verb;
use crate::ctxt::Ctxt;
use crate::method::{Arg, ArgKind, response_inner, vec_inner};
use crate::template::Piece;

pub(crate) fn check(
    cx: &mut Ctxt,
    verb: Option<(Verb, &LitStr)>,
    pieces: &[Piece],
    args: &[Arg],
    sig: &Signature,
    output: Option<&Type>,
    list_of: Option<&Type>,
) {
    let mut placeholders = HashSet::new();
    if let Some((_, lit)) = verb {
        for piece in pieces {
            let Piece::Placeholder(name) = piece else {
                continue;
            };
            placeholders.insert(name.as_str());
            match args.iter().find(|arg| arg.ident == name) {
                Some(Arg { kind: ArgKind::Path, .. }) => {}
                Some(arg) => cx.spanned(
                    &arg.ident,
                    format!(
                        "`{name}` is a path placeholder, so it cannot also be marked #[query], #[body] or #[header]"
                    ),
                ),
                None => cx.spanned(
                    lit,
                    format!("the path placeholder `{{{name}}}` has no argument: add `{name}: &str` to the method"),
                ),
            }
        }
    }

    let mut body: Option<&Arg> = None;
    for arg in args {
        match &arg.kind {
            ArgKind::Path if verb.is_some() && !placeholders.contains(arg.ident.to_string().as_str()) => {
                let name = &arg.ident;
                cx.spanned(
                    name,
                    format!(
                        "argument `{name}` is used nowhere: put `{{{name}}}` in the path, \
                         or mark it #[query], #[body] or #[header(\"Name\")]"
                    ),
                );
            }
            ArgKind::Body { span } => {
                if let Some(first) = body {
                    cx.at(
                        *span,
                        format!("a request has one JSON body and `{}` is already it: remove this #[body]", first.ident),
                    );
                } else {
                    body = Some(arg);
                }
                if let Some((Verb::Get, _)) = verb {
                    cx.at(*span, format!("a GET request has no body: send `{}` as #[query], or use `post`", arg.ident));
                }
            }
            _ => {}
        }
    }

    if let (Some(item), Some(output)) = (list_of, output) {
        let items = response_inner(output).unwrap_or(output);
        if vec_inner(items).is_none() {
            let ReturnType::Type(_, ty) = &sig.output else {
                return;
            };
            cx.spanned(
                ty,
                format!(
                    "`list_of` returns the list's items: declare the return type as \
                     `conductor::Result<Vec<{}>>` (or `conductor::Result<conductor::Response<Vec<_>>>`)",
                    type_text(item)
                ),
            );
        }
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
