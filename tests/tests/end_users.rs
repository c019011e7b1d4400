//! Every end-user and auth-session endpoint over real HTTP: the exact request
//! on the wire and the exact decoded value.

use conductor::{CreateAuthSession, CreateEndUser, EndUserDeleted, IntegrationSlug};
use conductor_tests::*;
use serde_json::json;

#[tokio::test]
async fn list_sends_get_and_unwraps_the_envelope() {
    let mut second = end_user_json();
    second["id"] = json!("end_usr_2");
    second["integrationConnections"] = json!([]);
    let server = server_answering(json_response(200, list_json("/v1/end-users", vec![end_user_json(), second]))).await;

    let users = client_for(&server).end_users().list().await.unwrap();

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "GET");
    assert_eq!(path_and_query(&request), "/v1/end-users");
    assert_standard_headers(&request, false);

    assert_eq!(users.len(), 2);
    let first = &users[0];
    assert_eq!(first.id, "end_usr_1234567abcdefg");
    assert_eq!(first.created_at.as_str(), "2021-01-01T12:34:56.789Z");
    assert_eq!(first.company_name, "Acme Inc.");
    assert_eq!(first.source_id, "12345678-abcd-abcd-example-1234567890ab");
    assert_eq!(first.email, "bob@acme.com");
    let connection = &first.integration_connections[0];
    assert_eq!(connection.id, "int_conn_1234567abcdefg");
    assert_eq!(connection.integration_slug, IntegrationSlug::QuickbooksDesktop);
    assert_eq!(connection.last_request_at.as_ref().map(|at| at.as_str()), Some("2021-01-01T12:34:56.789Z"));
    assert_eq!(connection.last_successful_request_at, None);
    assert_eq!(users[1].id, "end_usr_2");
    assert!(users[1].integration_connections.is_empty());
}

#[tokio::test]
async fn create_posts_the_json_body() {
    let server = server_answering(json_response(200, end_user_json())).await;
    let params = CreateEndUser {
        company_name: "Acme Inc.".into(),
        source_id: "12345678-abcd-abcd-example-1234567890ab".into(),
        email: "alice@acme.com".into(),
    };

    let user = client_for(&server).end_users().create(&params).await.unwrap();

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(path_and_query(&request), "/v1/end-users");
    assert_standard_headers(&request, true);
    assert_eq!(
        json_body(&request),
        json!({
            "companyName": "Acme Inc.",
            "sourceId": "12345678-abcd-abcd-example-1234567890ab",
            "email": "alice@acme.com"
        })
    );
    assert_eq!(user.id, "end_usr_1234567abcdefg");
}

#[tokio::test]
async fn retrieve_gets_by_id() {
    let server = server_answering(json_response(200, end_user_json())).await;

    let user = client_for(&server).end_users().retrieve("end_usr_1234567abcdefg").await.unwrap();

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "GET");
    assert_eq!(path_and_query(&request), "/v1/end-users/end_usr_1234567abcdefg");
    assert_standard_headers(&request, false);
    assert_eq!(user.company_name, "Acme Inc.");
}

#[tokio::test]
async fn delete_returns_the_confirmation() {
    let server = server_answering(json_response(
        200,
        json!({"id": "end_usr_1234567abcdefg", "objectType": "end_user", "deleted": true}),
    ))
    .await;

    let deleted: EndUserDeleted = client_for(&server).end_users().delete("end_usr_1234567abcdefg").await.unwrap();

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "DELETE");
    assert_eq!(path_and_query(&request), "/v1/end-users/end_usr_1234567abcdefg");
    assert_standard_headers(&request, false);
    assert_eq!(deleted.id, "end_usr_1234567abcdefg");
    assert!(deleted.deleted);
}

#[tokio::test]
async fn passthrough_sends_and_returns_free_form_json() {
    let answer = json!({"CustomerQueryRs": {"CustomerRet": [{"ListID": "80000001-1234567890"}]}});
    let server = server_answering(json_response(200, answer.clone())).await;
    let payload = json!({"CustomerQueryRq": {"MaxReturned": 1}});

    let result = client_for(&server)
        .end_users()
        .passthrough("end_usr_1", &IntegrationSlug::QuickbooksDesktop, &payload)
        .await
        .unwrap();

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(path_and_query(&request), "/v1/end-users/end_usr_1/passthrough/quickbooks_desktop");
    assert_standard_headers(&request, true);
    assert_eq!(json_body(&request), payload);
    assert_eq!(result, answer);
}

#[tokio::test]
async fn auth_session_create_posts_only_the_fields_set() {
    let session = json!({
        "id": "auth_sess_1234567abcdefg",
        "objectType": "auth_session",
        "createdAt": "2021-01-01T12:34:56.789Z",
        "endUserId": "end_usr_1234567abcdefg",
        "clientSecret": "auth_sess_client_secret_1234567abcdefg",
        "authFlowUrl": "https://connect.conductor.is/qbd/auth_sess_client_secret_1234567abcdefg?key=pk_1",
        "expiresAt": "2021-01-01T13:04:56.789Z",
        "redirectUrl": null
    });
    let server = server_answering(json_response(200, session)).await;
    let client = client_for(&server);

    let created =
        client.auth_sessions().create(&CreateAuthSession::new("pk_1", "end_usr_1234567abcdefg")).await.unwrap();
    client
        .auth_sessions()
        .create(
            &CreateAuthSession::new("pk_1", "end_usr_1234567abcdefg")
                .link_expiry_mins(60.0)
                .redirect_url("https://example.com/done"),
        )
        .await
        .unwrap();

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        assert_eq!(request.method.as_str(), "POST");
        assert_eq!(path_and_query(request), "/v1/auth-sessions");
        assert_standard_headers(request, true);
    }
    assert_eq!(json_body(&requests[0]), json!({"publishableKey": "pk_1", "endUserId": "end_usr_1234567abcdefg"}));
    assert_eq!(
        json_body(&requests[1]),
        json!({
            "publishableKey": "pk_1",
            "endUserId": "end_usr_1234567abcdefg",
            "linkExpiryMins": 60.0,
            "redirectUrl": "https://example.com/done"
        })
    );
    assert_eq!(created.id, "auth_sess_1234567abcdefg");
    assert_eq!(created.client_secret, "auth_sess_client_secret_1234567abcdefg");
    assert_eq!(
        created.auth_flow_url,
        "https://connect.conductor.is/qbd/auth_sess_client_secret_1234567abcdefg?key=pk_1"
    );
    assert_eq!(created.expires_at.as_str(), "2021-01-01T13:04:56.789Z");
    assert_eq!(created.redirect_url, None);
}

#[tokio::test]
async fn unknown_fields_are_ignored_and_new_enum_values_kept() {
    let mut user = end_user_json();
    user["addedLater"] = json!({"nested": [1, 2, 3]});
    user["integrationConnections"][0]["integrationSlug"] = json!("quickbooks_online");
    let server = server_answering(json_response(200, user)).await;

    let user = client_for(&server).end_users().retrieve("end_usr_1").await.unwrap();

    let slug = &user.integration_connections[0].integration_slug;
    assert_eq!(slug, &IntegrationSlug::Unknown("quickbooks_online".to_owned()));
    assert_eq!(slug.as_str(), "quickbooks_online");
}
