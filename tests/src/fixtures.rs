//! The records an example body refers to, made in a sandbox first: the
//! description's examples name ids no company file has, and QuickBooks, as
//! the sandbox does, refuses a reference to a record that does not exist.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;

use serde_json::{Value, json};

use crate::contract::{args_for, operations};
use crate::raw::Raw;

/// Makes example bodies valid for one sandbox end-user.
pub struct Fixtures<'a> {
    spec: &'a Value,
    raw: &'a Raw,
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

/// Which of the resources a reference may name to make a record of: the
/// one a payment applies to or takes credit from, the record's own kind
/// for a parent, else an invoice where it may be one, else the first.
fn pick<'r>(own: &str, field: &str, resources: &[&'r str]) -> &'r str {
    let payable = own.starts_with("bill-");
    let wanted = if field.ends_with("applyToTransactions.transactionId") {
        Some(if payable { "bills" } else { "invoices" })
    } else if field.ends_with("creditTransactionId") {
        Some(if payable { "vendor-credits" } else { "credit-memos" })
    } else if resources.contains(&"invoices") {
        Some("invoices")
    } else {
        None
    };
    wanted.and_then(|wanted| resources.iter().find(|r| **r == wanted)).copied().unwrap_or(resources[0])
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

impl<'a> Fixtures<'a> {
    /// Fixtures made from the description `spec`, through `raw`.
    pub fn new(spec: &'a Value, raw: &'a Raw) -> Fixtures<'a> {
        Fixtures { spec, raw, made: HashMap::new(), making: Vec::new(), counter: 0 }
    }

    /// Makes `body` ready to send to `method path`: every reference names a
    /// record that exists (made on the way from its resource's example),
    /// names are unique, and a payment applies amounts its targets can
    /// take.
    pub fn prepare<'b>(
        &'b mut self,
        method: &'b str,
        path: &'b str,
        body: &'b mut Value,
    ) -> Pin<Box<dyn Future<Output = ()> + 'b>> {
        Box::pin(async move {
            self.prepare_at(method, path, body, 0).await;
        })
    }

    /// [`prepare`](Fixtures::prepare), for a record made `depth` records
    /// away from the one a test sends.
    fn prepare_at<'b>(
        &'b mut self,
        method: &'b str,
        path: &'b str,
        body: &'b mut Value,
        depth: usize,
    ) -> Pin<Box<dyn Future<Output = ()> + 'b>> {
        Box::pin(async move {
            let own = resource(path).to_owned();
            self.counter += 1;
            for field in ["name", "lastName"] {
                if let Some(name) = body.get(field).and_then(Value::as_str).map(str::to_owned) {
                    body[field] = json!(format!("{} {}", name.chars().take(20).collect::<String>(), self.counter));
                }
            }
            if depth > 0 {
                // A record made for another needs no parent of its own.
                if let Some(fields) = body.as_object_mut() {
                    fields.remove("parentId");
                }
            }
            for (field, resources) in conductor::sandbox::references(method, path) {
                let parts: Vec<&str> = field.split('.').collect();
                if !has_value(body, &parts) {
                    continue;
                }
                let target = pick(&own, field, resources).to_owned();
                if self.making.contains(&target) && !self.made.contains_key(&target) {
                    // An optional reference back to a record being made
                    // (an item's sales-tax code, whose item is this one).
                    remove_at(body, &parts);
                    continue;
                }
                // A parent is a record of its own, never the one a test
                // updates.
                let id = match field {
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
    /// its create.
    fn make<'b>(&'b mut self, slug: &'b str, depth: usize) -> Pin<Box<dyn Future<Output = String> + 'b>> {
        Box::pin(async move {
            assert!(depth < 8, "references of {slug} go round in a circle");
            let path = format!("/quickbooks-desktop/{slug}");
            let operation = operations(self.spec)
                .into_iter()
                .find(|(method, p, _)| method == "post" && *p == path)
                .unwrap_or_else(|| panic!("{slug} has no create"))
                .2;
            let schema = &operation["requestBody"]["content"]["application/json"]["schema"];
            let mut body = minimal(self.spec, schema, args_for(self.spec, operation).body);
            self.making.push(slug.to_owned());
            self.prepare_at("POST", &path, &mut body, depth).await;
            self.making.pop();
            let (status, answer) = self.raw.send("post", &path, &[], Some(&body)).await;
            assert_eq!(status, 200, "making a {slug} to refer to: {answer}\n{body}");
            answer["id"].as_str().expect("an id").to_owned()
        })
    }
}

/// A record made only to be referred to has what its type requires and no
/// more, so its references are few and never go round in a circle: the
/// required fields of the example, and a transaction's lines with their
/// amounts (a transaction without lines is refused).
fn minimal(spec: &Value, schema: &Value, example: Value) -> Value {
    let schema = match schema["$ref"].as_str() {
        Some(reference) => &spec["components"]["schemas"][reference.rsplit('/').next().unwrap_or_default()],
        None => schema,
    };
    let Value::Object(fields) = example else { return example };
    let required: Vec<&str> = schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    let kept = fields.into_iter().filter_map(|(name, value)| {
        let lines = name == "lines" || name.ends_with("Lines");
        let named = matches!(name.as_str(), "name" | "firstName" | "lastName");
        if !(required.contains(&name.as_str()) || lines || named || name == "applyToTransactions") {
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

/// Whether a body has a value at a dotted path.
fn has_value(value: &Value, parts: &[&str]) -> bool {
    match (value, parts) {
        (Value::Array(items), _) => items.iter().any(|item| has_value(item, parts)),
        (Value::String(_), []) => true,
        (Value::Object(map), [first, rest @ ..]) => map.get(*first).is_some_and(|inner| has_value(inner, rest)),
        _ => false,
    }
}
