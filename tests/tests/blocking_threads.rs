//! Dropping the last clone of a `conductor::blocking::Client` ends its
//! threads. Alone in its binary, so no other test's client is counted.

use conductor::blocking;
use conductor::qbd::InvoiceListParams;
use conductor_sandbox::Sandbox;

/// The threads of this process whose name begins as the client's do
/// (`conductor-blocking`, which Linux keeps to its first 15 bytes).
fn client_threads() -> usize {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("comm")).ok())
        .filter(|name| name.starts_with("conductor-block"))
        .count()
}

#[test]
#[cfg_attr(not(target_os = "linux"), ignore = "counts threads through /proc")]
fn dropping_the_last_clone_ends_its_threads() {
    let sandbox = Sandbox::builder().start_blocking().unwrap();
    let user = sandbox.create_end_user("Threads Inc.", "threads@example.com");
    sandbox.seed_invoices(&user.id, 300).unwrap();
    assert_eq!(client_threads(), 0);

    let client =
        blocking::Client::builder().api_key(sandbox.api_key()).base_url(sandbox.base_url()).build_blocking().unwrap();
    let clone = client.clone();
    // A list decodes its pages on the runtime's blocking pool: a second
    // thread of the client's.
    let mut invoices = clone.iter(|c| c.qbd().for_end_user(&user.id).invoices().list_all(InvoiceListParams::default()));
    assert!(invoices.next().unwrap().is_ok());
    let while_running = client_threads();
    assert!(while_running >= 2, "{while_running} threads");

    drop(client);
    drop(clone);
    // The iterator holds the runtime too: its thread is still there.
    assert_eq!(client_threads(), while_running);
    assert_eq!(invoices.by_ref().filter(Result::is_ok).count(), 299);
    drop(invoices);
    assert_eq!(client_threads(), 0);
}
