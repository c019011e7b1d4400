//! The bodies the live API sent for real company files
//! (`../shared/real-responses/`): every record decodes into the crate's
//! types and re-encodes to the same JSON, `objectType` included, with
//! numbers compared by value (`1` and `1.0` are one quantity).

use std::path::PathBuf;

use conductor::CursorPage;
use conductor::qbd::{Account, Bill, CreditCardCharge, Customer, JournalEntry, Vendor};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

fn fixture(name: &str) -> Value {
    let path = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/real-responses")).join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).expect("the fixture is JSON")
}

/// Where two JSON values differ, numbers compared by value; `None` when
/// they are the same.
fn difference(path: &str, original: &Value, encoded: &Value) -> Option<String> {
    match (original, encoded) {
        (Value::Number(a), Value::Number(b)) if a.as_f64() == b.as_f64() => None,
        (Value::Object(a), Value::Object(b)) => {
            let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            keys.into_iter().find_map(|key| match (a.get(key), b.get(key)) {
                (Some(x), Some(y)) => difference(&format!("{path}.{key}"), x, y),
                (Some(x), None) => Some(format!("{path}.{key}: {x} was lost")),
                (None, Some(y)) => Some(format!("{path}.{key}: {y} was added")),
                (None, None) => None,
            })
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            a.iter().zip(b).enumerate().find_map(|(i, (x, y))| difference(&format!("{path}[{i}]"), x, y))
        }
        _ if original == encoded => None,
        _ => Some(format!("{path}: {original} became {encoded}")),
    }
}

/// Decodes each record as `T` and re-encodes it; returns how many, and
/// fails on the first that does not come back whole.
fn round_trip<T: DeserializeOwned + Serialize>(what: &str, records: &[Value]) -> usize {
    for (i, record) in records.iter().enumerate() {
        let decoded: T = serde_json::from_value(record.clone())
            .unwrap_or_else(|e| panic!("{what}[{i}] ({}) does not decode: {e}", record["id"]));
        let encoded = serde_json::to_value(&decoded).expect("encodes");
        if let Some(difference) = difference(&format!("{what}[{i}]"), record, &encoded) {
            panic!("{what}[{i}] ({}) does not re-encode whole: {difference}", record["id"]);
        }
    }
    records.len()
}

/// A list page: the envelope decodes as a `CursorPage` and each record
/// round-trips.
fn page<T: DeserializeOwned + Serialize>(file: &str) -> usize {
    let body = fixture(file);
    let page: CursorPage<serde_json::Value> = serde_json::from_value(body.clone()).expect("a list envelope");
    assert_eq!(page.data.len(), body["data"].as_array().unwrap().len());
    round_trip::<T>(file, body["data"].as_array().expect("data"))
}

#[test]
fn every_real_record_decodes_and_re_encodes_whole() {
    let mut records = 0;
    records += page::<Account>("lists/accounts.json");
    records += page::<Customer>("lists/customers.json");
    records += page::<Vendor>("lists/vendors.json");
    records += page::<JournalEntry>("lists/journal_entries.json");
    records += round_trip::<Bill>("created/bills.json", fixture("created/bills.json").as_array().unwrap());
    let charges = fixture("created/credit_card_charges.json");
    records += round_trip::<CreditCardCharge>("created/credit_card_charges.json", charges.as_array().unwrap());
    let vendor = fixture("created/vendors.json");
    records += round_trip::<Vendor>("created/vendors.json", vendor.as_array().unwrap());
    println!("{records} real records decoded and re-encoded whole");
    assert_eq!(records, 405);
}

#[test]
fn real_amounts_keep_their_text_and_compare_by_value() {
    let bills: Vec<Bill> = serde_json::from_value(fixture("created/bills.json")).unwrap();
    let charges: Vec<CreditCardCharge> = serde_json::from_value(fixture("created/credit_card_charges.json")).unwrap();
    let lines = bills.iter().flat_map(|bill| &bill.item_lines).chain(charges.iter().flat_map(|c| &c.item_lines));
    let costs: Vec<&conductor::Amount> = lines.filter_map(|line| line.cost.as_ref()).collect();
    for text in ["27", "0.585", "3.245"] {
        assert!(costs.iter().any(|cost| cost.as_str() == text), "no cost {text} in {costs:?}");
    }
    for bill in &bills {
        assert!(bill.amount_due.as_ref().is_some_and(conductor::Amount::is_valid), "{:?}", bill.amount_due);
        assert!(bill.transaction_date.is_valid() && bill.created_at.is_valid());
        assert_eq!(serde_json::to_value(bill).unwrap()["objectType"], Bill::OBJECT_TYPE);
    }
    let first = &bills[0];
    let due = first.amount_due.as_ref().unwrap();
    assert_eq!(due.as_str(), "367.05");
    assert_eq!(*due, "367.050".parse().unwrap());
    assert_eq!(first.created_at.offset_seconds().unwrap(), -5 * 3600);
}

#[test]
fn a_record_of_another_type_is_a_decode_error_naming_the_field() {
    let customers = fixture("lists/customers.json");
    let customer = customers["data"][0].to_string();
    let mut decoder = serde_json::Deserializer::from_str(&customer);
    let error = serde_path_to_error::deserialize::<_, Vendor>(&mut decoder).unwrap_err();
    assert_eq!(error.path().to_string(), "objectType");
    assert!(error.to_string().contains("expected \"qbd_vendor\""), "{error}");
}
