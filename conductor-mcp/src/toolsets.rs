//! Toolsets: the per-operation tools grouped by what a bookkeeper does,
//! each small enough for hosts that send only the first 40 tools.

use crate::operations::Operation;

/// A toolset: its name, what it is for, and the resources (path segments)
/// whose operations it offers.
pub(crate) struct Toolset {
    pub(crate) name: &'static str,
    pub(crate) description: &'static str,
    resources: &'static [&'static str],
}

impl Toolset {
    /// Whether `operation` is one of this toolset's.
    pub(crate) fn has(&self, operation: &Operation) -> bool {
        self.resources.contains(&crate::tools::resource_of(operation))
    }
}

/// Every toolset. An operation may be in more than one (inventory parts
/// are items too); every operation is in at least one.
pub(crate) const TOOLSETS: &[Toolset] = &[
    Toolset {
        name: "receivables",
        description: "Customers, invoices, payments received, credit memos, estimates, sales orders and receipts",
        resources: &[
            "customers",
            "invoices",
            "receive-payments",
            "credit-memos",
            "estimates",
            "sales-orders",
            "sales-receipts",
            "payments-to-deposit",
        ],
    },
    Toolset {
        name: "payables",
        description: "Vendors, bills and their payments, vendor credits, purchase orders, item receipts",
        resources: &[
            "vendors",
            "bills",
            "bill-check-payments",
            "bill-credit-card-payments",
            "bills-to-pay",
            "vendor-credits",
            "purchase-orders",
            "item-receipts",
        ],
    },
    Toolset {
        name: "banking",
        description: "Accounts, checks, deposits, transfers and credit-card charges, credits and refunds",
        resources: &[
            "accounts",
            "checks",
            "deposits",
            "transfers",
            "credit-card-charges",
            "credit-card-credits",
            "credit-card-refunds",
        ],
    },
    Toolset {
        name: "accounting",
        description: "Journal entries, all transactions, deletions, classes, currencies, the company and its preferences",
        resources: &[
            "journal-entries",
            "transactions",
            "deleted-transactions",
            "deleted-list-objects",
            "account-tax-lines",
            "classes",
            "currencies",
            "other-names",
            "company",
            "preferences",
            "templates",
        ],
    },
    Toolset {
        name: "items",
        description: "Every kind of item (service, inventory, non-inventory, discount, subtotal, groups) and units",
        resources: &[
            "service-items",
            "inventory-items",
            "inventory-assembly-items",
            "non-inventory-items",
            "other-charge-items",
            "discount-items",
            "subtotal-items",
            "item-groups",
            "unit-of-measure-sets",
        ],
    },
    Toolset {
        name: "inventory",
        description: "Inventory parts and assemblies, adjustments, builds, sites",
        resources: &[
            "inventory-items",
            "inventory-assembly-items",
            "inventory-adjustments",
            "build-assemblies",
            "inventory-sites",
            "item-sites",
        ],
    },
    Toolset {
        name: "sales_tax",
        description: "Sales-tax codes, items, groups and payments",
        resources: &["sales-tax-codes", "sales-tax-items", "sales-tax-group-items", "sales-tax-payment-checks"],
    },
    Toolset {
        name: "lists",
        description: "Terms, payment methods, price levels, sales reps, shipping methods, customer types",
        resources: &[
            "standard-terms",
            "date-driven-terms",
            "payment-methods",
            "price-levels",
            "sales-representatives",
            "shipping-methods",
            "customer-types",
        ],
    },
    Toolset {
        name: "employees",
        description: "Employees, time tracking and payroll wage items",
        resources: &["employees", "time-tracking-activities", "payroll-wage-items"],
    },
    Toolset { name: "reports", description: "QuickBooks' reports", resources: &["reports"] },
    Toolset {
        name: "account",
        description: "Conductor itself: end-users, auth sessions, the health check",
        resources: &["end-users", "auth-sessions", "health-check"],
    },
];

/// The toolset named `name`.
pub(crate) fn named(name: &str) -> Option<&'static Toolset> {
    TOOLSETS.iter().find(|toolset| toolset.name == name)
}

/// Toolsets named on the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Names(pub(crate) Vec<&'static str>);

/// Parses `--toolsets receivables,reports` (or `all`): the names, each
/// checked, or an error listing the valid ones.
pub(crate) fn parse(text: &str) -> Result<Names, String> {
    names(text).map(Names)
}

fn names(text: &str) -> Result<Vec<&'static str>, String> {
    let mut names = Vec::new();
    for word in text.split(',').map(str::trim).filter(|word| !word.is_empty()) {
        if word == "all" {
            return Ok(TOOLSETS.iter().map(|toolset| toolset.name).collect());
        }
        match named(word) {
            Some(toolset) if !names.contains(&toolset.name) => names.push(toolset.name),
            Some(_) => {}
            None => return Err(format!("{word:?} is not a toolset: {}, or all", valid())),
        }
    }
    Ok(names)
}

fn valid() -> String {
    TOOLSETS.iter().map(|toolset| toolset.name).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operations::OPERATIONS;

    #[test]
    fn every_operation_is_in_a_toolset_of_at_most_40_tools() {
        for operation in OPERATIONS {
            assert!(TOOLSETS.iter().any(|toolset| toolset.has(operation)), "{} is in no toolset", operation.name);
        }
        for toolset in TOOLSETS {
            let count = OPERATIONS.iter().filter(|operation| toolset.has(operation)).count();
            assert!((1..=40).contains(&count), "{} has {count} tools", toolset.name);
            for resource in toolset.resources {
                assert!(
                    OPERATIONS.iter().any(|operation| crate::tools::resource_of(operation) == *resource),
                    "{resource} names no resource"
                );
            }
        }
    }

    #[test]
    fn names_are_checked() {
        assert_eq!(parse("receivables, reports").unwrap().0, ["receivables", "reports"]);
        assert_eq!(parse("all").unwrap().0.len(), TOOLSETS.len());
        assert_eq!(
            parse("receivables,payroll").unwrap_err(),
            "\"payroll\" is not a toolset: receivables, payables, banking, accounting, items, inventory, sales_tax, \
             lists, employees, reports, account, or all"
        );
    }
}
