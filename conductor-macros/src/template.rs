//! Parses a path template such as `/end-users/{id}` into literal pieces and
//! placeholders.

use syn::LitStr;

use crate::ctxt::Ctxt;

pub(crate) enum Piece {
    Literal(String),
    Placeholder(String),
}

/// Splits the template; records every problem it finds in `cx`.
pub(crate) fn parse(cx: &mut Ctxt, lit: &LitStr) -> Vec<Piece> {
    let template = lit.value();
    let mut pieces = Vec::new();
    if !template.starts_with('/') {
        cx.spanned(lit, format!("the path must begin with `/`: write \"/{}\"", template.trim_start_matches('/')));
    }

    let mut literal = String::new();
    let mut chars = template.char_indices();
    while let Some((_, c)) = chars.next() {
        match c {
            '{' => {
                let mut name = String::new();
                let mut closed = false;
                for (_, c) in chars.by_ref() {
                    match c {
                        '}' => {
                            closed = true;
                            break;
                        }
                        '{' => break,
                        _ => name.push(c),
                    }
                }
                if !closed {
                    cx.spanned(
                        lit,
                        format!("unbalanced braces in path \"{template}\": every `{{` needs a `}}`, as in \"/end-users/{{id}}\""),
                    );
                    return pieces;
                }
                if !is_identifier(&name) {
                    cx.spanned(
                        lit,
                        format!(
                            "`{{{name}}}` is not a placeholder: name an argument of the method, as in \"/end-users/{{id}}\""
                        ),
                    );
                    continue;
                }
                if !literal.is_empty() {
                    pieces.push(Piece::Literal(std::mem::take(&mut literal)));
                }
                pieces.push(Piece::Placeholder(name));
            }
            '}' => {
                cx.spanned(lit, format!("unbalanced braces in path \"{template}\": `}}` without a matching `{{`"));
                return pieces;
            }
            '?' | '#' => {
                cx.spanned(lit, format!("the path must not contain `{c}`: mark query arguments with #[query] instead"));
                return pieces;
            }
            c if c.is_ascii_whitespace() || c.is_ascii_control() || !c.is_ascii() => {
                cx.spanned(
                    lit,
                    format!("the path must not contain {c:?}: write it percent-encoded, or take it as a `{{placeholder}}` argument"),
                );
                return pieces;
            }
            _ => literal.push(c),
        }
    }
    if !literal.is_empty() {
        pieces.push(Piece::Literal(literal));
    }
    pieces
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}
