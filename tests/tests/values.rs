//! Amounts, dates and timestamps on the wire: exactly the text they hold,
//! in query strings and bodies.

use conductor::qbd::{CustomerListParams, InvoiceCreateParams, InvoiceCreateParamsLine, InvoiceListParams};
use conductor::{Amount, Date, DateTime};
use conductor_tests::{
    client_for, json_body, json_response, list_json, only_request, path_and_query, server_answering,
};
use serde_json::json;

#[tokio::test]
async fn filters_are_sent_with_their_exact_text_and_offset() {
    let server = server_answering(json_response(
        200,
        json!({"objectType": "list", "url": "/v1/quickbooks-desktop/invoices", "data": [], "nextCursor": null, "hasMore": false, "remainingCount": 0}),
    ))
    .await;
    let qbd = client_for(&server).qbd().for_end_user("end_usr_1");
    let params = InvoiceListParams {
        updated_after: Some("2025-01-01T12:34:56+05:30".parse().unwrap()),
        transaction_date_from: Some(Date::new(2024, 10, 1).unwrap()),
        ..Default::default()
    };
    qbd.invoices().list(&params).await.unwrap();
    let request = only_request(&server).await;
    assert_eq!(
        path_and_query(&request),
        "/v1/quickbooks-desktop/invoices?transactionDateFrom=2024-10-01&updatedAfter=2025-01-01T12%3A34%3A56%2B05%3A30"
    );
    // The server reads back the same instant, `+` and all.
    let read: Vec<(String, String)> = request.url.query_pairs().map(|(k, v)| (k.into(), v.into())).collect();
    assert_eq!(read[1], ("updatedAfter".to_owned(), "2025-01-01T12:34:56+05:30".to_owned()));
}

#[tokio::test]
async fn amount_filters_and_bodies_keep_their_scale() {
    let server = server_answering(json_response(200, list_json("/v1/quickbooks-desktop/customers", vec![]))).await;
    let qbd = client_for(&server).qbd().for_end_user("end_usr_1");
    let params =
        CustomerListParams { total_balance_greater_than: Some("1000.50".parse().unwrap()), ..Default::default() };
    let _ = qbd.customers().list(&params).await;
    assert_eq!(
        path_and_query(&only_request(&server).await),
        "/v1/quickbooks-desktop/customers?totalBalanceGreaterThan=1000.50"
    );

    let server = server_answering(json_response(400, json!({"error": {"message": "stop here"}}))).await;
    let qbd = client_for(&server).qbd().for_end_user("end_usr_1");
    let mut invoice = InvoiceCreateParams::new("80000001-1234567890", Date::new(2024, 10, 1).unwrap());
    let mut line = InvoiceCreateParamsLine::new();
    line.rate = Some("0.585".parse::<Amount>().unwrap());
    line.amount = Some(Amount::from(27));
    invoice.lines = Some(vec![line]);
    let _ = qbd.invoices().create(&invoice).await;
    let body = json_body(&only_request(&server).await);
    assert_eq!(body["transactionDate"], "2024-10-01");
    assert_eq!((body["lines"][0]["rate"].as_str(), body["lines"][0]["amount"].as_str()), (Some("0.585"), Some("27")));
}

#[test]
fn a_strictly_built_value_refuses_what_conductor_would_refuse() {
    assert!("2025-01-01T12:34:56".parse::<DateTime>().is_err(), "no offset");
    assert!("1,000.00".parse::<Amount>().is_err());
    let error: conductor::Error = "2024-02-30".parse::<Date>().unwrap_err().into();
    assert!(matches!(error, conductor::Error::InvalidInput { .. }), "{error}");
    assert_eq!(error.to_string(), "invalid value: \"2024-02-30\" is not a date (YYYY-MM-DD); the request was not sent");
}
