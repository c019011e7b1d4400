//! The blocking client, in a program with no async runtime of its own: a
//! customer created, a page of customers, and every invoice of an end-user
//! read through an iterator, from four threads at once.
//!
//! ```sh
//! cargo run --example blocking
//! ```
//!
//! Without `CONDUCTOR_SECRET_KEY` it runs against an embedded sandbox seeded
//! with 600 invoices. With it, it uses the real API and the end-user
//! `CONDUCTOR_END_USER_ID`.

use std::process::ExitCode;

use conductor::blocking::Client;
use conductor::qbd::{CustomerCreateParams, InvoiceListParams};
use conductor_sandbox::Sandbox;
use rust_decimal::Decimal;

fn main() -> ExitCode {
    conductor_examples::finish(run())
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let (client, end_user, _sandbox) = if conductor_examples::real_api() {
        let Ok(end_user) = std::env::var("CONDUCTOR_END_USER_ID") else {
            return Err("set CONDUCTOR_END_USER_ID to an end-user with QuickBooks Desktop connected".into());
        };
        (Client::from_env()?, end_user, None)
    } else {
        println!("CONDUCTOR_SECRET_KEY is not set: running against an embedded sandbox.");
        // The sandbox serves from a thread of its own, as the client does.
        let sandbox = Sandbox::builder().start_blocking()?;
        let user = sandbox.create_end_user("Acme Inc.", "alice@acme.com");
        sandbox.seed_invoices(&user.id, 600)?;
        let client = Client::builder().api_key(sandbox.api_key()).base_url(sandbox.base_url()).build_blocking()?;
        (client, user.id, Some(sandbox))
    };
    let end_user = end_user.as_str();

    // One call: any future of the async API, which may borrow from here.
    let name = format!("Blocking example {}", std::process::id());
    let customer = client.call(|c| async move {
        c.qbd().for_end_user(end_user).customers().create(&CustomerCreateParams::new(&name)).await
    })?;
    println!("Created customer {} ({}).", customer.full_name, customer.id);

    let page =
        client.call(|c| async move { c.qbd().for_end_user(end_user).customers().list(&Default::default()).await })?;
    println!("First page of customers: {} of them, {} more.", page.data.len(), page.remaining_count.unwrap_or(0));

    // Four threads share the client; each reads the whole list through an
    // iterator and adds up what is due.
    let totals = std::thread::scope(|scope| {
        let threads: Vec<_> = (0..4)
            .map(|_| {
                scope.spawn(|| {
                    let mut count = 0usize;
                    let mut due = Decimal::ZERO;
                    for invoice in client
                        .iter(|c| c.qbd().for_end_user(end_user).invoices().list_all(InvoiceListParams::default()))
                    {
                        let invoice = invoice?;
                        count += 1;
                        if let Some(balance) = &invoice.balance_remaining {
                            due += Decimal::try_from(balance)?;
                        }
                    }
                    Ok::<_, Box<dyn std::error::Error + Send + Sync>>((count, due))
                })
            })
            .collect();
        threads.into_iter().map(|thread| thread.join().expect("the thread ran to its end")).collect::<Vec<_>>()
    });
    for (thread, total) in totals.into_iter().enumerate() {
        let (count, due) = total.map_err(|error| error.to_string())?;
        println!("Thread {thread}: {count} invoices, {due} due.");
    }
    Ok(())
}
