//! The records an example body refers to, made in a sandbox first: the
//! description's examples name ids no company file has, and QuickBooks, as
//! the sandbox does, refuses a reference to a record that does not exist.
//!
//! Which record a field refers to is read here from the description, as a
//! user of the API reads it, and never from the sandbox's own table of
//! references: a field `...Id` (or `...Ids`) names a record of the resource
//! whose name its last words are (`receivablesAccountId` an account,
//! `salesTaxCodeId` a sales-tax code), with the few families the API's
//! field names make plain (`itemId` any item, `transactionId` what a payment
//! pays); a field whose description says its id comes from outside
//! QuickBooks (a card processor's) names nothing, and keeps its example.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;

use serde_json::{Value, json};

use crate::contract::{args_for, example_record, operations};
use crate::raw::Raw;

/// Makes example bodies valid for one sandbox end-user.
pub struct Fixtures<'a> {
    spec: &'a Value,
    raw: &'a Raw,
    /// Records added as QuickBooks holds them, for resources the API cannot
    /// create: called with the resource and an example record; its id.
    insert: &'a dyn Fn(&str, Value) -> String,
    /// A record of each resource made so far, by resource.
    made: HashMap<String, String>,
    /// The resources whose records are being made, which the records made
    /// for them must not refer back to.
    making: Vec<String>,
    counter: usize,
}

/// The resource of a path: `/quickbooks-desktop/invoices/{id}` →
/// `invoices`.
fn resource(path: &str) -> &str {
    path.split('/').nth(2).unwrap_or_default()
}

/// `receivablesAccount` → `["receivables", "account"]`.
fn words(camel: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in camel.chars() {
        if c.is_ascii_uppercase() || out.is_empty() {
            out.push(String::new());
        }
        if let Some(last) = out.last_mut() {
            last.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// `sales-tax-codes` → `["sales", "tax", "code"]`.
fn singular_words(slug: &str) -> Vec<String> {
    let mut parts: Vec<String> = slug.split('-').map(str::to_owned).collect();
    if let Some(last) = parts.last_mut() {
        *last = if let Some(stem) = last.strip_suffix("ies") {
            format!("{stem}y")
        } else if let Some(stem) = last.strip_suffix("sses") {
            format!("{stem}ss")
        } else {
            last.strip_suffix('s').unwrap_or(last).to_owned()
        };
    }
    parts
}

/// Whether a field's description says, in its first sentence (what the
/// field is), that its id comes from outside QuickBooks.
fn from_outside(description: &str) -> bool {
    let first = description.split('\n').next().unwrap_or_default().split(". ").next().unwrap_or_default();
    ["returned from", "returned by", "processor", "QBMS", "Merchant Services"].iter().any(|m| first.contains(m))
}

impl<'a> Fixtures<'a> {
    /// Fixtures made from the description `spec`, through `raw`; `insert`
    /// adds a record of a resource the API cannot create.
    pub fn new(spec: &'a Value, raw: &'a Raw, insert: &'a dyn Fn(&str, Value) -> String) -> Fixtures<'a> {
        Fixtures { spec, raw, insert, made: HashMap::new(), making: Vec::new(), counter: 0 }
    }

    /// The resources records may be read from: those with a list.
    fn listed(&self) -> Vec<String> {
        (operations(self.spec).into_iter())
            .filter(|(method, path, _)| method == "get" && path.starts_with("/quickbooks-desktop/"))
            .filter(|(_, path, _)| path.matches('/').count() == 2)
            .map(|(_, path, _)| resource(&path).to_owned())
            .collect()
    }

    /// The resource a field `field` (at dotted `path`) of a body of `own`
    /// names, as its name says; `None` when it names nothing this API lists.
    fn target(&self, own: &str, path: &str, field: &str, description: &str) -> Option<String> {
        if from_outside(description) {
            return None;
        }
        let stem = field.strip_suffix("Ids").or_else(|| field.strip_suffix("Id"))?;
        let payable = own.starts_with("bill-");
        let named = match stem {
            "parent" => own,
            "transaction" if path.starts_with("refundAppliedToTransactions") => "credit-memos",
            "transaction" if payable => "bills",
            "transaction" => "invoices",
            "creditTransaction" if payable => "vendor-credits",
            "creditTransaction" => "credit-memos",
            "linkToTransaction" if own == "invoices" => "sales-orders",
            "linkToTransaction" => "purchase-orders",
            "paymentTransaction" => "receive-payments",
            "item" => "service-items",
            "terms" => "standard-terms",
            "payee" | "entity" | "shipToEntity" => "customers",
            // The resource whose name the field's name ends with, or which
            // shares its last two words (`purchaseTaxCodeId`, a sales-tax
            // code).
            _ => {
                let words = words(stem);
                let shared = |slug: &String| {
                    let resource = singular_words(slug);
                    let common = resource.iter().rev().zip(words.iter().rev()).take_while(|(a, b)| a == b).count();
                    (common == resource.len() || common >= 2).then_some(common)
                };
                let listed = self.listed();
                return listed
                    .iter()
                    .filter_map(|slug| Some((shared(slug)?, slug)))
                    .max()
                    .map(|(_, slug)| slug.clone());
            }
        };
        Some(named.to_owned())
    }

    /// Makes `body` ready to send to `path`: every reference names a
    /// record that exists (made on the way from its resource's example),
    /// names are unique and within their length, and a payment applies
    /// amounts its targets can take.
    pub fn prepare<'b>(&'b mut self, path: &'b str, body: &'b mut Value) -> Pin<Box<dyn Future<Output = ()> + 'b>> {
        Box::pin(async move {
            self.prepare_at(path, body, 0).await;
        })
    }

    /// The references of a body: each `...Id` field, its dotted path, and
    /// its description, through objects and arrays, read with the schema.
    fn references_of(&self, schema: &Value, body: &Value, prefix: &str, out: &mut Vec<(String, String, String)>) {
        let schema = resolve(self.spec, schema);
        match body {
            Value::Array(items) => {
                for item in items {
                    self.references_of(&schema["items"], item, prefix, out);
                }
            }
            Value::Object(map) => {
                for (name, value) in map {
                    let property = resolve(self.spec, &schema["properties"][name.as_str()]);
                    let path = if prefix.is_empty() { name.clone() } else { format!("{prefix}.{name}") };
                    let id_like = (name.ends_with("Id") || name.ends_with("Ids")) && name != "externalId";
                    let holds_ids =
                        value.is_string() || value.as_array().is_some_and(|a| a.iter().all(Value::is_string));
                    if id_like && holds_ids {
                        let description = property["description"].as_str().unwrap_or_default().to_owned();
                        out.push((path, name.clone(), description));
                    } else {
                        self.references_of(property, value, &path, out);
                    }
                }
            }
            _ => {}
        }
    }

    /// The create operation of a resource, when it has one.
    fn create_of(&self, slug: &str) -> Option<&'a Value> {
        let path = format!("/quickbooks-desktop/{slug}");
        operations(self.spec).into_iter().find(|(method, p, _)| method == "post" && *p == path).map(|(_, _, op)| op)
    }

    /// [`prepare`](Fixtures::prepare), for a record made `depth` records
    /// away from the one a test sends.
    fn prepare_at<'b>(
        &'b mut self,
        path: &'b str,
        body: &'b mut Value,
        depth: usize,
    ) -> Pin<Box<dyn Future<Output = ()> + 'b>> {
        Box::pin(async move {
            let own = resource(path).to_owned();
            self.counter += 1;
            self.unique_names(&own, body);
            if depth > 0 {
                // A record made for another needs no parent of its own.
                if let Some(fields) = body.as_object_mut() {
                    fields.remove("parentId");
                }
            }
            let schema = self
                .create_of(&own)
                .map_or(Value::Null, |op| op["requestBody"]["content"]["application/json"]["schema"].clone());
            let mut references = Vec::new();
            self.references_of(&schema, body, "", &mut references);
            for (field, name, description) in references {
                let Some(target) = self.target(&own, &field, &name, &description) else { continue };
                let parts: Vec<&str> = field.split('.').collect();
                if self.making.contains(&target) && !self.made.contains_key(&target) {
                    // An optional reference back to a record being made
                    // (an item's sales-tax code, whose item is this one).
                    remove_at(body, &parts);
                    continue;
                }
                // A parent is a record of its own, never the one a test
                // updates.
                let id = match name.as_str() {
                    "parentId" => self.make(&target, depth + 1).await,
                    _ => self.record(&target, depth + 1).await,
                };
                replace_at(body, &parts, &id);
            }
            if own.contains("payment") {
                for application in
                    body.get_mut("applyToTransactions").and_then(Value::as_array_mut).into_iter().flatten()
                {
                    application["paymentAmount"] = json!("1.00");
                    application["discountAmount"] = json!("0.00");
                    for credit in
                        application.get_mut("applyCredits").and_then(Value::as_array_mut).into_iter().flatten()
                    {
                        credit["appliedAmount"] = json!("1.00");
                    }
                }
                if body.get("totalAmount").is_some() {
                    body["totalAmount"] = json!("100.00");
                }
            }
        })
    }

    /// Names made unique by a number, within the length the description
    /// allows the field.
    fn unique_names(&self, own: &str, body: &mut Value) {
        let schema = self.create_of(own).map(|op| &op["requestBody"]["content"]["application/json"]["schema"]);
        for field in ["name", "lastName"] {
            let Some(name) = body.get(field).and_then(Value::as_str).map(str::to_owned) else { continue };
            let limit = schema
                .map(|schema| resolve(self.spec, schema))
                .and_then(|schema| schema["properties"][field]["maxLength"].as_u64())
                .unwrap_or(41) as usize;
            let number = self.counter.to_string();
            let keep = limit.saturating_sub(number.len() + 1);
            body[field] =
                json!(format!("{} {number}", name.chars().take(keep.min(20)).collect::<String>()).trim_start());
        }
    }

    /// Forgets the record made of `slug` (after a test deleted it), so the
    /// next one asked for is made anew.
    pub fn forget(&mut self, slug: &str) {
        self.made.remove(slug);
    }

    /// The id of a record of `slug`: one made before, else one made now from
    /// the description's example body for its create.
    pub fn record<'b>(&'b mut self, slug: &'b str, depth: usize) -> Pin<Box<dyn Future<Output = String> + 'b>> {
        Box::pin(async move {
            if let Some(id) = self.made.get(slug) {
                return id.clone();
            }
            let id = self.make(slug, depth).await;
            self.made.insert(slug.to_owned(), id.clone());
            id
        })
    }

    /// A new record of `slug`, made from the description's example body for
    /// its create, or added as QuickBooks holds one when the API cannot
    /// create it.
    fn make<'b>(&'b mut self, slug: &'b str, depth: usize) -> Pin<Box<dyn Future<Output = String> + 'b>> {
        Box::pin(async move {
            assert!(depth < 8, "references of {slug} go round in a circle");
            let path = format!("/quickbooks-desktop/{slug}");
            let Some(operation) = self.create_of(slug) else {
                return (self.insert)(slug, example_record(self.spec, &path));
            };
            let schema = &operation["requestBody"]["content"]["application/json"]["schema"];
            let mut body = minimal(self.spec, schema, args_for(self.spec, operation).body);
            self.making.push(slug.to_owned());
            self.prepare_at(&path, &mut body, depth).await;
            self.making.pop();
            let (status, answer) = self.raw.send("post", &path, &[], Some(&body)).await;
            assert_eq!(status, 200, "making a {slug} to refer to: {answer}\n{body}");
            answer["id"].as_str().expect("an id").to_owned()
        })
    }
}

fn resolve<'v>(spec: &'v Value, schema: &'v Value) -> &'v Value {
    match schema["$ref"].as_str() {
        Some(reference) => &spec["components"]["schemas"][reference.rsplit('/').next().unwrap_or_default()],
        None => schema,
    }
}

/// A record made only to be referred to has what its type requires and no
/// more, so its references are few and never go round in a circle: the
/// required fields of the example, and a transaction's lines with their
/// amounts (a transaction without lines is refused).
fn minimal(spec: &Value, schema: &Value, example: Value) -> Value {
    let schema = resolve(spec, schema);
    let Value::Object(fields) = example else { return example };
    let required: Vec<&str> = schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    let kept = fields.into_iter().filter_map(|(name, value)| {
        let lines = name == "lines" || name.ends_with("Lines");
        let named = matches!(name.as_str(), "name" | "firstName" | "lastName");
        // An item needs one of its two configurations.
        let configured = name == "salesOrPurchaseDetails";
        if !(required.contains(&name.as_str()) || lines || named || configured || name == "applyToTransactions") {
            return None;
        }
        let value = match value {
            Value::Array(items) if lines => {
                let item = &schema["properties"][name.as_str()]["items"];
                let items = items.into_iter().take(1).map(|line| {
                    let amount = line.get("amount").cloned();
                    let mut line = minimal(spec, item, line);
                    if let (Some(amount), Value::Object(fields)) = (amount, &mut line) {
                        fields.insert("amount".into(), amount);
                    }
                    line
                });
                Value::Array(items.collect())
            }
            other => other,
        };
        Some((name, value))
    });
    Value::Object(kept.collect())
}

/// Replaces each value at a dotted path (through objects and arrays alike)
/// with `id`.
fn replace_at(value: &mut Value, parts: &[&str], id: &str) {
    match (value, parts) {
        (Value::Array(items), _) => items.iter_mut().for_each(|item| replace_at(item, parts, id)),
        (value @ Value::String(_), []) => *value = json!(id),
        (Value::Object(map), [first, rest @ ..]) => {
            if let Some(inner) = map.get_mut(*first) {
                replace_at(inner, rest, id);
            }
        }
        _ => {}
    }
}

/// Removes the field at a dotted path, wherever it is.
fn remove_at(value: &mut Value, parts: &[&str]) {
    match (value, parts) {
        (Value::Array(items), _) => items.iter_mut().for_each(|item| remove_at(item, parts)),
        (Value::Object(map), [last]) => {
            map.remove(*last);
        }
        (Value::Object(map), [first, rest @ ..]) => {
            if let Some(inner) = map.get_mut(*first) {
                remove_at(inner, rest);
            }
        }
        _ => {}
    }
}

/// The examples of the description that QuickBooks itself would refuse,
/// as its own text says, even when sent as a client that follows the
/// description sends them: the operation, QuickBooks' error number, and
/// why.
pub const REFUSED_EXAMPLES: &[(&str, &str, &str, &str)] = &[(
    "post",
    "/quickbooks-desktop/price-levels/{id}",
    "3180",
    "the example sets `fixedPercentage`, which the description says cannot change once the price level is created",
)];

/// Whether the description's example for `method path` is one QuickBooks
/// refuses with `number` (see [`REFUSED_EXAMPLES`]).
pub fn refused_example(method: &str, path: &str, number: &str) -> bool {
    REFUSED_EXAMPLES.iter().any(|(m, p, n, _)| m.eq_ignore_ascii_case(method) && *p == path && *n == number)
}

/// The filters the description says may not be used together: of each
/// group, one choice (a choice may be several filters, a `From` with its
/// `To`).
const EXCLUSIVE: &[&[&[&str]]] = &[
    &[&["entityType"], &["entityIds"], &["entityFullNames"]],
    &[&["itemType"], &["itemIds"], &["itemFullNames"]],
    &[&["accountType"], &["accountIds"], &["accountFullNames"]],
    &[&["classIds"], &["classFullNames"]],
    &[
        &["totalBalance"],
        &["totalBalanceGreaterThan"],
        &["totalBalanceGreaterThanOrEqualTo"],
        &["totalBalanceLessThan"],
        &["totalBalanceLessThanOrEqualTo"],
    ],
    &[&["itemType"], &["siteIds"]],
    &[&["reportDateMacro"], &["reportDateFrom", "reportDateTo"]],
    &[&["updatedDateMacro"], &["updatedAfter", "updatedBefore"]],
];

/// An example query as a client that follows the description sends it: the
/// description's own examples use filters its text says cannot be used
/// together (`nameContains` with `nameStartsWith`, `accountType` with
/// `accountIds`), so only the first choice of each is kept.
pub fn follow_query_rules(query: &mut Value) {
    let Some(fields) = query.as_object_mut() else { return };
    let names: Vec<String> = fields.keys().cloned().collect();
    for name in &names {
        for (kept, others) in [("Contains", ["StartsWith", "EndsWith"]), ("StartsWith", ["EndsWith", "EndsWith"])] {
            if let Some(stem) = name.strip_suffix(kept).filter(|_| fields.contains_key(name)) {
                for other in others {
                    fields.remove(&format!("{stem}{other}"));
                }
            }
        }
    }
    for group in EXCLUSIVE {
        let chosen = group.iter().position(|choice| choice.iter().any(|name| fields.contains_key(*name)));
        for (i, choice) in group.iter().enumerate() {
            if chosen.is_some_and(|chosen| chosen != i) {
                choice.iter().for_each(|name| drop(fields.remove(*name)));
            }
        }
    }
}

/// An example body as a client that follows the description sends it: an
/// item has one of its two configurations; a line names its item or links
/// to an order's line, never both (QuickBooks refuses both, the description
/// says), and has a rate or a rate percentage, never both; in an update, a
/// line is new (`-1`), since the example's line ids name lines no record
/// has.
pub fn follow_body_rules(body: &mut Value, update: bool) {
    let Some(fields) = body.as_object_mut() else { return };
    // An item has one of its two configurations, never both; the
    // description's examples give both.
    if fields.contains_key("salesOrPurchaseDetails") {
        fields.remove("salesAndPurchaseDetails");
    }
    for (name, value) in fields.iter_mut() {
        if !(name == "lines" || name.ends_with("Lines") || name.ends_with("Groups")) {
            continue;
        }
        for line in value.as_array_mut().into_iter().flatten() {
            if let Some(line) = line.as_object_mut() {
                if line.contains_key("itemId") {
                    line.remove("linkToTransactionLine");
                }
                if line.contains_key("rate") {
                    line.remove("ratePercent");
                }
                if update && line.contains_key("id") {
                    line.insert("id".into(), json!("-1"));
                }
                for inner in ["lines", "itemLines"] {
                    for nested in line.get_mut(inner).and_then(Value::as_array_mut).into_iter().flatten() {
                        if update && nested.get("id").is_some() {
                            nested["id"] = json!("-1");
                        }
                        if let Some(nested) = nested.as_object_mut().filter(|nested| nested.contains_key("rate")) {
                            nested.remove("ratePercent");
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_read_as_words() {
        assert_eq!(words("receivablesAccount"), ["receivables", "account"]);
        assert_eq!(singular_words("sales-tax-codes"), ["sales", "tax", "code"]);
        assert_eq!(singular_words("classes"), ["class"]);
        assert_eq!(singular_words("currencies"), ["currency"]);
        assert!(from_outside("The ID returned from the credit card processor for this credit card transaction."));
    }
}
