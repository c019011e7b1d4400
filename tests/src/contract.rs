//! Support for the contract tests: arguments built from the examples of the
//! OpenAPI description, and decoding through the client's own code path.

use conductor::__private::{FromList, FromResponse};
use conductor::reqwest::StatusCode;
use conductor::reqwest::header::HeaderMap;
use conductor::{Bytes, Response, Result};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// The arguments of one call, from the description's examples.
#[derive(Debug, Default)]
pub struct Args {
    /// The `{id}` path parameter.
    pub id: String,
    /// Every path parameter by name, `id` included.
    pub path: Map<String, Value>,
    /// Every query parameter, as a JSON object.
    pub query: Value,
    /// The request body: the description's example of it.
    pub body: Value,
    /// A body with every property the schema has, optional ones included,
    /// each from its own example: what exercises every field's encoding.
    pub full_body: Value,
}

impl Args {
    /// The query parameters as the method's parameter type.
    pub fn query<T: DeserializeOwned>(&self) -> Result<T> {
        match serde_json::from_value(self.query.clone()) {
            Ok(query) => Ok(query),
            Err(e) => panic!("the example query does not fit the declared parameters: {e}\n{:#}", self.query),
        }
    }

    /// The body as the method's body type.
    pub fn body<T: DeserializeOwned>(&self) -> Result<T> {
        match serde_json::from_value(self.body.clone()) {
            Ok(body) => Ok(body),
            Err(e) => panic!("the example body does not fit the declared body type: {e}\n{:#}", self.body),
        }
    }
}

/// The operations of the description: `(method, path, operation)`, sorted.
pub fn operations(spec: &Value) -> Vec<(String, String, &Value)> {
    let mut out = Vec::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            if matches!(method.as_str(), "get" | "post" | "put" | "patch" | "delete") {
                out.push((method.clone(), path.clone(), operation));
            }
        }
    }
    out.sort_by(|a, b| (&a.1, &a.0).cmp(&(&b.1, &b.0)));
    out
}

/// A path template with its placeholders' names left out
/// (`/end-users/{}/passthrough/{}`): the description names a placeholder
/// `integrationSlug` where the Rust declaration names its argument
/// `integration_slug`, and the two are the same operation.
pub fn template(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut inside = false;
    for c in path.chars() {
        match c {
            '{' => {
                inside = true;
                out.push_str("{}");
            }
            '}' => inside = false,
            c if !inside => out.push(c),
            _ => {}
        }
    }
    out
}

/// The path of the OpenAPI description: `$CONDUCTOR_OPENAPI`, or
/// `../shared/conductor-openapi-official.json` beside the repository.
pub fn spec_path() -> String {
    std::env::var("CONDUCTOR_OPENAPI").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/conductor-openapi-official.json").to_owned()
    })
}

/// Loads the OpenAPI description (see [`spec_path`]).
pub fn load_spec() -> Value {
    let path = spec_path();
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read the OpenAPI description {path}: {e}"));
    serde_json::from_str(&text).expect("the description is JSON")
}

/// The description's example of the 200 response of `method path`.
pub fn response_example<'a>(spec: &'a Value, method: &str, path: &str) -> &'a Value {
    &spec["paths"][path][method]["responses"]["200"]["content"]["application/json"]["example"]
}

/// An example 200 response of `method path`: the description's own, which
/// validates against the schema, or else one built from the schema's
/// examples; `None` when the operation answers no JSON.
pub fn example_response(spec: &Value, method: &str, path: &str) -> Option<Value> {
    let schema = spec["paths"][path][method]["responses"]["200"]["content"]["application/json"].get("schema")?;
    Some(match response_example(spec, method, path) {
        Value::Null => example(spec, schema, 0),
        given => given.clone(),
    })
}

/// The first record of the description's example list at `path`, such as
/// an invoice for `/quickbooks-desktop/invoices`.
pub fn example_record(spec: &Value, path: &str) -> Value {
    let list = example_response(spec, "get", path).unwrap_or_default();
    let record = list["data"][0].clone();
    assert!(record.is_object(), "the description has no example list at {path}");
    record
}

/// The arguments for one operation: its path parameters, every query
/// parameter and its whole body, from the examples.
pub fn args_for(spec: &Value, operation: &Value) -> Args {
    let mut args = Args { query: Value::Object(Map::new()), ..Args::default() };
    for parameter in operation["parameters"].as_array().into_iter().flatten() {
        let example = parameter.get("example").cloned().unwrap_or_else(|| example(spec, &parameter["schema"], 0));
        match parameter["in"].as_str() {
            Some("path") => {
                let name = parameter["name"].as_str().expect("name");
                if name == "id" {
                    args.id = example.as_str().unwrap_or_default().to_owned();
                }
                args.path.insert(name.to_owned(), example);
            }
            Some("query") => {
                args.query[parameter["name"].as_str().expect("name")] = example;
            }
            _ => {}
        }
    }
    // The description's own example body where it gives one: it validates
    // against the schema.
    let content = &operation["requestBody"]["content"]["application/json"];
    if let Some(schema) = content.get("schema") {
        args.full_body = example(spec, schema, 0);
        args.body = content.get("example").cloned().unwrap_or_else(|| args.full_body.clone());
        fit(spec, schema, &mut args.full_body);
        fit(spec, schema, &mut args.body);
    }
    args
}

/// Makes an example fit the limits its schema sets: the description's
/// examples are longer than some `maxLength`s (a `shipmentOrigin` of 17
/// characters where 13 are allowed), and an object with `minProperties`
/// but no properties of its own (the passthrough's qbXML) gets one.
pub fn fit(spec: &Value, schema: &Value, value: &mut Value) {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.rsplit('/').next().expect("ref name");
        return fit(spec, &spec["components"]["schemas"][name], value);
    }
    for variant in schema["anyOf"].as_array().or_else(|| schema["oneOf"].as_array()).into_iter().flatten() {
        fit(spec, variant, value);
    }
    match value {
        Value::String(text) => {
            if let Some(max) = schema["maxLength"].as_u64() {
                *text = text.chars().take(max as usize).collect();
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| fit(spec, &schema["items"], item)),
        Value::Object(fields) => {
            for (name, field) in fields.iter_mut() {
                fit(spec, &schema["properties"][name.as_str()], field);
            }
            let wanted = schema["minProperties"].as_u64().unwrap_or(0) as usize;
            if fields.len() < wanted && schema["properties"].as_object().is_none_or(Map::is_empty) {
                fields.insert("InvoiceQueryRq".into(), Value::Object(Map::new()));
            }
        }
        _ => {}
    }
}

/// An example value for `schema`: its own example (or default), else one built from the
/// examples of its properties (all of them, optional ones included).
pub fn example(spec: &Value, schema: &Value, depth: usize) -> Value {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.rsplit('/').next().expect("ref name");
        return example(spec, &spec["components"]["schemas"][name], depth);
    }
    if let Some(example) = schema.get("example").or_else(|| schema.get("default")) {
        return example.clone();
    }
    // `oneOf` is how the description gives report rows, with a discriminator.
    if let Some(variants) = schema["anyOf"].as_array().or_else(|| schema["oneOf"].as_array()) {
        let variant = variants.iter().find(|v| v["type"] != "null");
        return variant.map_or(Value::Null, |v| example(spec, v, depth + 1));
    }
    if let Some(properties) = schema["properties"].as_object() {
        // Deep enough for every record (a nullable part counts as a level),
        // short of a schema that contains itself.
        if depth > 16 {
            return Value::Object(Map::new());
        }
        return Value::Object(properties.iter().map(|(k, v)| (k.clone(), example(spec, v, depth + 1))).collect());
    }
    if let Some(items) = schema.get("items") {
        return Value::Array(vec![example(spec, items, depth + 1)]);
    }
    if let Some(first) = schema["enum"].as_array().and_then(|v| v.first()) {
        return first.clone();
    }
    if let Some(fixed) = schema.get("const") {
        return fixed.clone();
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::Array(types) => types.iter().filter_map(Value::as_str).collect(),
        one => one.as_str().into_iter().collect(),
    };
    match types.iter().find(|t| **t != "null") {
        Some(&"boolean") => Value::Bool(true),
        Some(&"integer") | Some(&"number") => Value::from(1),
        Some(&"object") => Value::Object(Map::new()),
        // A string of the format the schema asks for, where it asks.
        _ => Value::String(
            match schema["format"].as_str() {
                Some("date") => "2024-10-01",
                Some("date-time") => "2024-10-01T12:34:56+00:00",
                Some("uuid") => "12345678-abcd-1234-abcd-1234567890ab",
                Some("uri") => "https://example.com/",
                Some("email") => "alice@example.com",
                _ => "example",
            }
            .into(),
        ),
    }
}

/// Decodes a 200 response `body` as `T` the way the client does.
pub fn decode<T: FromResponse>(body: &[u8]) -> Result<()> {
    T::from_response(response(body)).map(drop)
}

/// Decodes a 200 response `body` as a list envelope of `T`, the way a
/// `list_of` method does.
pub fn decode_list<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<()> {
    <Vec<T> as FromList<T>>::from_list(response(body)).map(drop)
}

/// Decodes a 200 response `body` as the response type of `method path`, for
/// every operation declared: QuickBooks Desktop, end-users and auth sessions.
pub fn decode_any(method: &str, path: &str, body: &[u8]) -> Option<Result<()>> {
    if let Some(result) = crate::contract_table::decode_body(method, path, body) {
        return Some(result);
    }
    Some(match (method, template(path).as_str()) {
        ("get", "/end-users") => decode_list::<conductor::EndUser>(body),
        ("post", "/end-users") | ("get", "/end-users/{}") => decode::<conductor::EndUser>(body),
        ("delete", "/end-users/{}") => decode::<conductor::EndUserDeleted>(body),
        ("post", "/auth-sessions") => decode::<conductor::AuthSession>(body),
        ("post", "/end-users/{}/passthrough/{}") => decode::<serde_json::Value>(body),
        _ => return None,
    })
}

fn response(body: &[u8]) -> Response<Bytes> {
    Response::new(StatusCode::OK, HeaderMap::new(), Bytes::copy_from_slice(body))
}
