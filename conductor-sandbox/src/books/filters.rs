//! The list filters of Conductor's QuickBooks Desktop lists, applied by the
//! shape of their names, so one rule serves every resource: `ids`,
//! `refNumbers`, `fullNames`, `names`; `<field>Contains`, `StartsWith` and
//! `EndsWith`; `<field>From` and `To` ranges; `updatedAfter` and
//! `updatedBefore`; `<reference>Ids` such as `customerIds`; `status`;
//! `paymentStatus`; and `includeLineItems` and `includeLinkedTransactions`,
//! which shape the records rather than select them.

use serde_json::Value;

use super::ids::instant;

/// One condition a record must meet.
enum Rule {
    /// The field, a path such as `customer.id`, is one of the values.
    AnyOf(Vec<String>, Vec<String>),
    /// The field holds the text, ignoring case.
    Contains(String, String),
    StartsWith(String, String),
    EndsWith(String, String),
    /// The field is at least, or at most, the value (dates, timestamps and
    /// reference numbers compare as text).
    From(String, String),
    To(String, String),
    /// The boolean field has this value.
    Is(&'static str, bool),
    /// The timestamp field is at or after, or at or before, the instant
    /// (seconds since 1970).
    After(&'static str, i64),
    Before(&'static str, i64),
    /// The amount field compares with the value as the ordering says
    /// (`totalBalanceGreaterThan`).
    Compare(String, std::cmp::Ordering, bool, rust_decimal::Decimal),
}

/// The filters of one list request.
pub(crate) struct Filters {
    rules: Vec<Rule>,
    line_items: bool,
    linked_transactions: bool,
}

impl Filters {
    /// The filters in a request's query pairs; names that are not filters
    /// (`limit`, `cursor`) are left out.
    pub(crate) fn parse(pairs: &[(String, String)]) -> Filters {
        let mut filters = Filters { rules: Vec::new(), line_items: true, linked_transactions: false };
        // With `ids`, `fullNames`, `names` or `refNumbers`, QuickBooks
        // ignores every other filter.
        let selector = selector(pairs);
        for (name, value) in pairs {
            let selects =
                !matches!(name.as_str(), "limit" | "cursor" | "includeLineItems" | "includeLinkedTransactions");
            if selects && selector.is_some_and(|selector| selector != name) {
                continue;
            }
            match name.as_str() {
                "limit" | "cursor" => {}
                "includeLineItems" => filters.line_items = value != "false",
                "includeLinkedTransactions" => filters.linked_transactions = value == "true",
                "status" if value != "all" => filters.rules.push(Rule::Is("isActive", value == "active")),
                "paymentStatus" if !matches!(value.as_str(), "all" | "either") => {
                    filters.rules.push(Rule::Is("isPaid", value == "paid"));
                }
                _ => filters.add(name, value),
            }
        }
        filters
    }

    fn add(&mut self, name: &str, value: &str) {
        let field = |stem: &str| stem.to_owned();
        let rule = match name {
            "ids" => return self.any_of(&["id"], value),
            "refNumbers" => return self.any_of(&["refNumber"], value),
            // Names are case-insensitive.
            "fullNames" => return self.any_of(&["fullName"], &value.to_lowercase()),
            "names" => return self.any_of(&["name"], &value.to_lowercase()),
            "updatedAfter" => Rule::After("updatedAt", instant(value, false).unwrap_or(i64::MAX)),
            "updatedBefore" => Rule::Before("updatedAt", instant(value, true).unwrap_or(i64::MIN)),
            _ if name.starts_with("totalBalance") => return self.compare(name, value),
            _ => match split_suffix(name) {
                Some((stem, "Ids")) => return self.any_of(&[stem, "id"], value),
                Some((stem, "Contains")) => Rule::Contains(field(stem), value.to_lowercase()),
                Some((stem, "StartsWith")) => Rule::StartsWith(field(stem), value.to_lowercase()),
                Some((stem, "EndsWith")) => Rule::EndsWith(field(stem), value.to_lowercase()),
                Some((stem, "From")) => Rule::From(field(stem), value.into()),
                Some((stem, "To")) => Rule::To(field(stem), value.into()),
                _ => return,
            },
        };
        self.rules.push(rule);
    }

    /// `totalBalance`, `...GreaterThan`, `...GreaterThanOrEqualTo`,
    /// `...LessThan`, `...LessThanOrEqualTo`: the amount compared.
    fn compare(&mut self, name: &str, value: &str) {
        use std::cmp::Ordering::{Equal, Greater, Less};
        let Ok(amount) = value.parse::<rust_decimal::Decimal>() else { return };
        let (ordering, or_equal) = match name.trim_start_matches("totalBalance") {
            "" => (Equal, true),
            "GreaterThan" => (Greater, false),
            "GreaterThanOrEqualTo" => (Greater, true),
            "LessThan" => (Less, false),
            "LessThanOrEqualTo" => (Less, true),
            _ => return,
        };
        self.rules.push(Rule::Compare("totalBalance".into(), ordering, or_equal, amount));
    }

    /// Repeated keys (`ids=a&ids=b`) add values to one rule.
    fn any_of(&mut self, path: &[&str], value: &str) {
        let path: Vec<String> = path.iter().map(|key| (*key).to_owned()).collect();
        for rule in &mut self.rules {
            if let Rule::AnyOf(existing, values) = rule {
                if *existing == path {
                    values.push(value.to_owned());
                    return;
                }
            }
        }
        self.rules.push(Rule::AnyOf(path, vec![value.to_owned()]));
    }

    /// Whether `record` meets every rule.
    #[cfg(test)]
    fn matches(&self, record: &Value) -> bool {
        self.matches_with(record, None)
    }

    /// Whether `record` meets every rule, a reference it does not have
    /// looked for in `behind` too: the transaction a `/transactions` view
    /// shows (its lines name items the view does not).
    pub(crate) fn matches_with(&self, record: &Value, behind: Option<&Value>) -> bool {
        self.rules.iter().all(|rule| match rule {
            Rule::AnyOf(path, values) => {
                let caseless = matches!(path.as_slice(), [name] if name == "fullName" || name == "name");
                let mut found = found_at(record, path);
                if found.is_empty() {
                    found.extend(behind.map(|behind| found_at(behind, path)).unwrap_or_default());
                }
                found.iter().any(|text| match caseless {
                    true => values.iter().any(|v| *v == text.to_lowercase()),
                    false => values.iter().any(|v| v == text),
                })
            }
            Rule::Contains(field, needle) => text(record, field).is_some_and(|t| t.contains(needle.as_str())),
            Rule::StartsWith(field, prefix) => text(record, field).is_some_and(|t| t.starts_with(prefix.as_str())),
            Rule::EndsWith(field, suffix) => text(record, field).is_some_and(|t| t.ends_with(suffix.as_str())),
            Rule::From(field, low) => record.get(field).and_then(Value::as_str).is_some_and(|v| in_order(low, v)),
            Rule::To(field, high) => record.get(field).and_then(Value::as_str).is_some_and(|v| in_order(v, high)),
            Rule::Compare(field, ordering, or_equal, amount) => {
                let held =
                    record.get(field).and_then(Value::as_str).and_then(|v| v.parse::<rust_decimal::Decimal>().ok());
                held.is_some_and(|held| held.cmp(amount) == *ordering || (*or_equal && held == *amount))
            }
            Rule::Is(field, wanted) => record.get(*field).and_then(Value::as_bool).unwrap_or(true) == *wanted,
            Rule::After(field, low) => seconds(record, field).is_some_and(|at| at >= *low),
            Rule::Before(field, high) => seconds(record, field).is_some_and(|at| at <= *high),
        })
    }

    /// The record as the list answers it: without its lines when
    /// `includeLineItems=false`, and with linked transactions only when
    /// `includeLinkedTransactions=true`.
    pub(crate) fn shape(&self, mut record: Value) -> Value {
        if let Value::Object(fields) = &mut record {
            if !self.line_items {
                for (name, value) in fields.iter_mut() {
                    if name.ends_with("Lines")
                        || name == "lines"
                        || name.ends_with("LineGroups")
                        || name == "lineGroups"
                    {
                        *value = Value::Array(Vec::new());
                    }
                }
            }
            if !self.linked_transactions {
                if let Some(linked) = fields.get_mut("linkedTransactions") {
                    *linked = Value::Array(Vec::new());
                }
            }
        }
        record
    }
}

/// The texts at a path of a record: `id` is also a transaction's
/// `transactionId` (as `/transactions` lists them), and a reference a record
/// does not have (`item.id` on an invoice) is looked for in its lines.
fn found_at<'a>(record: &'a Value, path: &[String]) -> Vec<&'a str> {
    let at =
        |value: &'a Value| path.iter().try_fold(value, |value, key| value.get(key.as_str())).and_then(Value::as_str);
    if let Some(text) = at(record) {
        return vec![text];
    }
    if let [id] = path {
        if id == "id" {
            return record["transactionId"].as_str().into_iter().collect();
        }
    }
    let lines = (record.as_object().into_iter().flatten())
        .filter(|(name, _)| *name == "lines" || name.ends_with("Lines") || *name == "lineGroups")
        .flat_map(|(_, lines)| lines.as_array().into_iter().flatten());
    lines
        .flat_map(|line| at(line).into_iter().chain(line["lines"].as_array().into_iter().flatten().filter_map(at)))
        .collect()
}

/// The filter that is the whole query when given, as QuickBooks reads it:
/// `ids`, else `fullNames`, else `names`, else `refNumbers`.
pub(crate) fn selector(pairs: &[(String, String)]) -> Option<&'static str> {
    ["ids", "fullNames", "names", "refNumbers"]
        .into_iter()
        .find(|selector| pairs.iter().any(|(name, _)| name == selector))
}

/// `customerIds` → (`customer`, `Ids`); the longest known suffix wins.
fn split_suffix(name: &str) -> Option<(&str, &'static str)> {
    ["StartsWith", "EndsWith", "Contains", "Ids", "From", "To"]
        .into_iter()
        .find_map(|suffix| name.strip_suffix(suffix).filter(|stem| !stem.is_empty()).map(|stem| (stem, suffix)))
}

/// Whether `low` comes at or before `high`, as QuickBooks compares a range:
/// as numbers when both are only digits, else as text.
fn in_order(low: &str, high: &str) -> bool {
    let digits = |text: &str| !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    if digits(low) && digits(high) {
        let (low, high) = (low.trim_start_matches('0'), high.trim_start_matches('0'));
        return (low.len(), low) <= (high.len(), high);
    }
    low <= high
}

/// A timestamp field as seconds since 1970.
fn seconds(record: &Value, field: &str) -> Option<i64> {
    record.get(field)?.as_str()?.parse::<conductor::DateTime>().ok()?.unix_seconds().ok()
}

/// The lowercased text of a string field.
fn text(record: &Value, field: &str) -> Option<String> {
    record.get(field).and_then(Value::as_str).map(str::to_lowercase)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn filters(query: &[(&str, &str)]) -> Filters {
        Filters::parse(&query.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>())
    }

    #[test]
    fn each_kind_of_filter_selects() {
        let record = json!({"id": "1", "refNumber": "INV-0042", "name": "Acme Corp", "fullName": "Acme Corp",
            "customer": {"id": "c1"}, "updatedAt": "2024-10-05T10:00:00+00:00", "transactionDate": "2024-10-03",
            "isActive": true, "isPaid": false});
        for (query, expected) in [
            (vec![("ids", "2"), ("ids", "1")], true),
            (vec![("ids", "2")], false),
            (vec![("refNumbers", "INV-0042")], true),
            (vec![("fullNames", "Other")], false),
            (vec![("nameContains", "ACME")], true),
            (vec![("nameStartsWith", "acme")], true),
            (vec![("nameEndsWith", "inc")], false),
            (vec![("refNumberFrom", "INV-0040"), ("refNumberTo", "INV-0050")], true),
            (vec![("updatedAfter", "2024-10-05")], true),
            (vec![("updatedAfter", "2024-10-05T11:00:00+02:00")], true),
            (vec![("updatedAfter", "2024-10-05T10:00:01Z")], false),
            (vec![("ids", "1"), ("nameContains", "nothing")], true),
            (vec![("fullNames", "acme corp"), ("status", "inactive")], true),
            (vec![("updatedBefore", "2024-10-04")], false),
            (vec![("transactionDateFrom", "2024-10-01"), ("transactionDateTo", "2024-10-03")], true),
            (vec![("customerIds", "c2")], false),
            (vec![("customerIds", "c1")], true),
            (vec![("status", "inactive")], false),
            (vec![("status", "all")], true),
            (vec![("paymentStatus", "not_paid")], true),
            (vec![("paymentStatus", "paid")], false),
            (vec![("limit", "5"), ("cursor", "c")], true),
        ] {
            assert_eq!(filters(&query).matches(&record), expected, "{query:?}");
        }
    }

    #[test]
    fn references_are_found_in_lines_and_ids_in_transaction_views() {
        let invoice =
            json!({"id": "I", "lines": [{"item": {"id": "A"}}], "lineGroups": [{"lines": [{"item": {"id": "B"}}]}]});
        assert!(filters(&[("itemIds", "A")]).matches(&invoice));
        assert!(filters(&[("itemIds", "B")]).matches(&invoice));
        assert!(!filters(&[("itemIds", "C")]).matches(&invoice));
        let view = json!({"transactionId": "T-1", "transactionType": "invoice"});
        assert!(filters(&[("ids", "T-1")]).matches(&view));
    }

    #[test]
    fn ranges_compare_numbers_as_numbers() {
        let record = json!({"refNumber": "100", "totalBalance": "250.00"});
        assert!(filters(&[("refNumberFrom", "9"), ("refNumberTo", "1000")]).matches(&record), "9 < 100 < 1000");
        assert!(!filters(&[("refNumberFrom", "200")]).matches(&record));
        let text = json!({"refNumber": "INV-100"});
        assert!(filters(&[("refNumberFrom", "INV-099")]).matches(&text), "text compares as text");
        assert!(filters(&[("totalBalanceGreaterThan", "249.99")]).matches(&record));
        assert!(!filters(&[("totalBalanceGreaterThan", "250.00")]).matches(&record));
        assert!(filters(&[("totalBalanceGreaterThanOrEqualTo", "250")]).matches(&record));
        assert!(filters(&[("totalBalance", "250")]).matches(&record));
        assert!(!filters(&[("totalBalanceLessThan", "250")]).matches(&record));
    }

    #[test]
    fn line_items_and_linked_transactions_shape_records() {
        let record = json!({"lines": [1], "expenseLines": [2], "lineGroups": [3], "linkedTransactions": [4]});
        assert_eq!(
            filters(&[]).shape(record.clone()),
            json!({"lines": [1], "expenseLines": [2], "lineGroups": [3], "linkedTransactions": []})
        );
        assert_eq!(
            filters(&[("includeLineItems", "false"), ("includeLinkedTransactions", "true")]).shape(record),
            json!({"lines": [], "expenseLines": [], "lineGroups": [], "linkedTransactions": [4]})
        );
    }
}
