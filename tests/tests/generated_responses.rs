//! Every response shape the description allows decodes: for each operation,
//! responses generated at random from its 200 schema, with `null` wherever
//! the schema allows it, optional fields left out, every enum value and an
//! unknown one, fractional numbers, and empty and multi-item arrays.

use std::collections::BTreeMap;

use conductor_tests::contract::{decode_any, load_spec, operations};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{Map, Value, json};

/// Responses generated per operation.
const CASES: u32 = 64;

/// A value no enum of the description has: a value Conductor may add later.
const UNKNOWN: &str = "value_added_later";

/// The value strategies of a description, with the strategy of each
/// component schema built once.
struct Strategies<'a> {
    spec: &'a Value,
    components: BTreeMap<String, BoxedStrategy<Value>>,
}

fn types(schema: &Value) -> Vec<&str> {
    match &schema["type"] {
        Value::String(one) => vec![one.as_str()],
        Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

impl Strategies<'_> {
    fn of(&mut self, schema: &Value) -> BoxedStrategy<Value> {
        if let Some(reference) = schema["$ref"].as_str() {
            let name = reference.rsplit('/').next().unwrap().to_owned();
            if let Some(known) = self.components.get(&name) {
                return known.clone();
            }
            let strategy = self.of(&self.spec["components"]["schemas"][&name]);
            self.components.insert(name, strategy.clone());
            return strategy;
        }
        if let Some(variants) = schema["anyOf"].as_array().or_else(|| schema["oneOf"].as_array()) {
            let options: Vec<BoxedStrategy<Value>> = variants.iter().map(|v| self.of(v)).collect();
            return proptest::strategy::Union::new(options).boxed();
        }
        let types = types(schema);
        let value = self.non_null(schema, &types);
        if types.contains(&"null") {
            // `null` about one time in four, so the rest is generated too.
            prop_oneof![1 => Just(Value::Null), 3 => value].boxed()
        } else {
            value
        }
    }

    fn non_null(&mut self, schema: &Value, types: &[&str]) -> BoxedStrategy<Value> {
        if let Some(fixed) = schema.get("const") {
            return Just(fixed.clone()).boxed();
        }
        if let Some(values) = schema["enum"].as_array() {
            let mut values: Vec<Value> = values.iter().filter(|v| !v.is_null()).cloned().collect();
            values.push(Value::String(UNKNOWN.to_owned()));
            return proptest::sample::select(values).boxed();
        }
        if let Some(properties) = schema["properties"].as_object() {
            return self.object(schema, properties);
        }
        match types.iter().find(|t| **t != "null").copied() {
            Some("array") => {
                let item = self.of(&schema["items"]);
                prop::collection::vec(item, 0..=2).prop_map(Value::Array).boxed()
            }
            Some("object") => prop::collection::btree_map("[a-z]{1,6}", any::<i32>().prop_map(Value::from), 0..=2)
                .prop_map(|map| Value::Object(map.into_iter().collect()))
                .boxed(),
            Some("string") if schema["format"] == "date" => {
                "20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])".prop_map(Value::String).boxed()
            }
            Some("string") => "[ -~]{0,12}".prop_map(Value::String).boxed(),
            Some("integer") => any::<i32>().prop_map(Value::from).boxed(),
            // Fractional, negative and whole numbers alike.
            Some("number") => prop_oneof![
                (-1.0e6..1.0e6f64).prop_map(Value::from),
                any::<i16>().prop_map(|n| Value::from(f64::from(n))),
            ]
            .boxed(),
            Some("boolean") => any::<bool>().prop_map(Value::Bool).boxed(),
            _ => Just(Value::Null).boxed(),
        }
    }

    /// Required properties always, optional ones half the time.
    fn object(&mut self, schema: &Value, properties: &Map<String, Value>) -> BoxedStrategy<Value> {
        let required: Vec<&str> =
            schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        let fields: Vec<BoxedStrategy<Option<(String, Value)>>> = (properties.iter())
            .map(|(name, property)| {
                let name = name.clone();
                let value = self.of(property);
                if required.contains(&name.as_str()) {
                    value.prop_map(move |v| Some((name.clone(), v))).boxed()
                } else {
                    proptest::option::of(value.prop_map(move |v| (name.clone(), v))).boxed()
                }
            })
            .collect();
        fields.prop_map(|fields| Value::Object(fields.into_iter().flatten().collect())).boxed()
    }
}

#[test]
fn every_response_the_description_allows_decodes() {
    let spec = load_spec();
    let mut strategies = Strategies { spec: &spec, components: BTreeMap::new() };
    let mut decoded = 0;
    let mut operations_run = 0;
    for (method, path, operation) in operations(&spec) {
        let Some(schema) = operation["responses"]["200"]["content"]["application/json"].get("schema") else {
            continue;
        };
        let strategy = strategies.of(schema);
        // One seed per operation: a failure is found again on every run.
        let mut runner = TestRunner::new_with_rng(
            Config { cases: CASES, failure_persistence: None, ..Config::default() },
            proptest::test_runner::TestRng::deterministic_rng(proptest::test_runner::RngAlgorithm::ChaCha),
        );
        let outcome = runner.run(&strategy, |body| {
            let bytes = serde_json::to_vec(&body).unwrap();
            match decode_any(&method, &path, &bytes) {
                Some(Ok(())) => Ok(()),
                Some(Err(error)) => Err(TestCaseError::fail(format!("{error}"))),
                None => Err(TestCaseError::fail("no Rust method is declared for it")),
            }
        });
        if let Err(failure) = outcome {
            panic!("{method} {path}: a response the description allows does not decode: {failure}");
        }
        operations_run += 1;
        decoded += CASES;
    }
    println!("{operations_run} operations, {decoded} generated responses decoded");
    assert_eq!(operations_run, 262);
}

/// Report rows are told apart by their `kind`, which the description fixes
/// per row type; a kind Conductor adds later still decodes.
#[test]
fn a_report_row_of_a_kind_added_later_decodes_as_unknown() {
    let spec = load_spec();
    let mut report = conductor_tests::contract::example_response(&spec, "get", "/quickbooks-desktop/reports/aging")
        .expect("an example report");
    let row = json!({"kind": "chart", "rowNumber": 2, "series": [1, 2, 3]});
    report["rows"].as_array_mut().expect("rows").push(row);
    let report: conductor::qbd::Report = serde_json::from_value(report).expect("a report with a new kind of row");
    assert!(matches!(report.rows.last(), Some(conductor::qbd::ReportRow::Unknown)), "{:?}", report.rows.last());
    assert!(matches!(
        report.rows.first(),
        Some(conductor::qbd::ReportRow::Text(_) | conductor::qbd::ReportRow::Data(_))
    ));
}
