//! The rules Conductor's description states, found by a script rather than
//! by memory: every sentence of every `description` of the description that
//! says what must, cannot, may only or never be (`must`, `cannot`, `only`,
//! `never`, `required`, `Maximum length`, `IMPORTANT`, `NOTE`, `will
//! ignore`, `not both`, `Do not`, `exactly`, `at most`, `at least`, `Decimal
//! string format`, ...), with where it is said.
//!
//! Each distinct statement is then judged by the catalog (`catalog.rs`): a
//! rule the sandbox keeps, with the test that shows it; a rule it does not
//! keep yet, which the README's table lists; or a statement that states no
//! rule a fake of the API could keep (what a field means, what QuickBooks'
//! own screens do, advice to a caller). Every statement must be judged,
//! and every test the catalog names must exist.
//!
//! `cargo run -p xtask -- codegen` writes the findings to
//! `conductor-sandbox/RULES.md` and the README's table, and prints the
//! counts; `--check` fails when a statement is unjudged.

mod catalog;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use regex::Regex;
use serde_json::Value;

pub(crate) use catalog::{CATALOG, Verdict};

pub(crate) const RULES_PATH: &str = "conductor-sandbox/RULES.md";

/// One statement: its text, and every place the description says it.
pub(crate) struct Statement {
    pub(crate) text: String,
    pub(crate) places: Vec<String>,
}

/// The words that mark a sentence as stating a rule.
fn marker() -> Regex {
    Regex::new(
        r"(?x)
        \b(?i:must|cannot|can\ not|can't|only|never|required|not\ both|do\ not|will\ ignore|exactly|at\ most
            |at\ least|not\ supported|does\ not\ support)\b
        | \b(?:IMPORTANT|NOTE|Maximum\ length|Decimal\ string\ format)\b",
    )
    .expect("a valid pattern")
}

/// The sentences of a description: its paragraphs and list items, each
/// split after `.`, `!` or `?` where the next sentence begins.
fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for paragraph in text.lines().map(str::trim).filter(|line| !line.is_empty()) {
        let chars: Vec<char> = paragraph.chars().collect();
        let mut start = 0;
        for i in 0..chars.len() {
            let ends = matches!(chars[i], '.' | '!' | '?')
                && chars.get(i + 1).is_some_and(|c| c.is_whitespace())
                && chars.get(i + 2).is_some_and(|c| c.is_uppercase() || matches!(c, '*' | '`' | '('));
            if ends {
                out.push(chars[start..=i].iter().collect::<String>().trim().to_owned());
                start = i + 1;
            }
        }
        let rest: String = chars[start..].iter().collect();
        if !rest.trim().is_empty() {
            out.push(rest.trim().to_owned());
        }
    }
    out
}

/// Every statement of a rule in the description, distinct texts in the
/// order first found.
pub(crate) fn statements(spec: &Value) -> Vec<Statement> {
    let marker = marker();
    let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    let mut visit = |place: &str, text: &str| {
        for sentence in sentences(text) {
            if marker.is_match(&sentence) {
                let places = found.entry(sentence.clone()).or_default();
                if places.is_empty() {
                    order.push(sentence.clone());
                }
                places.push(place.to_owned());
            }
        }
    };
    walk(spec, &mut String::new(), &mut visit);
    order.into_iter().map(|text| Statement { places: found.remove(&text).unwrap_or_default(), text }).collect()
}

fn walk(value: &Value, place: &mut String, visit: &mut dyn FnMut(&str, &str)) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                let at = place.len();
                place.push('/');
                place.push_str(key);
                match (key.as_str(), inner) {
                    // Examples and code samples say nothing of rules.
                    ("example" | "examples" | "x-codeSamples", _) => {}
                    ("description" | "summary", Value::String(text)) => visit(&place[..at], text),
                    _ => walk(inner, place, visit),
                }
                place.truncate(at);
            }
        }
        Value::Array(items) => {
            for (i, inner) in items.iter().enumerate() {
                let at = place.len();
                let _ = write!(place, "/{i}");
                walk(inner, place, visit);
                place.truncate(at);
            }
        }
        _ => {}
    }
}

/// Each statement's verdict: the first catalog entry whose pattern matches
/// it.
pub(crate) fn judge(statements: &[Statement]) -> Result<Vec<(&Statement, usize)>, String> {
    let patterns: Vec<Regex> = (CATALOG.iter())
        .map(|entry| Regex::new(entry.pattern).map_err(|e| format!("catalog pattern {:?}: {e}", entry.pattern)))
        .collect::<Result<_, _>>()?;
    let mut judged = Vec::new();
    let mut unjudged = Vec::new();
    for statement in statements {
        match patterns.iter().position(|pattern| pattern.is_match(&statement.text)) {
            Some(entry) => judged.push((statement, entry)),
            None => unjudged.push(statement.text.clone()),
        }
    }
    if !unjudged.is_empty() {
        return Err(format!(
            "{} statements of the description are not in the rules' catalog (xtask/src/rules/catalog.rs):\n{}",
            unjudged.len(),
            unjudged.join("\n")
        ));
    }
    Ok(judged)
}

/// Every test the catalog names exists as a function somewhere in the
/// workspace's tests.
pub(crate) fn tests_exist(root: &Path) -> Result<(), String> {
    let mut sources = String::new();
    for dir in ["tests/tests", "conductor-sandbox/tests", "conductor-sandbox/src"] {
        collect_sources(&root.join(dir), &mut sources);
    }
    let missing: Vec<&str> = (CATALOG.iter())
        .filter_map(|entry| match entry.verdict {
            Verdict::Kept { test, .. } => Some(test),
            _ => None,
        })
        .filter(|test| !sources.contains(&format!("fn {test}(")))
        .collect();
    match missing.is_empty() {
        true => Ok(()),
        false => Err(format!("the rules' catalog names tests that do not exist: {}", missing.join(", "))),
    }
}

fn collect_sources(dir: &Path, out: &mut String) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_sources(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push_str(&std::fs::read_to_string(&path).unwrap_or_default());
        }
    }
}

/// The counts: statements (each place a rule is said), distinct texts, and
/// how many of each the sandbox keeps, leaves, or are no rule.
pub(crate) struct Counts {
    pub(crate) places: usize,
    pub(crate) texts: usize,
    pub(crate) kept: (usize, usize),
    pub(crate) left: (usize, usize),
    pub(crate) describes: (usize, usize),
}

pub(crate) fn counts(judged: &[(&Statement, usize)]) -> Counts {
    let mut counts = Counts { places: 0, texts: judged.len(), kept: (0, 0), left: (0, 0), describes: (0, 0) };
    for (statement, entry) in judged {
        counts.places += statement.places.len();
        let bucket = match CATALOG[*entry].verdict {
            Verdict::Kept { .. } => &mut counts.kept,
            Verdict::Left { .. } => &mut counts.left,
            Verdict::Describes { .. } => &mut counts.describes,
        };
        bucket.0 += 1;
        bucket.1 += statement.places.len();
    }
    counts
}

/// `conductor-sandbox/RULES.md`: every statement, under the catalog entry
/// that judged it.
pub(crate) fn document(judged: &[(&Statement, usize)]) -> String {
    let counts = counts(judged);
    let mut out = String::from(
        "<!-- @generated by `cargo run -p xtask -- codegen` from the Conductor OpenAPI description and \
         xtask/src/rules/catalog.rs. Do not edit by hand. -->\n\n# The rules Conductor's description states\n\n",
    );
    let _ = writeln!(
        out,
        "Every sentence of the description that states what must, cannot, may only or never be, found by \
         `xtask/src/rules/mod.rs`: **{} statements** ({} distinct texts). The sandbox keeps **{}** of them \
         ({} texts), each with a test; **{}** ({} texts) are not kept yet and are listed in the README's table; \
         **{}** ({} texts) state no rule a fake of the API could keep.\n",
        counts.places,
        counts.texts,
        counts.kept.1,
        counts.kept.0,
        counts.left.1,
        counts.left.0,
        counts.describes.1,
        counts.describes.0,
    );
    for (index, entry) in CATALOG.iter().enumerate() {
        let mine: Vec<&&Statement> = judged.iter().filter(|(_, e)| *e == index).map(|(s, _)| s).collect();
        if mine.is_empty() {
            continue;
        }
        let places: usize = mine.iter().map(|s| s.places.len()).sum();
        let heading = match entry.verdict {
            Verdict::Kept { rule, test } => format!("Kept: {rule} (test `{test}`)"),
            Verdict::Left { rule, why } => format!("Not yet: {rule}. {why}"),
            Verdict::Describes { why } => format!("No rule to keep: {why}"),
        };
        let _ = writeln!(out, "## {heading}\n\n{places} statements, {} distinct:\n", mine.len());
        for statement in mine {
            let text = statement.text.replace('|', "\\|");
            let _ = writeln!(out, "- ({}×) {text}", statement.places.len());
        }
        out.push('\n');
    }
    out
}

/// The README's table of what the sandbox does not do yet, between its
/// markers.
pub(crate) fn readme_table(judged: &[(&Statement, usize)]) -> String {
    let counts = counts(judged);
    let mut out = String::from("<!-- rules: begin (written by `cargo run -p xtask -- codegen`) -->\n\n");
    let _ = writeln!(
        out,
        "The description states **{}** such sentences ({} distinct): the sandbox keeps **{}**, leaves **{}**, \
         and **{}** state no rule to keep. Not yet:\n\n| rule the description states | statements | why not yet |\n\
         | --- | --- | --- |",
        counts.places, counts.texts, counts.kept.1, counts.left.1, counts.describes.1
    );
    for (index, entry) in CATALOG.iter().enumerate() {
        let Verdict::Left { rule, why } = entry.verdict else { continue };
        let places: usize = judged.iter().filter(|(_, e)| *e == index).map(|(s, _)| s.places.len()).sum();
        if places > 0 {
            let _ = writeln!(out, "| {rule} | {places} | {why} |");
        }
    }
    out.push_str("\n<!-- rules: end -->");
    out
}

/// The README with its table replaced.
pub(crate) fn with_table(readme: &str, table: &str) -> Result<String, String> {
    let start = readme.find("<!-- rules: begin").ok_or("README.md has no `<!-- rules: begin` marker")?;
    let end = readme.find("<!-- rules: end -->").ok_or("README.md has no `<!-- rules: end -->` marker")?;
    Ok(format!("{}{table}{}", &readme[..start], &readme[end + "<!-- rules: end -->".len()..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_are_split_where_the_next_begins() {
        let text = "The item's price. Maximum length: 41 characters.\n\n**NOTE**: Use e.g. this. `x` must be set.";
        assert_eq!(
            sentences(text),
            ["The item's price.", "Maximum length: 41 characters.", "**NOTE**: Use e.g. this.", "`x` must be set."]
        );
        let marker = marker();
        assert!(marker.is_match("Maximum length: 41 characters."));
        assert!(marker.is_match("You cannot also use `nameStartsWith`."));
        assert!(!marker.is_match("A memo or note for this invoice."), "a note is not a NOTE");
    }
}
