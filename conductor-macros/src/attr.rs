//! Parses the arguments of `#[api(...)]`: one verb with its path template and
//! an optional `list_of = Type`.

use proc_macro2::{Span, TokenStream, TokenTree};
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::{Ident, LitStr, Token, Type};

use crate::ctxt::Ctxt;

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verb {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Verb {
    fn from_key(key: &str) -> Option<Self> {
        Some(match key {
            "get" => Verb::Get,
            "post" => Verb::Post,
            "put" => Verb::Put,
            "patch" => Verb::Patch,
            "delete" => Verb::Delete,
            _ => return None,
        })
    }

    /// The name of the `http::Method` constant.
    pub(crate) fn constant(self) -> &'static str {
        match self {
            Verb::Get => "GET",
            Verb::Post => "POST",
            Verb::Put => "PUT",
            Verb::Patch => "PATCH",
            Verb::Delete => "DELETE",
        }
    }
}

/// The parsed `#[api(...)]` arguments. Fields are `None` where the key was
/// missing or its value was wrong; the error is already in the context.
#[derive(Default)]
pub(crate) struct ApiAttr {
    pub(crate) verb: Option<(Verb, LitStr)>,
    pub(crate) list_of: Option<Type>,
}

const KEYS: &[&str] = &["get", "post", "put", "patch", "delete", "list_of"];

pub(crate) fn parse(cx: &mut Ctxt, args: TokenStream) -> ApiAttr {
    let mut attr = ApiAttr::default();
    let mut verb_key: Option<Ident> = None;
    let mut list_of_key: Option<Ident> = None;
    let mut saw_any = false;
    let mut verb_hinted = false;

    let parser = |input: ParseStream| -> syn::Result<()> {
        while !input.is_empty() {
            saw_any = true;
            let key = input.call(Ident::parse_any)?;
            let name = key.to_string();
            let verb = Verb::from_key(&name);
            let known = verb.is_some() || name == "list_of";

            if !input.peek(Token![=]) {
                if known {
                    if verb.is_some() && verb_key.is_none() {
                        verb_key = Some(key.clone());
                    }
                    let example =
                        if verb.is_some() { format!("`{name} = \"/path\"`") } else { "`list_of = Model`".to_owned() };
                    cx.spanned(&key, format!("`{name}` needs a value: write {example}"));
                } else {
                    verb_hinted |= hints_at_verb(&name);
                    cx.spanned(&key, unknown_key_message(&name));
                }
                skip_value(input)?;
            } else {
                input.parse::<Token![=]>()?;
                if let Some(verb) = verb {
                    let value = parse_path_literal(cx, input, &name)?;
                    if let Some(previous) = &verb_key {
                        if previous == &key {
                            cx.spanned(&key, format!("duplicate key `{name}`; give the path once"));
                        } else {
                            cx.spanned(
                                &key,
                                format!(
                                    "an endpoint has exactly one HTTP verb: `{previous}` is already given; \
                                     remove `{name}` or declare a second method for it"
                                ),
                            );
                        }
                    } else {
                        verb_key = Some(key.clone());
                        attr.verb = value.map(|lit| (verb, lit));
                    }
                } else if name == "list_of" {
                    let value = parse_type(cx, input)?;
                    if list_of_key.is_some() {
                        cx.spanned(&key, "duplicate key `list_of`; give the item type once");
                    } else {
                        list_of_key = Some(key.clone());
                        attr.list_of = value;
                    }
                } else {
                    verb_hinted |= hints_at_verb(&name);
                    cx.spanned(&key, unknown_key_message(&name));
                    skip_value(input)?;
                }
            }

            if input.is_empty() {
                break;
            }
            input.parse::<Token![,]>()?;
        }
        Ok(())
    };

    if let Err(error) = parser.parse2(args) {
        cx.push(error);
        return attr;
    }
    if verb_key.is_none() && !verb_hinted {
        let span = if saw_any { list_of_key.map_or_else(Span::call_site, |k| k.span()) } else { Span::call_site() };
        cx.at(
            span,
            "#[api] needs an HTTP verb and a path: write `#[api(get = \"/end-users\")]` \
             (verbs: get, post, put, patch, delete)",
        );
    }
    attr
}

fn parse_path_literal(cx: &mut Ctxt, input: ParseStream, key: &str) -> syn::Result<Option<LitStr>> {
    if input.peek(LitStr) {
        return input.parse().map(Some);
    }
    let value = skip_value(input)?;
    cx.spanned(value, format!("the path must be a string literal: write `{key} = \"/end-users/{{id}}\"`"));
    Ok(None)
}

fn parse_type(cx: &mut Ctxt, input: ParseStream) -> syn::Result<Option<Type>> {
    let fork = input.fork();
    match fork.parse::<Type>() {
        Ok(_) if fork.is_empty() || fork.peek(Token![,]) => input.parse::<Type>().map(Some),
        _ => {
            let value = skip_value(input)?;
            cx.spanned(value, "`list_of` takes the item type of the list: write `list_of = EndUser`");
            Ok(None)
        }
    }
}

/// Skips one value up to the next comma outside angle brackets, returning the
/// skipped tokens for error spans.
fn skip_value(input: ParseStream) -> syn::Result<TokenStream> {
    let mut skipped = TokenStream::new();
    let mut depth = 0usize;
    while !input.is_empty() {
        if depth == 0 && input.peek(Token![,]) {
            break;
        }
        let tree: TokenTree = input.parse()?;
        if let TokenTree::Punct(p) = &tree {
            match p.as_char() {
                '<' => depth += 1,
                '>' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        skipped.extend(std::iter::once(tree));
    }
    Ok(skipped)
}

fn unknown_key_message(name: &str) -> String {
    let mut message = format!("unknown key `{name}` in #[api]");
    let lower = name.to_ascii_lowercase();
    let hint = match lower.as_str() {
        _ if hints_at_verb(&lower) => Some("the verb is the key: write `get = \"/end-users\"`".to_owned()),
        "body" | "json" => Some("mark the argument instead: `#[body] params: &CreateParams`".to_owned()),
        "query" | "params" => Some("mark the argument instead: `#[query] params: &ListParams`".to_owned()),
        "header" | "headers" => {
            Some("mark the argument instead: `#[header(\"Conductor-End-User-Id\")] end_user_id: &str`".to_owned())
        }
        _ => KEYS
            .iter()
            .filter(|k| **k == lower || **k == lower.replace('-', "_") || edit_distance(k, &lower) <= 2)
            .min_by_key(|k| edit_distance(k, &lower))
            .map(|k| format!("did you mean `{k}`?")),
    };
    match hint {
        Some(hint) => {
            message.push_str("; ");
            message.push_str(&hint);
        }
        None => message.push_str("; expected one of `get`, `post`, `put`, `patch`, `delete`, `list_of`"),
    }
    message
}

/// Keys that mean "the path", whose hint already says to use a verb.
fn hints_at_verb(name: &str) -> bool {
    matches!(name.to_ascii_lowercase().as_str(), "path" | "url" | "route" | "method")
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous_diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous_diagonal + usize::from(ca != *cb);
            previous_diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_misses_get_a_hint() {
        assert_eq!(unknown_key_message("lst_of"), "unknown key `lst_of` in #[api]; did you mean `list_of`?");
        assert_eq!(unknown_key_message("listOf"), "unknown key `listOf` in #[api]; did you mean `list_of`?");
        assert_eq!(unknown_key_message("GET"), "unknown key `GET` in #[api]; did you mean `get`?");
        assert_eq!(unknown_key_message("pots"), "unknown key `pots` in #[api]; did you mean `post`?");
        assert!(
            unknown_key_message("zzzzzzzz")
                .ends_with("expected one of `get`, `post`, `put`, `patch`, `delete`, `list_of`")
        );
    }

    #[test]
    fn edit_distance_counts_edits() {
        assert_eq!(edit_distance("list_of", "list_of"), 0);
        assert_eq!(edit_distance("list_of", "lst_of"), 1);
        assert_eq!(edit_distance("get", "set"), 1);
        assert_eq!(edit_distance("get", "put"), 2);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
