//! Linking a new transaction to the ones before it, as QuickBooks does:
//! an invoice to the sales orders and estimates it bills (their open lines
//! are pulled in), to the credit memos it uses and the payments applied to
//! it; a bill or an item receipt to the purchase orders it receives or
//! bills (their open lines pulled in). A line can be linked to one line of
//! an order with `linkToTransactionLine`. Links are made when a
//! transaction is created and are kept as it is later changed.

use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use super::ledger::{Application, Fill, FillKind};
use super::money::{Checked, decimal};
use super::records::{line_id, ref_id, values_at};
use super::refusals;
use super::rules::words;
use super::store::Company;
use crate::catalog::record_type_of;
use crate::failure::Failure;

/// What linking adds to a transaction being created.
#[derive(Default)]
pub(crate) struct Links {
    /// Order lines filled, and how.
    pub(crate) fills: Vec<Fill>,
    /// Inventory an earlier item receipt already brought in, which a
    /// bill's pulled lines do not bring in again.
    pub(crate) preceded: Vec<(String, Decimal)>,
    /// Credits this transaction applies to itself.
    pub(crate) credits: Vec<(String, Decimal)>,
    /// Payments that now apply to this transaction: payment, amount.
    pub(crate) payments: Vec<(String, Decimal)>,
}

/// The orders each kind of transaction may link to, and the arrays its
/// pulled lines go in.
fn linkable(slug: &str) -> Option<(&'static [&'static str], &'static str, FillKind)> {
    match slug {
        "invoices" => Some((&["sales-orders", "estimates"], "lines", FillKind::Invoice)),
        "bills" => Some((&["purchase-orders"], "itemLines", FillKind::Bill)),
        "item-receipts" => Some((&["purchase-orders"], "itemLines", FillKind::Receive)),
        _ => None,
    }
}

/// How much of an order line the transactions that exist have filled, of
/// one kind.
pub(crate) fn filled(company: &Company, order: &str, line: &str, kind: FillKind) -> Decimal {
    (company.ledger().touching(order))
        .flat_map(|(_, effects)| effects.fills.iter())
        .filter(|fill| fill.order == order && fill.line == line && fill.kind == kind)
        .map(|fill| fill.quantity)
        .sum()
}

/// Links a transaction of `slug` being created, from its `body`: pulls the
/// linked orders' open lines into `record`, and says what it fills.
pub(crate) fn link(
    company: &Company,
    slug: &str,
    object: &str,
    body: &Value,
    record: &mut Map<String, Value>,
) -> Result<Links, Failure> {
    let mut links = Links::default();
    let Some((orders, array, kind)) = linkable(slug) else { return Ok(links) };
    let mut pulled = Vec::new();
    for id in values_at(body, "linkToTransactionIds") {
        match company.find(id) {
            Some((home, order)) if orders.contains(&home) => {
                for line in order["lines"].as_array().into_iter().flatten() {
                    if let Some(new) = pull(company, home, order, line, kind, None, &mut links, object)? {
                        pulled.push(new);
                    }
                }
            }
            Some(("credit-memos", memo)) if slug == "invoices" => {
                let left = decimal(&memo["creditRemaining"]).unwrap_or_default();
                links.credits.push((id.to_owned(), left));
            }
            Some(("receive-payments", payment)) if slug == "invoices" => {
                let left = decimal(&payment["unusedPayment"]).unwrap_or_default();
                links.payments.push((id.to_owned(), left));
            }
            _ => return Err(refusals::invalid_reference(&words(record_type_of(orders[0])), id, object)),
        }
    }
    link_lines(company, orders, kind, object, record.get_mut(array), &mut links)?;
    if !pulled.is_empty() {
        let lines = record.entry(array).or_insert_with(|| json!([]));
        if let Value::Array(lines) = lines {
            lines.extend(pulled);
        }
    }
    Ok(links)
}

/// Lines sent with `linkToTransactionLine`: each takes its item, quantity
/// and rate from the order line it names, and may not name an item of its
/// own.
fn link_lines(
    company: &Company,
    orders: &[&str],
    kind: FillKind,
    object: &str,
    lines: Option<&mut Value>,
    links: &mut Links,
) -> Result<(), Failure> {
    for line in lines.and_then(Value::as_array_mut).into_iter().flatten() {
        let Some(target) = line.get("linkToTransactionLine").filter(|t| t.is_object()).cloned() else { continue };
        if !line["item"].is_null() {
            return Err(refusals::cannot_save(object, "A line linked to a transaction line cannot also name an item."));
        }
        let (order_id, line_id) = (
            target["transactionId"].as_str().unwrap_or_default(),
            target["transactionLineId"].as_str().unwrap_or_default(),
        );
        let found = company.find(order_id).filter(|(home, _)| orders.contains(home));
        let Some((home, order)) = found else {
            return Err(refusals::invalid_reference(&words(record_type_of(orders[0])), order_id, object));
        };
        let Some(source) = order["lines"].as_array().into_iter().flatten().find(|l| l["id"] == line_id) else {
            return Err(refusals::line_not_found(line_id, &words(record_type_of(home))));
        };
        let wanted = decimal(&line["quantity"]);
        if let Some(Value::Object(new)) = pull(company, home, order, source, kind, wanted, links, object)? {
            if let Value::Object(fields) = line {
                for (name, value) in new {
                    if fields.get(&name).is_none_or(Value::is_null) || name == "item" {
                        fields.insert(name, value);
                    }
                }
            }
        }
    }
    Ok(())
}

/// The line pulled from an order's line: what of it is still open (or
/// `wanted` of it), at its rate; `None` when nothing is open.
#[allow(clippy::too_many_arguments)]
fn pull(
    company: &Company,
    home: &str,
    order: &Value,
    line: &Value,
    kind: FillKind,
    wanted: Option<Decimal>,
    links: &mut Links,
    object: &str,
) -> Result<Option<Value>, Failure> {
    let (Some(order_id), Some(line_id_text), Some(item)) =
        (order["id"].as_str(), line["id"].as_str(), ref_id(line, "item"))
    else {
        return Ok(None);
    };
    let ordered = decimal(&line["quantity"]).unwrap_or(Decimal::ONE);
    let done = filled(company, order_id, line_id_text, kind);
    let open = if home == "estimates" { ordered } else { ordered.minus(done, object)?.max(Decimal::ZERO) };
    let quantity = wanted.unwrap_or(open);
    if line["isManuallyClosed"] == true || quantity <= Decimal::ZERO {
        return Ok(None);
    }
    let fill = |kind, quantity| Fill { order: order_id.to_owned(), line: line_id_text.to_owned(), quantity, kind };
    links.fills.push(fill(kind, quantity));
    if kind == FillKind::Bill {
        // What an item receipt already brought in is billed, not received
        // again; the rest the bill receives.
        let received = filled(company, order_id, line_id_text, FillKind::Receive);
        let waiting = received.minus(done, object)?.max(Decimal::ZERO).min(quantity);
        if !waiting.is_zero() {
            links.preceded.push((item.to_owned(), waiting));
        }
        let receives = quantity.minus(waiting, object)?;
        if !receives.is_zero() {
            links.fills.push(fill(FillKind::Receive, receives));
        }
    }
    let rate = if home == "purchase-orders" { "cost" } else { "rate" };
    let mut new = json!({
        "id": line_id(0),
        "item": line["item"],
        "description": line["description"],
        "quantity": super::money::quantity(quantity),
        rate: line["rate"],
        "salesTaxCode": line["salesTaxCode"],
        "class": line["class"],
        "unitOfMeasure": line["unitOfMeasure"],
    });
    if let Value::Object(fields) = &mut new {
        fields.retain(|_, value| !value.is_null());
    }
    Ok(Some(new))
}

/// The applications an invoice's own credits make: `applyCredits` and the
/// credit memos it links, on itself.
pub(crate) fn own_credits(invoice: &str, body: &Value, links: &Links) -> Option<Application> {
    let mut credits: Vec<(String, Decimal)> = (body["applyCredits"].as_array().into_iter().flatten())
        .filter_map(|credit| {
            let id = credit["creditTransactionId"].as_str()?.to_owned();
            Some((id, decimal(&credit["appliedAmount"]).unwrap_or_default()))
        })
        .collect();
    credits.extend(links.credits.iter().cloned());
    (!credits.is_empty()).then(|| Application {
        target: invoice.to_owned(),
        payment: Decimal::ZERO,
        discount: Decimal::ZERO,
        credits,
    })
}
