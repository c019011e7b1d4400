//! The sandbox answers every operation of the description as the
//! description says: each resource is called in create, list, retrieve,
//! update, void, delete order with the description's example inputs, and
//! every answer is validated against the description's schema for its
//! status by a JSON Schema validator. Bad input gets Conductor's 400 and
//! stores nothing.

use std::collections::BTreeMap;

use conductor::reqwest::StatusCode;
use conductor_sandbox::Sandbox;
use conductor_tests::contract::{args_for, example_record, load_spec, operations};
use conductor_tests::fixtures::{Fixtures, REFUSED_EXAMPLES, follow_body_rules, follow_query_rules, refused_example};
use conductor_tests::raw::Raw;
use serde_json::{Value, json};

/// A sandbox with one end-user, and the raw view of it for that end-user.
async fn start() -> (Sandbox, Raw) {
    let sandbox = Sandbox::start().await.unwrap();
    let user = sandbox.create_end_user("Acme", "a@acme.com");
    let raw = Raw::new(&sandbox, &user.id);
    (sandbox, raw)
}

/// Validators of the description's schemas, each compiled once.
struct Schemas<'a> {
    spec: &'a Value,
    compiled: BTreeMap<String, jsonschema::Validator>,
}

impl Schemas<'_> {
    /// The problems of `answer` against the schema of `status` for the
    /// operation: its 200 schema, or its error body.
    fn problems(&mut self, method: &str, path: &str, status: u16, answer: &Value) -> Vec<String> {
        let responses = &self.spec["paths"][path][method]["responses"];
        let key = if status == 200 { "200" } else { "default" };
        let schema = &responses[key]["content"]["application/json"]["schema"];
        let spec = self.spec;
        let validator = self.compiled.entry(format!("{method} {path} {key}")).or_insert_with(|| {
            // References are `#/components/...`: give the schema the
            // description's components to resolve them in.
            let mut root = schema.clone();
            root["components"] = spec["components"].clone();
            jsonschema::validator_for(&root).expect("the description's schema compiles")
        });
        validator.iter_errors(answer).map(|error| format!("at {}: {error}", error.instance_path())).collect()
    }
}

/// The order calls to one resource are made in.
fn rank(method: &str, path: &str) -> u8 {
    match (method, path.matches('{').count(), path.rsplit('/').next()) {
        ("post", 0, _) => 0,
        ("get", 0, _) => 1,
        ("get", _, _) => 2,
        ("post", _, Some("void")) => 4,
        ("post", _, _) => 3,
        ("delete", _, _) => 5,
        _ => 1,
    }
}

/// `/quickbooks-desktop/invoices/{id}/void` → `/quickbooks-desktop/invoices`,
/// `/end-users/{id}` → `/end-users`.
fn collection(path: &str) -> String {
    let depth = if path.starts_with("/quickbooks-desktop/") { 3 } else { 2 };
    path.split('/').take(depth).collect::<Vec<_>>().join("/")
}

fn pairs(query: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (key, value) in query.as_object().into_iter().flatten() {
        let values = match value {
            Value::Array(items) => items.clone(),
            one => vec![one.clone()],
        };
        for value in values {
            let text = match value {
                Value::String(text) => text,
                other => other.to_string(),
            };
            out.push((key.clone(), text));
        }
    }
    out
}

#[tokio::test]
async fn every_operation_answers_as_the_description_says() {
    let spec = load_spec();
    let (sandbox, raw) = start().await;
    let mut schemas = Schemas { spec: &spec, compiled: BTreeMap::new() };

    let mut all = operations(&spec);
    // End-users last, so QuickBooks Desktop calls have their end-user.
    all.sort_by_key(|(method, path, _)| (path.starts_with("/end-users"), collection(path), rank(method, path)));

    let mut ids: BTreeMap<String, String> = BTreeMap::new();
    let (mut valid, mut ok, mut refused) = (0, 0, 0);
    let mut failures = Vec::new();
    let insert = |slug: &str, record: Value| sandbox.insert(&raw.end_user, slug, record).unwrap();
    let mut fixtures = Fixtures::new(&spec, &raw, &insert);
    for (method, path, operation) in &all {
        let args = args_for(&spec, operation);
        let resource = collection(path);
        let mut example_query = args.query.clone();
        follow_query_rules(&mut example_query);
        let mut query = pairs(&example_query);
        // The sandbox issues its own cursors, and a list is asked for
        // whole so that the records made here are in it.
        query.retain(|(key, _)| key != "cursor");
        if rank(method, path) == 1 && path.starts_with("/quickbooks-desktop/") && !path.contains("/reports/") {
            let required: Vec<&str> = (operation["parameters"].as_array().into_iter().flatten())
                .filter(|p| p["required"] == true)
                .filter_map(|p| p["name"].as_str())
                .collect();
            query.retain(|(key, _)| key == "limit" || required.contains(&key.as_str()));
        }
        let mut body = (!args.body.is_null()).then(|| args.body.clone());
        if let Some(body) = &mut body {
            follow_body_rules(body, path.contains("{id}"));
        }
        // The records the example refers to exist first, under the ids the
        // body now names.
        if let Some(body) = &mut body {
            fixtures.prepare(path, body).await;
        }
        let mut target = path.clone();
        if path.contains("{id}") {
            let id = match ids.get(&resource) {
                Some(id) => id.clone(),
                None if resource == "/end-users" => raw.end_user.clone(),
                // A resource without a create: a record as the description's
                // example list shows one.
                None => {
                    let slug = resource.rsplit('/').next().unwrap();
                    sandbox.insert(&raw.end_user, slug, example_record(&spec, &resource)).unwrap()
                }
            };
            target = target.replace("{id}", &id);
            if let Some(Value::Object(fields)) = &mut body {
                if fields.contains_key("revisionNumber") {
                    let (_, current) = raw.send("get", &format!("{resource}/{id}"), &[], None).await;
                    fields.insert("revisionNumber".into(), current["revisionNumber"].clone());
                }
            }
        }
        // Every other path parameter (the passthrough's integration slug)
        // from its example.
        for (name, value) in &args.path {
            if let Some(value) = value.as_str() {
                target = target.replace(&format!("{{{name}}}"), value);
            }
        }
        if path == "/auth-sessions" {
            body.as_mut().unwrap()["endUserId"] = json!(raw.end_user);
        }

        let (status, answer) = raw.send(method, &target, &query, body.as_ref()).await;
        if status == 200 {
            ok += 1;
            if rank(method, path) == 0 && answer["id"].is_string() && !path.starts_with("/auth-sessions") {
                ids.insert(resource.clone(), answer["id"].as_str().unwrap().to_owned());
            }
        }
        let problems = schemas.problems(method, path, status, &answer);
        if problems.is_empty() {
            valid += 1;
        } else {
            failures.push(format!("{method} {target} ({status}): {}", problems.join("; ")));
        }
        let number = answer["error"]["integrationCode"].as_str().unwrap_or_default();
        if refused_example(method, path, number) {
            refused += 1;
        } else if status != 200 && !path.contains("passthrough") {
            failures.push(format!("{method} {target}: {status} {answer}"));
        }
    }
    println!(
        "operations called: {}; answers valid against the description: {valid}; 200 OK: {ok}; refused as QuickBooks \
         would: {refused}",
        all.len()
    );
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
    assert_eq!((all.len(), valid), (262, 262));
    // A listed example is refused only where the record it changes was
    // made otherwise (here, its price level is made from the same example).
    assert!(refused <= REFUSED_EXAMPLES.len());
    // Passthrough answers Conductor's 409 for an end-user without an
    // integration connection, which the sandbox's end-users are.
    assert_eq!(ok, 261);
}

#[tokio::test]
async fn bad_input_gets_conductors_400_and_stores_nothing() {
    // The sandbox runs while it is kept.
    let (_sandbox, raw) = start().await;
    let count = |resource: &'static str| {
        let raw = &raw;
        async move { raw.send("get", resource, &[], None).await.1["data"].as_array().map(Vec::len) }
    };

    // Each message in the form of the real bodies of errors.json:
    // `Invalid request parameter: Unrecognized key(s) in object: 'vendorAddress'`.
    let cases = [
        ("/quickbooks-desktop/invoices", json!({"transactionDate": "2024-10-01"}), "`customerId`: Required"),
        (
            "/quickbooks-desktop/invoices",
            json!({"customerId": 5, "transactionDate": "2024-10-01"}),
            "`customerId`: Expected string, received number",
        ),
        (
            "/quickbooks-desktop/invoices",
            json!({"customerId": "C1", "transactionDate": "2024-10-01", "lines": [{"quantity": "two"}]}),
            "`lines[0].quantity`: Expected number, received string",
        ),
        (
            "/quickbooks-desktop/accounts",
            json!({"name": "Petty cash", "accountType": "piggy_bank"}),
            "`accountType`: Invalid enum value. Expected 'accounts_payable' | ",
        ),
        ("/quickbooks-desktop/customers", json!(["not", "an", "object"]), "Expected object, received array"),
        (
            "/quickbooks-desktop/invoices",
            json!({"customerId": "C1", "transactionDate": "2024-13-45"}),
            "`transactionDate`: Invalid date: expected YYYY-MM-DD",
        ),
        (
            "/quickbooks-desktop/invoices",
            json!({"customerId": "C1", "transactionDate": "2024-10-01", "lines": [{"rate": "12,50"}]}),
            "`lines[0].rate`: Invalid decimal string: up to 5 decimal places",
        ),
        (
            "/quickbooks-desktop/bills",
            json!({"vendorId": "V1", "transactionDate": "2024-10-01", "vendorAddres": {}}),
            "Invalid request parameter: Unrecognized key(s) in object: 'vendorAddres'",
        ),
        (
            "/quickbooks-desktop/customers",
            json!({"name": "A customer name of sixty characters, over the forty-one QB keeps"}),
            "`name`: String must contain at most 41 character(s)",
        ),
        (
            "/quickbooks-desktop/invoices",
            json!({"customerId": "C1", "transactionDate": "2024-10-01", "lines": [{"amount": "100.5", "itemID": "x"}]}),
            "`lines[0]`: Unrecognized key(s) in object: 'itemID'; `lines[0].amount`: Invalid decimal string: exactly 2 decimal places",
        ),
        (
            "/quickbooks-desktop/invoices",
            json!({"customerId": "C1", "transactionDate": "2024-10-01", "lines": []}),
            "`lines`: Array must contain at least 1 element(s)",
        ),
    ];
    for (resource, body, says) in cases {
        let before = count(resource).await;
        let (status, answer) = raw.send("post", resource, &[], Some(&body)).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert_eq!(answer["error"]["type"], "INVALID_REQUEST_ERROR", "{answer}");
        assert_eq!(answer["error"]["code"], "INVALID_PARAMETERS", "{answer}");
        assert_eq!(answer["error"]["userFacingMessage"], "An internal server error occurred. Please try again.");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(message.contains(says), "{body}: {message}");
        assert_eq!(count(resource).await, before, "{body} stored nothing");
    }

    let bad_queries = [
        ("/quickbooks-desktop/invoices", vec![("limit", "many")], "`limit`: Expected integer, received \"many\""),
        ("/quickbooks-desktop/invoices", vec![("limit", "151")], "`limit`: Number must be less than or equal to 150"),
        ("/quickbooks-desktop/invoices", vec![("paymentStatus", "someday")], "Expected 'all' | 'paid' | 'not_paid'"),
        ("/quickbooks-desktop/reports/aging", vec![("agingAsOf", "today")], "`reportType`: Required"),
        (
            "/quickbooks-desktop/invoices",
            vec![("transactionDateFrom", "last week")],
            "`transactionDateFrom`: Invalid date",
        ),
        (
            "/quickbooks-desktop/invoices",
            vec![("updatedAfter", "2025-01-01T25:00:00")],
            "`updatedAfter`: Invalid datetime",
        ),
        ("/quickbooks-desktop/customers", vec![("totalBalanceGreaterThan", "1e3")], "Invalid decimal string"),
        ("/quickbooks-desktop/invoices", vec![("refNumber", "INV-1")], "Unrecognized key(s) in object: 'refNumber'"),
        (
            "/quickbooks-desktop/customers",
            vec![("nameContains", "a"), ("nameStartsWith", "b")],
            "If you use `nameContains`, you cannot also use `nameStartsWith`.",
        ),
    ];
    for (path, pairs, says) in bad_queries {
        let pairs: Vec<(String, String)> = pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        let (status, answer) = raw.send("get", path, &pairs, None).await;
        let (key, value) = (&pairs[0].0, &pairs[0].1);
        assert_eq!(status, 400, "{key}={value}: {answer}");
        assert!(answer["error"]["message"].as_str().unwrap().contains(says), "{answer}");
    }

    let (status, answer) = raw.send("get", "/quickbooks-desktop/invoices/does-not-exist/void", &[], None).await;
    assert_eq!((status, answer["error"]["code"].as_str()), (405, Some("METHOD_NOT_ALLOWED")), "{answer}");
}

#[tokio::test]
async fn records_name_what_they_refer_to_and_voids_reports_and_transactions_follow_them() {
    let (_sandbox, raw) = start().await;
    let income = json!({"name": "Service Income", "accountType": "income"});
    let (_, income) = raw.send("post", "/quickbooks-desktop/accounts", &[], Some(&income)).await;
    let item = |name: &'static str| {
        let (raw, income) = (&raw, &income);
        async move {
            let body = json!({"name": name, "salesOrPurchaseDetails": {"postingAccountId": income["id"]}});
            let (_, item) = raw.send("post", "/quickbooks-desktop/service-items", &[], Some(&body)).await;
            item["id"].clone()
        }
    };
    let (hours, setup) = (item("Hours").await, item("Setup").await);
    let lines = json!([
        {"itemId": hours, "quantity": 3.0, "rate": "25.00"},
        {"itemId": setup, "quantity": 1.0, "rate": "100.00"},
    ]);
    let (_, customer) =
        raw.send("post", "/quickbooks-desktop/customers", &[], Some(&json!({"name": "Ann's Antiques"}))).await;
    let body = json!({"customerId": customer["id"], "transactionDate": "2024-10-01", "lines": lines});
    let (status, invoice) = raw.send("post", "/quickbooks-desktop/invoices", &[], Some(&body)).await;
    assert_eq!(status, 200, "{invoice}");
    assert_eq!(invoice["customer"], json!({"id": customer["id"], "fullName": "Ann's Antiques"}));
    assert_eq!(invoice["lines"][0]["item"], json!({"id": hours, "fullName": "Hours"}));
    let amounts: Vec<&str> =
        invoice["lines"].as_array().unwrap().iter().map(|l| l["amount"].as_str().unwrap()).collect();
    assert_eq!(amounts, ["75.00", "100.00"]);
    assert_eq!((invoice["subtotal"].as_str(), invoice["balanceRemaining"].as_str()), (Some("175.00"), Some("175.00")));

    let query = [("reportType".to_owned(), "ar_aging_detail".to_owned())];
    let (_, aging) = raw.send("get", "/quickbooks-desktop/reports/aging", &query, None).await;
    let rows = aging["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{aging}");
    assert_eq!(rows[0]["cells"][0]["value"], "Ann's Antiques");
    assert_eq!(rows[0]["cells"][3]["value"], "175.00");
    assert_eq!((rows[1]["kind"].as_str(), rows[1]["cells"][3]["value"].as_str()), (Some("total"), Some("175.00")));
    // The general reports of what customers owe say the same.
    let summary = [("reportType".to_owned(), "customer_balance_summary".to_owned())];
    let (_, balances) = raw.send("get", "/quickbooks-desktop/reports/general-summary", &summary, None).await;
    assert_eq!(
        balances["rows"][0]["cells"],
        json!([
            {"columnId": "1", "dataType": null, "value": "Ann's Antiques"},
            {"columnId": "2", "dataType": null, "value": "175.00"},
        ])
    );
    let detail = [("reportType".to_owned(), "open_invoices".to_owned())];
    let (_, open) = raw.send("get", "/quickbooks-desktop/reports/general-detail", &detail, None).await;
    assert_eq!(open["rows"], aging["rows"]);

    let id = invoice["id"].as_str().unwrap();
    let transactions =
        || async { raw.send("get", "/quickbooks-desktop/transactions", &[], None).await.1["data"].clone() };
    let listed = transactions().await;
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
    assert_eq!(
        (listed[0]["transactionId"].as_str(), listed[0]["transactionType"].as_str()),
        (Some(id), Some("invoice"))
    );
    assert_eq!(listed[0]["entity"]["fullName"], "Ann's Antiques");
    let (_, by_id) = raw.send("get", &format!("/quickbooks-desktop/transactions/{id}"), &[], None).await;
    assert_eq!(by_id, listed[0]);
    let (status, voided) = raw.send("post", &format!("/quickbooks-desktop/invoices/{id}/void"), &[], None).await;
    assert_eq!((status, &voided["voided"], &voided["id"]), (200, &json!(true), &json!(id)));
    let (_, after) = raw.send("get", &format!("/quickbooks-desktop/invoices/{id}"), &[], None).await;
    assert_eq!(after["subtotal"], "0.00");
    assert!(after["memo"].as_str().unwrap().starts_with("VOID:"), "{}", after["memo"]);
    assert_ne!(after["revisionNumber"], invoice["revisionNumber"]);
    let (_, aging) = raw.send("get", "/quickbooks-desktop/reports/aging", &query, None).await;
    assert_eq!(aging["rows"].as_array().unwrap().len(), 1, "a voided invoice is not open: only the total row");
    assert_eq!(transactions().await[0]["amount"], "0.00", "the view follows the void");

    let (status, deleted) = raw.send("delete", &format!("/quickbooks-desktop/invoices/{id}"), &[], None).await;
    assert_eq!((status, &deleted["deleted"]), (200, &json!(true)));
    let (status, _) = raw.send("get", &format!("/quickbooks-desktop/invoices/{id}"), &[], None).await;
    assert_eq!(status, StatusCode::NOT_FOUND.as_u16());
    assert_eq!(transactions().await, json!([]));
}

/// Bodies with every property the description has, optional ones included,
/// are stored as valid records too.
#[tokio::test]
async fn bodies_with_every_property_are_stored_as_valid_records() {
    let spec = load_spec();
    let (sandbox, raw) = start().await;
    let mut schemas = Schemas { spec: &spec, compiled: BTreeMap::new() };
    let mut created = 0;
    let mut failures = Vec::new();
    let insert = |slug: &str, record: Value| sandbox.insert(&raw.end_user, slug, record).unwrap();
    let mut fixtures = Fixtures::new(&spec, &raw, &insert);
    for (method, path, operation) in operations(&spec) {
        if method != "post" || !path.starts_with("/quickbooks-desktop/") || path.contains('{') {
            continue;
        }
        let mut body = args_for(&spec, operation).full_body;
        follow_body_rules(&mut body, false);
        fixtures.prepare(&path, &mut body).await;
        let (status, answer) = raw.send(&method, &path, &[], Some(&body)).await;
        let problems = schemas.problems(&method, &path, status, &answer);
        match status {
            200 if problems.is_empty() => created += 1,
            _ => failures.push(format!("{path} ({status}): {} {answer}", problems.join("; "))),
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(created, 51, "every create of the description");
}
