//! Scripted list pages of invoices, and a stream read to its end, for the
//! tests of how `list_all` follows a list.

use conductor::ClientBuilder;
use conductor::qbd::InvoiceListParams;
use futures_util::TryStreamExt;
use serde_json::{Value, json};

use crate::contract::{example_record, load_spec};
use crate::scripted::{Answer, Step};

/// An invoice from the description's example, with the id `inv-{i}`. The
/// description is read once per test binary: a listing test serves hundreds
/// of pages.
pub fn invoice(i: usize) -> Value {
    static TEMPLATE: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    let mut invoice = TEMPLATE.get_or_init(|| example_record(&load_spec(), "/quickbooks-desktop/invoices")).clone();
    invoice["id"] = json!(format!("inv-{i}"));
    invoice
}

/// A list page of the invoices `ids`, with the envelope's fields as given.
pub fn invoice_page_with(
    ids: impl IntoIterator<Item = usize>,
    next_cursor: Value,
    has_more: Value,
    remaining: Value,
) -> Step {
    let template = invoice(0);
    let data: Vec<Value> = ids
        .into_iter()
        .map(|i| {
            let mut invoice = template.clone();
            invoice["id"] = json!(format!("inv-{i}"));
            invoice
        })
        .collect();
    let mut page = json!({"objectType": "list", "url": "/v1/quickbooks-desktop/invoices", "data": data,
                          "nextCursor": next_cursor, "hasMore": has_more, "remainingCount": remaining});
    // `Value::Null` stands for a field that is there as null; a missing one
    // is asked for with the string "absent".
    for field in ["nextCursor", "hasMore", "remainingCount"] {
        if page[field] == json!("absent") {
            page.as_object_mut().map(|page| page.remove(field));
        }
    }
    Step::Answer(Answer::json(200, &page))
}

/// The ids of every invoice the stream of `client` yielded before it ended,
/// and how it ended.
pub async fn drain(client: ClientBuilder) -> (Vec<String>, conductor::Result<()>) {
    let client = client.build().expect("client");
    let mut stream = client.qbd().for_end_user("end_usr_1").invoices().list_all(InvoiceListParams::default());
    let mut ids = Vec::new();
    loop {
        match stream.try_next().await {
            Ok(Some(invoice)) => ids.push(invoice.id),
            Ok(None) => return (ids, Ok(())),
            Err(error) => return (ids, Err(error)),
        }
    }
}

/// The message of the decode error at `path` that `result` must be.
pub fn decode_error_at(path: &str, result: conductor::Result<()>) -> String {
    match result {
        Err(conductor::Error::Decode(decode)) => {
            assert_eq!(decode.path(), path, "{}", decode.message());
            decode.message().to_owned()
        }
        other => panic!("expected a decode error at {path}, got {other:?}"),
    }
}

/// `inv-{i}` for each of `ids`.
pub fn names(ids: impl IntoIterator<Item = usize>) -> Vec<String> {
    ids.into_iter().map(|i| format!("inv-{i}")).collect()
}
