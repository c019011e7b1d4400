//! Parses a path template such as `/end-users/{id}` into literal pieces and
//! placeholders, noting what is wrong with it for the checks to report.

use syn::LitStr;

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Piece {
    Literal(String),
    Placeholder(String),
}

/// A path template: the literal as written, its pieces, and every problem
/// found in it.
pub(crate) struct Template {
    pub(crate) lit: LitStr,
    pub(crate) pieces: Vec<Piece>,
    pub(crate) problems: Vec<String>,
}

impl Template {
    pub(crate) fn parse(lit: LitStr) -> Self {
        let (pieces, problems) = split(&lit.value());
        Template { lit, pieces, problems }
    }

    /// The names of the placeholders, in order.
    pub(crate) fn placeholders(&self) -> impl Iterator<Item = &str> {
        self.pieces.iter().filter_map(|piece| match piece {
            Piece::Placeholder(name) => Some(name.as_str()),
            Piece::Literal(_) => None,
        })
    }
}

/// The pieces of `template` and its problems; parsing stops at the first
/// problem that leaves the rest unreadable.
fn split(template: &str) -> (Vec<Piece>, Vec<String>) {
    let mut pieces = Vec::new();
    let mut problems = Vec::new();
    if !template.starts_with('/') {
        problems.push(format!("the path must begin with `/`: write \"/{}\"", template.trim_start_matches('/')));
    }

    let mut literal = String::new();
    let mut chars = template.chars();
    while let Some(c) = chars.next() {
        match c {
            '{' => {
                let mut name = String::new();
                let mut closed = false;
                for c in chars.by_ref() {
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
                    problems.push(format!(
                        "unbalanced braces in path \"{template}\": every `{{` needs a `}}`, as in \"/end-users/{{id}}\""
                    ));
                    return (pieces, problems);
                }
                if !is_identifier(&name) {
                    problems.push(format!(
                        "`{{{name}}}` is not a placeholder: name an argument of the method, as in \"/end-users/{{id}}\""
                    ));
                    continue;
                }
                if !literal.is_empty() {
                    pieces.push(Piece::Literal(std::mem::take(&mut literal)));
                }
                pieces.push(Piece::Placeholder(name));
            }
            '}' => {
                problems.push(format!("unbalanced braces in path \"{template}\": `}}` without a matching `{{`"));
                return (pieces, problems);
            }
            '?' | '#' => {
                problems.push(format!("the path must not contain `{c}`: mark query arguments with #[query] instead"));
                return (pieces, problems);
            }
            c if c.is_ascii_whitespace() || c.is_ascii_control() || !c.is_ascii() => {
                problems.push(format!(
                    "the path must not contain {c:?}: write it percent-encoded, or take it as a `{{placeholder}}` argument"
                ));
                return (pieces, problems);
            }
            _ => literal.push(c),
        }
    }
    if !literal.is_empty() {
        pieces.push(Piece::Literal(literal));
    }
    (pieces, problems)
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn literal(text: &str) -> Piece {
        Piece::Literal(text.to_owned())
    }

    fn placeholder(name: &str) -> Piece {
        Piece::Placeholder(name.to_owned())
    }

    #[test]
    fn literals_and_placeholders_alternate() {
        assert_eq!(split("/end-users"), (vec![literal("/end-users")], vec![]));
        assert_eq!(split("/end-users/{id}"), (vec![literal("/end-users/"), placeholder("id")], vec![]));
        assert_eq!(
            split("/shops/{shop}/widgets/{id}.json"),
            (
                vec![
                    literal("/shops/"),
                    placeholder("shop"),
                    literal("/widgets/"),
                    placeholder("id"),
                    literal(".json")
                ],
                vec![]
            )
        );
        assert_eq!(split("/{a}{b}"), (vec![literal("/"), placeholder("a"), placeholder("b")], vec![]));
        assert_eq!(split("/"), (vec![literal("/")], vec![]));
    }

    #[test]
    fn problems_are_named() {
        assert_eq!(split("widgets").1, ["the path must begin with `/`: write \"/widgets\""]);
        assert_eq!(
            split("/w/{id").1,
            ["unbalanced braces in path \"/w/{id\": every `{` needs a `}`, as in \"/end-users/{id}\""]
        );
        assert_eq!(split("/w/id}").1, ["unbalanced braces in path \"/w/id}\": `}` without a matching `{`"]);
        assert_eq!(
            split("/w/{1x}/{ok}"),
            (
                vec![literal("/w//"), placeholder("ok")],
                vec![
                    "`{1x}` is not a placeholder: name an argument of the method, as in \"/end-users/{id}\"".to_owned()
                ]
            )
        );
        assert_eq!(split("/w?x=1").1, ["the path must not contain `?`: mark query arguments with #[query] instead"]);
        assert_eq!(
            split("/w x").1,
            ["the path must not contain ' ': write it percent-encoded, or take it as a `{placeholder}` argument"]
        );
        assert_eq!(split("w/{").1.len(), 2, "a missing slash and unbalanced braces are both reported");
    }
}
