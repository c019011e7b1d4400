//! What a record does to the others, read from the record as it was
//! written: the [`Effects`] the ledger keeps.
//!
//! - Whose balance it counts in: invoices, credit memos, received payments
//!   and credit-card refunds a customer's; bills, vendor credits and bill
//!   payments a vendor's. A journal entry's receivable and payable lines
//!   add their amounts to the customer or vendor they name; an opening
//!   balance is the customer's or vendor's own.
//! - Inventory: invoices, sales receipts, vendor credits and credit-card
//!   credits take items out; credit memos, bills, item receipts, checks and
//!   credit-card charges bring them in (a purchase's item lines only); an
//!   adjustment moves them by its `quantityDifference`; a build assembly
//!   brings the assembly in and takes its components out; an item's
//!   opening quantity is its own.
//! - Orders: a sales order's and a purchase order's open lines name their
//!   items.

use rust_decimal::Decimal;
use serde_json::Value;

use super::ledger::{Application, Effects, Fill};
use super::money::{decimal, field};
use super::records::ref_id;
use super::store::Company;

/// What a write states beyond the record itself: the applications it
/// makes, the order lines it fills, and opening amounts.
#[derive(Default)]
pub(crate) struct Stated {
    pub(crate) applications: Vec<Application>,
    pub(crate) fills: Vec<Fill>,
    pub(crate) preceded: Vec<(String, Decimal)>,
    /// A list object's opening balance or quantity.
    pub(crate) opening: Option<Decimal>,
}

impl Stated {
    /// What a record's earlier effects stated, for a write that states
    /// nothing new of it.
    pub(crate) fn carried(effects: Option<&Effects>, own: &str) -> Stated {
        let Some(effects) = effects else { return Stated::default() };
        let opening = (effects.owes.iter().chain(&effects.stock)).find(|(id, _)| id == own).map(|(_, amount)| *amount);
        Stated {
            applications: effects.applications.clone(),
            fills: effects.fills.clone(),
            preceded: effects.preceded.clone(),
            opening,
        }
    }
}

/// The entity a transaction of `slug` counts in the balance of.
fn entity_field(slug: &str) -> Option<&'static str> {
    match slug {
        "invoices" | "credit-memos" | "receive-payments" | "credit-card-refunds" => Some("customer"),
        "bills" | "vendor-credits" | "bill-check-payments" | "bill-credit-card-payments" => Some("vendor"),
        _ => None,
    }
}

/// The effects of the record `id` of `slug`, as it now stands.
pub(crate) fn effects_of(company: &Company, slug: &str, id: &str, record: &Value, stated: Stated) -> Effects {
    let mut effects = Effects {
        entity: entity_field(slug).and_then(|field| ref_id(record, field)).map(str::to_owned),
        applications: stated.applications,
        fills: stated.fills,
        preceded: stated.preceded,
        ..Effects::default()
    };
    match slug {
        "customers" | "vendors" => {
            effects.owes.extend(stated.opening.filter(|o| !o.is_zero()).map(|opening| (id.to_owned(), opening)));
        }
        "inventory-items" | "inventory-assembly-items" => {
            effects.stock.extend(stated.opening.filter(|o| !o.is_zero()).map(|opening| (id.to_owned(), opening)));
        }
        "journal-entries" => effects.owes = journal_owes(company, record),
        "build-assemblies" => effects.stock = built(company, record),
        "sales-orders" | "purchase-orders" => effects.on_order = ordered_items(record),
        _ => effects.stock = stock_of(company, slug, record, &effects.preceded),
    }
    effects
}

/// Whether an item keeps a quantity on hand.
pub(crate) fn is_inventory(company: &Company, item: &str) -> bool {
    matches!(company.home(item), Some("inventory-items" | "inventory-assembly-items"))
}

/// The lines of a record that move inventory, those inside groups included.
fn item_lines(record: &Value, sales: bool) -> Vec<&Value> {
    let (lines, groups, inner) =
        if sales { ("lines", "lineGroups", "lines") } else { ("itemLines", "itemGroupLines", "itemLines") };
    let mut out: Vec<&Value> = record[lines].as_array().into_iter().flatten().collect();
    for group in record[groups].as_array().into_iter().flatten() {
        out.extend(group[inner].as_array().into_iter().flatten());
    }
    out
}

/// The inventory a transaction of `slug` moves, from its lines, less what
/// it `preceded` an earlier receipt in bringing in.
fn stock_of(company: &Company, slug: &str, record: &Value, preceded: &[(String, Decimal)]) -> Vec<(String, Decimal)> {
    let (sign, sales) = match slug {
        "invoices" | "sales-receipts" => (Decimal::NEGATIVE_ONE, true),
        "credit-memos" => (Decimal::ONE, true),
        "vendor-credits" | "credit-card-credits" => (Decimal::NEGATIVE_ONE, false),
        "bills" | "item-receipts" | "checks" | "credit-card-charges" => (Decimal::ONE, false),
        "inventory-adjustments" => {
            return (record["lines"].as_array().into_iter().flatten())
                .filter_map(|line| Some((ref_id(line, "item")?.to_owned(), decimal(&line["quantityDifference"])?)))
                .filter(|(item, _)| is_inventory(company, item))
                .collect();
        }
        _ => return Vec::new(),
    };
    let mut moved: Vec<(String, Decimal)> = Vec::new();
    for line in item_lines(record, sales) {
        let (Some(item), Some(quantity)) = (ref_id(line, "item"), decimal(&line["quantity"])) else { continue };
        if is_inventory(company, item) {
            moved.push((item.to_owned(), sign * quantity));
        }
    }
    for (item, already) in preceded {
        moved.push((item.clone(), -sign * already));
    }
    merge(moved)
}

/// One entry per item, in the order first named.
fn merge(moved: Vec<(String, Decimal)>) -> Vec<(String, Decimal)> {
    let mut out: Vec<(String, Decimal)> = Vec::new();
    for (item, quantity) in moved {
        match out.iter_mut().find(|(seen, _)| *seen == item) {
            Some((_, total)) => *total += quantity,
            None => out.push((item, quantity)),
        }
    }
    out.retain(|(_, quantity)| !quantity.is_zero());
    out
}

/// A build assembly's stock: the assembly in, its components out; nothing
/// while it is pending.
fn built(company: &Company, record: &Value) -> Vec<(String, Decimal)> {
    if record["isPending"] == true {
        return Vec::new();
    }
    let Some(assembly) = ref_id(record, "inventoryAssemblyItem") else { return Vec::new() };
    let count = field(record, "quantityToBuild");
    let mut moved = vec![(assembly.to_owned(), count)];
    for (component, each) in components(company, assembly) {
        moved.push((component, -(each * count)));
    }
    merge(moved)
}

/// The components of an assembly item and how many of each one takes.
pub(crate) fn components(company: &Company, assembly: &str) -> Vec<(String, Decimal)> {
    let Some(item) = company.get("inventory-assembly-items", assembly) else { return Vec::new() };
    (item["lines"].as_array().into_iter().flatten())
        .filter_map(|line| Some((ref_id(line, "inventoryItem")?.to_owned(), field(line, "quantity"))))
        .collect()
}

/// What a journal entry adds to balances: a receivable line to its
/// customer's (a debit raises it), a payable line to its vendor's (a credit
/// raises it).
fn journal_owes(company: &Company, record: &Value) -> Vec<(String, Decimal)> {
    let mut owes = Vec::new();
    for (lines, debit) in [("debitLines", true), ("creditLines", false)] {
        for line in record[lines].as_array().into_iter().flatten() {
            let (Some(account), Some(entity)) = (ref_id(line, "account"), ref_id(line, "entity")) else { continue };
            let amount = field(line, "amount");
            let signed = match account_type(company, account) {
                Some("accounts_receivable") if debit => amount,
                Some("accounts_receivable") => -amount,
                Some("accounts_payable") if debit => -amount,
                Some("accounts_payable") => amount,
                _ => continue,
            };
            owes.push((entity.to_owned(), signed));
        }
    }
    merge(owes)
}

/// The type of an account (`accounts_receivable`).
pub(crate) fn account_type<'a>(company: &'a Company, account: &str) -> Option<&'a str> {
    company.get("accounts", account)?["accountType"].as_str()
}

/// The items of an order's lines.
fn ordered_items(record: &Value) -> Vec<String> {
    let mut items: Vec<String> = Vec::new();
    for line in record["lines"].as_array().into_iter().flatten() {
        if let Some(item) = ref_id(line, "item").filter(|item| !items.iter().any(|seen| seen == item)) {
            items.push(item.to_owned());
        }
    }
    items
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn sales_take_inventory_out_and_purchases_bring_it_in() {
        let mut company = Company::default();
        company.put("inventory-items", json!({"id": "W"}));
        company.put("service-items", json!({"id": "S"}));
        let invoice = json!({"customer": {"id": "C"}, "lines": [{"item": {"id": "W"}, "quantity": 2}, {"item": {"id": "S"}, "quantity": 1}]});
        let effects = effects_of(&company, "invoices", "I", &invoice, Stated::default());
        assert_eq!(effects.stock, vec![("W".to_owned(), Decimal::from(-2))]);
        assert_eq!(effects.entity.as_deref(), Some("C"));
        let bill = json!({"vendor": {"id": "V"}, "itemLines": [{"item": {"id": "W"}, "quantity": 5}]});
        let preceded = vec![("W".to_owned(), Decimal::from(3))];
        let stated = Stated { preceded, ..Stated::default() };
        assert_eq!(effects_of(&company, "bills", "B", &bill, stated).stock, vec![("W".to_owned(), Decimal::TWO)]);
    }

    #[test]
    fn a_journal_entry_moves_receivables_and_payables() {
        let mut company = Company::default();
        company.put("accounts", json!({"id": "AR", "accountType": "accounts_receivable"}));
        company.put("accounts", json!({"id": "AP", "accountType": "accounts_payable"}));
        company.put("accounts", json!({"id": "INC", "accountType": "income"}));
        let entry = json!({
            "debitLines": [{"account": {"id": "AR"}, "entity": {"id": "C"}, "amount": "50.00"}],
            "creditLines": [{"account": {"id": "AP"}, "entity": {"id": "V"}, "amount": "20.00"}, {"account": {"id": "INC"}, "amount": "30.00"}],
        });
        let owes = effects_of(&company, "journal-entries", "J", &entry, Stated::default()).owes;
        assert_eq!(owes, vec![("C".to_owned(), Decimal::from(50)), ("V".to_owned(), Decimal::from(20))]);
    }
}
