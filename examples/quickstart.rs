//! The main job: create an end-user, list end-users as a table, create an
//! auth session, and list one end-user's invoices across pages.
//!
//! ```sh
//! cargo run --example quickstart
//! ```
//!
//! Without `CONDUCTOR_SECRET_KEY` it runs against an embedded sandbox seeded
//! with 1,000 invoices. With it, it uses the real API; set
//! `CONDUCTOR_PUBLISHABLE_KEY` for the auth session and
//! `CONDUCTOR_END_USER_ID` to list that end-user's invoices.

use std::process::ExitCode;

use conductor::qbd::InvoiceListParams;
use conductor::{Client, CreateAuthSession, CreateEndUser, EndUser};
use conductor_sandbox::Sandbox;
use futures_util::TryStreamExt;
use rust_decimal::Decimal;

#[tokio::main]
async fn main() -> ExitCode {
    conductor_examples::finish(run().await)
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let (client, publishable_key, sandbox) = if conductor_examples::real_api() {
        let publishable_key = std::env::var("CONDUCTOR_PUBLISHABLE_KEY").unwrap_or_default();
        (Client::from_env()?, publishable_key, None)
    } else {
        println!("CONDUCTOR_SECRET_KEY is not set: running against an embedded sandbox.");
        let sandbox = Sandbox::start().await?;
        (sandbox.client(), "pk_sandbox".to_owned(), Some(sandbox))
    };

    let source_id = format!("quickstart-{}", std::process::id());
    let user = client
        .end_users()
        .create(&CreateEndUser { company_name: "Acme Inc.".into(), source_id, email: "alice@acme.com".into() })
        .await?;
    println!("\nCreated end-user {}.\n", user.id);

    print_table(&client.end_users().list().await?);

    if publishable_key.is_empty() {
        println!("\nSet CONDUCTOR_PUBLISHABLE_KEY to create an auth session.");
    } else {
        let session = client.auth_sessions().create(&CreateAuthSession::new(publishable_key, &user.id)).await?;
        println!(
            "\nAuth session {} expires at {}.\nSend your user to: {}",
            session.id, session.expires_at, session.auth_flow_url
        );
    }

    let end_user_id = match &sandbox {
        Some(sandbox) => {
            sandbox.seed_invoices(&user.id, 1_000)?;
            user.id.clone()
        }
        None => match std::env::var("CONDUCTOR_END_USER_ID") {
            Ok(id) => id,
            Err(_) => {
                println!(
                    "\nSet CONDUCTOR_END_USER_ID to an end-user with QuickBooks Desktop connected to list invoices."
                );
                return Ok(());
            }
        },
    };
    println!("\nInvoices of {end_user_id}:");
    let qbd = client.qbd().for_end_user(&end_user_id);
    let mut invoices = qbd.invoices().list_all(InvoiceListParams::default());
    let mut count = 0usize;
    // Money adds up exactly as decimals, never as floats.
    let mut total_due = Decimal::ZERO;
    while let Some(invoice) = invoices.try_next().await? {
        count += 1;
        if let Some(balance) = &invoice.balance_remaining {
            total_due += Decimal::try_from(balance)?;
        }
        if count % 150 == 0 {
            println!("  {count:>5} invoices so far");
        }
    }
    println!("  {count:>5} invoices in all, {total_due} due.");
    Ok(())
}

fn print_table(users: &[EndUser]) {
    let header = ["ID", "COMPANY", "EMAIL", "CREATED"].map(str::to_owned);
    let rows: Vec<[String; 4]> = users
        .iter()
        .map(|u| [u.id.clone(), u.company_name.clone(), u.email.clone(), u.created_at.to_string()])
        .collect();
    let mut widths = header.clone().map(|h| h.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    for row in std::iter::once(&header).chain(&rows) {
        let cells: Vec<String> = row.iter().zip(widths).map(|(cell, width)| format!("{cell:<width$}")).collect();
        println!("{}", cells.join("  ").trim_end());
    }
    println!("({} end-user{})", users.len(), if users.len() == 1 { "" } else { "s" });
}
