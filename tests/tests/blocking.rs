//! `conductor::blocking::Client` against the sandbox: from plain threads,
//! from inside an async runtime, through its list iterator and a declared
//! endpoint.

use std::collections::BTreeSet;

use conductor::qbd::CustomerCreateParams;
use conductor::qbd::InvoiceListParams;
use conductor::{EndUser, Error, Result, Transport, api, blocking};
use conductor_sandbox::Sandbox;
use serde_json::Value;

fn sandbox() -> (Sandbox, blocking::Client) {
    let sandbox = Sandbox::builder().start_blocking().unwrap();
    let client =
        blocking::Client::builder().api_key(sandbox.api_key()).base_url(sandbox.base_url()).build_blocking().unwrap();
    (sandbox, client)
}

#[test]
fn a_hundred_threads_share_one_client() {
    let (sandbox, client) = sandbox();
    let user = sandbox.create_end_user("Threads Inc.", "threads@example.com");
    let made: Vec<(String, String)> = std::thread::scope(|scope| {
        let threads: Vec<_> = (0..100)
            .map(|n| {
                let (client, user) = (client.clone(), &user.id);
                scope.spawn(move || {
                    let name = format!("Customer of thread {n}");
                    let customer = client
                        .call(|c| async move {
                            let qbd = c.qbd().for_end_user(user);
                            let made = qbd.customers().create(&CustomerCreateParams::new(&name)).await?;
                            qbd.customers().retrieve(&made.id).await
                        })
                        .unwrap();
                    (customer.id, customer.name)
                })
            })
            .collect();
        threads.into_iter().map(|thread| thread.join().unwrap()).collect()
    });
    let names: BTreeSet<String> = made.iter().map(|(_, name)| name.clone()).collect();
    assert_eq!(names, (0..100).map(|n| format!("Customer of thread {n}")).collect());
    let listed: BTreeSet<String> = client
        .iter(|c| c.qbd().for_end_user(&user.id).customers().list_all(Default::default()))
        .map(|customer| customer.unwrap().id)
        .collect();
    assert_eq!(listed, made.into_iter().map(|(id, _)| id).collect());
}

#[test]
fn an_iterator_yields_a_thousand_invoices_once_each_in_order() {
    let (sandbox, client) = sandbox();
    let user = sandbox.create_end_user("Pages Inc.", "pages@example.com");
    let seeded = sandbox.seed_invoices(&user.id, 1_000).unwrap();
    let listed: Vec<String> = client
        .iter(|c| c.qbd().for_end_user(&user.id).invoices().list_all(InvoiceListParams::default()))
        .map(|invoice| invoice.unwrap().id)
        .collect();
    assert_eq!(listed, seeded);
}

#[test]
fn an_iterator_ends_with_the_error_that_ended_its_list() {
    let (sandbox, client) = sandbox();
    let user = sandbox.create_end_user("Offline Inc.", "offline@example.com");
    sandbox.set_connection(&user.id, conductor_sandbox::ConnectionState::Offline);
    let items: Vec<Result<_>> =
        client.iter(|c| c.qbd().for_end_user(&user.id).invoices().list_all(InvoiceListParams::default())).collect();
    assert_eq!(items.len(), 1);
    let error = items.into_iter().next().unwrap().unwrap_err();
    assert_eq!(error.code(), Some("QBD_CONNECTION_ERROR"), "{error}");
}

/// An endpoint of the user's own, declared as the SDK's are.
trait EndUserLookup: Transport {
    #[api(get = "/end-users/{id}")]
    async fn end_user_by_id(&self, id: &str) -> Result<EndUser>;

    #[api(get = "/end-users/{id}")]
    async fn end_user_as_json(&self, id: &str) -> Result<Value>;
}

impl EndUserLookup for conductor::Client {}

#[test]
fn a_declared_endpoint_works_through_call() {
    let (sandbox, client) = sandbox();
    let user = sandbox.create_end_user("Declared Inc.", "declared@example.com");
    let id = user.id.as_str();
    let found = client.call(|c| async move { c.end_user_by_id(id).await }).unwrap();
    assert_eq!((found.id.as_str(), found.company_name.as_str()), (id, "Declared Inc."));
    let json = client.call(|c| async move { c.end_user_as_json(id).await }).unwrap();
    assert_eq!(json["companyName"], "Declared Inc.");
    let missing = client.call(|c| async move { c.end_user_by_id("end_usr_missing").await }).unwrap_err();
    assert_eq!(missing.status().map(|status| status.as_u16()), Some(404), "{missing}");
}

#[tokio::test]
async fn inside_an_async_test_it_works_directly_and_from_spawn_blocking() {
    let (sandbox, client) = sandbox();
    let user = sandbox.create_end_user("Async Inc.", "async@example.com");
    // Directly: the test's thread waits, and the sandbox and the client's
    // runtime run on threads of their own.
    let id = &user.id;
    let direct = client.call(|c| async move { c.end_users().retrieve(id).await }).unwrap();
    assert_eq!(direct.company_name, "Async Inc.");
    let id = user.id.clone();
    let from_pool = tokio::task::spawn_blocking(move || {
        let listed = client.call(|c| async move { c.end_users().list().await })?;
        let retrieved = client.call(|c| async move { c.end_users().retrieve(&id).await })?;
        Ok::<_, Error>((listed.len(), retrieved.id))
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(from_pool, (1, user.id));
}

/// Inside an async task, Tokio allows 128 operations on its resources per
/// turn of the task, and the task takes no other turn while a call blocks
/// its thread: 150 requests in one call, and a list of four pages.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_calls_inside_an_async_task_are_not_stopped_by_tokios_budget() {
    let (sandbox, client) = sandbox();
    let user = sandbox.create_end_user("Workers Inc.", "workers@example.com");
    sandbox.seed_invoices(&user.id, 400).unwrap();
    let id = user.id.clone();
    let counts = tokio::spawn(async move {
        let id = id.as_str();
        let created = client.call(|c| async move {
            let qbd = c.qbd().for_end_user(id);
            for n in 0..150 {
                qbd.customers().create(&CustomerCreateParams::new(format!("Budget {n}"))).await?;
            }
            Ok(150)
        });
        let listed = client.iter(|c| c.qbd().for_end_user(id).invoices().list_all(InvoiceListParams::default()));
        (created.unwrap(), listed.filter(Result::is_ok).count())
    });
    assert_eq!(counts.await.unwrap(), (150, 400));
}
