//! The sandbox over real HTTP: auth, errors, end-user scoping, pagination
//! boundaries, every declared QuickBooks Desktop operation, deletion and
//! updates, and fault injection.

use std::time::{Duration, Instant};

use conductor::qbd::{CustomerCreateParams, CustomerUpdateParams, InvoiceListParams};
use conductor::reqwest::Method;
use conductor::{Client, CreateAuthSession, CreateEndUser, Error};
use conductor_sandbox::{Fault, Sandbox};
use conductor_tests::contract::{args_for, load_spec, operations};
use conductor_tests::contract_table;
use conductor_tests::fixtures::{Fixtures, REFUSED_EXAMPLES, follow_body_rules, follow_query_rules, refused_example};
use conductor_tests::raw::Raw;
use futures_util::TryStreamExt;
use serde_json::{Value, json};

async fn sandbox() -> Sandbox {
    Sandbox::start().await.expect("sandbox")
}

#[tokio::test]
async fn a_wrong_key_gets_conductors_401() {
    let sandbox = sandbox().await;
    let client = Client::builder().api_key("sk_wrong").base_url(sandbox.base_url()).build().unwrap();
    let error = client.end_users().list().await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(error.code(), Some("API_KEY_INVALID"));
    let details = error.as_api_error().unwrap().details().unwrap();
    assert_eq!(details.error_type, Some(conductor::ErrorType::AuthenticationError));
    assert_eq!(details.http_status_code, Some(401));
    assert!(error.request_id().is_some_and(|id| id.starts_with("req_sbx_")));
}

#[tokio::test]
async fn end_users_and_auth_sessions() {
    let sandbox = sandbox().await;
    let client = sandbox.client();
    let params = CreateEndUser { company_name: "Acme".into(), source_id: "acme-1".into(), email: "a@acme.com".into() };
    let user = client.end_users().create(&params).await.unwrap();
    assert!(user.id.starts_with("end_usr_") && user.id.len() == 24, "{}", user.id);
    assert_eq!(user.company_name, "Acme");

    let taken = client.end_users().create(&params).await.unwrap_err();
    assert_eq!(taken.code(), Some("END_USER_SOURCE_ID_TAKEN"));

    assert_eq!(client.end_users().retrieve(&user.id).await.unwrap(), user);
    assert_eq!(client.end_users().list().await.unwrap(), vec![user.clone()]);

    let session = client.auth_sessions().create(&CreateAuthSession::new("pk_1", &user.id)).await.unwrap();
    assert!(session.auth_flow_url.ends_with("?key=pk_1"), "{}", session.auth_flow_url);
    assert_eq!(session.end_user_id, user.id);
    // A link lives at least 15 minutes and at most 7 days.
    let mut too_short = CreateAuthSession::new("pk_1", &user.id);
    too_short.link_expiry_mins = Some(10.0);
    assert_eq!(client.auth_sessions().create(&too_short).await.unwrap_err().code(), Some("INVALID_PARAMETERS"));
    let missing = client.auth_sessions().create(&CreateAuthSession::new("pk_1", "end_usr_nobody")).await.unwrap_err();
    assert_eq!((missing.status().map(|s| s.as_u16()), missing.code()), (Some(404), Some("RESOURCE_MISSING")));

    let deleted = client.end_users().delete(&user.id).await.unwrap();
    assert!(deleted.deleted);
    let gone = client.end_users().retrieve(&user.id).await.unwrap_err();
    assert_eq!(gone.code(), Some("RESOURCE_MISSING"));
    assert!(client.end_users().list().await.unwrap().is_empty());
}

#[tokio::test]
async fn quickbooks_routes_need_an_existing_end_user() {
    let sandbox = sandbox().await;
    let client = sandbox.client();
    let error =
        client.qbd().for_end_user("end_usr_doesnotexist").invoices().list(&Default::default()).await.unwrap_err();
    assert_eq!((error.status().map(|s| s.as_u16()), error.code()), (Some(404), Some("RESOURCE_MISSING")));

    // Without the header at all (a transport that does not scope).
    trait Raw: conductor::Transport {
        #[conductor::api(get = "/quickbooks-desktop/invoices")]
        async fn raw_invoices(&self) -> conductor::Result<serde_json::Value>;
    }
    impl Raw for Client {}
    let error = client.raw_invoices().await.unwrap_err();
    assert_eq!((error.status().map(|s| s.as_u16()), error.code()), (Some(400), Some("END_USER_ID_MISSING")));
}

#[tokio::test]
async fn pagination_boundaries() {
    for (records, pages) in [(0usize, 1usize), (1, 1), (150, 1), (151, 2), (1000, 7)] {
        let sandbox = sandbox().await;
        let user = sandbox.create_end_user("Acme", "a@acme.com");
        let ids = sandbox.seed_invoices(&user.id, records).unwrap();
        let qbd = sandbox.client().qbd().for_end_user(&user.id);

        let first = qbd.invoices().list(&InvoiceListParams::default()).await.unwrap();
        assert_eq!(first.data.len(), records.min(150), "{records} records");
        assert_eq!(first.has_more, records > 150);
        assert_eq!(first.remaining_count, Some(records.saturating_sub(150) as i64));

        let mut seen_pages = 0;
        let mut params = InvoiceListParams::default();
        let mut listed = Vec::new();
        loop {
            let page = qbd.invoices().list(&params).await.unwrap();
            seen_pages += 1;
            listed.extend(page.data.iter().map(|i| i.id.clone()));
            match page.next_cursor() {
                Some(cursor) => params.cursor = Some(cursor.to_owned()),
                None => break,
            }
        }
        assert_eq!((listed.len(), seen_pages), (records, pages), "{records} records");
        assert_eq!(listed, ids);

        let streamed: Vec<String> =
            qbd.invoices().list_all(InvoiceListParams::default()).map_ok(|i| i.id).try_collect().await.unwrap();
        assert_eq!(streamed, ids);
    }
}

#[tokio::test]
async fn limits_and_cursors_are_checked() {
    let sandbox = sandbox().await;
    let user = sandbox.create_end_user("Acme", "a@acme.com");
    sandbox.seed_invoices(&user.id, 10).unwrap();
    let qbd = sandbox.client().qbd().for_end_user(&user.id);
    let page = qbd.invoices().list(&InvoiceListParams { limit: Some(4), ..Default::default() }).await.unwrap();
    assert_eq!((page.data.len(), page.remaining_count), (4, Some(6)));
    for limit in [0, 151] {
        let error =
            qbd.invoices().list(&InvoiceListParams { limit: Some(limit), ..Default::default() }).await.unwrap_err();
        assert_eq!(error.status().map(|s| s.as_u16()), Some(400), "limit {limit}");
    }
    let bad = InvoiceListParams { cursor: Some("nonsense".into()), ..Default::default() };
    assert_eq!(qbd.invoices().list(&bad).await.unwrap_err().code(), Some("INVALID_CURSOR"));
}

#[tokio::test]
async fn records_are_created_updated_and_deleted_per_end_user() {
    let sandbox = sandbox().await;
    let client = sandbox.client();
    let alice = sandbox.create_end_user("Alice Co", "a@alice.com");
    let bob = sandbox.create_end_user("Bob Co", "b@bob.com");
    let qbd = client.qbd().for_end_user(&alice.id);

    let created = qbd.customers().create(&CustomerCreateParams::new("Zoë's Café")).await.unwrap();
    assert_eq!(created.name, "Zoë's Café");
    assert_eq!(qbd.customers().retrieve(&created.id).await.unwrap(), created);
    assert!(client.qbd().for_end_user(&bob.id).customers().list(&Default::default()).await.unwrap().data.is_empty());

    let mut stale = CustomerUpdateParams::new("1");
    stale.name = Some("Renamed".into());
    let error = qbd.customers().update(&created.id, &stale).await.unwrap_err();
    assert_eq!(error.code(), Some("QBD_REQUEST_ERROR"));
    let mut update = CustomerUpdateParams::new(created.revision_number.clone());
    update.name = Some("Renamed".into());
    let updated = qbd.customers().update(&created.id, &update).await.unwrap();
    assert_eq!(updated.name, "Renamed");
    assert_ne!(updated.revision_number, created.revision_number);

    let invoice = sandbox.seed_invoices(&alice.id, 1).unwrap().remove(0);
    let deleted = qbd.invoices().delete(&invoice).await.unwrap();
    assert!(deleted.deleted);
    let gone = qbd.invoices().retrieve(&invoice).await.unwrap_err();
    assert_eq!((gone.status().map(|s| s.as_u16()), gone.code()), (Some(404), Some("RESOURCE_MISSING")));
}

/// Every QuickBooks Desktop operation the client declares, with the
/// description's example arguments, answered by the sandbox and decoded.
#[tokio::test]
async fn every_declared_quickbooks_operation_is_served() {
    let spec = load_spec();
    let sandbox = sandbox().await;
    let user = sandbox.create_end_user("Acme", "a@acme.com");
    let qbd = sandbox.client().qbd().for_end_user(&user.id);
    let raw = Raw::new(&sandbox, &user.id);
    let insert = |slug: &str, record: Value| sandbox.insert(&user.id, slug, record).unwrap();
    let mut fixtures = Fixtures::new(&spec, &raw, &insert);
    let (mut served, mut refused) = (0, 0);
    let mut failures = Vec::new();
    for (method, path, operation) in operations(&spec) {
        let Some(rest) = path.strip_prefix("/quickbooks-desktop/") else { continue };
        let mut args = args_for(&spec, operation);
        // The sandbox issues its own cursors; the examples' ids and names
        // are of records no company file has, which QuickBooks refuses to
        // look for.
        if let Some(query) = args.query.as_object_mut() {
            for name in ["cursor", "ids", "fullNames", "names", "refNumbers"] {
                query.remove(name);
            }
        }
        follow_query_rules(&mut args.query);
        follow_body_rules(&mut args.body, path.contains("{id}"));
        // The records the example body refers to exist first.
        if !args.body.is_null() {
            fixtures.prepare(&path, &mut args.body).await;
        }
        if path.contains("{id}") {
            // A record of the resource as a client would have made it, or
            // for a resource without a create, one QuickBooks holds.
            let resource = rest.split('/').next().unwrap();
            let creatable = operations(&spec)
                .iter()
                .any(|(m, p, _)| m == "post" && p == &format!("/quickbooks-desktop/{resource}"));
            args.id = match creatable {
                true => fixtures.record(resource, 0).await,
                false => sandbox.insert(&user.id, resource, json!({"id": args.id})).unwrap(),
            };
            if args.body.get("revisionNumber").is_some() {
                let (_, current) =
                    raw.send("get", &format!("/quickbooks-desktop/{resource}/{}", args.id), &[], None).await;
                args.body["revisionNumber"] = current["revisionNumber"].clone();
            }
        }
        let outcome = contract_table::call(&qbd, &method, &path, &args).await;
        // A record deleted or voided is no fixture for what comes next.
        if method == "delete" || path.ends_with("/void") {
            fixtures.forget(rest.split('/').next().unwrap());
        }
        match outcome {
            Some(Ok(())) => served += 1,
            Some(Err(error)) if refused_example(&method, &path, error.integration_code().unwrap_or_default()) => {
                refused += 1;
            }
            Some(Err(error)) => failures.push(format!("{method} {path}: {error}")),
            None => failures.push(format!("{method} {path}: not declared")),
        }
    }
    println!("QuickBooks Desktop operations served by the sandbox: {served}; refused as QuickBooks would: {refused}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!((served + refused, refused), (256, REFUSED_EXAMPLES.len()));
}

#[tokio::test]
async fn injected_faults() {
    let sandbox = sandbox().await;
    let user = sandbox.create_end_user("Acme", "a@acme.com");
    sandbox.seed_invoices(&user.id, 3).unwrap();
    let qbd = sandbox.client().qbd().for_end_user(&user.id);
    let list = || async { qbd.invoices().list(&InvoiceListParams::default()).await };

    sandbox.inject(Method::GET, "/quickbooks-desktop/invoices", 2, Fault::status(503));
    for _ in 0..2 {
        let error = list().await.unwrap_err();
        assert_eq!((error.status().map(|s| s.as_u16()), error.code()), (Some(503), Some("SANDBOX_INJECTED_ERROR")));
        assert!(error.request_id().is_some());
    }
    assert_eq!(list().await.unwrap().data.len(), 3, "the fault applies to the next 2 calls only");

    sandbox.inject(Method::GET, "/quickbooks-desktop/invoices", 1, Fault::DropConnection);
    assert!(matches!(list().await.unwrap_err(), Error::Connection { .. }));

    sandbox.inject(Method::GET, "/quickbooks-desktop/invoices/{id}", 1, Fault::status(404));
    assert!(list().await.is_ok(), "a fault on another route does not apply");

    sandbox.inject(Method::GET, "/quickbooks-desktop/invoices", 1, Fault::Delay(Duration::from_millis(300)));
    let started = Instant::now();
    list().await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(300));

    sandbox.set_latency(Duration::from_millis(150));
    let started = Instant::now();
    list().await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(150));

    // With retries, a 503 the sandbox injects is retried and the call succeeds.
    sandbox.set_latency(Duration::ZERO);
    sandbox.inject(Method::GET, "/quickbooks-desktop/invoices", 1, Fault::status(503));
    let retrying = Client::builder()
        .api_key(sandbox.api_key())
        .base_url(sandbox.base_url())
        .retry_backoff(Duration::from_millis(1), Duration::from_millis(2))
        .build()
        .unwrap();
    assert_eq!(retrying.qbd().for_end_user(&user.id).invoices().list(&Default::default()).await.unwrap().data.len(), 3);
}

#[tokio::test]
async fn dropping_the_sandbox_stops_the_server() {
    let sandbox = sandbox().await;
    let client = sandbox.client();
    client.end_users().list().await.unwrap();
    drop(sandbox);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let fresh = Client::builder().api_key("sk_x").base_url(client.base_url()).max_retries(0).build().unwrap();
    assert!(matches!(fresh.end_users().list().await.unwrap_err(), Error::Connection { .. }));
}

#[tokio::test]
async fn a_list_has_one_cursor_that_expires() {
    let sandbox = sandbox().await;
    let user = sandbox.create_end_user("Acme", "a@acme.com");
    let ids = sandbox.seed_invoices(&user.id, 10).unwrap();
    let qbd = sandbox.client().qbd().for_end_user(&user.id);
    let mut params = InvoiceListParams { limit: Some(4), ..Default::default() };

    // One cursor for the whole list; each request that sends it gets the
    // next page, and the last page closes it.
    let first = qbd.invoices().list(&params).await.unwrap();
    let cursor = first.next_cursor().unwrap().to_owned();
    params.cursor = Some(cursor.clone());
    let second = qbd.invoices().list(&params).await.unwrap();
    assert_eq!(second.next_cursor(), Some(cursor.as_str()));
    let third = qbd.invoices().list(&params).await.unwrap();
    assert_eq!((third.data.len(), third.has_more, third.next_cursor()), (2, false, None));
    let listed: Vec<String> = [first, second, third].into_iter().flat_map(|p| p.data).map(|i| i.id).collect();
    assert_eq!(listed, ids);
    assert_eq!(qbd.invoices().list(&params).await.unwrap_err().code(), Some("INVALID_CURSOR"));

    // A cursor is for its own list only.
    params.cursor = None;
    let cursor = qbd.invoices().list(&params).await.unwrap().next_cursor().unwrap().to_owned();
    let elsewhere = conductor::qbd::CustomerListParams { cursor: Some(cursor.clone()), ..Default::default() };
    assert_eq!(qbd.customers().list(&elsewhere).await.unwrap_err().code(), Some("INVALID_CURSOR"));

    // It expires after the time to live.
    sandbox.set_cursor_ttl(Duration::from_millis(100));
    let cursor = qbd.invoices().list(&params).await.unwrap().next_cursor().unwrap().to_owned();
    tokio::time::sleep(Duration::from_millis(200)).await;
    params.cursor = Some(cursor);
    let error = qbd.invoices().list(&params).await.unwrap_err();
    assert_eq!((error.status().map(|s| s.as_u16()), error.code()), (Some(400), Some("INVALID_CURSOR")));
    assert!(error.to_string().contains("within 10 seconds"), "{error}");
}

#[tokio::test]
async fn list_filters_are_applied_as_conductor_describes_them() {
    let sandbox = sandbox().await;
    let user = sandbox.create_end_user("Acme", "a@acme.com");
    // Seeded invoice n: refNumber INV-0000n, customer `Customer {n % 40}`,
    // paid when n % 3 == 0, transaction date 2024-{n % 12 + 1}-{n % 28 + 1}.
    let ids = sandbox.seed_invoices(&user.id, 30).unwrap();
    let qbd = sandbox.client().qbd().for_end_user(&user.id);
    let list = |params: InvoiceListParams| {
        let qbd = qbd.clone();
        async move {
            let page = qbd.invoices().list(&params).await.unwrap();
            page.data.into_iter().map(|invoice| invoice.ref_number.unwrap_or_default()).collect::<Vec<_>>()
        }
    };

    let by_id = list(InvoiceListParams { ids: Some(vec![ids[0].clone(), ids[2].clone()]), ..Default::default() }).await;
    assert_eq!(by_id, ["INV-00001", "INV-00003"]);
    let by_ref = list(InvoiceListParams { ref_numbers: Some(vec!["INV-00007".into()]), ..Default::default() }).await;
    assert_eq!(by_ref, ["INV-00007"]);
    let contains = list(InvoiceListParams { ref_number_contains: Some("0002".into()), ..Default::default() }).await;
    assert_eq!(contains.len(), 11, "INV-00002 and INV-00020 to 29: {contains:?}");
    let ends = list(InvoiceListParams { ref_number_ends_with: Some("5".into()), ..Default::default() }).await;
    assert_eq!(ends, ["INV-00005", "INV-00015", "INV-00025"]);
    let range = InvoiceListParams {
        ref_number_from: Some("INV-00010".into()),
        ref_number_to: Some("INV-00012".into()),
        ..Default::default()
    };
    assert_eq!(list(range).await, ["INV-00010", "INV-00011", "INV-00012"]);
    let first = qbd.invoices().retrieve(&ids[0]).await.unwrap();
    let customer_id = first.customer.and_then(|customer| customer.id).unwrap();
    let customer = list(InvoiceListParams { customer_ids: Some(vec![customer_id]), ..Default::default() });
    assert_eq!(customer.await, ["INV-00001"]);
    let paid =
        InvoiceListParams { payment_status: Some(conductor::qbd::ListPaymentStatus::Paid), ..Default::default() };
    assert_eq!(list(paid).await.len(), 10);
    let dated = InvoiceListParams {
        transaction_date_from: Some(conductor::Date::new(2024, 3, 1).unwrap()),
        transaction_date_to: Some(conductor::Date::new(2024, 3, 31).unwrap()),
        ..Default::default()
    };
    assert_eq!(list(dated).await, ["INV-00002", "INV-00014", "INV-00026"]);

    // updatedAfter: only what changed since a watermark. QuickBooks keeps
    // whole seconds, so the change comes a second later.
    let watermark = qbd.invoices().retrieve(&ids[29]).await.unwrap().updated_at;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let mut changed = qbd.invoices().retrieve(&ids[4]).await.unwrap();
    changed = qbd
        .invoices()
        .update(&changed.id, &conductor::qbd::InvoiceUpdateParams::new(changed.revision_number.clone()))
        .await
        .unwrap();
    let since = InvoiceListParams { updated_after: Some(changed.updated_at.clone()), ..Default::default() };
    assert_eq!(list(since).await, ["INV-00005"]);
    let before = InvoiceListParams { updated_before: Some(watermark), ..Default::default() };
    assert_eq!(list(before).await.len(), 29);

    // includeLineItems=false leaves the lines out.
    let bare = InvoiceListParams { include_line_items: Some(false), limit: Some(1), ..Default::default() };
    assert!(qbd.invoices().list(&bare).await.unwrap().data[0].lines.is_empty());
    let full = InvoiceListParams { limit: Some(1), ..Default::default() };
    assert_eq!(qbd.invoices().list(&full).await.unwrap().data[0].lines.len(), 2);
}

#[tokio::test]
async fn passthrough_answers_as_conductor_does_for_an_end_user_not_yet_connected() {
    let sandbox = sandbox().await;
    let user = sandbox.create_end_user("Acme", "a@acme.com");
    assert!(user.integration_connections.is_empty());
    let client = sandbox.client();
    let request = json!({"CustomerQueryRq": {"MaxReturned": 1}});
    let error = client
        .end_users()
        .passthrough(&user.id, &conductor::IntegrationSlug::QuickbooksDesktop, &request)
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(409));
    assert_eq!(error.code(), Some("INTEGRATION_CONNECTION_NOT_SET_UP"));
    let details = error.as_api_error().and_then(|api| api.details()).unwrap();
    assert_eq!(details.error_type, Some(conductor::ErrorType::IntegrationConnectionError));
    assert!(details.message.contains("auth flow"), "{}", details.message);

    let missing = client
        .end_users()
        .passthrough("end_usr_missing", &conductor::IntegrationSlug::QuickbooksDesktop, &request)
        .await
        .unwrap_err();
    assert_eq!(missing.code(), Some("RESOURCE_MISSING"));
}

#[tokio::test]
async fn every_404_names_its_type_and_ids_are_percent_decoded() {
    let sandbox = Sandbox::start().await.unwrap();
    let user = sandbox.create_end_user("Acme", "a@acme.com");
    let raw = Raw::new(&sandbox, &user.id);
    let spec = load_spec();
    let mut checked = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        if !path.ends_with("/{id}") || item.get("get").is_none() {
            continue;
        }
        let (status, body) = raw.send("GET", &path.replace("{id}", "missing_1"), &[], None).await;
        assert_eq!(status, 404, "{path}");
        let message = body["error"]["message"].as_str().unwrap();
        let named = message.strip_prefix("No ").and_then(|rest| rest.split(" exists with ID ").next()).unwrap_or("");
        assert!(!named.trim().is_empty() && named == named.trim(), "{path}: {message}");
        checked += 1;
    }
    assert_eq!(checked, 54);
    // An id holding a space and a slash is one path segment, decoded.
    let qbd = sandbox.client().qbd().for_end_user(&user.id);
    let created = sandbox.insert(&user.id, "customers", json!({"id": "C 1/2", "name": "Slash"})).unwrap();
    assert_eq!(created, "C 1/2");
    assert_eq!(qbd.customers().retrieve("C 1/2").await.unwrap().id, "C 1/2");
}
