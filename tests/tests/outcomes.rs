//! Writes whose outcome is unknown, writes that succeeded with an answer
//! that does not decode, the server-side timeout, and what a call may add
//! to what it declares.

use std::time::Duration;

use conductor::qbd::{CustomerCreateParams, CustomerListParams};
use conductor::reqwest::Method;
use conductor::{CreateEndUser, Error, RequestOptions};
use conductor_sandbox::{ConnectionState, Fault, Sandbox};
use conductor_tests::scripted::{Answer, ScriptedServer, Step};
use conductor_tests::{
    client_for, end_user_json, header, json_body, json_response, only_request, path_and_query, server_answering,
};
use serde_json::json;

fn new_user() -> CreateEndUser {
    CreateEndUser { company_name: "Acme".into(), source_id: "s1".into(), email: "a@acme.com".into() }
}

#[tokio::test]
async fn a_write_whose_connection_drops_after_it_is_stored_is_of_unknown_outcome() {
    let sandbox = Sandbox::start().await.unwrap();
    let user = sandbox.create_end_user("Acme", "a@acme.com");
    let qbd = sandbox.client().qbd().for_end_user(&user.id);
    sandbox.inject(Method::POST, "/quickbooks-desktop/customers", 1, Fault::DropConnectionAfterWrite);
    let mut params = CustomerCreateParams::new("Harbor Cafe");
    params.external_id = Some("7b3a1c9e-0000-4000-8000-000000000001".into());
    let error = qbd.customers().create(&params).await.unwrap_err();
    assert!(error.outcome_unknown(), "{error}");
    let Error::OutcomeUnknown(unknown) = &error else { unreachable!() };
    assert_eq!((unknown.method(), unknown.path()), (&Method::POST, "/quickbooks-desktop/customers"));
    assert!(matches!(unknown.error(), Error::Connection { .. }), "{error}");
    assert!(error.to_string().contains("may have been carried out"), "{error}");
    // It was: the customer exists, and creating it again is refused (3100).
    let names = CustomerListParams { full_names: Some(vec!["Harbor Cafe".into()]), ..Default::default() };
    let found = qbd.customers().list(&names).await.unwrap().data;
    assert_eq!(found[0].external_id.as_deref(), params.external_id.as_deref());
    assert_eq!(qbd.customers().create(&params).await.unwrap_err().integration_code(), Some("3100"));
}

#[tokio::test]
async fn a_write_quickbooks_did_not_answer_in_time_is_of_unknown_outcome() {
    let sandbox = Sandbox::start().await.unwrap();
    let user = sandbox.create_end_user("Acme", "a@acme.com");
    let qbd = sandbox.client().qbd().for_end_user(&user.id);
    sandbox.set_connection(&user.id, ConnectionState::TimingOut);
    let error = qbd.customers().create(&CustomerCreateParams::new("Late")).await.unwrap_err();
    assert!(error.outcome_unknown(), "{error}");
    assert_eq!(error.code(), Some(conductor::code::QBD_REQUEST_TIMEOUT));
    // A read that times out is just an error.
    assert!(!qbd.customers().list(&Default::default()).await.unwrap_err().outcome_unknown());
}

#[tokio::test]
async fn a_write_refused_or_never_sent_is_not_of_unknown_outcome() {
    let sandbox = Sandbox::start().await.unwrap();
    let user = sandbox.create_end_user("Acme", "a@acme.com");
    let qbd = sandbox.client().qbd().for_end_user(&user.id);
    qbd.customers().create(&CustomerCreateParams::new("Once")).await.unwrap();
    let refused = qbd.customers().create(&CustomerCreateParams::new("Once")).await.unwrap_err();
    assert!(!refused.outcome_unknown() && !refused.write_succeeded(), "{refused}");
    sandbox.set_connection(&user.id, ConnectionState::Offline);
    let offline = qbd.customers().create(&CustomerCreateParams::new("Twice")).await.unwrap_err();
    assert!(!offline.outcome_unknown() && offline.is_end_user_fixable(), "{offline}");
    // Connection refused: nothing was sent.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let client = conductor::Client::builder()
        .api_key("sk_1")
        .base_url(format!("http://{closed}/v1"))
        .max_retries(0)
        .build()
        .unwrap();
    let error = client.end_users().create(&new_user()).await.unwrap_err();
    assert!(matches!(error, Error::Connection { .. }) && !error.outcome_unknown(), "{error:?}");
}

#[tokio::test]
async fn a_write_that_succeeded_with_an_answer_that_does_not_decode_says_so_and_keeps_it() {
    let mut odd = end_user_json();
    odd["createdAt"] = json!(1_700_000_000);
    let server =
        ScriptedServer::start(vec![Step::Answer(Answer::json(200, &odd).header("conductor-request-id", "req_7"))])
            .await;
    let error = server.client_builder().build().unwrap().end_users().create(&new_user()).await.unwrap_err();
    assert!(error.write_succeeded() && !error.outcome_unknown(), "{error}");
    assert_eq!((error.status().map(|s| s.as_u16()), error.request_id()), (Some(200), Some("req_7")));
    let decode = error.as_decode_error().unwrap();
    let written: serde_json::Value = serde_json::from_slice(decode.body()).unwrap();
    assert_eq!(written["id"], "end_usr_1234567abcdefg", "the created record's id can be read");
    assert!(
        error
            .to_string()
            .starts_with("the write succeeded (200 OK) but its answer could not be decoded at `createdAt`"),
        "{error}"
    );
    // A read's decode error keeps its body too, but is no write.
    let server = ScriptedServer::start(vec![Step::Answer(Answer::json(200, &odd))]).await;
    let error = server.client_builder().build().unwrap().end_users().retrieve("end_usr_1").await.unwrap_err();
    assert!(!error.write_succeeded());
    assert_eq!(error.as_decode_error().unwrap().body().len(), odd.to_string().len());
}

#[tokio::test]
async fn the_server_timeout_is_sent_and_an_attempt_outlasts_it() {
    let late = Step::Delay(Duration::from_millis(1500), Answer::json(200, &end_user_json()));
    let server = ScriptedServer::start(vec![late]).await;
    let client =
        server.client_builder().timeout(Duration::from_secs(1)).server_timeout(Duration::from_secs(2)).build().unwrap();
    // The client's own 1 s would cut the answer off at 1.5 s; with the
    // server allowed 2 s, an attempt may take 12.
    client.end_users().retrieve("end_usr_1").await.unwrap();
    assert_eq!(server.seen()[0].header("conductor-timeout-seconds"), Some("2"));

    let server = ScriptedServer::start(vec![Step::Answer(Answer::json(200, &end_user_json()))]).await;
    let per_call_client = server
        .client_builder()
        .build()
        .unwrap()
        .with_options(RequestOptions::new().server_timeout(Duration::from_millis(30_500)));
    per_call_client.end_users().retrieve("end_usr_1").await.unwrap();
    assert_eq!(server.seen()[0].header("conductor-timeout-seconds"), Some("31"), "rounded up");

    // Values Conductor would not take are refused before sending.
    let refused = server.client_builder().server_timeout(Duration::from_secs(601)).build().unwrap_err();
    assert!(matches!(refused, Error::Config { .. }), "{refused}");
    let zero =
        server.client_builder().build().unwrap().with_options(RequestOptions::new().server_timeout(Duration::ZERO));
    let error = zero.end_users().retrieve("end_usr_1").await.unwrap_err();
    assert!(matches!(error, Error::InvalidInput { .. }) && error.attempts().is_none(), "{error}");
    assert_eq!(server.seen().len(), 1, "nothing more was sent");
}

#[tokio::test]
async fn a_call_may_add_query_parameters_and_body_fields() {
    let server = server_answering(json_response(200, end_user_json())).await;
    let client = client_for(&server).with_options(
        RequestOptions::new()
            .query("includeArchived", true)
            .query("tags", ["a b", "c"])
            .body_field("notify", json!(false)),
    );
    client.end_users().create(&new_user()).await.unwrap();
    let request = only_request(&server).await;
    assert_eq!(path_and_query(&request), "/v1/end-users?includeArchived=true&tags=a%20b&tags=c");
    assert_eq!(
        json_body(&request),
        json!({"companyName": "Acme", "sourceId": "s1", "email": "a@acme.com", "notify": false})
    );

    // A field the body has, or a body the call does not send, is refused.
    let server = server_answering(json_response(200, end_user_json())).await;
    let clash = client_for(&server).with_options(RequestOptions::new().body_field("email", json!("b@acme.com")));
    assert!(matches!(clash.end_users().create(&new_user()).await.unwrap_err(), Error::InvalidInput { .. }));
    assert!(matches!(clash.end_users().retrieve("end_usr_1").await.unwrap_err(), Error::InvalidInput { .. }));
    assert!(server.received_requests().await.unwrap().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn default_query_parameters_go_with_every_call_that_does_not_set_them() {
    let server = server_answering(json_response(200, json!({"objectType": "list", "url": "/v1/quickbooks-desktop/invoices", "data": [], "nextCursor": null, "hasMore": false, "remainingCount": 0}))).await;
    let client = conductor::Client::builder()
        .api_key(conductor_tests::KEY)
        .base_url(format!("{}/v1", server.uri()))
        .default_query("limit", 10)
        .default_query("source", "sync")
        .build()
        .unwrap();
    let qbd = client.qbd().for_end_user("end_usr_1");
    let params = conductor::qbd::InvoiceListParams { limit: Some(50), ..Default::default() };
    qbd.invoices().list(&params).await.unwrap();
    let request = only_request(&server).await;
    assert_eq!(
        path_and_query(&request),
        "/v1/quickbooks-desktop/invoices?limit=50&source=sync",
        "the call's own limit wins"
    );
    assert_eq!(header(&request, "conductor-end-user-id"), Some("end_usr_1"));
    let nested = conductor::Client::builder().api_key("sk_1").default_query("filter", json!({"a": 1})).build();
    assert!(matches!(nested, Err(Error::Config { .. })));
}

/// A create the sandbox stored and answered 200, whose answer is over the
/// client's response limit: the write succeeded, and the error says so, so
/// the caller does not send it again.
#[tokio::test]
async fn a_write_answered_2xx_over_the_response_limit_succeeded() {
    let sandbox = Sandbox::start().await.unwrap();
    let user = sandbox.create_end_user("Acme", "a@acme.com");
    let client = conductor::Client::builder()
        .api_key(sandbox.api_key())
        .base_url(sandbox.base_url())
        .max_retries(0)
        .max_response_bytes(256)
        .build()
        .unwrap();
    let qbd = client.qbd().for_end_user(&user.id);
    let error = qbd.customers().create(&CustomerCreateParams::new("Large Answer")).await.unwrap_err();
    assert!(matches!(error, Error::ResponseTooLarge { limit: 256, .. }), "{error:?}");
    assert!(error.write_succeeded() && !error.outcome_unknown(), "{error}");
    assert!(error.to_string().contains("the write succeeded: do not send it again"), "{error}");
    // It was stored once.
    let all = sandbox.client().qbd().for_end_user(&user.id).customers().list(&Default::default()).await.unwrap();
    assert_eq!(all.data.len(), 1);
    // A read over the limit is no write.
    let error = qbd.customers().list(&Default::default()).await.unwrap_err();
    assert!(!error.write_succeeded(), "{error}");
}
