//! Writes every invoice of an end-user to a CSV file, with a progress bar of
//! records done against the total Conductor reports (`remainingCount`).
//!
//! ```sh
//! cargo run --example export_csv [-- invoices.csv]
//! ```
//!
//! Without `CONDUCTOR_SECRET_KEY` it runs against an embedded sandbox seeded
//! with 1,000 invoices. With it, it uses the real API and exports the
//! invoices of `CONDUCTOR_END_USER_ID`.

use std::process::ExitCode;

use conductor::Client;
use conductor::qbd::{Invoice, InvoiceListParams, QbdClient};
use conductor_sandbox::Sandbox;
use indicatif::{ProgressBar, ProgressStyle};

#[tokio::main]
async fn main() -> ExitCode {
    let path = std::env::args().nth(1).unwrap_or_else(|| "invoices.csv".to_owned());
    match run(&path).await {
        Ok(count) => {
            println!("Wrote {count} invoices to {path}.");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(path: &str) -> Result<u64, Box<dyn std::error::Error>> {
    // The sandbox, when there is one, must outlive the client.
    let (qbd, _sandbox) = connect().await?;
    let mut out = csv::Writer::from_path(path)?;
    out.write_record(["id", "ref_number", "customer", "transaction_date", "due_date", "subtotal", "balance", "paid"])?;

    // Page by page, so each page's `remainingCount` sizes the bar.
    let progress = ProgressBar::new(0)
        .with_style(ProgressStyle::with_template("{bar:40} {pos}/{len} invoices ({per_sec}, {eta} left)")?);
    let mut params = InvoiceListParams { limit: Some(150), ..Default::default() };
    loop {
        let page = qbd.invoices().list(&params).await?;
        let done = progress.position() + page.data.len() as u64;
        progress.set_length(done + page.remaining_count.unwrap_or(0).max(0) as u64);
        for invoice in &page.data {
            out.write_record(row(invoice))?;
        }
        progress.set_position(done);
        match page.next_cursor() {
            Some(cursor) => params.cursor = Some(cursor.to_owned()),
            None => break,
        }
    }
    progress.finish();
    out.flush()?;
    Ok(progress.position())
}

fn row(invoice: &Invoice) -> [String; 8] {
    // Amounts and dates are written exactly as Conductor sent them.
    fn text<T: ToString>(value: &Option<T>) -> String {
        value.as_ref().map(ToString::to_string).unwrap_or_default()
    }
    [
        invoice.id.clone(),
        text(&invoice.ref_number),
        invoice.customer.as_ref().and_then(|c| c.full_name.clone()).unwrap_or_default(),
        invoice.transaction_date.to_string(),
        text(&invoice.due_date),
        invoice.subtotal.to_string(),
        text(&invoice.balance_remaining),
        invoice.is_paid.map(|paid| paid.to_string()).unwrap_or_default(),
    ]
}

/// The real API when `CONDUCTOR_SECRET_KEY` is set, else a sandbox with an
/// end-user and 1,000 invoices.
async fn connect() -> Result<(QbdClient, Option<Sandbox>), Box<dyn std::error::Error>> {
    if conductor_examples::real_api() {
        let end_user = std::env::var("CONDUCTOR_END_USER_ID").map_err(|_| "set CONDUCTOR_END_USER_ID")?;
        return Ok((Client::from_env()?.qbd().for_end_user(&end_user), None));
    }
    println!("CONDUCTOR_SECRET_KEY is not set: exporting from an embedded sandbox.");
    let sandbox = Sandbox::start().await?;
    let user = sandbox.create_end_user("Acme Inc.", "alice@acme.com");
    sandbox.seed_invoices(&user.id, 1_000)?;
    Ok((sandbox.client().qbd().for_end_user(&user.id), Some(sandbox)))
}
