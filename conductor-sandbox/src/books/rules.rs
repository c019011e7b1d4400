//! QuickBooks' rules on every write, each a small function named for the
//! rule: a write that breaks one is refused with QuickBooks' own error, in
//! Conductor's form, and nothing is stored.
//!
//! - [`references_exist`]: every reference names a record of a type it may
//!   name (3140).
//! - [`name_is_free`]: names are unique, case-insensitively, by full name,
//!   within their name space (3100).
//! - [`place_in_hierarchy`]: a record with a parent is `Parent:Child`, one
//!   level deeper; [`parent_is_above`]: never below itself (3180).
//! - [`revision_is_current`]: an update names the record's current revision
//!   (3200).
//! - [`not_empty`]: a transaction has lines (3180).
//! - [`journal_balances`]: a journal entry's debits equal its credits, and
//!   its receivable and payable lines name a customer or vendor (3180).
//! - [`applications_are_sound`]: each application of a payment or credit
//!   pays a transaction of its payer, of the kind it may pay, not voided,
//!   with amounts that are not negative, and says what it applies (3140,
//!   3180).
//! - [`query_names_exist`]: a list filtered by id or name names only what
//!   exists, or the whole query is refused.

use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use super::effects::account_type;
use super::ledger::Application;
use super::money::{field, sum};
use super::records::{ref_id, values_at};
use super::refusals;
use super::store::Company;
use crate::catalog::record_type_of;
use crate::failure::Failure;
use crate::schema::Op;

/// Names (customers, vendors, employees, other names) share one name
/// space, items of every kind another, and terms (standard and
/// date-driven) a third; every other list has its own.
fn name_space(slug: &str) -> &'static [&'static str] {
    const NAMES: &[&str] = &["customers", "employees", "other-names", "vendors"];
    const ITEMS: &[&str] = &[
        "discount-items",
        "inventory-assembly-items",
        "inventory-items",
        "item-groups",
        "non-inventory-items",
        "other-charge-items",
        "sales-tax-group-items",
        "sales-tax-items",
        "service-items",
        "subtotal-items",
    ];
    const TERMS: &[&str] = &["date-driven-terms", "standard-terms"];
    [NAMES, ITEMS, TERMS].into_iter().find(|space| space.contains(&slug)).unwrap_or(&[])
}

/// `ReceivePayment` → `Receive Payment`: how QuickBooks' messages name a
/// type.
pub(crate) fn words(type_name: &str) -> String {
    let mut out = String::new();
    for (i, c) in type_name.char_indices() {
        if i > 0 && c.is_ascii_uppercase() {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// What QuickBooks calls the kind of record a reference names: the type,
/// or the family the resources make up.
fn reference_kind(resources: &[&str]) -> String {
    match resources {
        [one] => words(record_type_of(one)),
        many if many.iter().all(|slug| name_space("inventory-items").contains(slug)) => "Item".to_owned(),
        many if many.iter().all(|slug| name_space("customers").contains(slug)) => "Entity".to_owned(),
        many if many.iter().all(|slug| name_space("standard-terms").contains(slug)) => "Terms".to_owned(),
        _ => "Transaction".to_owned(),
    }
}

/// Every reference of the body (`customerId`, `lines.itemId`,
/// `applyToTransactions.transactionId`, ...) names a record of one of the
/// resources it may name, in this company file.
pub(crate) fn references_exist(company: &Company, op: &Op, body: &Value) -> Result<(), Failure> {
    for (path, resources) in op.references.iter().filter(|(_, resources)| !resources.is_empty()) {
        for id in values_at(body, path) {
            let found = company.home(id).is_some_and(|home| resources.contains(&home));
            if !found {
                return Err(refusals::invalid_reference(&reference_kind(resources), id, &words(op.item)));
            }
        }
    }
    Ok(())
}

/// The name a record is known by in its name space: its full name where
/// it has one (`Parent:Child`), else its name.
pub(crate) fn known_name(record: &Value) -> Option<&str> {
    record["fullName"].as_str().or_else(|| record["name"].as_str())
}

/// No other record of the name space has this full name, whatever its
/// case.
pub(crate) fn name_is_free(company: &Company, slug: &str, full_name: &str, own: Option<&str>) -> Result<(), Failure> {
    let own_space = [slug];
    let space = match name_space(slug) {
        [] => &own_space[..],
        space => space,
    };
    let wanted = full_name.to_lowercase();
    let taken = space.iter().flat_map(|slug| company.records(slug)).any(|record| {
        record["id"].as_str() != own && known_name(record).is_some_and(|name| name.to_lowercase() == wanted)
    });
    match taken {
        true => Err(refusals::name_in_use(full_name)),
        false => Ok(()),
    }
}

/// Sets a record's `fullName` and `sublevel` from its `name` and parent:
/// `Parent:Child`, one level below the parent; a record without a parent
/// is its own name, at level 0. For the lists that nest (customers and
/// jobs, items, accounts, classes): those whose records have a `sublevel`.
pub(crate) fn place_in_hierarchy(company: &Company, slug: &str, record: &mut Map<String, Value>) {
    if !record.contains_key("sublevel") {
        return;
    }
    let name = record.get("name").and_then(Value::as_str).unwrap_or_default().to_owned();
    let parent = record.get("parent").and_then(|parent| parent["id"].as_str()).and_then(|id| company.get(slug, id));
    let (full_name, sublevel) = match parent {
        Some(parent) => {
            let parent_name = known_name(parent).unwrap_or_default();
            (format!("{parent_name}:{name}"), parent["sublevel"].as_u64().unwrap_or(0) + 1)
        }
        None => (name, 0),
    };
    record.insert("fullName".into(), json!(full_name));
    record.insert("sublevel".into(), json!(sublevel));
}

/// The records whose parent, or parent's parent, ..., is `id`: what moves
/// with it when it is renamed. Parents first.
pub(crate) fn descendants(company: &Company, slug: &str, id: &str) -> Vec<String> {
    let mut found = vec![id.to_owned()];
    let mut at = 0;
    while at < found.len() {
        let parent = found[at].clone();
        let children: Vec<String> = (company.records(slug))
            .filter(|record| record["parent"]["id"].as_str() == Some(&parent))
            .filter_map(|record| record["id"].as_str().map(str::to_owned))
            .filter(|child| !found.contains(child))
            .collect();
        found.extend(children);
        at += 1;
    }
    found.remove(0);
    found
}

/// The customers above a job, nearest first.
pub(crate) fn ancestors(company: &Company, customer: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut at = company.get("customers", customer).and_then(|c| ref_id(c, "parent")).map(str::to_owned);
    while let Some(parent) = at.filter(|parent| parent != customer && !out.contains(parent)) {
        at = company.get("customers", &parent).and_then(|c| ref_id(c, "parent")).map(str::to_owned);
        out.push(parent);
    }
    out
}

/// A record's parent is not the record itself, nor one of its
/// descendants: QuickBooks keeps its lists a tree.
pub(crate) fn parent_is_above(
    company: &Company,
    op: &Op,
    id: &str,
    record: &Map<String, Value>,
) -> Result<(), Failure> {
    let Some(parent) = record.get("parent").and_then(|parent| parent["id"].as_str()) else { return Ok(()) };
    if parent == id || descendants(company, op.slug(), id).iter().any(|below| below == parent) {
        return Err(refusals::cannot_save(
            &words(op.item),
            "A list element cannot be its own parent or be below itself.",
        ));
    }
    Ok(())
}

/// An update names the record's current `revisionNumber`.
pub(crate) fn revision_is_current(sent: Option<&Value>, current: &Value) -> Result<(), Failure> {
    match sent {
        Some(sent) if sent != current => Err(refusals::stale_revision(sent.as_str().unwrap_or_default())),
        _ => Ok(()),
    }
}

/// The transactions whose lines the caller gives, which QuickBooks refuses
/// without one. (A build assembly's lines come from its item, a payment
/// has none.)
const LINED: &[&str] = &[
    "bills",
    "checks",
    "credit-card-charges",
    "credit-card-credits",
    "credit-memos",
    "deposits",
    "estimates",
    "inventory-adjustments",
    "invoices",
    "item-receipts",
    "journal-entries",
    "purchase-orders",
    "sales-orders",
    "sales-receipts",
    "vendor-credits",
];

/// The arrays a transaction's lines are in.
fn is_line_array(name: &str) -> bool {
    name == "lines" || name.ends_with("Lines") || name == "lineGroups"
}

/// A transaction of a kind that has lines has at least one.
pub(crate) fn not_empty(op: &Op, record: &Map<String, Value>) -> Result<(), Failure> {
    if !LINED.contains(&op.slug()) {
        return Ok(());
    }
    let empty = (record.iter().filter(|(name, _)| is_line_array(name)))
        .all(|(_, lines)| lines.as_array().is_none_or(Vec::is_empty));
    match empty {
        true => Err(refusals::transaction_empty(&words(op.item))),
        false => Ok(()),
    }
}

/// A journal entry's debits and credits are equal, and each line on an
/// accounts-receivable account names a customer, each on an
/// accounts-payable account a vendor.
pub(crate) fn journal_balances(company: &Company, record: &Map<String, Value>) -> Result<(), Failure> {
    let object = "Journal Entry";
    let lines = |name: &str| record.get(name).and_then(Value::as_array).cloned().unwrap_or_default();
    let (debits, credits) = (lines("debitLines"), lines("creditLines"));
    let debit = sum(debits.iter().map(|line| field(line, "amount")), object)?;
    let credit = sum(credits.iter().map(|line| field(line, "amount")), object)?;
    if debit != credit {
        return Err(refusals::cannot_save(
            object,
            &format!("The transaction is not in balance: debits {debit:.2}, credits {credit:.2}."),
        ));
    }
    for line in debits.iter().chain(&credits) {
        let Some(account) = ref_id(line, "account") else { continue };
        let entity = ref_id(line, "entity").and_then(|id| company.home(id));
        let (needed, kind) = match account_type(company, account) {
            Some("accounts_receivable") => ("customers", "customer"),
            Some("accounts_payable") => ("vendors", "vendor"),
            _ => continue,
        };
        if entity != Some(needed) {
            return Err(refusals::cannot_save(
                object,
                &format!(
                    "A line on an accounts-{} account must name a {kind}.",
                    if kind == "customer" { "receivable" } else { "payable" }
                ),
            ));
        }
    }
    Ok(())
}

/// The rules the description states of one kind of record's body, which
/// QuickBooks refuses with 3180: a sales-tax item with a rate names its tax
/// agency; no account is created non-posting (QuickBooks makes those); an
/// inventory item with a `totalValue` has a quantity on hand above zero; a
/// price level's fixed percentage stays what it was created with.
pub(crate) fn body_rules(op: &Op, body: &Value, current: Option<&Value>) -> Result<(), Failure> {
    let object = words(op.item);
    let refused = |reason: &str| Err(refusals::cannot_save(&object, reason));
    let rate = field(body, "taxRate");
    let agency = body.get("taxVendorId").is_some() || current.is_some_and(|c| !c["taxVendor"].is_null());
    match op.slug() {
        "sales-tax-items" if !rate.is_zero() && !agency => {
            refused("If a non-zero taxRate is specified, then the taxVendor is required.")
        }
        "accounts" if current.is_none() && body["accountType"] == "non_posting" => {
            refused("A non-posting account cannot be created: QuickBooks creates these accounts itself.")
        }
        "inventory-items" | "inventory-assembly-items"
            if body.get("totalValue").is_some() && field(body, "quantityOnHand") <= Decimal::ZERO =>
        {
            refused("If totalValue is provided, quantityOnHand must also be provided and greater than zero.")
        }
        "price-levels" => match (body.get("fixedPercentage"), current) {
            (Some(sent), Some(current)) if money_value(sent) != money_value(&current["fixedPercentage"]) => {
                refused("Once you create the price level, you cannot change its fixed percentage.")
            }
            _ => Ok(()),
        },
        _ => Ok(()),
    }
}

/// A percentage or amount as a decimal, for comparing what was sent with
/// what is held (`"-10"` and `"-10.0"` are one value).
fn money_value(value: &Value) -> Option<Decimal> {
    super::money::decimal(value)
}

/// Which side of the books a payment is on: what it may pay, with which
/// credits, for whom.
struct Side {
    targets: &'static [&'static str],
    credits: &'static [&'static str],
    entity: &'static str,
}

fn side(slug: &str) -> Option<Side> {
    match slug {
        "receive-payments" | "invoices" => {
            Some(Side { targets: &["invoices"], credits: &["credit-memos"], entity: "customer" })
        }
        "bill-check-payments" | "bill-credit-card-payments" => {
            Some(Side { targets: &["bills"], credits: &["vendor-credits"], entity: "vendor" })
        }
        "credit-card-refunds" => Some(Side {
            targets: &["credit-card-refunds"],
            credits: &["credit-memos", "receive-payments"],
            entity: "customer",
        }),
        _ => None,
    }
}

/// Each application of a payment (or of an invoice's own credits, or of a
/// refund) checks out as QuickBooks checks it: it pays a transaction of its
/// side of its payer, not voided; each credit it applies is of its payer;
/// no amount is negative; and it applies something. Over-application, by
/// one application or several together, is what the books refuse once
/// they are worked out.
pub(crate) fn applications_are_sound(
    company: &Company,
    slug: &str,
    payer: Option<&str>,
    applications: &[Application],
    own: &str,
) -> Result<(), Failure> {
    let Some(side) = side(slug) else { return Ok(()) };
    let object = words(record_type_of(slug));
    let of_payer = |record: &Value| ref_id(record, side.entity) == payer;
    for app in applications {
        let target = company.find(&app.target).filter(|(home, record)| side.targets.contains(home) && of_payer(record));
        if target.is_none() && app.target != own {
            return Err(refusals::invalid_reference(&words(record_type_of(side.targets[0])), &app.target, &object));
        }
        if company.ledger().is_voided(&app.target) {
            return Err(refusals::cannot_save(&object, "The transaction you are applying to has been voided."));
        }
        // A paid target is one QuickBooks no longer finds to apply to,
        // unless this payment already applies to it.
        let already =
            company.ledger().effects(own).is_some_and(|e| e.applications.iter().any(|a| a.target == app.target));
        if target.is_some_and(|(_, record)| record["isPaid"] == true) && !already && app.target != own {
            return Err(refusals::invalid_reference(&words(record_type_of(side.targets[0])), &app.target, &object));
        }
        let amounts = [app.payment, app.discount].into_iter().chain(app.credits.iter().map(|(_, amount)| *amount));
        if amounts.clone().any(|amount| amount < Decimal::ZERO) {
            return Err(refusals::cannot_save(&object, "An amount applied cannot be negative."));
        }
        if app.credits.is_empty() && app.payment.is_zero() && app.discount.is_zero() && app.target != own {
            return Err(refusals::transaction_empty(&object));
        }
        sum(amounts, &object)?;
        for (credit, _) in &app.credits {
            let found = company.find(credit).filter(|(home, record)| side.credits.contains(home) && of_payer(record));
            if found.is_none() {
                return Err(refusals::invalid_reference(&words(record_type_of(side.credits[0])), credit, &object));
            }
            if company.ledger().is_voided(credit) {
                return Err(refusals::cannot_save(&object, "The credit you are applying has been voided."));
            }
        }
    }
    Ok(())
}

/// Each value of the `ids`, `refNumbers`, `names` and `fullNames` filters
/// names a record of the resource (full names whatever their case); else
/// QuickBooks refuses the whole query rather than answer the others.
pub(crate) fn query_names_exist(company: &Company, slug: &str, pairs: &[(String, String)]) -> Result<(), Failure> {
    // Only the one that is the query counts; QuickBooks ignores the rest.
    let Some(selector) = super::filters::selector(pairs) else { return Ok(()) };
    for (name, value) in pairs.iter().filter(|(name, _)| name == selector) {
        let matches = |record: &Value| match name.as_str() {
            "ids" => record["id"].as_str().or_else(|| record["transactionId"].as_str()) == Some(value),
            "refNumbers" => record["refNumber"].as_str() == Some(value),
            "names" => record["name"].as_str().is_some_and(|known| known.eq_ignore_ascii_case(value)),
            "fullNames" => known_name(record).is_some_and(|known| known.eq_ignore_ascii_case(value)),
            _ => true,
        };
        if !company.records(slug).any(matches) {
            return Err(refusals::not_found_in_query(value));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn company(records: &[(&'static str, Value)]) -> Company {
        let mut company = Company::default();
        for (slug, record) in records {
            company.put(slug, record.clone());
        }
        company
    }

    #[test]
    fn names_are_unique_within_their_space_whatever_the_case() {
        let company = company(&[
            ("customers", json!({"id": "c1", "name": "Acme", "fullName": "Acme"})),
            ("service-items", json!({"id": "i1", "name": "Labor", "fullName": "Labor"})),
        ]);
        assert!(name_is_free(&company, "vendors", "ACME", None).is_err(), "names share a space");
        assert!(name_is_free(&company, "customers", "acme", Some("c1")).is_ok(), "a record keeps its own name");
        assert!(name_is_free(&company, "inventory-items", "labor", None).is_err(), "items share a space");
        assert!(name_is_free(&company, "accounts", "Acme", None).is_ok(), "accounts have their own");
        assert!(name_is_free(&company, "customers", "Acme:Job", None).is_ok());
    }

    #[test]
    fn children_are_parent_colon_child_one_level_down() {
        let company = company(&[
            ("customers", json!({"id": "c1", "name": "Acme", "fullName": "Acme", "sublevel": 0})),
            (
                "customers",
                json!({"id": "c2", "name": "Roof", "fullName": "Acme:Roof", "sublevel": 1, "parent": {"id": "c1"}}),
            ),
        ]);
        let Value::Object(mut job) = json!({"name": "Tiles", "parent": {"id": "c2"}, "sublevel": 0}) else {
            unreachable!()
        };
        place_in_hierarchy(&company, "customers", &mut job);
        assert_eq!((job["fullName"].as_str(), job["sublevel"].as_u64()), (Some("Acme:Roof:Tiles"), Some(2)));
        assert_eq!(ancestors(&company, "c2"), ["c1"]);
        assert_eq!(descendants(&company, "customers", "c1"), ["c2"]);
    }

    #[test]
    fn a_journal_entry_must_balance_and_name_who_it_is_for() {
        let company = company(&[
            ("accounts", json!({"id": "AR", "accountType": "accounts_receivable"})),
            ("accounts", json!({"id": "INC", "accountType": "income"})),
            ("customers", json!({"id": "C"})),
        ]);
        let entry = |debit: &str, entity: Value| {
            let Value::Object(map) = json!({
                "debitLines": [{"account": {"id": "AR"}, "entity": entity, "amount": debit}],
                "creditLines": [{"account": {"id": "INC"}, "amount": "50.00"}],
            }) else {
                unreachable!()
            };
            map
        };
        assert!(journal_balances(&company, &entry("50.00", json!({"id": "C"}))).is_ok());
        let unbalanced = journal_balances(&company, &entry("60.00", json!({"id": "C"}))).unwrap_err();
        assert!(unbalanced.message.contains("not in balance"), "{}", unbalanced.message);
        assert!(journal_balances(&company, &entry("50.00", Value::Null)).is_err(), "no customer");
    }

    #[test]
    fn a_query_naming_what_does_not_exist_is_refused() {
        let company = company(&[("customers", json!({"id": "c1", "name": "Acme", "fullName": "Acme"}))]);
        let pairs = |list: &[(&str, &str)]| -> Vec<(String, String)> {
            list.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
        };
        assert!(query_names_exist(&company, "customers", &pairs(&[("ids", "c1"), ("fullNames", "ACME")])).is_ok());
        let refused = query_names_exist(&company, "customers", &pairs(&[("ids", "c1"), ("ids", "c2")])).unwrap_err();
        assert!(refused.message.contains("(\"c2\")"), "{}", refused.message);
    }
}
