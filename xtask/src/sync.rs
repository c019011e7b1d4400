//! `conductor-sync`'s tables (`conductor-sync/src/tables.rs`): one per
//! readable list resource, from the same model the SDK's types come from.
//!
//! A resource is synced when the description lists its records (a `GET`
//! without a path parameter answering a list of objects that have an `id`,
//! an `updatedAt` and a `revisionNumber`); `/transactions` (every
//! transaction again) and the two lists of deletions are read otherwise.
//!
//! A record's scalar fields become typed columns (`Str` and enums text,
//! `Amount` and `number` exact decimals, `Date`, `DateTime`, `bool`,
//! integers); objects and arrays become JSON columns, and a reference (an
//! object of `id` and `fullName`) gets its id in a column of its own
//! (`customer` → `customer_id`). Arrays of lines (`lines`, `expenseLines`,
//! ...) get tables of their own (`invoice_lines`, `bill_expense_lines`)
//! rather than columns.
//! Which `transactionTypes` or `objectTypes` value of the deletion lists
//! names a resource's records is worked out from its `objectType`.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde_json::Value;

use crate::model::{Api, Field, Shape, Struct, Ty};
use crate::names;
use crate::references;
use crate::render::HEADER;

pub(crate) const PATH: &str = "conductor-sync/src/tables.rs";

/// The columns the sync adds to every table, which no field may take (a
/// table of lines also has its transaction's id, `invoice_id`).
const OWN_COLUMNS: &[&str] = &["end_user_id", "record", "synced_at", "deleted_at", "position"];

/// Deletion types whose words are not the record's own: each with why.
const DELETED_TYPES: &[(&str, Option<&str>)] = &[
    // A refund of a customer's credit, made to their credit card.
    ("credit-card-refunds", Some("ar_refund_credit_card")),
    ("time-tracking-activities", Some("time_tracking")),
    ("shipping-methods", Some("ship_method")),
    // Funds moved between accounts: `transfer_inventory` is the transfer
    // of inventory between sites, another record; the list of deleted
    // transactions has no type for these.
    ("transfers", None),
];

pub(crate) fn table(api: &Api, spec: &Value) -> Result<String, String> {
    let deleted_transactions = enum_values(spec, "/quickbooks-desktop/deleted-transactions", "transactionTypes")?;
    let deleted_lists = enum_values(spec, "/quickbooks-desktop/deleted-list-objects", "objectTypes")?;
    let mut out = String::from(HEADER);
    out.push_str(
        "\n//! Every list resource the sync keeps, with its table's columns and its\n\
         //! tables of lines: what the database holds of each record.\n\n\
         use crate::schema::{Column, Deleted, Lines, Resource, Type};\n\n\
         pub(crate) static RESOURCES: &[Resource] = &[\n",
    );
    let mut tables = BTreeSet::new();
    for resource in &api.resources {
        let slug = references::slug(resource);
        let Some((operation, item)) = resource.operations.iter().find_map(|op| match &op.shape {
            Shape::Page { item } | Shape::List { item, .. } if op.path_args.is_empty() && op.method == "get" => {
                Some((op, item))
            }
            _ => None,
        }) else {
            continue;
        };
        let Ty::Struct(index) = item else { continue };
        let record = &api.structs[*index];
        let has = |wire: &str| record.fields.iter().any(|field| field.wire == wire);
        if !(has("id") && has("updatedAt") && has("revisionNumber")) || slug == "transactions" {
            continue;
        }
        let object_type = (record.consts.iter())
            .find(|(name, _)| name == "objectType")
            .map(|(_, value)| value.trim_start_matches("qbd_").to_owned())
            .ok_or_else(|| format!("{slug}: its records have no objectType"))?;
        let transaction = has("transactionDate");
        let query = operation.query.map(|index| &api.structs[index]);
        let param = |wire: &str| query.is_some_and(|query| query.fields.iter().any(|field| field.wire == wire));
        let deleted =
            deleted_type(&slug, &object_type, if transaction { &deleted_transactions } else { &deleted_lists })?;
        let deleted = match (deleted, transaction) {
            (None, _) => "Deleted::Never".to_owned(),
            (Some(value), true) => format!("Deleted::Transaction({value:?})"),
            (Some(value), false) => format!("Deleted::ListObject({value:?})"),
        };
        let table = names::snake(&slug);
        if !tables.insert(table.clone()) {
            return Err(format!("two resources make the table {table}"));
        }
        let mut lines = Vec::new();
        let mut line_fields = Vec::new();
        for field in &record.fields {
            let Ty::Vec(inner) = &field.ty else { continue };
            let Ty::Struct(line) = inner.as_ref() else { continue };
            let line = &api.structs[*line];
            let is_lines = field.wire == "lines" || field.wire.ends_with("Lines");
            if !is_lines || !line.fields.iter().any(|f| f.wire == "id") {
                continue;
            }
            let name = format!("{object_type}_{}", names::snake(&field.wire));
            if !tables.insert(name.clone()) {
                return Err(format!("two resources make the table {name}"));
            }
            let parent = format!("{object_type}_id");
            line_fields.push(field.wire.as_str());
            lines.push(format!(
                "Lines {{ table: {name:?}, field: {:?}, parent: {parent:?}, columns: &[{}] }}",
                field.wire,
                columns(api, line, &parent, &[])?.join(", ")
            ));
        }
        let _ = writeln!(
            out,
            "Resource {{ name: {slug:?}, path: {:?}, table: {table:?}, object_type: {object_type:?}, transaction: {transaction}, \
             pages: {}, updated_after: {}, status: {}, ids: {}, linked: {}, deleted: {deleted}, columns: &[{}], lines: &[{}] }},",
            operation.path,
            matches!(operation.shape, Shape::Page { .. }),
            param("updatedAfter"),
            param("status"),
            param("ids"),
            param("includeLinkedTransactions"),
            columns(api, record, "", &line_fields)?.join(", "),
            lines.join(", "),
        );
    }
    out.push_str("];\n");
    Ok(out)
}

/// The columns of a record's (or a line's) fields; `parent` is the column
/// a table of lines names its transaction by. The fields in `lines` have
/// tables of their own, and no column (the record keeps them too).
fn columns(api: &Api, record: &Struct, parent: &str, lines: &[&str]) -> Result<Vec<String>, String> {
    let mut names = BTreeSet::new();
    let mut out = Vec::new();
    for field in record.fields.iter().filter(|field| !lines.contains(&field.wire.as_str())) {
        let name = names::snake(&field.wire);
        let ty = column_type(field);
        let mut add = |name: String, ty: &str, field: &str| -> Result<(), String> {
            if OWN_COLUMNS.contains(&name.as_str()) || name == parent || !names.insert(name.clone()) {
                return Err(format!("{}: the column {name} is taken", record.name));
            }
            out.push(format!("Column {{ name: {name:?}, field: {field:?}, ty: Type::{ty} }}"));
            Ok(())
        };
        add(name.clone(), ty, &field.wire)?;
        if ty == "Json" && is_reference(api, &field.ty) {
            add(format!("{name}_id"), "Reference", &field.wire)?;
        }
    }
    Ok(out)
}

fn column_type(field: &Field) -> &'static str {
    match &field.ty {
        Ty::Str => "Text",
        Ty::Enum(_) => "Text",
        Ty::Amount | Ty::Float => "Decimal",
        Ty::Date => "Date",
        Ty::DateTime => "Timestamp",
        Ty::Bool => "Bool",
        Ty::Int => "Integer",
        Ty::Json | Ty::Map | Ty::Vec(_) | Ty::Struct(_) | Ty::Union(_) => "Json",
    }
}

/// Whether a type is a reference to another record: an object of `id` and
/// `fullName` alone.
fn is_reference(api: &Api, ty: &Ty) -> bool {
    let Ty::Struct(index) = ty else { return false };
    let wires: BTreeSet<&str> = api.structs[*index].fields.iter().map(|field| field.wire.as_str()).collect();
    wires == BTreeSet::from(["id", "fullName"])
}

/// The values of a list parameter's enum.
fn enum_values(spec: &Value, path: &str, name: &str) -> Result<Vec<String>, String> {
    let parameters = spec["paths"][path]["get"]["parameters"].as_array().ok_or(format!("{path} has no parameters"))?;
    let parameter = parameters.iter().find(|p| p["name"] == name).ok_or(format!("{path} has no parameter {name}"))?;
    let values = parameter["schema"]["items"]["enum"].as_array().ok_or(format!("{path} {name} has no enum"))?;
    Ok(values.iter().filter_map(Value::as_str).map(str::to_owned).collect())
}

/// The deletion type naming a resource's records: the value of `values`
/// with the words of its `objectType` in any order, singular or plural
/// (`discount_item` is `item_discount`), or the one `DELETED_TYPES` gives.
fn deleted_type(slug: &str, object_type: &str, values: &[String]) -> Result<Option<String>, String> {
    if let Some((_, given)) = DELETED_TYPES.iter().find(|(resource, _)| *resource == slug) {
        return match given {
            Some(value) if !values.iter().any(|v| v == value) => Err(format!("{slug}: no deletion type {value}")),
            given => Ok(given.map(str::to_owned)),
        };
    }
    let words = |text: &str| -> Vec<String> {
        // Singular or plural alike: `standard_term` is `standard_terms`.
        let mut words: Vec<String> = text.split('_').map(|word| word.trim_end_matches('s').to_owned()).collect();
        words.sort();
        words
    };
    let own = words(object_type);
    let found: Vec<&String> = values.iter().filter(|value| words(value) == own).collect();
    match found.as_slice() {
        [value] => Ok(Some((*value).clone())),
        [] => Ok(None),
        _ => Err(format!("{slug}: several deletion types fit {object_type}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deletion_types_are_the_record_types_words_in_any_order() {
        let values: Vec<String> =
            ["invoice", "item_discount", "bill_payment_check", "transfer_inventory", "time_tracking", "ship_method"]
                .map(str::to_owned)
                .to_vec();
        let found = |slug, object| deleted_type(slug, object, &values).unwrap();
        assert_eq!(found("invoices", "invoice").as_deref(), Some("invoice"));
        assert_eq!(found("discount-items", "discount_item").as_deref(), Some("item_discount"));
        assert_eq!(found("bill-check-payments", "bill_check_payment").as_deref(), Some("bill_payment_check"));
        assert_eq!(found("transfers", "transfer"), None);
        assert_eq!(found("time-tracking-activities", "time_tracking_activity").as_deref(), Some("time_tracking"));
        assert_eq!(found("templates", "template"), None);
        let values = ["standard_terms".to_owned()];
        assert_eq!(
            deleted_type("standard-terms", "standard_term", &values).unwrap().as_deref(),
            Some("standard_terms")
        );
    }
}
