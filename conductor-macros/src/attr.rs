//! Parses the arguments of `#[api(...)]`: one verb with its path template,
//! and optionally `list_of = Type` or `pages_of = Type`. Each key has one
//! setter; a repeated key is caught in one place, [`Slot::set`].

use proc_macro2::{Span, TokenStream, TokenTree};
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::{Ident, LitStr, Token, Type};

use crate::ctxt::Ctxt;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
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

/// How the answer's items are shaped, when the answer is a list.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum ItemsKind {
    /// `list_of`: the whole list, as `Vec<T>`.
    List,
    /// `pages_of`: one page, plus a stream of every item.
    Pages,
}

impl ItemsKind {
    pub(crate) fn key(self) -> &'static str {
        match self {
            ItemsKind::List => "list_of",
            ItemsKind::Pages => "pages_of",
        }
    }
}

/// `list_of = T` or `pages_of = T`.
pub(crate) struct Items {
    pub(crate) kind: ItemsKind,
    pub(crate) key: Ident,
    pub(crate) ty: Type,
}

/// The parsed `#[api(...)]` arguments. A field is `None` where the key was
/// missing or its value was wrong; the error is already in the context.
#[derive(Default)]
pub(crate) struct ApiAttr {
    pub(crate) verb: Option<(Verb, LitStr)>,
    pub(crate) items: Option<Items>,
}

const KEYS: &[&str] = &["get", "post", "put", "patch", "delete", "list_of", "pages_of"];

/// One key's value, set at most once.
struct Slot<T> {
    /// The key that set it, for the message about a second one.
    key: Option<Ident>,
    value: Option<T>,
}

impl<T> Default for Slot<T> {
    fn default() -> Self {
        Slot { key: None, value: None }
    }
}

impl<T> Slot<T> {
    /// Keeps the first value; a second key for the same slot is an error at
    /// that key, worded by `repeated(first key, this key)`.
    fn set(&mut self, cx: &mut Ctxt, key: &Ident, value: Option<T>, repeated: impl Fn(&Ident, &Ident) -> String) {
        match &self.key {
            Some(first) => cx.spanned(key, repeated(first, key)),
            None => {
                self.key = Some(key.clone());
                self.value = value;
            }
        }
    }
}

/// The slots being filled, one setter per key.
#[derive(Default)]
struct Parsed {
    verb: Slot<(Verb, LitStr)>,
    items: Slot<Items>,
    /// Both `list_of` and `pages_of` were given: neither shape holds, so
    /// neither is checked against the return type.
    two_shapes: bool,
    /// A key such as `path` or `url`, whose hint already says to use a verb.
    verb_hinted: bool,
}

impl Parsed {
    fn set_verb(&mut self, cx: &mut Ctxt, key: &Ident, verb: Verb, input: ParseStream) -> syn::Result<()> {
        let value = parse_path_literal(cx, input, &key.to_string())?;
        self.verb.set(cx, key, value.map(|lit| (verb, lit)), |first, key| {
            if first == key {
                format!("duplicate key `{key}`; give the path once")
            } else {
                format!(
                    "an endpoint has exactly one HTTP verb: `{first}` is already given; \
                     remove `{key}` or declare a second method for it"
                )
            }
        });
        Ok(())
    }

    fn set_items(&mut self, cx: &mut Ctxt, key: &Ident, kind: ItemsKind, input: ParseStream) -> syn::Result<()> {
        let value = parse_type(cx, input, kind)?;
        let items = value.map(|ty| Items { kind, key: key.clone(), ty });
        self.two_shapes |= self.items.key.as_ref().is_some_and(|first| first != key);
        self.items.set(cx, key, items, |first, key| {
            if first == key {
                format!("duplicate key `{key}`; give the item type once")
            } else {
                format!(
                    "`{first}` is already given: `list_of` answers the whole list and `pages_of` one page of it; \
                     keep one"
                )
            }
        });
        Ok(())
    }

    fn unknown(&mut self, cx: &mut Ctxt, key: &Ident) {
        let name = key.to_string();
        self.verb_hinted |= hints_at_verb(&name);
        cx.spanned(key, unknown_key_message(&name));
    }
}

pub(crate) fn parse(cx: &mut Ctxt, args: TokenStream) -> ApiAttr {
    let mut parsed = Parsed::default();
    let parser = |input: ParseStream| -> syn::Result<()> {
        while !input.is_empty() {
            parsed.entry(cx, input)?;
            if input.is_empty() {
                break;
            }
            input.parse::<Token![,]>()?;
        }
        Ok(())
    };
    if let Err(error) = parser.parse2(args) {
        cx.push(error);
        return ApiAttr::default();
    }
    if parsed.verb.key.is_none() && !parsed.verb_hinted {
        let span = parsed.items.key.as_ref().map_or(Span::call_site(), Ident::span);
        cx.at(
            span,
            "#[api] needs an HTTP verb and a path: write `#[api(get = \"/end-users\")]` \
             (verbs: get, post, put, patch, delete)",
        );
    }
    let items = if parsed.two_shapes { None } else { parsed.items.value };
    ApiAttr { verb: parsed.verb.value, items }
}

impl Parsed {
    /// One `key = value` (or a key without its value): hands the value to
    /// the key's setter.
    fn entry(&mut self, cx: &mut Ctxt, input: ParseStream) -> syn::Result<()> {
        let key = input.call(Ident::parse_any)?;
        let name = key.to_string();
        let verb = Verb::from_key(&name);
        let items = match name.as_str() {
            "list_of" => Some(ItemsKind::List),
            "pages_of" => Some(ItemsKind::Pages),
            _ => None,
        };
        if !input.peek(Token![=]) {
            match (verb, items) {
                (Some(_), _) => {
                    // The verb is given, only its path is missing.
                    self.verb.key.get_or_insert_with(|| key.clone());
                    cx.spanned(&key, format!("`{name}` needs a value: write `{name} = \"/path\"`"));
                }
                (None, Some(kind)) => {
                    cx.spanned(&key, format!("`{name}` needs a value: write `{} = Model`", kind.key()));
                }
                (None, None) => self.unknown(cx, &key),
            }
            skip_value(input)?;
            return Ok(());
        }
        input.parse::<Token![=]>()?;
        match (verb, items) {
            (Some(verb), _) => self.set_verb(cx, &key, verb, input),
            (None, Some(kind)) => self.set_items(cx, &key, kind, input),
            (None, None) => {
                self.unknown(cx, &key);
                skip_value(input).map(drop)
            }
        }
    }
}

fn parse_path_literal(cx: &mut Ctxt, input: ParseStream, key: &str) -> syn::Result<Option<LitStr>> {
    if input.peek(LitStr) {
        return input.parse().map(Some);
    }
    let value = skip_value(input)?;
    cx.spanned(value, format!("the path must be a string literal: write `{key} = \"/end-users/{{id}}\"`"));
    Ok(None)
}

fn parse_type(cx: &mut Ctxt, input: ParseStream, kind: ItemsKind) -> syn::Result<Option<Type>> {
    let fork = input.fork();
    match fork.parse::<Type>() {
        Ok(_) if fork.is_empty() || fork.peek(Token![,]) => input.parse::<Type>().map(Some),
        _ => {
            let value = skip_value(input)?;
            let message = match kind {
                ItemsKind::List => "`list_of` takes the item type of the list: write `list_of = EndUser`",
                ItemsKind::Pages => "`pages_of` takes the item type of the pages: write `pages_of = Invoice`",
            };
            cx.spanned(value, message);
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
        "paginated" | "pages" | "paged" | "cursor" => Some("write `pages_of = Model`".to_owned()),
        _ => KEYS
            .iter()
            .filter(|k| **k == lower || **k == lower.replace('-', "_") || strsim::levenshtein(k, &lower) <= 2)
            .min_by_key(|k| strsim::levenshtein(k, &lower))
            .map(|k| format!("did you mean `{k}`?")),
    };
    match hint {
        Some(hint) => {
            message.push_str("; ");
            message.push_str(&hint);
        }
        None => message.push_str("; expected one of `get`, `post`, `put`, `patch`, `delete`, `list_of`, `pages_of`"),
    }
    message
}

/// Keys that mean "the path", whose hint already says to use a verb.
fn hints_at_verb(name: &str) -> bool {
    matches!(name.to_ascii_lowercase().as_str(), "path" | "url" | "route" | "method")
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::*;

    #[test]
    fn near_misses_get_a_hint() {
        assert_eq!(unknown_key_message("lst_of"), "unknown key `lst_of` in #[api]; did you mean `list_of`?");
        assert_eq!(unknown_key_message("listOf"), "unknown key `listOf` in #[api]; did you mean `list_of`?");
        assert_eq!(unknown_key_message("page_of"), "unknown key `page_of` in #[api]; did you mean `pages_of`?");
        assert_eq!(unknown_key_message("GET"), "unknown key `GET` in #[api]; did you mean `get`?");
        assert_eq!(unknown_key_message("pots"), "unknown key `pots` in #[api]; did you mean `post`?");
        assert_eq!(unknown_key_message("paginated"), "unknown key `paginated` in #[api]; write `pages_of = Model`");
        assert!(
            unknown_key_message("zzzzzzzz")
                .ends_with("expected one of `get`, `post`, `put`, `patch`, `delete`, `list_of`, `pages_of`")
        );
    }

    /// The hints count edits as Levenshtein does, by characters.
    #[test]
    fn edit_distance_counts_edits() {
        use strsim::levenshtein as edit_distance;
        assert_eq!(edit_distance("list_of", "list_of"), 0);
        assert_eq!(edit_distance("list_of", "lst_of"), 1);
        assert_eq!(edit_distance("get", "set"), 1);
        assert_eq!(edit_distance("get", "put"), 2);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    fn parsed(tokens: TokenStream) -> (ApiAttr, Vec<String>) {
        let mut cx = Ctxt::default();
        let attr = parse(&mut cx, tokens);
        (attr, cx.messages())
    }

    #[test]
    fn each_key_sets_its_slot_once() {
        let (attr, errors) = parsed(quote!(get = "/invoices", pages_of = Invoice));
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(attr.verb.map(|(verb, lit)| (verb, lit.value())), Some((Verb::Get, "/invoices".to_owned())));
        assert_eq!(attr.items.map(|items| items.kind), Some(ItemsKind::Pages));

        let (_, errors) = parsed(quote!(get = "/a", get = "/b", post = "/c", list_of = A, list_of = B, pages_of = C));
        assert_eq!(
            errors,
            [
                "duplicate key `get`; give the path once",
                "an endpoint has exactly one HTTP verb: `get` is already given; remove `post` or declare a second \
                 method for it",
                "duplicate key `list_of`; give the item type once",
                "`list_of` is already given: `list_of` answers the whole list and `pages_of` one page of it; keep one",
            ]
        );
    }
}
