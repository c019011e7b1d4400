//! Decoding never panics: arbitrary bytes, arbitrary JSON and the spec's
//! example responses with any part replaced by arbitrary JSON, decoded as the
//! response of every declared operation, give `Ok` or a typed
//! `Error::Decode`.

use std::sync::OnceLock;

use conductor::Error;
use conductor_tests::contract::{decode_any, example_response, load_spec, operations};
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{Map, Value};

/// Every declared operation with the body of its example 200 response.
fn examples() -> &'static [(String, String, Value)] {
    static EXAMPLES: OnceLock<Vec<(String, String, Value)>> = OnceLock::new();
    EXAMPLES.get_or_init(|| {
        let spec = load_spec();
        operations(&spec)
            .into_iter()
            .filter_map(|(method, path, _)| {
                let example = example_response(&spec, &method, &path)?;
                Some((method, path, example))
            })
            .collect()
    })
}

/// Keys the models use, so arbitrary objects reach into model code.
const KEYS: &[&str] = &[
    "id",
    "objectType",
    "data",
    "nextCursor",
    "hasMore",
    "remainingCount",
    "createdAt",
    "updatedAt",
    "revisionNumber",
    "fullName",
    "name",
    "customer",
    "lines",
    "quantity",
    "amount",
    "isActive",
    "error",
    "url",
];

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter("JSON numbers are finite", |f| f.is_finite()).prop_map(Value::from),
        any::<String>().prop_map(Value::String),
        Just(Value::String("list".into())),
    ];
    let key = prop_oneof![prop::sample::select(KEYS).prop_map(str::to_owned), any::<String>()];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..8)
                .prop_map(|fields| Value::Object(fields.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Replaces the node that `path` leads to (stopping at a leaf) with
/// `replacement`.
fn replace(value: &mut Value, path: &[Index], replacement: Value) {
    let child = match (value, path.split_first()) {
        (Value::Object(map), Some((index, rest))) if !map.is_empty() => {
            let key = map.keys().nth(index.index(map.len())).cloned().unwrap_or_default();
            map.get_mut(&key).map(|child| (child, rest))
        }
        (Value::Array(items), Some((index, rest))) if !items.is_empty() => {
            let at = index.index(items.len());
            Some((&mut items[at], rest))
        }
        (value, _) => {
            *value = replacement;
            return;
        }
    };
    if let Some((child, rest)) = child {
        replace(child, rest, replacement);
    }
}

/// Decoding gave a value or a typed decode error, and the error prints.
fn assert_decoded_or_refused(method: &str, path: &str, body: &[u8]) -> Result<(), TestCaseError> {
    match decode_any(method, path, body) {
        None => Err(TestCaseError::fail(format!("{method} {path} is not declared"))),
        Some(Ok(())) => Ok(()),
        Some(Err(Error::Decode(decode))) => {
            prop_assert!(!decode.message().is_empty());
            prop_assert!(!Error::Decode(decode).to_string().is_empty());
            Ok(())
        }
        Some(Err(other)) => Err(TestCaseError::fail(format!("{method} {path}: not a decode error: {other:?}"))),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic_any_decoder(body in prop_oneof![
        prop::collection::vec(any::<u8>(), 0..256),
        "[\\[\\]{}\",:0-9a-zA-Z.eE+\\- ]{0,64}".prop_map(String::into_bytes),
    ]) {
        for (method, path, _) in examples() {
            assert_decoded_or_refused(method, path, &body)?;
        }
    }

    #[test]
    fn arbitrary_json_never_panics_any_decoder(value in any_json()) {
        let body = serde_json::to_vec(&value).unwrap();
        for (method, path, _) in examples() {
            assert_decoded_or_refused(method, path, &body)?;
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4096))]

    #[test]
    fn example_responses_with_any_part_replaced_never_panic(
        operation in any::<Index>(),
        path in prop::collection::vec(any::<Index>(), 0..6),
        replacement in any_json(),
    ) {
        let (method, route, example) = operation.get(examples());
        let mut body = example.clone();
        replace(&mut body, &path, replacement);
        assert_decoded_or_refused(method, route, &serde_json::to_vec(&body).unwrap())?;
    }
}

#[test]
fn every_declared_operation_has_an_example_to_mutate() {
    assert_eq!(examples().len(), 262);
    for (method, path, example) in examples() {
        let body = serde_json::to_vec(example).unwrap();
        assert!(matches!(decode_any(method, path, &body), Some(Ok(()))), "{method} {path}");
    }
}
