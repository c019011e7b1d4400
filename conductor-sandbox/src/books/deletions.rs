//! What was deleted, as an incremental sync reads it:
//! `/deleted-transactions` and `/deleted-list-objects`, each filtered by
//! type (required, as the description says) and by when, within the 90
//! days QuickBooks keeps.

use serde_json::{Value, json};

use super::ids::instant;
use super::store::Company;
use super::transactions::transaction_type;
use conductor::DateTime;

/// How long QuickBooks keeps what was deleted.
const KEPT_SECONDS: i64 = 90 * 24 * 3600;

/// The `transactionType` a deleted transaction of a resource is listed
/// with.
fn deleted_transaction_type(slug: &str) -> Option<&'static str> {
    match slug {
        "time-tracking-activities" => Some("time_tracking"),
        "credit-card-refunds" => Some("ar_refund_credit_card"),
        other => transaction_type(other),
    }
}

/// The `listType` a deleted list object of a resource is listed with.
pub(crate) fn list_type(slug: &str) -> Option<&'static str> {
    Some(match slug {
        "accounts" => "account",
        "classes" => "class",
        "currencies" => "currency",
        "customers" => "customer",
        "customer-types" => "customer_type",
        "date-driven-terms" => "date_driven_terms",
        "employees" => "employee",
        "inventory-sites" => "inventory_site",
        "discount-items" => "item_discount",
        "item-groups" => "item_group",
        "inventory-items" => "item_inventory",
        "inventory-assembly-items" => "item_inventory_assembly",
        "non-inventory-items" => "item_non_inventory",
        "other-charge-items" => "item_other_charge",
        "sales-tax-items" => "item_sales_tax",
        "sales-tax-group-items" => "item_sales_tax_group",
        "service-items" => "item_service",
        "subtotal-items" => "item_subtotal",
        "other-names" => "other_name",
        "payment-methods" => "payment_method",
        "payroll-wage-items" => "payroll_item_wage",
        "price-levels" => "price_level",
        "sales-representatives" => "sales_representative",
        "sales-tax-codes" => "sales_tax_code",
        "shipping-methods" => "ship_method",
        "standard-terms" => "standard_terms",
        "unit-of-measure-sets" => "unit_of_measure_set",
        "vendors" => "vendor",
        _ => return None,
    })
}

/// Lists a deleted transaction in `/deleted-transactions`.
pub(crate) fn record_deleted_transaction(company: &mut Company, slug: &str, record: &Value) {
    let Some(kind) = deleted_transaction_type(slug) else { return };
    company.push_deleted_transaction(json!({
        "transactionType": kind,
        "id": record["id"],
        "objectType": "qbd_deleted_transaction",
        "createdAt": record["createdAt"],
        "deletedAt": company.now(),
        "refNumber": record["refNumber"],
    }));
}

/// Lists a deleted list object in `/deleted-list-objects`.
pub(crate) fn record_deleted_list_object(company: &mut Company, slug: &str, record: &Value) {
    let Some(kind) = list_type(slug) else { return };
    company.push_deleted_list_object(json!({
        "listType": kind,
        "id": record["id"],
        "objectType": "qbd_deleted_list_object",
        "createdAt": record["createdAt"],
        "deletedAt": company.now(),
        "fullName": record.get("fullName").or_else(|| record.get("name")).cloned().unwrap_or(Value::Null),
    }));
}

/// The entries of `deleted` whose `field` is one of the types asked for,
/// deleted within the bounds asked for and within the 90 days before `now`.
pub(crate) fn listed(deleted: &[Value], now: i64, field: &str, types: &str, pairs: &[(String, String)]) -> Vec<Value> {
    let wanted: Vec<&str> = pairs.iter().filter(|(name, _)| name == types).map(|(_, value)| value.as_str()).collect();
    let after = pairs.iter().find(|(name, _)| name == "deletedAfter").and_then(|(_, v)| instant(v, false));
    let before = pairs.iter().find(|(name, _)| name == "deletedBefore").and_then(|(_, v)| instant(v, true));
    let oldest = now - KEPT_SECONDS;
    (deleted.iter())
        .filter(|entry| entry[field].as_str().is_some_and(|kind| wanted.contains(&kind)))
        .filter(|entry| {
            let at = entry["deletedAt"].as_str().and_then(|at| at.parse::<DateTime>().ok()?.unix_seconds().ok());
            at.is_some_and(|at| at >= oldest && after.is_none_or(|a| at >= a) && before.is_none_or(|b| at <= b))
        })
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::ids::{now, unix_now};
    use super::*;

    #[test]
    fn deletions_are_listed_by_type_and_time() {
        let deleted = vec![
            json!({"transactionType": "invoice", "id": "1", "deletedAt": "2020-01-01T00:00:00+00:00"}),
            json!({"transactionType": "invoice", "id": "2", "deletedAt": now()}),
            json!({"transactionType": "bill", "id": "3", "deletedAt": now()}),
        ];
        let pairs = |list: &[(&str, &str)]| -> Vec<(String, String)> {
            list.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
        };
        let ids = |pairs: &[(String, String)]| -> Vec<String> {
            listed(&deleted, unix_now(), "transactionType", "transactionTypes", pairs)
                .iter()
                .map(|e| e["id"].as_str().unwrap().to_owned())
                .collect()
        };
        assert_eq!(ids(&pairs(&[("transactionTypes", "invoice")])), ["2"], "older than 90 days is gone");
        assert_eq!(ids(&pairs(&[("transactionTypes", "invoice"), ("transactionTypes", "bill")])), ["2", "3"]);
        assert!(ids(&pairs(&[("transactionTypes", "bill"), ("deletedBefore", "2021-01-01")])).is_empty());
    }
}
