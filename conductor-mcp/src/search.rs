//! `search_operations`: the operations that best match an agent's words,
//! so that finding one costs a few hundred tokens instead of the whole
//! table.
//!
//! Words are matched by their stem (`payments`, `paid` and `pay` are one),
//! weighted by how rare they are among the operations (`invoice` names
//! many, `payment` few) and by where they are found: the name and summary
//! count three times the description and the parameter names. Verbs a
//! person uses (`mark`, `record`, `enter`, `remove`, `find`) count as the
//! operation verbs they mean.

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::operations::{OPERATIONS, Operation};

/// The stems of each operation: those of its name and summary, and those
/// of its description and parameters.
struct Entry {
    operation: &'static Operation,
    title: Vec<String>,
    body: Vec<String>,
}

static INDEX: LazyLock<(Vec<Entry>, HashMap<String, f64>)> = LazyLock::new(|| {
    let entries: Vec<Entry> = OPERATIONS
        .iter()
        .map(|operation| {
            let mut title = stems(operation.name);
            title.extend(stems(operation.summary));
            let schema = crate::check::schema_of(operation);
            let mut body = stems(operation.description);
            if let Some(properties) = schema.get("properties").and_then(serde_json::Value::as_object) {
                for name in properties.keys() {
                    body.extend(stems(name));
                }
            }
            Entry { operation, title, body }
        })
        .collect();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for entry in &entries {
        let mut stems: Vec<&String> = entry.title.iter().chain(&entry.body).collect();
        stems.sort();
        stems.dedup();
        for stem in stems {
            *seen.entry(stem.clone()).or_default() += 1;
        }
    }
    let total = entries.len() as f64;
    let rarity = seen.into_iter().map(|(stem, count)| (stem, (total / count as f64).ln() + 0.1)).collect();
    (entries, rarity)
});

/// The operations that best match `query`, best first, at most `limit`.
pub(crate) fn search(query: &str, limit: usize) -> Vec<&'static Operation> {
    let (entries, rarity) = &*INDEX;
    // A state a person asks for (`paid`) names the operation that brings
    // it about (a payment): its word counts twice.
    let strong: Vec<String> = (query.split(|c: char| !c.is_ascii_alphabetic()))
        .filter(|word| STATES.contains(&word.to_ascii_lowercase().as_str()))
        .map(|word| stem(&word.to_ascii_lowercase()))
        .collect();
    let mut words = stems(query);
    words.sort();
    words.dedup();
    let mut scored: Vec<(f64, usize)> = entries
        .iter()
        .enumerate()
        .map(|(index, entry)| {
            let score: f64 = words
                .iter()
                .map(|word| {
                    let weight = rarity.get(word).copied().unwrap_or(0.0);
                    let place = if entry.title.contains(word) {
                        3.0
                    } else if entry.body.contains(word) {
                        1.0
                    } else {
                        0.0
                    };
                    let strength = if strong.contains(word) { 2.0 } else { 1.0 };
                    weight * place * strength
                })
                .sum();
            // Of two that match alike, the one whose name says less else.
            let other = entry.title.iter().filter(|stem| !words.contains(stem)).count();
            (score - 0.01 * other as f64, index)
        })
        .filter(|(score, _)| *score > 0.5)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.into_iter().take(limit).map(|(_, index)| entries[index].operation).collect()
}

/// The stems of the words of `text`: split at anything not a letter and
/// at camelCase humps, lowercased, a person's verbs turned into the
/// operations' own, common words left out.
fn stems(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut previous_lower = false;
    for ch in text.chars() {
        if !ch.is_ascii_alphabetic() {
            words.push(std::mem::take(&mut word));
            previous_lower = false;
            continue;
        }
        if ch.is_ascii_uppercase() && previous_lower {
            words.push(std::mem::take(&mut word));
        }
        previous_lower = ch.is_ascii_lowercase();
        word.push(ch.to_ascii_lowercase());
    }
    words.push(word);
    words.into_iter().filter(|word| word.len() > 1 && !STOP.contains(&word.as_str())).map(|word| stem(&word)).collect()
}

/// Words of a state a record is brought to.
const STATES: [&str; 3] = ["paid", "voided", "deleted"];

const STOP: [&str; 24] = [
    "a", "an", "the", "of", "to", "in", "on", "for", "and", "or", "is", "it", "its", "by", "with", "as", "be", "that",
    "this", "from", "at", "my", "me", "qbd",
];

fn stem(word: &str) -> String {
    let word = match word {
        "paid" | "pays" | "paying" => "pay",
        "mark" | "record" | "enter" | "add" | "new" | "make" | "write" => "create",
        "change" | "edit" | "modify" | "rename" | "set" => "update",
        "remove" | "erase" => "delete",
        "find" | "search" | "show" | "get" | "read" | "all" => "list",
        "cancel" => "void",
        other => other,
    };
    for suffix in ["ments", "ment", "ings", "ing", "ed", "es", "s"] {
        if let Some(stem) = word.strip_suffix(suffix)
            && stem.len() >= 3
            && !(suffix == "s" && stem.ends_with('s'))
            && (suffix != "es" || stem.ends_with(['x', 's', 'h']))
        {
            return stem.to_owned();
        }
    }
    word.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(query: &str) -> Vec<&'static str> {
        search(query, 5).iter().map(|operation| operation.name).collect()
    }

    #[test]
    fn a_persons_words_find_the_operation() {
        assert_eq!(
            names("mark an invoice paid")[0],
            "qbd.receive_payments.create",
            "{:?}",
            names("mark an invoice paid")
        );
        assert_eq!(names("create an invoice")[0], "qbd.invoices.create");
        assert_eq!(names("void a check")[0], "qbd.checks.void", "{:?}", names("void a check"));
        assert_eq!(names("list vendors")[0], "qbd.vendors.list");
        assert!(names("zzzz qqqq").is_empty());
    }

    #[test]
    fn stems_join_forms_of_a_word() {
        assert_eq!(stems("receivePayments paid"), ["receive", "pay", "pay"]);
        assert_eq!(stems("invoices invoice"), ["invoice", "invoice"]);
        assert_eq!(stems("Classes addresses"), ["class", "address"]);
    }
}
