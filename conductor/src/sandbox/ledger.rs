//! QuickBooks' bookkeeping: what a transaction does to the records it
//! touches, and the fields QuickBooks computes from it.
//!
//! Each transaction's effects are kept as data: the payments and credits
//! it applies to invoices and bills, and the inventory it moves. Writing,
//! voiding or deleting a transaction replaces its effects, and every record
//! they touch is worked out again from the effects that exist, so a void
//! or a delete is the same path as a write, and undoes exactly what the
//! write did. What is worked out:
//!
//! - an invoice's `appliedAmount` (negative, as QuickBooks reports it),
//!   `balanceRemaining`, `isPaid` and `linkedTransactions`; a credit memo's
//!   `creditRemaining`; a received payment's `unusedPayment` and
//!   `appliedToTransactions`;
//! - a bill's `openAmount`, `isPaid` and `linkedTransactions`; a vendor
//!   credit's `openAmount`; a bill payment's `amount` and
//!   `appliedToTransactions`;
//! - a customer's `balance` (what its own open transactions owe) and
//!   `totalBalance` (with its jobs'), a vendor's `balance`;
//! - an inventory item's `quantityOnHand`.
//!
//! Amounts are decimals, never floats: text in, text out.

use std::collections::{BTreeSet, HashMap};
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{Map, Value, json};

use super::refusals;
use super::reply::Reply;
use super::rules::words;
use super::store::{Application, Company, Effects};
use super::transactions::transaction_type;

/// A decimal string or JSON number as a decimal.
pub(crate) fn decimal(value: &Value) -> Option<Decimal> {
    match value {
        Value::String(text) => Decimal::from_str(text).ok(),
        Value::Number(number) => Decimal::from_str(&number.to_string()).ok(),
        _ => None,
    }
}

/// An amount as QuickBooks writes money: two places, `"-100.00"`.
pub(crate) fn money(amount: Decimal) -> Value {
    let rounded = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    // `-0.00` is written `0.00`.
    let rounded = if rounded.is_zero() { Decimal::ZERO } else { rounded };
    json!(format!("{rounded:.2}"))
}

/// A quantity as the description types it: a JSON number.
fn quantity(amount: Decimal) -> Value {
    let text = amount.normalize().to_string();
    serde_json::from_str::<Value>(&text).unwrap_or(json!(0))
}

fn amount_of(record: &Value, field: &str) -> Decimal {
    decimal(&record[field]).unwrap_or_default()
}

/// The lines of a record, those inside groups included.
fn all_lines(record: &Value) -> Vec<&Value> {
    let mut out = Vec::new();
    for (name, value) in record.as_object().into_iter().flatten() {
        let Some(items) = value.as_array() else { continue };
        if name == "lines" || name == "itemLines" || name == "expenseLines" || name.ends_with("Lines") {
            out.extend(items);
        } else if name == "lineGroups" || name == "itemGroupLines" {
            for group in items {
                out.extend(group["lines"].as_array().into_iter().flatten());
                out.extend(group["itemLines"].as_array().into_iter().flatten());
            }
        }
    }
    out
}

/// Makes a record's totals agree with its lines, as QuickBooks computes
/// them: a line with an `amount` keeps it (its rate does not change it); a
/// line with a `quantity` and a `rate` (or a `cost`, on purchases) is their
/// product, to the cent; and the record's totals add its lines up:
/// `subtotal`, then `totalAmount` with the sales tax, or `amountDue`,
/// `creditAmount` or `amount` on purchases.
pub(crate) fn add_up(record: &mut Map<String, Value>) {
    let mut total = Decimal::ZERO;
    let mut has_lines = false;
    for (name, value) in record.iter_mut() {
        let Some(items) = value.as_array_mut() else { continue };
        let grouped = name == "lineGroups" || name == "itemGroupLines";
        if !(grouped || name == "lines" || name.ends_with("Lines")) {
            continue;
        }
        has_lines = true;
        for item in items {
            if grouped {
                for inner in ["lines", "itemLines"] {
                    for line in item.get_mut(inner).and_then(Value::as_array_mut).into_iter().flatten() {
                        total += line_amount(line);
                    }
                }
            } else {
                total += line_amount(item);
            }
        }
    }
    if !has_lines {
        return;
    }
    let tax = record.get("salesTaxTotal").and_then(decimal).unwrap_or_default();
    for (field, value) in [
        ("subtotal", total),
        ("totalAmount", total + tax),
        ("amountDue", total),
        ("creditAmount", total),
        ("amount", total),
    ] {
        if record.contains_key(field) {
            record.insert(field.to_owned(), money(value));
        }
    }
}

/// A line's amount, written into the line when QuickBooks works it out.
fn line_amount(line: &mut Value) -> Decimal {
    if let Some(amount) = decimal(&line["amount"]) {
        return amount;
    }
    let price = decimal(&line["rate"]).or_else(|| decimal(&line["cost"]));
    match (decimal(&line["quantity"]), price) {
        (Some(quantity), Some(price)) => {
            let amount = (quantity * price).round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
            if line.get("amount").is_some() {
                line["amount"] = money(amount);
            }
            amount
        }
        _ => Decimal::ZERO,
    }
}

/// The `applyToTransactions` of a payment's body; `None` without one.
pub(crate) fn applications(body: &Value) -> Option<Vec<Application>> {
    let items = body.get("applyToTransactions")?.as_array()?;
    Some(
        items
            .iter()
            .map(|item| Application {
                target: item["transactionId"].as_str().unwrap_or_default().to_owned(),
                payment: decimal(&item["paymentAmount"]).unwrap_or_default(),
                discount: decimal(&item["discountAmount"]).unwrap_or_default(),
                credits: (item["applyCredits"].as_array().into_iter().flatten())
                    .map(|credit| {
                        let id = credit["creditTransactionId"].as_str().unwrap_or_default().to_owned();
                        (id, decimal(&credit["appliedAmount"]).unwrap_or_default())
                    })
                    .collect(),
            })
            .collect(),
    )
}

/// Which side of the books a payment is on: what it may pay, and with
/// which credits.
struct Side {
    targets: &'static str,
    credits: &'static str,
    entity: &'static str,
}

fn side(slug: &str) -> Option<Side> {
    match slug {
        "receive-payments" => Some(Side { targets: "invoices", credits: "credit-memos", entity: "customer" }),
        "bill-check-payments" | "bill-credit-card-payments" => {
            Some(Side { targets: "bills", credits: "vendor-credits", entity: "vendor" })
        }
        _ => None,
    }
}

/// Whether a resource's records are payments that apply to others.
pub(crate) fn is_payment(slug: &str) -> bool {
    side(slug).is_some()
}

/// The id of the customer or vendor a transaction is for.
fn entity_of(slug: &str, record: &Value) -> Option<String> {
    let field = match slug {
        "invoices" | "credit-memos" | "receive-payments" => "customer",
        "bills" | "vendor-credits" | "bill-check-payments" | "bill-credit-card-payments" => "vendor",
        _ => return None,
    };
    record[field]["id"].as_str().map(str::to_owned)
}

/// Whether an item keeps a quantity on hand.
fn is_inventory(company: &Company, item: &str) -> bool {
    matches!(company.home(item), Some("inventory-items" | "inventory-assembly-items"))
}

/// The inventory a transaction of `slug` moves, from its lines: sales
/// (invoices, sales receipts) take it out, a credit memo puts it back,
/// purchases (bills, item receipts, checks, credit-card charges) bring it
/// in, returns to vendors take it out, and an adjustment moves it by its
/// `quantityDifference`.
fn stock_of(company: &Company, slug: &str, record: &Value) -> Vec<(String, Decimal)> {
    let sign = match slug {
        "invoices" | "sales-receipts" | "vendor-credits" | "credit-card-credits" => Decimal::NEGATIVE_ONE,
        "credit-memos" | "bills" | "item-receipts" | "checks" | "credit-card-charges" | "inventory-adjustments" => {
            Decimal::ONE
        }
        _ => return Vec::new(),
    };
    let field = if slug == "inventory-adjustments" { "quantityDifference" } else { "quantity" };
    let sales = matches!(slug, "invoices" | "sales-receipts" | "credit-memos");
    all_lines(record)
        .into_iter()
        // A sale's item lines are `lines`; a purchase's, `itemLines`, not
        // its expense lines.
        .filter(|line| sales || slug == "inventory-adjustments" || line["objectType"] != "qbd_expense_line")
        .filter_map(|line| {
            let item = line["item"]["id"].as_str()?;
            let moved = decimal(&line[field])?;
            is_inventory(company, item).then(|| (item.to_owned(), sign * moved))
        })
        .collect()
}

/// An inventory item's quantity on hand now, leaving out what `except`
/// moved.
fn on_hand(company: &Company, item: &str, except: Option<&str>) -> Decimal {
    let ledger = &company.ledger;
    let moved: Decimal = (ledger.touching(item))
        .filter(|(txn, _)| Some(txn.as_str()) != except)
        .flat_map(|(_, effects)| effects.stock.iter().filter(|(id, _)| id == item).map(|(_, q)| *q))
        .sum();
    ledger.opening.get(item).copied().unwrap_or_default() + moved
}

/// An inventory adjustment's lines as QuickBooks records them: a
/// `newQuantity` becomes the `quantityDifference` from what is on hand
/// (without this adjustment's own earlier effect).
pub(crate) fn adjust_to_differences(company: &Company, own: Option<&str>, body: &mut Value) {
    for line in body.get_mut("lines").and_then(Value::as_array_mut).into_iter().flatten() {
        let Some(item) = line["itemId"].as_str().map(str::to_owned) else { continue };
        let adjust = &line["adjustQuantity"];
        let difference = match (decimal(&adjust["newQuantity"]), decimal(&adjust["quantityDifference"])) {
            (Some(new), _) => new - on_hand(company, &item, own),
            (None, Some(difference)) => difference,
            (None, None) => continue,
        };
        line["quantityDifference"] = quantity(difference);
    }
}

/// What of `target` is still open before this payment: its balance, plus
/// what `payment` itself applied there before (when it is being changed).
fn open_before(company: &Company, target: &str, payment: Option<&str>) -> Decimal {
    let Some((slug, record)) = company.find(target) else { return Decimal::ZERO };
    let total = total_of(slug, record);
    let settled: Decimal = (company.ledger.touching(target))
        .filter(|(txn, _)| Some(txn.as_str()) != payment)
        .flat_map(|(_, effects)| {
            effects.applications.iter().filter(|app| app.target == target).map(Application::settles)
        })
        .sum();
    total - settled
}

/// What of a credit is left before this payment.
fn credit_left(company: &Company, credit: &str, payment: Option<&str>) -> Decimal {
    let Some((slug, record)) = company.find(credit) else { return Decimal::ZERO };
    total_of(slug, record) - used_from(company, credit, payment)
}

/// A payment's applications check out as QuickBooks checks them: each pays
/// a transaction of its side (a received payment an invoice, a bill
/// payment a bill) of the payer, for no more than is open, with credits of
/// the payer for no more than they have left; and a received payment
/// applies no more than it received.
pub(crate) fn check_applications(
    company: &Company,
    slug: &str,
    payer: Option<&str>,
    applications: &[Application],
    total: Option<Decimal>,
    own: Option<&str>,
) -> Result<(), Reply> {
    let Some(side) = side(slug) else { return Ok(()) };
    let object = words(super::rules::record_type_of(slug));
    let mut credits_used: HashMap<&str, Decimal> = HashMap::new();
    for app in applications {
        let target = company.find(&app.target);
        let of_payer = |record: &Value| record[side.entity]["id"].as_str() == payer;
        if target.filter(|(home, record)| *home == side.targets && of_payer(record)).is_none() {
            let kind = words(super::rules::record_type_of(side.targets));
            return Err(refusals::invalid_reference(&kind, &app.target, &object));
        };
        if company.ledger.is_voided(&app.target) {
            return Err(refusals::cannot_save(&object, "The transaction you are applying to has been voided."));
        }
        for (credit, amount) in &app.credits {
            let found = company.find(credit).filter(|(home, record)| *home == side.credits && of_payer(record));
            if found.is_none() {
                let kind = words(super::rules::record_type_of(side.credits));
                return Err(refusals::invalid_reference(&kind, credit, &object));
            }
            let used = credits_used.entry(credit.as_str()).or_default();
            *used += amount;
            if *used > credit_left(company, credit, own) {
                return Err(refusals::cannot_save(&object, "The credit applied is more than the credit remaining."));
            }
        }
        if app.settles() > open_before(company, &app.target, own) {
            return Err(refusals::cannot_save(&object, "The amount applied is more than the balance due."));
        }
    }
    let applied: Decimal = applications.iter().map(|app| app.payment).sum();
    if total.is_some_and(|total| applied > total) {
        return Err(refusals::cannot_save(&object, "The amount applied is more than the amount of the payment."));
    }
    Ok(())
}

/// Where QuickBooks applies a received payment with `isAutoApply`: to an
/// open invoice of the customer whose balance is exactly the amount, else
/// to the oldest open invoices until the amount is used.
pub(crate) fn auto_apply(company: &Company, customer: &str, total: Decimal) -> Vec<Application> {
    let open: Vec<(String, Decimal)> = (company.records("invoices"))
        .filter(|invoice| invoice["customer"]["id"].as_str() == Some(customer))
        .filter_map(|invoice| {
            let id = invoice["id"].as_str()?;
            let balance = open_before(company, id, None);
            (balance > Decimal::ZERO && !company.ledger.is_voided(id)).then(|| (id.to_owned(), balance))
        })
        .collect();
    let pay = |target: &str, payment: Decimal| Application {
        target: target.to_owned(),
        payment,
        discount: Decimal::ZERO,
        credits: Vec::new(),
    };
    if let Some((id, _)) = open.iter().find(|(_, balance)| *balance == total) {
        return vec![pay(id, total)];
    }
    let mut left = total;
    let mut out = Vec::new();
    for (id, balance) in open {
        if left <= Decimal::ZERO {
            break;
        }
        let payment = balance.min(left);
        out.push(pay(&id, payment));
        left -= payment;
    }
    out
}

/// A customer's, vendor's or item's opening balance or quantity, from the
/// body that created it.
pub(crate) fn open(company: &mut Company, slug: &str, id: &str, body: &Value) {
    match slug {
        "customers" | "vendors" => {
            let opening = decimal(&body["openingBalance"]).unwrap_or_default();
            company.ledger.balances.insert(id.to_owned(), Decimal::ZERO);
            company.ledger.totals.insert(id.to_owned(), Decimal::ZERO);
            write_balances(company, id);
            change_balance(company, id, opening);
        }
        "inventory-items" | "inventory-assembly-items" => {
            let opening = decimal(&body["quantityOnHand"]).unwrap_or_default();
            company.ledger.opening.insert(id.to_owned(), opening);
            settle(company, BTreeSet::from([id.to_owned()]));
        }
        _ => {}
    }
}

/// Records the effects of the transaction `id` as it now stands (with
/// `applications` when the write gave new ones, else those it had), and
/// works out again every record they touch, before and after.
pub(crate) fn post(company: &mut Company, slug: &str, id: &str, applications: Option<Vec<Application>>) {
    let Some(record) = company.get(slug, id) else { return };
    let previous = company.ledger.effects.get(id).map(|effects| effects.applications.clone());
    let effects =
        Effects { applications: applications.or(previous).unwrap_or_default(), stock: stock_of(company, slug, record) };
    let touched = company.ledger.replace(id, Some(effects));
    settle(company, touched);
}

/// Forgets the effects of a transaction that was deleted, and works out
/// again every record they touched.
pub(crate) fn unpost(company: &mut Company, id: &str) {
    let touched = company.ledger.replace(id, None);
    company.ledger.voided.remove(id);
    settle(company, touched);
}

/// Marks a transaction voided: it keeps its links but settles nothing, and
/// nothing settles it.
pub(crate) fn void(company: &mut Company, slug: &str, id: &str) {
    company.ledger.voided.insert(id.to_owned());
    post(company, slug, id, None);
}

/// The total a transaction of `slug` settles or is settled by.
fn total_of(slug: &str, record: &Value) -> Decimal {
    match slug {
        "invoices" => amount_of(record, "subtotal") + amount_of(record, "salesTaxTotal"),
        "credit-memos" | "receive-payments" => amount_of(record, "totalAmount"),
        "bills" => amount_of(record, "amountDue"),
        "vendor-credits" => amount_of(record, "creditAmount"),
        _ => Decimal::ZERO,
    }
}

/// Whether an application's target still takes it: it exists and is not
/// voided.
fn stands(company: &Company, target: &str) -> bool {
    company.find(target).is_some() && !company.ledger.is_voided(target)
}

/// What the live payments apply to `target`, with who applied it: a
/// payment's own amount and discount, and each credit applied through it.
fn applied_to(company: &Company, target: &str) -> Vec<(String, Decimal)> {
    let mut out = Vec::new();
    for (txn, effects) in company.ledger.touching(target) {
        for app in effects.applications.iter().filter(|app| app.target == target) {
            if app.payment + app.discount > Decimal::ZERO {
                out.push((txn.clone(), app.payment + app.discount));
            }
            for (credit, amount) in &app.credits {
                if stands(company, credit) {
                    out.push((credit.clone(), *amount));
                }
            }
        }
    }
    out
}

/// How much of the credit `credit` the live payments (other than `except`)
/// apply to transactions that still take it.
fn used_from(company: &Company, credit: &str, except: Option<&str>) -> Decimal {
    (company.ledger.touching(credit))
        .filter(|(txn, _)| Some(txn.as_str()) != except)
        .flat_map(|(_, effects)| effects.applications.iter())
        .filter(|app| stands(company, &app.target))
        .flat_map(|app| app.credits.iter().filter(|(id, _)| id == credit).map(|(_, amount)| *amount))
        .sum()
}

/// A linked transaction as QuickBooks lists it on the other side.
fn link(company: &Company, id: &str, amount: Decimal) -> Value {
    let Some((slug, record)) = company.find(id) else { return Value::Null };
    json!({
        "id": id,
        "objectType": "qbd_linked_transaction",
        "transactionType": transaction_type(slug).unwrap_or_default(),
        "transactionDate": record["transactionDate"],
        "refNumber": record["refNumber"],
        "linkType": "amount",
        "amount": money(amount),
    })
}

/// Works out again the fields QuickBooks computes, for every record in
/// `touched` and every payment that applies to one of them, then counts
/// each again in its customer's or vendor's balance.
fn settle(company: &mut Company, touched: BTreeSet<String>) {
    // Targets first, then credits, then payments, which list their
    // targets' balances; then items.
    let mut targets = Vec::new();
    let mut credits = Vec::new();
    let mut payments = BTreeSet::new();
    let mut items = Vec::new();
    for id in &touched {
        match company.home(id) {
            Some(slug @ ("invoices" | "bills")) => {
                targets.push((slug, id.clone()));
                payments.extend(company.ledger.touching(id).map(|(txn, _)| txn.clone()));
            }
            Some(slug @ ("credit-memos" | "vendor-credits")) => {
                credits.push((slug, id.clone()));
                payments.extend(company.ledger.touching(id).map(|(txn, _)| txn.clone()));
            }
            Some(slug) if is_payment(slug) => {
                payments.insert(id.clone());
            }
            Some("inventory-items" | "inventory-assembly-items") => items.push(id.clone()),
            _ => {}
        }
    }
    for (slug, id) in &targets {
        settle_target(company, slug, id);
    }
    for (slug, id) in &credits {
        settle_credit(company, slug, id);
    }
    for id in &payments {
        if let Some(slug) = company.home(id) {
            settle_payment(company, slug, id);
        }
    }
    for item in items {
        let on_hand = on_hand(company, &item, None);
        if let Some(slug) = company.home(&item) {
            if let Some(Value::Object(record)) = company.get_mut(slug, &item) {
                record.insert("quantityOnHand".into(), quantity(on_hand));
            }
        }
    }
    let counted = touched.iter().chain(targets.iter().chain(&credits).map(|(_, id)| id)).chain(&payments);
    for txn in counted.cloned().collect::<BTreeSet<String>>() {
        recount(company, &txn);
    }
}

fn settle_target(company: &mut Company, slug: &'static str, id: &str) {
    let Some(record) = company.get(slug, id) else { return };
    let voided = company.ledger.is_voided(id);
    let applied = if voided { Vec::new() } else { applied_to(company, id) };
    let settled: Decimal = applied.iter().map(|(_, amount)| *amount).sum();
    let total = if voided { Decimal::ZERO } else { total_of(slug, record) };
    let open = total - settled;
    let links: Vec<Value> = applied.iter().map(|(by, amount)| link(company, by, -*amount)).collect();
    let Some(Value::Object(record)) = company.get_mut(slug, id) else { return };
    match slug {
        "invoices" => {
            record.insert("appliedAmount".into(), money(-settled));
            record.insert("balanceRemaining".into(), money(open));
        }
        _ => {
            record.insert("openAmount".into(), money(open));
        }
    }
    record.insert("isPaid".into(), json!(open <= Decimal::ZERO));
    record.insert("linkedTransactions".into(), Value::Array(links));
}

fn settle_credit(company: &mut Company, slug: &'static str, id: &str) {
    let Some(record) = company.get(slug, id) else { return };
    let voided = company.ledger.is_voided(id);
    let total = if voided { Decimal::ZERO } else { total_of(slug, record) };
    let used = if voided { Decimal::ZERO } else { used_from(company, id, None) };
    let mut links = Vec::new();
    for (_, effects) in company.ledger.touching(id) {
        for app in effects.applications.iter().filter(|app| stands(company, &app.target)) {
            for (_, amount) in app.credits.iter().filter(|(credit, _)| credit == id) {
                links.push(link(company, &app.target, *amount));
            }
        }
    }
    let field = if slug == "credit-memos" { "creditRemaining" } else { "openAmount" };
    let Some(Value::Object(record)) = company.get_mut(slug, id) else { return };
    record.insert(field.into(), money(total - used));
    record.insert("linkedTransactions".into(), Value::Array(links));
}

fn settle_payment(company: &mut Company, slug: &'static str, id: &str) {
    let voided = company.ledger.is_voided(id);
    let applications = company.ledger.effects.get(id).map(|effects| effects.applications.clone()).unwrap_or_default();
    let mut paid = Decimal::ZERO;
    let mut listed = Vec::new();
    for app in applications.iter().filter(|app| !voided && stands(company, &app.target)) {
        paid += app.payment;
        let Some((target_slug, target)) = company.find(&app.target) else { continue };
        let credits: Vec<Value> = app.credits.iter().map(|(credit, amount)| link(company, credit, -*amount)).collect();
        listed.push(json!({
            "transactionId": app.target,
            "transactionType": transaction_type(target_slug).unwrap_or_default(),
            "transactionDate": target["transactionDate"],
            "refNumber": target["refNumber"],
            "balanceRemaining": target.get("balanceRemaining").or_else(|| target.get("openAmount")).cloned().unwrap_or(Value::Null),
            "amount": money(total_of(target_slug, target)),
            "discountAmount": money(app.discount),
            "discountAccount": null,
            "discountClass": null,
            "linkedTransactions": credits,
        }));
    }
    let Some(Value::Object(record)) = company.get_mut(slug, id) else { return };
    if slug == "receive-payments" {
        let total =
            if voided { Decimal::ZERO } else { record.get("totalAmount").and_then(decimal).unwrap_or_default() };
        record.insert("unusedPayment".into(), money(total - paid));
        record.insert("unusedCredits".into(), money(Decimal::ZERO));
    } else {
        record.insert("amount".into(), money(paid));
    }
    record.insert("appliedToTransactions".into(), Value::Array(listed));
}

/// What a transaction adds to its customer's or vendor's balance: an
/// invoice's or bill's open balance, less a credit's unused amount or a
/// payment's unapplied amount.
fn owed(slug: &str, record: &Value) -> Decimal {
    match slug {
        "invoices" => amount_of(record, "balanceRemaining"),
        "bills" => amount_of(record, "openAmount"),
        "credit-memos" => -amount_of(record, "creditRemaining"),
        "vendor-credits" => -amount_of(record, "openAmount"),
        "receive-payments" => -amount_of(record, "unusedPayment"),
        _ => Decimal::ZERO,
    }
}

/// Counts a transaction again in its customer's or vendor's balance: what
/// it owes now (nothing once it is deleted or voided) in place of what it
/// owed when last counted.
fn recount(company: &mut Company, txn: &str) {
    let now = company.find(txn).and_then(|(slug, record)| Some((entity_of(slug, record)?, owed(slug, record))));
    let before = company.ledger.owed.remove(txn);
    if let Some((entity, amount)) = before {
        change_balance(company, &entity, -amount);
    }
    if let Some((entity, amount)) = now {
        change_balance(company, &entity, amount);
        company.ledger.owed.insert(txn.to_owned(), (entity, amount));
    }
}

/// Adds `delta` to a customer's or vendor's balance, and to the total of
/// the customer and of every customer above it.
fn change_balance(company: &mut Company, entity: &str, delta: Decimal) {
    if delta.is_zero() && company.ledger.balances.contains_key(entity) {
        return;
    }
    *company.ledger.balances.entry(entity.to_owned()).or_default() += delta;
    let mut at = Some(entity.to_owned());
    while let Some(id) = at {
        *company.ledger.totals.entry(id.clone()).or_default() += delta;
        write_balances(company, &id);
        at = company.get("customers", &id).and_then(|c| c["parent"]["id"].as_str()).map(str::to_owned);
    }
}

/// Writes a customer's or vendor's balances into its record.
fn write_balances(company: &mut Company, entity: &str) {
    let balance = company.ledger.balances.get(entity).copied().unwrap_or_default();
    let total = company.ledger.totals.get(entity).copied().unwrap_or_default();
    let Some(slug) = company.home(entity) else { return };
    if let Some(Value::Object(record)) = company.get_mut(slug, entity) {
        record.insert("balance".into(), money(balance));
        if slug == "customers" {
            record.insert("totalBalance".into(), money(total));
        }
    }
}

/// Works every customer's total again from the balances, after a customer
/// moved under another parent.
pub(crate) fn recount_totals(company: &mut Company) {
    let customers: Vec<(String, Option<String>)> = (company.records("customers"))
        .filter_map(|c| Some((c["id"].as_str()?.to_owned(), c["parent"]["id"].as_str().map(str::to_owned))))
        .collect();
    company.ledger.totals = customers.iter().map(|(id, _)| (id.clone(), Decimal::ZERO)).collect();
    for (id, _) in &customers {
        let balance = company.ledger.balances.get(id).copied().unwrap_or_default();
        let mut at = Some(id.clone());
        while let Some(customer) = at {
            *company.ledger.totals.entry(customer.clone()).or_default() += balance;
            at = customers.iter().find(|(c, _)| *c == customer).and_then(|(_, parent)| parent.clone());
        }
    }
    for (id, _) in &customers {
        write_balances(company, id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_add_exactly() {
        let Value::Object(mut invoice) = json!({
            "subtotal": null, "salesTaxTotal": "0.00",
            "lines": [{"amount": "0.1"}, {"amount": "0.2"}, {"quantity": 3, "rate": "0.335", "amount": null}],
        }) else {
            unreachable!()
        };
        add_up(&mut invoice);
        // 0.1 + 0.2 + 1.005 (3 × 0.335, to the cent 1.01).
        assert_eq!(invoice["lines"][2]["amount"], "1.01");
        assert_eq!(invoice["subtotal"], "1.31");
        assert_eq!(money(Decimal::new(-0, 2)), "0.00");
        assert_eq!(money(Decimal::from_str("-100").unwrap()), "-100.00");
    }

    #[test]
    fn a_line_with_an_amount_keeps_it_whatever_its_rate() {
        let Value::Object(mut invoice) =
            json!({"subtotal": null, "lines": [{"quantity": 2, "rate": "10.00", "amount": "15.00"}]})
        else {
            unreachable!()
        };
        add_up(&mut invoice);
        assert_eq!(
            (invoice["lines"][0]["amount"].as_str(), invoice["subtotal"].as_str()),
            (Some("15.00"), Some("15.00"))
        );
    }
}
