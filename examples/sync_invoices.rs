//! Incremental sync: fetches only the invoices updated since the last run,
//! keeping an `updatedAfter` watermark and what it has synced in a folder.
//! Run it again and it resumes where it stopped; run it twice in a row and
//! the second run changes nothing.
//!
//! ```sh
//! cargo run --example sync_invoices [-- STATE_DIR]
//! ```
//!
//! With `CONDUCTOR_SECRET_KEY` it syncs the invoices of
//! `CONDUCTOR_END_USER_ID` from the real API into `STATE_DIR` (default
//! `.conductor-sync`). Without it, it runs against an embedded sandbox seeded
//! with 500 invoices, in a fresh temporary folder: a first sync, one invoice
//! changed a second later, then two more. `updatedAfter` includes its own
//! second (QuickBooks keeps whole seconds), so the second sync fetches what
//! was updated in the first sync's last second again and finds one change;
//! the third fetches only the changed invoice and changes nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use conductor::qbd::{InvoiceListParams, InvoiceUpdateParams, QbdClient};
use conductor::{Client, DateTime};
use conductor_sandbox::Sandbox;
use futures_util::TryStreamExt;

type Failure = Box<dyn std::error::Error>;

#[tokio::main]
async fn main() -> ExitCode {
    conductor_examples::finish(run().await)
}

async fn run() -> Result<(), Failure> {
    if conductor_examples::real_api() {
        let end_user = std::env::var("CONDUCTOR_END_USER_ID").map_err(|_| "set CONDUCTOR_END_USER_ID")?;
        let state = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".conductor-sync".to_owned()));
        let qbd = Client::from_env()?.qbd().for_end_user(&end_user);
        return sync(&qbd, &state).await;
    }
    println!("CONDUCTOR_SECRET_KEY is not set: syncing from an embedded sandbox.");
    let sandbox = Sandbox::start().await?;
    let user = sandbox.create_end_user("Acme Inc.", "alice@acme.com");
    let ids = sandbox.seed_invoices(&user.id, 500)?;
    let qbd = sandbox.client().qbd().for_end_user(&user.id);
    let state = std::env::temp_dir().join(format!("conductor-sync-{}", std::process::id()));

    sync(&qbd, &state).await?;
    // QuickBooks keeps whole seconds: a change a second after the sync is
    // after its watermark.
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    let invoice = qbd.invoices().retrieve(&ids[42]).await?;
    let mut change = InvoiceUpdateParams::new(invoice.revision_number);
    change.memo = Some("Changed after the first sync".into());
    qbd.invoices().update(&invoice.id, &change).await?;
    println!("Changed invoice {} in the sandbox.", invoice.id);
    sync(&qbd, &state).await?;
    sync(&qbd, &state).await?;
    std::fs::remove_dir_all(&state)?;
    Ok(())
}

/// One pass: every invoice updated at or after the watermark, merged into
/// what was synced before; then the new watermark.
async fn sync(qbd: &QbdClient, state: &Path) -> Result<(), Failure> {
    std::fs::create_dir_all(state)?;
    let watermark: Option<DateTime> = match std::fs::read_to_string(state.join("watermark")) {
        Ok(text) => Some(text.trim().parse()?),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
        Err(error) => return Err(error.into()),
    };
    let mut synced = load(state)?;
    let params = InvoiceListParams { updated_after: watermark.clone(), ..Default::default() };
    let mut invoices = qbd.invoices().list_all(params);
    let (mut new, mut changed, mut unchanged) = (0, 0, 0);
    let mut latest = watermark.clone();
    while let Some(invoice) = invoices.try_next().await? {
        // `updatedAfter` includes the watermark itself, so the last pass's
        // newest invoices come again: compare revisions rather than count
        // them twice.
        match synced.insert(invoice.id.clone(), invoice.revision_number.clone()) {
            None => new += 1,
            Some(revision) if revision != invoice.revision_number => changed += 1,
            Some(_) => unchanged += 1,
        }
        // Timestamps compare by instant, whatever offset each was written
        // in.
        if latest.as_ref().is_none_or(|latest| invoice.updated_at > *latest) {
            latest = Some(invoice.updated_at);
        }
    }
    let latest = latest.map(|latest| latest.to_string()).unwrap_or_default();
    save(state, &synced, &latest)?;
    println!(
        "Synced from {}: {new} new, {changed} changed, {unchanged} unchanged; {} invoices kept; watermark {latest}.",
        watermark.as_ref().map_or("the beginning", DateTime::as_str),
        synced.len()
    );
    Ok(())
}

/// Invoice ids and their revision numbers, as synced so far.
fn load(state: &Path) -> Result<BTreeMap<String, String>, Failure> {
    match std::fs::read_to_string(state.join("invoices.tsv")) {
        Ok(text) => Ok(text
            .lines()
            .filter_map(|line| line.split_once('\t'))
            .map(|(id, revision)| (id.to_owned(), revision.to_owned()))
            .collect()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
        Err(error) => Err(error.into()),
    }
}

/// Writes the records, then the watermark, each by renaming a complete file
/// over the old one, so an interrupted pass leaves the last good state: the
/// next run fetches again what this one did not finish.
fn save(state: &Path, synced: &BTreeMap<String, String>, watermark: &str) -> Result<(), Failure> {
    let records: String = synced.iter().map(|(id, revision)| format!("{id}\t{revision}\n")).collect();
    replace(&state.join("invoices.tsv"), &records)?;
    replace(&state.join("watermark"), watermark)
}

fn replace(path: &Path, contents: &str) -> Result<(), Failure> {
    let partial = path.with_extension("partial");
    std::fs::write(&partial, contents)?;
    std::fs::rename(&partial, path)?;
    Ok(())
}
