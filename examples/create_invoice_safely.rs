//! Creating an invoice exactly once, when the answer may never come.
//!
//! QuickBooks has no idempotency key, and Conductor does not deduplicate
//! `externalId`: a create that times out or loses its connection after it
//! was sent may have been written, and sending it again could write it
//! twice. The client does not retry it, and says so: the error's
//! `outcome_unknown()` is true. The recipe: give every create an
//! `externalId` of your own; after an unknown outcome, list that customer's
//! invoices of that day and look for the `externalId` before creating again.
//!
//! ```sh
//! cargo run --example create_invoice_safely
//! ```
//!
//! Without `CONDUCTOR_SECRET_KEY` it runs against an embedded sandbox that
//! stores the invoice and then drops the connection before answering, as a
//! network failure would. With it, it creates one invoice for
//! `CONDUCTOR_CUSTOMER_ID` of `CONDUCTOR_END_USER_ID`.

use std::process::ExitCode;

use conductor::qbd::{
    AccountCreateParams, AccountType, CustomerCreateParams, Invoice, InvoiceCreateParams, InvoiceListParams,
    ItemCreateParamsSalesOrPurchaseDetails, QbdClient, ServiceItemCreateParams,
};
use conductor::reqwest::Method;
use conductor::{Client, Date};
use conductor_sandbox::{Fault, Sandbox};
use futures_util::TryStreamExt;
use serde_json::json;

type Failure = Box<dyn std::error::Error>;

#[tokio::main]
async fn main() -> ExitCode {
    conductor_examples::finish(run().await)
}

/// Creates the invoice, or finds the one an earlier attempt wrote.
async fn create_invoice_safely(qbd: &QbdClient, params: &InvoiceCreateParams) -> conductor::Result<Invoice> {
    let error = match qbd.invoices().create(params).await {
        Ok(invoice) => return Ok(invoice),
        Err(error) if error.outcome_unknown() => error,
        Err(error) => return Err(error),
    };
    println!("The create's outcome is unknown ({error}).");
    // The customer's invoices of that day, one of which has our externalId
    // if the create was written.
    let day = InvoiceListParams {
        customer_ids: Some(vec![params.customer_id.clone()]),
        transaction_date_from: Some(params.transaction_date.clone()),
        transaction_date_to: Some(params.transaction_date.clone()),
        ..Default::default()
    };
    let mut invoices = qbd.invoices().list_all(day);
    while let Some(invoice) = invoices.try_next().await? {
        if invoice.external_id.is_some() && invoice.external_id == params.external_id {
            println!("It was written: invoice {} has our externalId; not creating it again.", invoice.id);
            return Ok(invoice);
        }
    }
    println!("It was not written: creating it again.");
    qbd.invoices().create(params).await
}

/// A random GUID for `externalId`, which Conductor asks to be one.
fn guid() -> String {
    use std::hash::{BuildHasher, RandomState};
    let bits = |salt: u64| RandomState::new().hash_one((std::time::SystemTime::now(), salt));
    let (a, b) = (bits(1), bits(2));
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        (b >> 48) & 0x3fff | 0x8000,
        b & 0xffff_ffff_ffff
    )
}

async fn run() -> Result<(), Failure> {
    let (qbd, customer, item, sandbox) = match std::env::var_os("CONDUCTOR_SECRET_KEY") {
        Some(_) => {
            let end_user = std::env::var("CONDUCTOR_END_USER_ID").map_err(|_| "set CONDUCTOR_END_USER_ID")?;
            let customer = std::env::var("CONDUCTOR_CUSTOMER_ID").map_err(|_| "set CONDUCTOR_CUSTOMER_ID")?;
            (Client::from_env()?.qbd().for_end_user(&end_user), customer, None, None)
        }
        None => {
            println!("CONDUCTOR_SECRET_KEY is not set: creating against an embedded sandbox.");
            let sandbox = Sandbox::start().await?;
            let user = sandbox.create_end_user("Acme Inc.", "alice@acme.com");
            let qbd = sandbox.client().qbd().for_end_user(&user.id);
            let customer = qbd.customers().create(&CustomerCreateParams::new("Harbor Cafe")).await?.id;
            let income =
                qbd.accounts().create(&AccountCreateParams::new(AccountType::Income, "Design Income")).await?.id;
            let mut design = ServiceItemCreateParams::new("Design");
            design.sales_or_purchase_details = Some(ItemCreateParamsSalesOrPurchaseDetails::new(income));
            let item = qbd.service_items().create(&design).await?.id;
            // The next create is stored, and its answer lost.
            sandbox.inject(Method::POST, "/quickbooks-desktop/invoices", 1, Fault::DropConnectionAfterWrite);
            (qbd, customer, Some(item), Some(sandbox))
        }
    };

    let mut params = InvoiceCreateParams::new(customer.clone(), Date::new(2024, 10, 1)?);
    params.external_id = Some(guid());
    if let Some(item) = &item {
        params.lines = Some(vec![serde_json::from_value(json!({"itemId": item, "quantity": 10, "rate": "95.00"}))?]);
    }
    let invoice = create_invoice_safely(&qbd, &params).await?;
    println!("Invoice {} for {} is {}.", invoice.id, customer, invoice.subtotal);

    if sandbox.is_some() {
        let all = qbd.invoices().list(&InvoiceListParams::default()).await?;
        println!("The customer has {} invoice, not two.", all.data.len());
        assert_eq!(all.data.len(), 1);
    }
    Ok(())
}
