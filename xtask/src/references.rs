//! Which records a request body's references may name: every `...Id` and
//! `...Ids` field of a body, with the resources whose records it may name,
//! worked out from the description's own names. The sandbox refuses a
//! reference to anything else, as QuickBooks does (error 3140).
//!
//! A field names the resource whose record type is the longest run of the
//! field's last words (`receivablesAccountId` → `Account`, `salesTaxCodeId`
//! → `SalesTaxCode`), or the types its last word ends (`termsId` → every
//! `...Term`) when its description names that type (`jobTypeId`, "the type
//! or category of this customer's job", names no customer type, and
//! `vendorTypeId` no vendor type the API lists). Four words name families:
//! `Item` any item, `Transaction` any transaction (a record with a
//! `transactionDate`), `Payee` and `Entity` any name (customer, vendor,
//! employee or other name); `parentId` names a record of its own resource.
//! A field whose description says its id comes from outside QuickBooks (a
//! credit-card processor's, QuickBooks Merchant Services') names nothing. A
//! field none of this resolves is left unchecked, and listed in the table
//! as such.

use crate::model::{Api, Resource, Ty};
use crate::names;

/// One reference field of a body.
#[derive(Debug, PartialEq)]
pub(crate) struct Reference {
    /// Where it is, through objects and arrays alike: `lines.itemId`.
    pub(crate) path: String,
    /// The resources (path segments) its records may come from; empty when
    /// nothing resolves it.
    pub(crate) resources: Vec<String>,
}

/// A resource as the rules see it.
pub(crate) struct Target {
    pub(crate) slug: String,
    /// The type of one record: `InventoryItem`.
    pub(crate) record: String,
    /// Whether its records are transactions (they have a `transactionDate`).
    pub(crate) transaction: bool,
}

/// The resources references may name: those with a create, so records of
/// them can exist.
pub(crate) fn targets(api: &Api) -> Vec<Target> {
    let mut out: Vec<Target> = api
        .resources
        .iter()
        .filter(|resource| resource.operations.iter().any(|op| op.rust_method == "create"))
        .map(|resource| Target {
            slug: slug(resource),
            record: resource.singular.clone(),
            transaction: api
                .structs
                .iter()
                .find(|shape| shape.name == resource.singular && !shape.input)
                .is_some_and(|shape| shape.fields.iter().any(|field| field.wire == "transactionDate")),
        })
        .collect();
    out.sort_by(|a, b| a.slug.cmp(&b.slug));
    out
}

/// A resource's path segment: `inventory-items`.
pub(crate) fn slug(resource: &Resource) -> String {
    let path = resource.operations.first().map(|op| op.path.as_str()).unwrap_or_default();
    path.split('/').nth(2).unwrap_or_default().to_owned()
}

/// Whether a resource is an item, in the one name space QuickBooks keeps
/// for items of every kind (payroll items have their own).
fn is_item(target: &Target) -> bool {
    (target.record.ends_with("Item") || target.record == "ItemGroup") && !target.record.starts_with("Payroll")
}

/// The names (customers, vendors, employees, other names), which share one
/// name space in QuickBooks.
const NAMES: &[&str] = &["Customer", "Employee", "OtherName", "Vendor"];

/// Whether a field's description says, in its first sentence (what the
/// field is), that its id is issued outside QuickBooks.
fn from_outside(doc: &str) -> bool {
    let first = doc.split(['\n']).next().unwrap_or_default().split(". ").next().unwrap_or_default();
    ["returned from", "returned by", "processor", "QBMS", "Merchant Services"].iter().any(|m| first.contains(m))
}

/// Whether a description names a record type: its words, in order, with
/// or without a hyphen (`SalesTaxCode`: "sales-tax code", "sales tax code").
fn names_type(doc: &str, record: &str) -> bool {
    let text = doc.to_lowercase().replace(['-', '\''], " ");
    let wanted = names::words(record).iter().map(|word| word.to_lowercase()).collect::<Vec<_>>().join(" ");
    text.split_whitespace().collect::<Vec<_>>().join(" ").contains(&wanted)
}

/// The resources a reference whose field's stem is `stem` (`customer` for
/// `customerId`) may name, from a body of the resource `own`, as its name
/// and its description `doc` say.
pub(crate) fn resources_for(stem: &str, own: &str, doc: &str, targets: &[Target]) -> Vec<String> {
    if from_outside(doc) {
        return Vec::new();
    }
    let words = names::words(stem);
    let slugs = |keep: &dyn Fn(&Target) -> bool| -> Vec<String> {
        targets.iter().filter(|t| keep(t)).map(|t| t.slug.clone()).collect()
    };
    let last = words.last().map(String::as_str).unwrap_or_default();
    match last {
        _ if stem == "parent" => return vec![own.to_owned()],
        "Transaction" => return slugs(&|t| t.transaction),
        "Payee" | "Entity" => return slugs(&|t| NAMES.contains(&t.record.as_str())),
        _ => {}
    }
    // The longest run of last words that is a record type.
    for start in 0..words.len() {
        let suffix = words[start..].concat();
        if let Some(exact) = targets.iter().find(|t| t.record == suffix) {
            // Any item may stand where one kind is named (a sales-tax item
            // or a group of them), as QuickBooks takes either.
            return if is_item(exact) { slugs(&is_item) } else { vec![exact.slug.clone()] };
        }
    }
    match last {
        "Item" => slugs(&is_item),
        // `termsId`: standard or date-driven terms.
        "Terms" => slugs(&|t| t.record.ends_with("Term")),
        // The types the last word ends, where the description names one.
        word => {
            let singular = names::pascal(&names::singular(&names::snake(word)));
            let named = |t: &Target| t.record.ends_with(&singular) && !singular.is_empty();
            let said = targets.iter().any(|t| named(t) && names_type(doc, &t.record));
            if said { slugs(&named) } else { Vec::new() }
        }
    }
}

/// Every reference field of the body type `body`, of the resource `own`.
pub(crate) fn of_body(api: &Api, body: usize, own: &str, targets: &[Target]) -> Vec<Reference> {
    let mut out = Vec::new();
    walk(api, body, "", own, targets, &mut out, 0);
    out
}

fn walk(api: &Api, index: usize, prefix: &str, own: &str, targets: &[Target], out: &mut Vec<Reference>, depth: usize) {
    if depth > 6 {
        return;
    }
    for field in &api.structs[index].fields {
        let path = if prefix.is_empty() { field.wire.clone() } else { format!("{prefix}.{}", field.wire) };
        let mut ty = &field.ty;
        while let Ty::Vec(inner) = ty {
            ty = inner;
        }
        match ty {
            Ty::Struct(inner) => walk(api, *inner, &path, own, targets, out, depth + 1),
            Ty::Str => {
                let stem = field.wire.strip_suffix("Ids").or_else(|| field.wire.strip_suffix("Id"));
                match stem {
                    Some(stem) if !stem.is_empty() && stem != "external" => {
                        out.push(Reference { path, resources: resources_for(stem, own, &field.doc, targets) });
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(slug: &str, record: &str, transaction: bool) -> Target {
        Target { slug: slug.into(), record: record.into(), transaction }
    }

    fn all() -> Vec<Target> {
        vec![
            target("accounts", "Account", false),
            target("bills", "Bill", true),
            target("classes", "Class", false),
            target("customers", "Customer", false),
            target("date-driven-terms", "DateDrivenTerm", false),
            target("employees", "Employee", false),
            target("inventory-items", "InventoryItem", false),
            target("invoices", "Invoice", true),
            target("item-groups", "ItemGroup", false),
            target("other-names", "OtherName", false),
            target("payroll-wage-items", "PayrollWageItem", false),
            target("sales-tax-codes", "SalesTaxCode", false),
            target("sales-tax-items", "SalesTaxItem", false),
            target("service-items", "ServiceItem", false),
            target("standard-terms", "StandardTerm", false),
            target("templates", "Template", false),
            target("vendors", "Vendor", false),
        ]
    }

    #[test]
    fn a_reference_names_the_type_its_last_words_say() {
        let all = all();
        let to = |stem: &str| resources_for(stem, "invoices", "", &all);
        let said = |stem: &str, doc: &str| resources_for(stem, "invoices", doc, &all);
        assert_eq!(to("customer"), ["customers"]);
        assert_eq!(to("receivablesAccount"), ["accounts"]);
        assert_eq!(to("salesTaxCode"), ["sales-tax-codes"]);
        assert_eq!(to("documentTemplate"), ["templates"]);
        assert_eq!(to("preferredVendor"), ["vendors"]);
        assert_eq!(to("terms"), ["date-driven-terms", "standard-terms"]);
        assert_eq!(to("parent"), ["invoices"]);
        // Families.
        let items = ["inventory-items", "item-groups", "sales-tax-items", "service-items"];
        assert_eq!(to("item"), items);
        assert_eq!(to("salesTaxItem"), items, "any item, as QuickBooks takes a group there too");
        assert_eq!(to("payrollWageItem"), ["payroll-wage-items"]);
        assert_eq!(to("transaction"), ["bills", "invoices"]);
        assert_eq!(to("linkToTransaction"), ["bills", "invoices"]);
        assert_eq!(to("payee"), ["customers", "employees", "other-names", "vendors"]);
        // Ids from outside QuickBooks, and types the API does not list.
        let card = "The ID returned from the credit card processor for this credit card transaction.";
        assert!(said("creditCardTransaction", card).is_empty());
        assert!(said("clientTransaction", "A value returned from QBMS transactions for future use.").is_empty());
        assert!(said("vendorType", "The vendor's type, used for categorizing vendors.").is_empty());
        assert!(said("jobType", "The type or category of this customer's job.").is_empty());
        // Nothing names a customer message: not checked.
        assert!(to("customerMessage").is_empty());
        assert!(to("inventorySiteLocation").is_empty());
    }
}
