//! 1,000 concurrent calls through one client: all succeed, and afterwards
//! the process holds no more connections to the server than the pool keeps
//! idle.

use std::time::Duration;

use conductor::Client;
use conductor_tests::{KEY, end_user_json, json_response, list_json, server_answering};

/// Established TCP connections whose remote port is `port`, from this
/// machine's connection tables (the client ends of connections to the
/// server).
fn connections_to(port: u16) -> usize {
    ["/proc/net/tcp", "/proc/net/tcp6"]
        .iter()
        .filter_map(|path| std::fs::read_to_string(path).ok())
        .flat_map(|table| table.lines().skip(1).map(str::to_owned).collect::<Vec<_>>())
        .filter(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let remote_port =
                fields.get(2).and_then(|a| a.rsplit(':').next()).and_then(|p| u16::from_str_radix(p, 16).ok());
            remote_port == Some(port) && fields.get(3) == Some(&"01")
        })
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_calls_then_only_the_idle_pool_stays_open() {
    let body = list_json("/v1/end-users", vec![end_user_json()]);
    let server = server_answering(json_response(200, body).set_delay(Duration::from_millis(50))).await;
    let port = server.address().port();
    let idle_limit = 8;
    let client = Client::builder()
        .api_key(KEY)
        .base_url(format!("{}/v1", server.uri()))
        .pool_max_idle_per_host(idle_limit)
        .build()
        .unwrap();

    let calls: Vec<_> = (0..1000)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.end_users().list().await })
        })
        .collect();
    let mut succeeded = 0;
    for call in calls {
        assert_eq!(call.await.unwrap().unwrap().len(), 1);
        succeeded += 1;
    }
    assert_eq!(succeeded, 1000);
    assert_eq!(server.received_requests().await.unwrap().len(), 1000);

    // Connections beyond the idle limit are closed as they return to the pool.
    let mut open = connections_to(port);
    for _ in 0..50 {
        if open <= idle_limit {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        open = connections_to(port);
    }
    println!("connections open after 1,000 concurrent calls: {open} (idle limit {idle_limit})");
    assert!(open <= idle_limit, "{open} connections still open, idle limit {idle_limit}");
    assert!(open > 0, "the pool keeps idle connections for reuse");
}
