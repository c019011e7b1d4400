//! Turning wire names into Rust names.

/// `otherCustomField1` → `other_custom_field1`, `bill-check-payments` →
/// `bill_check_payments`.
pub(crate) fn snake(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c == '-' || c == ' ' || c == '.' {
            out.push('_');
            continue;
        }
        if c.is_ascii_uppercase() {
            let previous = i.checked_sub(1).map(|p| chars[p]);
            let next = chars.get(i + 1);
            let boundary = match previous {
                Some(p) if p.is_ascii_lowercase() || p.is_ascii_digit() => true,
                Some(p) if p.is_ascii_uppercase() => next.is_some_and(|n| n.is_ascii_lowercase()),
                _ => false,
            };
            if boundary && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `other_custom_field1` → `otherCustomField1`, as serde's `camelCase` does.
pub(crate) fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// `invoice_line`, `billCheckPayments`, `bill-check-payments` → `InvoiceLine`,
/// `BillCheckPayments`.
pub(crate) fn pascal(name: &str) -> String {
    snake(name)
        .split('_')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// An enum variant for a wire value: `string_1024_type` → `String1024Type`,
/// `INTEGRATION_ERROR` → `IntegrationError`, `Net 30` → `Net30`.
pub(crate) fn variant(value: &str) -> String {
    let words: Vec<String> = value
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let lower = if w.chars().any(|c| c.is_ascii_lowercase()) { w.to_owned() } else { w.to_ascii_lowercase() };
            pascal(&lower)
        })
        .collect();
    let mut name = words.concat();
    if name.is_empty() {
        name = "Empty".into();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'V');
    }
    if name == "Unknown" {
        name = "UnknownValue".into();
    }
    name
}

/// A field name that is a valid Rust identifier.
pub(crate) fn field(wire: &str) -> String {
    let name = snake(wire);
    match name.as_str() {
        "type" | "ref" | "match" | "move" | "override" | "self" | "static" | "struct" | "trait" | "use" | "where"
        | "mod" | "loop" | "impl" | "in" | "fn" | "for" | "enum" | "else" | "crate" | "const" | "as" | "async"
        | "await" | "dyn" | "abstract" | "final" | "box" | "yield" | "try" | "gen" => format!("r#{name}"),
        _ => name,
    }
}

/// A crude English singular, enough for field names: `lines` → `line`,
/// `entries` → `entry`, `addresses` → `address`.
pub(crate) fn singular(name: &str) -> String {
    if let Some(stem) = name.strip_suffix("ies") {
        format!("{stem}y")
    } else if let Some(stem) = name.strip_suffix("sses") {
        format!("{stem}ss")
    } else if let Some(stem) = name.strip_suffix('s') {
        if stem.ends_with('s') { name.to_owned() } else { stem.to_owned() }
    } else {
        name.to_owned()
    }
}

/// The names types were published under, by the component (or the shared
/// name) the description gives them now. A type's name is part of the
/// crate's API: when Conductor's description renames a component or moves
/// a type inline, the type keeps its name, so users' code keeps building.
const PUBLISHED: &[(&str, &str)] = &[
    ("qbd_account_tax_line", "TaxLineInfo"),
    ("qbd_accounting_preferences", "PreferencesAccounting"),
    ("qbd_applicable_credit", "BillToPayCredit"),
    ("qbd_base_unit", "UnitOfMeasureSetBaseUnit"),
    ("qbd_component_item_line", "BuildAssemblyLine"),
    ("qbd_credit_transaction", "CreditCardRefundRefundAppliedToTransaction"),
    ("qbd_currency_format", "CurrencyCurrencyFormat"),
    ("qbd_current_app_access_rights", "PreferencesAppAccessRights"),
    ("qbd_default_unit", "UnitOfMeasureSetDefaultUnit"),
    ("qbd_deposit_cash_back_line", "DepositCashBack"),
    ("qbd_finance_charge_preferences", "PreferencesFinanceCharges"),
    ("qbd_item_group_line_item", "BillItemGroupLine"),
    ("qbd_jobs_and_estimates_preferences", "PreferencesJobsAndEstimates"),
    ("qbd_payable_bill", "BillToPayBill"),
    ("qbd_purchases_and_vendors_preferences", "PreferencesPurchasesAndVendors"),
    ("qbd_related_unit", "UnitOfMeasureSetRelatedUnit"),
    ("qbd_reports_preferences", "PreferencesReports"),
    ("qbd_sales_and_customers_preferences", "PreferencesSalesAndCustomers"),
    ("qbd_target_transaction", "ReceivableTransaction"),
    // Inline in every report row kind.
    ("RowCell", "ReportRowCell"),
    ("RowRowDescriptor", "ReportRowRowDescriptor"),
];

/// The published name of a component or shared type, when it differs from
/// what the naming rules give.
pub(crate) fn published(name: &str) -> Option<&'static str> {
    PUBLISHED.iter().find(|(given, _)| *given == name).map(|(_, published)| *published)
}

/// Splits a Pascal-case name into its words.
pub(crate) fn words(name: &str) -> Vec<String> {
    snake(name).split('_').filter(|w| !w.is_empty()).map(pascal).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(snake("otherCustomField1"), "other_custom_field1");
        assert_eq!(snake("bill-check-payments"), "bill_check_payments");
        assert_eq!(snake("isQueuedForEmail"), "is_queued_for_email");
        assert_eq!(camel("other_custom_field1"), "otherCustomField1");
        assert_eq!(pascal("invoice_line"), "InvoiceLine");
        assert_eq!(pascal("bill-check-payments"), "BillCheckPayments");
        assert_eq!(variant("string_1024_type"), "String1024Type");
        assert_eq!(variant("INTEGRATION_ERROR"), "IntegrationError");
        assert_eq!(variant("Net 30"), "Net30");
        assert_eq!(variant("1099"), "V1099");
        assert_eq!(field("type"), "r#type");
        assert_eq!(singular("lines"), "line");
        assert_eq!(singular("entries"), "entry");
        assert_eq!(singular("addresses"), "address");
        assert_eq!(words("InvoiceCreateParamsBillingAddress").last().unwrap(), "Address");
    }
}
