//! What each record does to the others, kept as data: the ledger QuickBooks'
//! computed fields are worked out from (`derive`).
//!
//! A transaction's [`Effects`] are what its last write stated: the
//! payments, discounts and credits it applies to other transactions, the
//! inventory it moves, the order lines it fills, whose balance its open
//! amount counts in, and fixed amounts it adds to a balance (a journal
//! entry's receivable and payable lines). A customer's or vendor's opening
//! balance and an item's opening quantity are effects of that record
//! itself. A write replaces a record's effects; a void or a delete clears
//! them; nothing else changes them.

use std::collections::{BTreeSet, HashMap, HashSet};

use rust_decimal::Decimal;

/// One application of a payment or a credit to a transaction it settles:
/// what it pays of `target`, the discount it takes there, and the credits
/// it applies there.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Application {
    pub(crate) target: String,
    pub(crate) payment: Decimal,
    pub(crate) discount: Decimal,
    /// Credit transactions (credit memos, vendor credits) and how much of
    /// each.
    pub(crate) credits: Vec<(String, Decimal)>,
}

/// How a transaction fills an order line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FillKind {
    /// An invoice bills a sales order's or an estimate's line.
    Invoice,
    /// An item receipt, or a bill, receives a purchase order's line.
    Receive,
    /// A bill bills a purchase order's line.
    Bill,
}

/// A quantity of one order line that a transaction fills: invoiced from a
/// sales order, received or billed from a purchase order.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Fill {
    pub(crate) order: String,
    pub(crate) line: String,
    pub(crate) quantity: Decimal,
    pub(crate) kind: FillKind,
}

/// What a record does to the others.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Effects {
    /// The customer or vendor whose balance this transaction's open amount
    /// counts in.
    pub(crate) entity: Option<String>,
    /// Fixed amounts added to customers' or vendors' balances.
    pub(crate) owes: Vec<(String, Decimal)>,
    pub(crate) applications: Vec<Application>,
    /// Inventory moved: item and quantity (negative for what goes out).
    pub(crate) stock: Vec<(String, Decimal)>,
    pub(crate) fills: Vec<Fill>,
    /// Inventory an earlier item receipt already brought in, which a bill
    /// linked to the same order does not bring in again.
    pub(crate) preceded: Vec<(String, Decimal)>,
    /// The items an order has open lines of (for their quantities on sales
    /// and purchase orders).
    pub(crate) on_order: Vec<String>,
}

impl Effects {
    /// Every record id these effects name.
    pub(crate) fn touches(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        out.extend(self.entity.iter().cloned());
        out.extend(self.owes.iter().map(|(id, _)| id.clone()));
        for app in &self.applications {
            out.insert(app.target.clone());
            out.extend(app.credits.iter().map(|(id, _)| id.clone()));
        }
        out.extend(self.stock.iter().map(|(id, _)| id.clone()));
        out.extend(self.fills.iter().map(|fill| fill.order.clone()));
        out.extend(self.on_order.iter().cloned());
        out
    }

    pub(crate) fn is_empty(&self) -> bool {
        *self == Effects::default()
    }
}

/// The effects of every record of a company file, and which records each
/// names.
#[derive(Default)]
pub(crate) struct Ledger {
    /// By record id.
    effects: HashMap<String, Effects>,
    /// By record id: the records whose effects name it.
    touching: HashMap<String, BTreeSet<String>>,
    voided: HashSet<String>,
}

impl Ledger {
    pub(crate) fn effects(&self, id: &str) -> Option<&Effects> {
        self.effects.get(id)
    }

    /// Sets a record's effects (`None`: it has none), keeping the index of
    /// who names whom.
    pub(crate) fn set(&mut self, id: &str, effects: Option<Effects>) {
        if let Some(old) = self.effects.remove(id) {
            for name in old.touches() {
                if let Some(set) = self.touching.get_mut(&name) {
                    set.remove(id);
                    if set.is_empty() {
                        self.touching.remove(&name);
                    }
                }
            }
        }
        if let Some(new) = effects.filter(|effects| !effects.is_empty()) {
            for name in new.touches() {
                self.touching.entry(name).or_default().insert(id.to_owned());
            }
            self.effects.insert(id.to_owned(), new);
        }
    }

    /// The records whose effects name `id`, with their effects.
    pub(crate) fn touching(&self, id: &str) -> impl Iterator<Item = (&String, &Effects)> {
        (self.touching.get(id).into_iter().flatten())
            .filter_map(|other| self.effects.get(other).map(|effects| (other, effects)))
    }

    pub(crate) fn is_voided(&self, id: &str) -> bool {
        self.voided.contains(id)
    }

    pub(crate) fn set_voided(&mut self, id: &str, voided: bool) {
        match voided {
            true => self.voided.insert(id.to_owned()),
            false => self.voided.remove(id),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_follows_the_effects() {
        let mut ledger = Ledger::default();
        let pays = |target: &str| Effects {
            entity: Some("C".into()),
            applications: vec![Application {
                target: target.into(),
                payment: Decimal::ONE,
                discount: Decimal::ZERO,
                credits: vec![("M".into(), Decimal::ONE)],
            }],
            ..Effects::default()
        };
        ledger.set("P", Some(pays("I1")));
        assert_eq!(ledger.touching("I1").map(|(id, _)| id.as_str()).collect::<Vec<_>>(), ["P"]);
        assert_eq!(ledger.touching("M").count(), 1);
        ledger.set("P", Some(pays("I2")));
        assert_eq!(ledger.touching("I1").count(), 0);
        assert_eq!(ledger.touching("I2").count(), 1);
        ledger.set("P", None);
        assert_eq!((ledger.touching("I2").count(), ledger.touching("C").count()), (0, 0));
        assert!(ledger.touching.is_empty() && ledger.effects.is_empty());
    }
}
