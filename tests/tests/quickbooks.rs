//! The sandbox behaves as QuickBooks Desktop does, through the Rust client:
//! each of QuickBooks' rules on a write, each effect a write has on the
//! books, and how the end-user's QuickBooks answers.

use std::time::{Duration, Instant};

use conductor::qbd::{
    BillCheckPaymentCreateParams, BillCreateParams, CreditMemoCreateParams, CustomerCreateParams, CustomerUpdateParams,
    DeletedListObjectListParams, DeletedListObjectListType, DeletedTransactionListParams,
    DeletedTransactionTransactionType, InventoryAdjustmentCreateParams, InventoryItemCreateParams, InvoiceCreateParams,
    InvoiceListParams, InvoiceUpdateParams, QbdClient, ReceivePaymentCreateParams, ServiceItemCreateParams,
    VendorCreateParams, VendorCreditCreateParams,
};
use conductor::{Error, ErrorType};
use conductor_sandbox::{ConnectionState, Sandbox};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// A sandbox and a client for one of its end-users.
async fn company() -> (Sandbox, QbdClient, String) {
    let sandbox = Sandbox::start().await.unwrap();
    let user = sandbox.create_end_user("Acme", "a@acme.com");
    let qbd = sandbox.client().qbd().for_end_user(&user.id);
    (sandbox, qbd, user.id)
}

/// A params value from JSON, as the generated types decode it.
fn params<T: DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("params of the declared type")
}

/// QuickBooks' refusal as Conductor sends it: status, code, QuickBooks'
/// error number and the message.
fn refusal(error: &Error) -> (u16, &str, &str, &str) {
    let details = error.as_api_error().and_then(|api| api.details()).expect("Conductor's error body");
    assert_eq!(details.error_type, Some(ErrorType::IntegrationError), "{error}");
    let user_facing = details.user_facing_message.as_deref().unwrap_or_default();
    assert!(
        user_facing.starts_with("An error occurred while communicating with QuickBooks Desktop: "),
        "{user_facing}"
    );
    (
        error.status().map_or(0, |s| s.as_u16()),
        error.code().unwrap_or_default(),
        details.integration_code.as_deref().unwrap_or_default(),
        &details.message,
    )
}

async fn customer(qbd: &QbdClient, name: &str, parent: Option<&str>) -> conductor::qbd::Customer {
    let mut params = CustomerCreateParams::new(name);
    params.parent_id = parent.map(str::to_owned);
    qbd.customers().create(&params).await.unwrap()
}

/// An inventory item holding `quantity`, with the three accounts QuickBooks
/// requires of one.
async fn inventory_item(qbd: &QbdClient, name: &str, quantity: f64) -> conductor::qbd::InventoryItem {
    let mut accounts = Vec::new();
    for (account, kind) in
        [("Inventory Asset", "other_current_asset"), ("Cost of Goods Sold", "cost_of_goods_sold"), ("Sales", "income")]
    {
        let names = conductor::qbd::AccountListParams { full_names: Some(vec![account.into()]), ..Default::default() };
        let id = match qbd.accounts().list(&names).await {
            Ok(found) => found[0].id.clone(),
            Err(_) => qbd.accounts().create(&params(json!({"name": account, "accountType": kind}))).await.unwrap().id,
        };
        accounts.push(id);
    }
    let mut item = InventoryItemCreateParams::new(&accounts[0], &accounts[1], &accounts[2], name);
    item.quantity_on_hand = Some(quantity);
    qbd.inventory_items().create(&item).await.unwrap()
}

/// A service item's params: its name and what it sells for, posting to an
/// income account (one of its two configurations, as QuickBooks requires).
async fn service_params(qbd: &QbdClient, name: &str) -> ServiceItemCreateParams {
    let names =
        conductor::qbd::AccountListParams { full_names: Some(vec!["Service Income".into()]), ..Default::default() };
    let income = match qbd.accounts().list(&names).await {
        Ok(found) => found[0].id.clone(),
        Err(_) => {
            qbd.accounts().create(&params(json!({"name": "Service Income", "accountType": "income"}))).await.unwrap().id
        }
    };
    params(json!({"name": name, "salesOrPurchaseDetails": {"price": "0.00", "postingAccountId": income}}))
}

async fn service_item(qbd: &QbdClient, name: &str) -> String {
    qbd.service_items().create(&service_params(qbd, name).await).await.unwrap().id
}

/// An invoice of one line for `amount`.
async fn invoice(qbd: &QbdClient, customer: &str, item: &str, amount: &str) -> conductor::qbd::Invoice {
    let body =
        json!({"customerId": customer, "transactionDate": "2024-10-01", "lines": [{"itemId": item, "amount": amount}]});
    qbd.invoices().create(&params::<InvoiceCreateParams>(body)).await.unwrap()
}

async fn pay(
    qbd: &QbdClient,
    customer: &str,
    total: &str,
    applied: &[(&str, &str)],
) -> conductor::Result<conductor::qbd::ReceivePayment> {
    let apply: Vec<Value> =
        applied.iter().map(|(id, amount)| json!({"transactionId": id, "paymentAmount": amount})).collect();
    let body = json!({"customerId": customer, "transactionDate": "2024-10-15", "totalAmount": total, "applyToTransactions": apply});
    qbd.receive_payments().create(&params::<ReceivePaymentCreateParams>(body)).await
}

fn text(amount: &Option<conductor::Amount>) -> &str {
    amount.as_ref().map_or("", conductor::Amount::as_str)
}

// QuickBooks' rules on every write.

#[tokio::test]
async fn a_reference_to_nothing_is_refused_with_3140_and_nothing_is_stored() {
    let (_sandbox, qbd, _) = company().await;
    let body =
        json!({"customerId": "80000099-1234567890", "transactionDate": "2024-10-01", "lines": [{"amount": "10.00"}]});
    let error = qbd.invoices().create(&params::<InvoiceCreateParams>(body)).await.unwrap_err();
    assert_eq!(
        refusal(&error),
        (
            502,
            "QBD_REQUEST_ERROR",
            "3140",
            "QBD Request Error (3140): There is an invalid reference to QuickBooks Customer \"80000099-1234567890\" in the \
             Invoice.  QuickBooks error message: Invalid argument.  The specified record does not exist in the list."
        )
    );
    assert!(qbd.invoices().list(&InvoiceListParams::default()).await.unwrap().data.is_empty(), "nothing stored");

    // A record of another type is no better: a vendor is not a customer.
    let vendor = qbd.vendors().create(&VendorCreateParams::new("Supplier")).await.unwrap();
    let body = json!({"customerId": vendor.id, "transactionDate": "2024-10-01", "lines": [{"amount": "10.00"}]});
    let error = qbd.invoices().create(&params::<InvoiceCreateParams>(body)).await.unwrap_err();
    assert_eq!(refusal(&error).2, "3140");
    // Nor is an item that does not exist, deep in a line.
    let acme = customer(&qbd, "Acme", None).await;
    let body = json!({"customerId": acme.id, "transactionDate": "2024-10-01", "lines": [{"itemId": "8000009A-1", "amount": "1.00"}]});
    let error = qbd.invoices().create(&params::<InvoiceCreateParams>(body)).await.unwrap_err();
    assert!(refusal(&error).3.contains("invalid reference to QuickBooks Item \"8000009A-1\""), "{error}");
}

#[tokio::test]
async fn names_are_unique_in_their_name_space_whatever_their_case() {
    let (_sandbox, qbd, _) = company().await;
    customer(&qbd, "Acme Corp", None).await;
    let error = qbd.customers().create(&CustomerCreateParams::new("ACME CORP")).await.unwrap_err();
    assert_eq!(
        refusal(&error),
        (
            502,
            "QBD_REQUEST_ERROR",
            "3100",
            "QBD Request Error (3100): The name \"ACME CORP\" of the list element is already in use."
        )
    );
    // Customers, vendors, employees and other names share one name space.
    assert_eq!(refusal(&qbd.vendors().create(&VendorCreateParams::new("acme corp")).await.unwrap_err()).2, "3100");
    // Items of every kind share another.
    service_item(&qbd, "Labor").await;
    inventory_item(&qbd, "Widget", 0.0).await;
    assert_eq!(
        refusal(&qbd.service_items().create(&service_params(&qbd, "WIDGET").await).await.unwrap_err()).2,
        "3100"
    );
    // A job's name is its full name: `Acme Corp:Roof` is free.
    let acme = qbd.customers().list(&Default::default()).await.unwrap().data.remove(0);
    customer(&qbd, "Roof", Some(&acme.id)).await;
    // Other lists have their own: an account may be called Acme Corp.
    let account = params::<conductor::qbd::AccountCreateParams>(json!({"name": "Acme Corp", "accountType": "bank"}));
    qbd.accounts().create(&account).await.unwrap();
}

#[tokio::test]
async fn a_child_is_parent_colon_child_one_level_down_and_follows_a_rename() {
    let (_sandbox, qbd, _) = company().await;
    let acme = customer(&qbd, "Acme", None).await;
    let roof = customer(&qbd, "Roof", Some(&acme.id)).await;
    let shingles = customer(&qbd, "Shingles", Some(&roof.id)).await;
    assert_eq!((roof.full_name.as_str(), roof.sublevel), ("Acme:Roof", 1.0));
    assert_eq!((shingles.full_name.as_str(), shingles.sublevel), ("Acme:Roof:Shingles", 2.0));
    let item = service_item(&qbd, "Hours").await;
    let job_invoice = invoice(&qbd, &shingles.id, &item, "10.00").await;

    let mut rename = CustomerUpdateParams::new(acme.revision_number.clone());
    rename.name = Some("Acme Corp".into());
    qbd.customers().update(&acme.id, &rename).await.unwrap();
    let shingles = qbd.customers().retrieve(&shingles.id).await.unwrap();
    assert_eq!(shingles.full_name, "Acme Corp:Roof:Shingles");
    let job_invoice = qbd.invoices().retrieve(&job_invoice.id).await.unwrap();
    assert_eq!(job_invoice.customer.and_then(|c| c.full_name).as_deref(), Some("Acme Corp:Roof:Shingles"));
}

#[tokio::test]
async fn a_stale_revision_number_is_refused_with_3200() {
    let (_sandbox, qbd, _) = company().await;
    let acme = customer(&qbd, "Acme", None).await;
    let mut first = CustomerUpdateParams::new(acme.revision_number.clone());
    first.company_name = Some("Acme Inc.".into());
    let updated = qbd.customers().update(&acme.id, &first).await.unwrap();
    let error = qbd.customers().update(&acme.id, &first).await.unwrap_err();
    let message =
        format!("QBD Request Error (3200): The provided edit sequence \"{}\" is out-of-date.", acme.revision_number);
    assert_eq!(refusal(&error), (502, "QBD_REQUEST_ERROR", "3200", message.as_str()));
    let current = CustomerUpdateParams::new(updated.revision_number);
    qbd.customers().update(&acme.id, &current).await.unwrap();
}

/// The description, for every transaction type: "When left blank in this
/// create request, this field will be left blank in QuickBooks (i.e., it
/// does *not* auto-increment)."
#[tokio::test]
async fn a_blank_ref_number_stays_blank_and_duplicates_are_accepted() {
    let (_sandbox, qbd, _) = company().await;
    let acme = customer(&qbd, "Acme", None).await;
    let item = service_item(&qbd, "Hours").await;
    assert_eq!(invoice(&qbd, &acme.id, &item, "1.00").await.ref_number, None);
    let body = json!({"customerId": acme.id, "transactionDate": "2024-10-01", "refNumber": "INV-0099", "lines": [{"amount": "1.00"}]});
    qbd.invoices().create(&params::<InvoiceCreateParams>(body.clone())).await.unwrap();
    assert_eq!(invoice(&qbd, &acme.id, &item, "1.00").await.ref_number, None, "no number follows INV-0099");
    let again = qbd.invoices().create(&params::<InvoiceCreateParams>(body)).await.unwrap();
    assert_eq!(again.ref_number.as_deref(), Some("INV-0099"));
    let memo = json!({"customerId": acme.id, "transactionDate": "2024-10-01", "lines": [{"amount": "1.00"}]});
    let memo = qbd.credit_memos().create(&params::<CreditMemoCreateParams>(memo)).await.unwrap();
    assert_eq!(memo.ref_number, None);
}

#[tokio::test]
async fn amounts_add_up_as_decimals() {
    let (_sandbox, qbd, _) = company().await;
    let acme = customer(&qbd, "Acme", None).await;
    let body = json!({"customerId": acme.id, "transactionDate": "2024-10-01", "lines": [
        {"amount": "0.10"},
        {"amount": "0.20"},
        {"quantity": 3, "rate": "0.335"},
        {"quantity": 2, "rate": "10.00", "amount": "15"},
        {"quantity": 4, "amount": "10.00"},
    ]});
    let invoice = qbd.invoices().create(&params::<InvoiceCreateParams>(body)).await.unwrap();
    let amounts: Vec<&str> = invoice.lines.iter().map(|line| text(&line.amount)).collect();
    // A line with an amount keeps it, written with its two places;
    // quantity × rate is to the cent; an amount and a quantity give a rate.
    assert_eq!(amounts, ["0.10", "0.20", "1.01", "15.00", "10.00"]);
    assert_eq!(text(&invoice.lines[4].rate), "2.5");
    assert_eq!(invoice.subtotal.as_str(), "26.31");
    assert_eq!(text(&invoice.balance_remaining), "26.31");
}

#[tokio::test]
async fn a_transaction_without_lines_is_refused_as_quickbooks_does() {
    let (_sandbox, qbd, _) = company().await;
    let vendor = qbd.vendors().create(&VendorCreateParams::new("Sputtek")).await.unwrap();
    let bill = BillCreateParams::new(conductor::Date::new(2026, 1, 27).unwrap(), vendor.id);
    let error = qbd.bills().create(&bill).await.unwrap_err();
    // As the real bodies in ../shared/real-responses/errors.json show it.
    assert_eq!(
        refusal(&error),
        (
            502,
            "QBD_REQUEST_ERROR",
            "3180",
            "QBD Request Error (3180): There was an error when saving a Bill.  QuickBooks error message: The transaction is empty."
        )
    );
}

#[tokio::test]
async fn a_filter_naming_what_does_not_exist_refuses_the_whole_query() {
    let (_sandbox, qbd, _) = company().await;
    let acme = customer(&qbd, "Acme", None).await;
    let item = service_item(&qbd, "Hours").await;
    let first = invoice(&qbd, &acme.id, &item, "1.00").await;
    let both = InvoiceListParams { ids: Some(vec![first.id.clone(), "80000099-1".into()]), ..Default::default() };
    let error = qbd.invoices().list(&both).await.unwrap_err();
    assert_eq!(refusal(&error).2, "500");
    assert!(refusal(&error).3.contains("(\"80000099-1\") that could not be found in QuickBooks"), "{error}");
    let known = InvoiceListParams { ids: Some(vec![first.id.clone()]), ..Default::default() };
    assert_eq!(qbd.invoices().list(&known).await.unwrap().data.len(), 1);
    let names = conductor::qbd::CustomerListParams { full_names: Some(vec!["ACME".into()]), ..Default::default() };
    assert_eq!(qbd.customers().list(&names).await.unwrap().data[0].id, acme.id, "full names ignore case");
}

// QuickBooks' bookkeeping.

#[tokio::test]
async fn payments_settle_invoices_and_the_customer_balance_follows() {
    let (_sandbox, qbd, _) = company().await;
    let acme = customer(&qbd, "Acme", None).await;
    assert_eq!((text(&acme.balance), text(&acme.total_balance)), ("0.00", "0.00"), "computed, never null");
    let item = service_item(&qbd, "Hours").await;
    let invoice = invoice(&qbd, &acme.id, &item, "100.00").await;
    assert_eq!(
        (invoice.is_paid, text(&invoice.balance_remaining), text(&invoice.applied_amount)),
        (Some(false), "100.00", "0.00")
    );

    let first = pay(&qbd, &acme.id, "40.00", &[(&invoice.id, "40.00")]).await.unwrap();
    let after = qbd.invoices().retrieve(&invoice.id).await.unwrap();
    assert_eq!(
        (after.is_paid, text(&after.balance_remaining), text(&after.applied_amount)),
        (Some(false), "60.00", "-40.00")
    );
    assert_eq!(text(&qbd.customers().retrieve(&acme.id).await.unwrap().balance), "60.00");
    assert_eq!(first.unused_payment.as_deref().unwrap_or_default(), "0.00");
    assert_eq!(first.applied_to_transactions[0].transaction_id, invoice.id);
    assert_eq!(text(&first.applied_to_transactions[0].balance_remaining), "60.00");

    // Paid in full with more than is owed: the rest is unused payment,
    // a credit on the customer.
    let second = pay(&qbd, &acme.id, "100.00", &[(&invoice.id, "60.00")]).await.unwrap();
    assert_eq!(second.unused_payment.as_deref().unwrap_or_default(), "40.00");
    let paid = qbd.invoices().retrieve(&invoice.id).await.unwrap();
    assert_eq!(
        (paid.is_paid, text(&paid.balance_remaining), text(&paid.applied_amount)),
        (Some(true), "0.00", "-100.00")
    );
    let links: Vec<(&str, &str)> =
        paid.linked_transactions.iter().map(|link| (link.id.as_str(), text(&link.amount))).collect();
    assert_eq!(links, [(first.id.as_str(), "-40.00"), (second.id.as_str(), "-60.00")]);
    assert_eq!(text(&qbd.customers().retrieve(&acme.id).await.unwrap().balance), "-40.00");

    // More than the balance is refused, and nothing changes.
    let again = invoice_for(&qbd, &acme.id, &item, "10.00").await;
    let error = pay(&qbd, &acme.id, "50.00", &[(&again, "50.00")]).await.unwrap_err();
    assert!(refusal(&error).3.contains("more than the balance due"), "{error}");

    // Voiding the first payment reopens its share of the invoice.
    qbd.receive_payments().delete(&first.id).await.unwrap();
    let reopened = qbd.invoices().retrieve(&invoice.id).await.unwrap();
    assert_eq!((reopened.is_paid, text(&reopened.balance_remaining)), (Some(false), "40.00"));
    assert_eq!(text(&qbd.customers().retrieve(&acme.id).await.unwrap().balance), "10.00");
}

async fn invoice_for(qbd: &QbdClient, customer: &str, item: &str, amount: &str) -> String {
    invoice(qbd, customer, item, amount).await.id
}

#[tokio::test]
async fn a_credit_memo_applied_to_an_invoice_lowers_both() {
    let (_sandbox, qbd, _) = company().await;
    let acme = customer(&qbd, "Acme", None).await;
    let item = service_item(&qbd, "Hours").await;
    let invoice = invoice(&qbd, &acme.id, &item, "100.00").await;
    let memo = json!({"customerId": acme.id, "transactionDate": "2024-10-02", "lines": [{"amount": "30.00"}]});
    let memo = qbd.credit_memos().create(&params::<CreditMemoCreateParams>(memo)).await.unwrap();
    assert_eq!(text(&memo.credit_remaining), "30.00");
    assert_eq!(text(&qbd.customers().retrieve(&acme.id).await.unwrap().balance), "70.00");

    let body = json!({"customerId": acme.id, "transactionDate": "2024-10-03", "totalAmount": "0.00", "applyToTransactions": [
        {"transactionId": invoice.id, "applyCredits": [{"creditTransactionId": memo.id, "appliedAmount": "30.00"}]},
    ]});
    qbd.receive_payments().create(&params::<ReceivePaymentCreateParams>(body)).await.unwrap();
    let invoice = qbd.invoices().retrieve(&invoice.id).await.unwrap();
    assert_eq!((text(&invoice.balance_remaining), text(&invoice.applied_amount)), ("70.00", "-30.00"));
    assert_eq!(invoice.linked_transactions[0].id, memo.id);
    let memo = qbd.credit_memos().retrieve(&memo.id).await.unwrap();
    assert_eq!(text(&memo.credit_remaining), "0.00");
    assert_eq!(memo.linked_transactions[0].id, invoice.id);
    assert_eq!(text(&qbd.customers().retrieve(&acme.id).await.unwrap().balance), "70.00", "the same money, moved");
}

#[tokio::test]
async fn a_job_counts_in_its_parents_total_balance() {
    let (_sandbox, qbd, _) = company().await;
    let acme = customer(&qbd, "Acme", None).await;
    let roof = customer(&qbd, "Roof", Some(&acme.id)).await;
    let item = service_item(&qbd, "Hours").await;
    invoice(&qbd, &acme.id, &item, "10.00").await;
    invoice(&qbd, &roof.id, &item, "25.00").await;
    let acme = qbd.customers().retrieve(&acme.id).await.unwrap();
    assert_eq!((text(&acme.balance), text(&acme.total_balance)), ("10.00", "35.00"));
    let roof = qbd.customers().retrieve(&roof.id).await.unwrap();
    assert_eq!((text(&roof.balance), text(&roof.total_balance)), ("25.00", "25.00"));
}

#[tokio::test]
async fn bill_payments_and_vendor_credits_settle_bills_and_the_vendor_balance() {
    let (_sandbox, qbd, _) = company().await;
    let vendor = qbd.vendors().create(&VendorCreateParams::new("Sputtek")).await.unwrap();
    assert_eq!(text(&vendor.balance), "0.00");
    let bank = qbd.accounts().create(&params(json!({"name": "Checking", "accountType": "bank"}))).await.unwrap();
    let expense = qbd.accounts().create(&params(json!({"name": "Supplies", "accountType": "expense"}))).await.unwrap();
    let bill = json!({"vendorId": vendor.id, "transactionDate": "2026-01-27", "expenseLines": [{"accountId": expense.id, "amount": "367.05"}]});
    let bill = qbd.bills().create(&params::<BillCreateParams>(bill)).await.unwrap();
    assert_eq!((text(&bill.amount_due), text(&bill.open_amount), bill.is_paid), ("367.05", "367.05", Some(false)));
    assert_eq!(text(&qbd.vendors().retrieve(&vendor.id).await.unwrap().balance), "367.05");

    let credit = json!({"vendorId": vendor.id, "transactionDate": "2026-01-28", "expenseLines": [{"accountId": expense.id, "amount": "17.05"}]});
    let credit = qbd.vendor_credits().create(&params::<VendorCreditCreateParams>(credit)).await.unwrap();
    assert_eq!(text(&qbd.vendors().retrieve(&vendor.id).await.unwrap().balance), "350.00");

    let payment = json!({"vendorId": vendor.id, "transactionDate": "2026-02-01", "bankAccountId": bank.id, "applyToTransactions": [
        {"transactionId": bill.id, "paymentAmount": "350.00", "applyCredits": [{"creditTransactionId": credit.id, "appliedAmount": "17.05"}]},
    ]});
    let payment = qbd.bill_check_payments().create(&params::<BillCheckPaymentCreateParams>(payment)).await.unwrap();
    assert_eq!(payment.amount.as_str(), "350.00");
    let bill = qbd.bills().retrieve(&bill.id).await.unwrap();
    assert_eq!((text(&bill.open_amount), bill.is_paid), ("0.00", Some(true)));
    assert_eq!(text(&qbd.vendor_credits().retrieve(&credit.id).await.unwrap().open_amount), "0.00");
    assert_eq!(text(&qbd.vendors().retrieve(&vendor.id).await.unwrap().balance), "0.00");

    qbd.bill_check_payments().void(&payment.id).await.unwrap();
    let bill = qbd.bills().retrieve(&bill.id).await.unwrap();
    assert_eq!((text(&bill.open_amount), bill.is_paid), ("367.05", Some(false)), "a void undoes the payment");
    assert_eq!(text(&qbd.vendors().retrieve(&vendor.id).await.unwrap().balance), "350.00");
}

#[tokio::test]
async fn inventory_moves_with_sales_purchases_and_adjustments_and_back_on_void_and_delete() {
    let (_sandbox, qbd, _) = company().await;
    let acme = customer(&qbd, "Acme", None).await;
    let vendor = qbd.vendors().create(&VendorCreateParams::new("Sputtek")).await.unwrap();
    let widget = inventory_item(&qbd, "Widget", 10.0).await;
    let on_hand = || async { qbd.inventory_items().retrieve(&widget.id).await.unwrap().quantity_on_hand };
    assert_eq!(on_hand().await, Some(10.0));

    let sale = json!({"customerId": acme.id, "transactionDate": "2024-10-01", "lines": [{"itemId": widget.id, "quantity": 3, "rate": "5.00"}]});
    let sale = qbd.invoices().create(&params::<InvoiceCreateParams>(sale)).await.unwrap();
    assert_eq!(on_hand().await, Some(7.0));
    let back = json!({"customerId": acme.id, "transactionDate": "2024-10-02", "lines": [{"itemId": widget.id, "quantity": 1, "rate": "5.00"}]});
    qbd.credit_memos().create(&params::<CreditMemoCreateParams>(back)).await.unwrap();
    assert_eq!(on_hand().await, Some(8.0));
    let bought = json!({"vendorId": vendor.id, "transactionDate": "2024-10-03", "itemLines": [{"itemId": widget.id, "quantity": 5, "cost": "2.00"}]});
    let bought = qbd.bills().create(&params::<BillCreateParams>(bought)).await.unwrap();
    assert_eq!((on_hand().await, text(&bought.amount_due)), (Some(13.0), "10.00"));

    let account = qbd.accounts().create(&params(json!({"name": "Shrinkage", "accountType": "expense"}))).await.unwrap();
    let counted = json!({"accountId": account.id, "transactionDate": "2024-10-04", "lines": [{"itemId": widget.id, "adjustQuantity": {"newQuantity": 20}}]});
    let counted =
        qbd.inventory_adjustments().create(&params::<InventoryAdjustmentCreateParams>(counted)).await.unwrap();
    assert_eq!(on_hand().await, Some(20.0));
    assert_eq!(counted.lines[0].quantity_difference, Some(7.0));

    qbd.invoices().void(&sale.id).await.unwrap();
    assert_eq!(on_hand().await, Some(23.0), "a void puts the sale back");
    qbd.inventory_adjustments().delete(&counted.id).await.unwrap();
    assert_eq!(on_hand().await, Some(16.0), "a delete undoes the adjustment");
}

#[tokio::test]
async fn deletions_are_listed_for_an_incremental_sync() {
    let (sandbox, qbd, user) = company().await;
    let acme = customer(&qbd, "Acme", None).await;
    let item = service_item(&qbd, "Hours").await;
    let invoice = invoice(&qbd, &acme.id, &item, "10.00").await;
    qbd.invoices().delete(&invoice.id).await.unwrap();
    let deleted = qbd
        .deleted_transactions()
        .list(&DeletedTransactionListParams::new(vec![DeletedTransactionTransactionType::Invoice]))
        .await
        .unwrap();
    assert_eq!(deleted.len(), 1);
    assert_eq!((deleted[0].id.as_str(), deleted[0].ref_number.as_deref()), (invoice.id.as_str(), None));
    assert_eq!(deleted[0].transaction_type, DeletedTransactionTransactionType::Invoice);
    let bills = DeletedTransactionListParams::new(vec![DeletedTransactionTransactionType::Bill]);
    assert!(qbd.deleted_transactions().list(&bills).await.unwrap().is_empty(), "filtered by type");

    // A list object deleted in QuickBooks itself.
    assert!(sandbox.delete_list_object(&user, "service-items", &item));
    let items = DeletedListObjectListParams::new(vec![DeletedListObjectListType::ItemService]);
    let deleted = qbd.deleted_list_objects().list(&items).await.unwrap();
    assert_eq!((deleted[0].id.as_str(), deleted[0].full_name.as_deref()), (item.as_str(), Some("Hours")));
}

#[tokio::test]
async fn reports_read_the_same_ledger() {
    let (_sandbox, qbd, _) = company().await;
    let acme = customer(&qbd, "Acme", None).await;
    let bob = customer(&qbd, "Bob", None).await;
    let item = service_item(&qbd, "Hours").await;
    let first = invoice(&qbd, &acme.id, &item, "100.00").await;
    invoice(&qbd, &bob.id, &item, "50.00").await;
    pay(&qbd, &acme.id, "30.00", &[(&first.id, "30.00")]).await.unwrap();
    let aging = conductor::qbd::AgingReportParams::new(conductor::qbd::AgingReportType::ArAgingSummary);
    let report = qbd.reports().aging(&aging).await.unwrap();
    let rows: Vec<Value> = report.rows.iter().map(|row| serde_json::to_value(row).unwrap()).collect();
    let cells: Vec<(Value, Value)> =
        rows.iter().map(|row| (row["cells"][0]["value"].clone(), row["cells"][1]["value"].clone())).collect();
    assert_eq!(
        cells,
        [(json!("Acme"), json!("70.00")), (json!("Bob"), json!("50.00")), (json!("TOTAL"), json!("120.00"))]
    );
}

// How the end-user's QuickBooks answers.

#[tokio::test]
async fn connection_states_answer_as_conductor_does() {
    let (sandbox, qbd, user) = company().await;
    assert_eq!(qbd.health_check().await.unwrap().duration, 12.0);

    sandbox.set_connection(&user, ConnectionState::Offline);
    for error in [qbd.health_check().await.unwrap_err(), qbd.invoices().list(&Default::default()).await.unwrap_err()] {
        assert_eq!((error.status().map(|s| s.as_u16()), error.code()), (Some(502), Some("QBD_CONNECTION_ERROR")));
        let details = error.as_api_error().and_then(|api| api.details()).unwrap();
        assert_eq!(details.error_type, Some(ErrorType::IntegrationConnectionError));
        assert!(error.user_facing_message().unwrap().contains("QuickBooks Desktop"), "{error}");
    }

    sandbox.set_connection(&user, ConnectionState::NotSetUp);
    let error = qbd.health_check().await.unwrap_err();
    assert_eq!(
        (error.status().map(|s| s.as_u16()), error.code()),
        (Some(409), Some("INTEGRATION_CONNECTION_NOT_SET_UP"))
    );

    // A request QuickBooks does not answer in time: a 504, and the write
    // still happens.
    sandbox.set_connection(&user, ConnectionState::TimingOut);
    let error = qbd.customers().create(&CustomerCreateParams::new("Late")).await.unwrap_err();
    assert_eq!((error.status().map(|s| s.as_u16()), error.code()), (Some(504), Some("QBD_REQUEST_TIMEOUT")));
    assert_eq!(
        error.as_api_error().and_then(|api| api.details()).unwrap().message,
        "Request timed out after 90 seconds"
    );
    sandbox.set_connection(&user, ConnectionState::Connected);
    let names = conductor::qbd::CustomerListParams { full_names: Some(vec!["Late".into()]), ..Default::default() };
    assert_eq!(qbd.customers().list(&names).await.unwrap().data.len(), 1, "QuickBooks finished the write");
}

#[tokio::test]
async fn an_end_users_requests_are_answered_one_at_a_time() {
    let sandbox = Sandbox::builder().latency(Duration::from_millis(200)).start().await.unwrap();
    let users: Vec<String> = (0..10).map(|i| sandbox.create_end_user(&format!("Co {i}"), "a@b.c").id).collect();
    let client = sandbox.client();
    let timed = |ids: Vec<String>| {
        let client = client.clone();
        async move {
            let started = Instant::now();
            let calls = ids.into_iter().map(|id| {
                let client = client.clone();
                async move { client.qbd().for_end_user(&id).health_check().await.unwrap() }
            });
            futures_util::future::join_all(calls).await;
            started.elapsed()
        }
    };
    let one_user = timed(vec![users[0].clone(); 10]).await;
    let ten_users = timed(users.clone()).await;
    println!("10 concurrent requests at 200 ms each: one end-user {one_user:?}, ten end-users {ten_users:?}");
    assert!(one_user >= Duration::from_millis(2000), "one at a time: {one_user:?}");
    assert!(ten_users < Duration::from_millis(1000), "different end-users overlap: {ten_users:?}");
    let _ = InvoiceUpdateParams::new("1");
}

/// The cells of a report's rows, as `(first, last)` values.
fn report_cells(report: &conductor::qbd::Report) -> Vec<(Value, Value)> {
    (report.rows.iter())
        .map(|row| serde_json::to_value(row).unwrap())
        .map(|row| {
            let cells = row["cells"].as_array().cloned().unwrap_or_default();
            (
                cells.first().map_or(Value::Null, |c| c["value"].clone()),
                cells.last().map_or(Value::Null, |c| c["value"].clone()),
            )
        })
        .collect()
}

/// A month of bookkeeping, every figure worked out by hand:
///
/// | | Harbor Cafe | its job Patio | Lumen Studio | Lamps |
/// | --- | --- | --- | --- | --- |
/// | start | | | | 20 |
/// | invoice A: 10 h design at 95.00 + 2 lamps at 45.50 | +1,041.00 | | | 18 |
/// | invoice B: 4 h design | | +380.00 | | |
/// | invoice C: 3 lamps + 1.5 h design | | | +279.00 | 15 |
/// | payment P1: 500.00 to A | −500.00 | | | |
/// | payment P2: 279.00 to C (paid) | | | −279.00 | |
/// | credit memo M: 1 h design | | −95.00 | | |
/// | P3 applies M to B | | (moved) | | |
/// | payment P4: 600.00, 541.00 to A (paid), 59.00 unused | −600.00 | | | |
/// | bill: 10 lamps at 22.75 + 72.50 office, paid by check | | | | 25 |
/// | sales receipt: 1 lamp, then voided | | | | 24, 25 |
/// | P2 deleted | | | +279.00 | |
/// | invoice D: 2 lamps, then deleted | | | ±91.00 | ±2 |
/// | end | −59.00 (total 226.00) | 285.00 | 279.00 | 25 |
#[tokio::test]
async fn a_month_of_bookkeeping_adds_up() {
    let (_sandbox, qbd, _) = company().await;
    let harbor = customer(&qbd, "Harbor Cafe", None).await;
    let patio = customer(&qbd, "Patio", Some(&harbor.id)).await;
    let lumen = customer(&qbd, "Lumen Studio", None).await;
    let design = service_item(&qbd, "Design").await;
    let lamp = inventory_item(&qbd, "Lamp", 20.0).await.id;
    let lamps = || async { qbd.inventory_items().retrieve(&lamp).await.unwrap().quantity_on_hand };
    let sale = |customer: &str, lines: Value| {
        params::<InvoiceCreateParams>(json!({"customerId": customer, "transactionDate": "2024-10-01", "lines": lines}))
    };

    let a = qbd
        .invoices()
        .create(&sale(
            &harbor.id,
            json!([
                {"itemId": design, "quantity": 10, "rate": "95.00"}, {"itemId": lamp, "quantity": 2, "rate": "45.50"},
            ]),
        ))
        .await
        .unwrap();
    let b = qbd
        .invoices()
        .create(&sale(&patio.id, json!([{"itemId": design, "quantity": 4, "rate": "95.00"}])))
        .await
        .unwrap();
    let c = qbd
        .invoices()
        .create(&sale(
            &lumen.id,
            json!([
                {"itemId": lamp, "quantity": 3, "rate": "45.50"}, {"itemId": design, "quantity": 1.5, "rate": "95.00"},
            ]),
        ))
        .await
        .unwrap();
    assert_eq!((a.subtotal.as_str(), b.subtotal.as_str(), c.subtotal.as_str()), ("1041.00", "380.00", "279.00"));
    assert_eq!(lamps().await, Some(15.0));

    pay(&qbd, &harbor.id, "500.00", &[(&a.id, "500.00")]).await.unwrap();
    let p2 = pay(&qbd, &lumen.id, "279.00", &[(&c.id, "279.00")]).await.unwrap();
    let memo = json!({"customerId": patio.id, "transactionDate": "2024-10-10", "lines": [{"itemId": design, "quantity": 1, "rate": "95.00"}]});
    let memo = qbd.credit_memos().create(&params::<CreditMemoCreateParams>(memo)).await.unwrap();
    let apply = json!({"customerId": patio.id, "transactionDate": "2024-10-11", "totalAmount": "0.00", "applyToTransactions": [
        {"transactionId": b.id, "applyCredits": [{"creditTransactionId": memo.id, "appliedAmount": "95.00"}]},
    ]});
    qbd.receive_payments().create(&params::<ReceivePaymentCreateParams>(apply)).await.unwrap();
    let p4 = pay(&qbd, &harbor.id, "600.00", &[(&a.id, "541.00")]).await.unwrap();

    let vendor = qbd.vendors().create(&VendorCreateParams::new("Brightline Supply")).await.unwrap();
    let office = qbd.accounts().create(&params(json!({"name": "Office", "accountType": "expense"}))).await.unwrap();
    let bank = qbd.accounts().create(&params(json!({"name": "Checking", "accountType": "bank"}))).await.unwrap();
    let bill = json!({"vendorId": vendor.id, "transactionDate": "2024-10-12",
        "itemLines": [{"itemId": lamp, "quantity": 10, "cost": "22.75"}],
        "expenseLines": [{"accountId": office.id, "amount": "72.50"}]});
    let bill = qbd.bills().create(&params::<BillCreateParams>(bill)).await.unwrap();
    assert_eq!(text(&bill.amount_due), "300.00");
    assert_eq!(text(&qbd.vendors().retrieve(&vendor.id).await.unwrap().balance), "300.00");
    let check = json!({"vendorId": vendor.id, "transactionDate": "2024-10-20", "bankAccountId": bank.id,
        "applyToTransactions": [{"transactionId": bill.id, "paymentAmount": "300.00"}]});
    qbd.bill_check_payments().create(&params::<BillCheckPaymentCreateParams>(check)).await.unwrap();

    let receipt = json!({"customerId": lumen.id, "transactionDate": "2024-10-21", "lines": [{"itemId": lamp, "quantity": 1, "rate": "45.50"}]});
    let receipt =
        qbd.sales_receipts().create(&params::<conductor::qbd::SalesReceiptCreateParams>(receipt)).await.unwrap();
    assert_eq!(lamps().await, Some(24.0));
    qbd.sales_receipts().void(&receipt.id).await.unwrap();
    qbd.receive_payments().delete(&p2.id).await.unwrap();
    let d = qbd
        .invoices()
        .create(&sale(&lumen.id, json!([{"itemId": lamp, "quantity": 2, "rate": "45.50"}])))
        .await
        .unwrap();
    assert_eq!(
        (lamps().await, text(&qbd.customers().retrieve(&lumen.id).await.unwrap().balance)),
        (Some(23.0), "370.00")
    );
    qbd.invoices().delete(&d.id).await.unwrap();

    // Every invoice.
    let invoice = |id: String| {
        let qbd = qbd.clone();
        async move {
            let i = qbd.invoices().retrieve(&id).await.unwrap();
            (text(&i.balance_remaining).to_owned(), text(&i.applied_amount).to_owned(), i.is_paid)
        }
    };
    assert_eq!(invoice(a.id.clone()).await, ("0.00".into(), "-1041.00".into(), Some(true)));
    assert_eq!(invoice(b.id.clone()).await, ("285.00".into(), "-95.00".into(), Some(false)));
    assert_eq!(invoice(c.id.clone()).await, ("279.00".into(), "0.00".into(), Some(false)));
    assert_eq!(text(&qbd.credit_memos().retrieve(&memo.id).await.unwrap().credit_remaining), "0.00");
    assert_eq!(qbd.receive_payments().retrieve(&p4.id).await.unwrap().unused_payment.as_deref(), Some("59.00"));
    // Every balance.
    let balances = |id: String| {
        let qbd = qbd.clone();
        async move {
            let c = qbd.customers().retrieve(&id).await.unwrap();
            (text(&c.balance).to_owned(), text(&c.total_balance).to_owned())
        }
    };
    assert_eq!(balances(harbor.id.clone()).await, ("-59.00".into(), "226.00".into()));
    assert_eq!(balances(patio.id.clone()).await, ("285.00".into(), "285.00".into()));
    assert_eq!(balances(lumen.id.clone()).await, ("279.00".into(), "279.00".into()));
    let bill = qbd.bills().retrieve(&bill.id).await.unwrap();
    assert_eq!((text(&bill.open_amount), bill.is_paid), ("0.00", Some(true)));
    assert_eq!(text(&qbd.vendors().retrieve(&vendor.id).await.unwrap().balance), "0.00");
    // The lamps: 20 − 2 − 3 + 10 (− 1 + 1) (− 2 + 2).
    assert_eq!(lamps().await, Some(25.0));

    // The reports say the same.
    let report = |kind| {
        let qbd = qbd.clone();
        async move { qbd.reports().aging(&conductor::qbd::AgingReportParams::new(kind)).await.unwrap() }
    };
    use conductor::qbd::AgingReportType;
    assert_eq!(
        report_cells(&report(AgingReportType::ArAgingSummary).await),
        [
            (json!("Harbor Cafe"), json!("-59.00")),
            (json!("Harbor Cafe:Patio"), json!("285.00")),
            (json!("Lumen Studio"), json!("279.00")),
            (json!("TOTAL"), json!("505.00")),
        ]
    );
    assert_eq!(
        report_cells(&report(AgingReportType::ArAgingDetail).await),
        [
            (json!("Harbor Cafe"), json!("-59.00")),
            (json!("Harbor Cafe:Patio"), json!("285.00")),
            (json!("Lumen Studio"), json!("279.00")),
            (json!("TOTAL"), json!("505.00")),
        ]
    );
    assert_eq!(report_cells(&report(AgingReportType::ApAgingSummary).await), [(json!("TOTAL"), json!("0.00"))]);
    let deleted = qbd
        .deleted_transactions()
        .list(&DeletedTransactionListParams::new(vec![
            DeletedTransactionTransactionType::Invoice,
            DeletedTransactionTransactionType::ReceivePayment,
        ]))
        .await
        .unwrap();
    let deleted: Vec<&str> = deleted.iter().map(|entry| entry.id.as_str()).collect();
    assert_eq!(deleted, [p2.id.as_str(), d.id.as_str()]);
}

/// A second month of bookkeeping, with what QuickBooks works out itself:
/// sales tax, a discount and a subtotal, a sales order invoiced in two
/// parts, a purchase order received and then billed, an assembly built
/// from what came in, and a journal entry; every balance and quantity
/// worked out by hand.
#[tokio::test]
async fn a_month_with_sales_tax_orders_an_assembly_and_a_journal_entry_adds_up() {
    use conductor_tests::books::Company;
    let c = Company::open().await;
    let date = "2024-11-01";
    let taxable = c.create("sales-tax-codes", json!({"name": "Tax", "isTaxable": true})).await;
    let exempt = c.create("sales-tax-codes", json!({"name": "Non", "isTaxable": false})).await;
    let agency = c.vendor("State Board").await;
    let state =
        c.create("sales-tax-items", json!({"name": "State", "taxRate": "8.25", "taxVendorId": agency["id"]})).await;
    let northwind = c.customer("Northwind", json!({"salesTaxItemId": state["id"]})).await;
    let (asset, cogs, income) = c.item_accounts().await;
    let item = |name: &str, quantity: f64, price: &str, cost: &str| {
        json!({"name": name, "assetAccountId": asset, "cogsAccountId": cogs, "incomeAccountId": income,
            "quantityOnHand": quantity, "salesPrice": price, "purchaseCost": cost, "salesTaxCodeId": taxable["id"]})
    };
    let kettle = c.create("inventory-items", item("Kettle", 30.0, "60.00", "25.00")).await;
    let handle = c.create("inventory-items", item("Handle", 100.0, "5.00", "1.50")).await;
    let install = c.service_item("Install", "80.00", json!({"salesTaxCodeId": exempt["id"]})).await;
    let loyalty_account = c.account("Discounts Given", "income").await;
    let loyalty = c
        .create("discount-items", json!({"name": "Loyalty", "discountRatePercent": "10", "accountId": loyalty_account, "salesTaxCodeId": taxable["id"]}))
        .await;
    let subtotal = c.create("subtotal-items", json!({"name": "Subtotal"})).await;

    // A sales order: 10 kettles at 60.00 and 5 installs at 80.00; tax on the
    // kettles only, 8.25% of 600.00.
    let lines = json!([{"itemId": kettle["id"], "quantity": 10}, {"itemId": install["id"], "quantity": 5}]);
    let order =
        c.create("sales-orders", json!({"customerId": northwind["id"], "transactionDate": date, "lines": lines})).await;
    assert_eq!((order["subtotal"].as_str(), order["salesTaxTotal"].as_str()), (Some("1000.00"), Some("49.50")));
    // Invoiced in two parts: 4 kettles with a subtotal and 10% off it
    // (240.00 − 24.00, both taxed: 17.82), then the rest (360.00 taxed:
    // 29.70, and 400.00 of installs).
    let first = json!({"customerId": northwind["id"], "transactionDate": date, "lines": [
        {"linkToTransactionLine": {"transactionId": order["id"], "transactionLineId": order["lines"][0]["id"]}, "quantity": 4},
        {"itemId": subtotal["id"]},
        {"itemId": loyalty["id"]},
    ]});
    let first = c.create("invoices", first).await;
    assert_eq!((first["subtotal"].as_str(), first["salesTaxTotal"].as_str()), (Some("216.00"), Some("17.82")));
    assert_eq!(first["balanceRemaining"], "233.82");
    let rest = c
        .create(
            "invoices",
            json!({"customerId": northwind["id"], "transactionDate": date, "linkToTransactionIds": [order["id"]]}),
        )
        .await;
    assert_eq!((rest["subtotal"].as_str(), rest["salesTaxTotal"].as_str()), (Some("760.00"), Some("29.70")));
    assert_eq!(rest["balanceRemaining"], "789.70");
    assert_eq!(c.get("customers", &northwind["id"]).await["balance"], "1023.52");
    // 500.00 received: all of the first, 266.18 of the rest.
    let payment = json!({"customerId": northwind["id"], "transactionDate": date, "totalAmount": "500.00", "applyToTransactions": [
        {"transactionId": first["id"], "paymentAmount": "233.82"}, {"transactionId": rest["id"], "paymentAmount": "266.18"}]});
    c.create("receive-payments", payment).await;

    // 15 kettles and 40 handles ordered, received, then billed.
    let works = c.vendor("Kettle Works").await;
    let lines = json!([{"itemId": kettle["id"], "quantity": 15, "rate": "25.00"}, {"itemId": handle["id"], "quantity": 40, "rate": "1.50"}]);
    let purchase =
        c.create("purchase-orders", json!({"vendorId": works["id"], "transactionDate": date, "lines": lines})).await;
    assert_eq!(purchase["totalAmount"], "435.00");
    let link = json!({"vendorId": works["id"], "transactionDate": date, "linkToTransactionIds": [purchase["id"]]});
    assert_eq!(c.create("item-receipts", link.clone()).await["totalAmount"], "435.00");
    let bill = c.create("bills", link).await;
    assert_eq!(c.get("vendors", &works["id"]).await["balance"], "435.00");

    // 5 deluxe kettles built, each of a kettle and two handles.
    let deluxe = json!({"name": "Kettle Deluxe", "assetAccountId": asset, "cogsAccountId": cogs, "incomeAccountId": income,
        "lines": [{"inventoryItemId": kettle["id"], "quantity": 1}, {"inventoryItemId": handle["id"], "quantity": 2}]});
    let deluxe = c.create("inventory-assembly-items", deluxe).await;
    c.create(
        "build-assemblies",
        json!({"inventoryAssemblyItemId": deluxe["id"], "transactionDate": date, "quantityToBuild": 5}),
    )
    .await;

    // A late fee by journal entry, and the bill paid.
    let receivable = c.account("Accounts Receivable", "accounts_receivable").await;
    let fees = c.account("Late Fees", "income").await;
    c.create(
        "journal-entries",
        json!({"transactionDate": date,
        "debitLines": [{"accountId": receivable, "amount": "50.00", "entityId": northwind["id"]}],
        "creditLines": [{"accountId": fees, "amount": "50.00"}]}),
    )
    .await;
    let bank = c.account("Checking", "bank").await;
    c.create(
        "bill-check-payments",
        json!({"vendorId": works["id"], "transactionDate": date, "bankAccountId": bank,
        "applyToTransactions": [{"transactionId": bill["id"], "paymentAmount": "435.00"}]}),
    )
    .await;

    // Every balance and quantity.
    let first = c.get("invoices", &first["id"]).await;
    assert_eq!((first["balanceRemaining"].as_str(), first["isPaid"].as_bool()), (Some("0.00"), Some(true)));
    assert_eq!(c.get("invoices", &rest["id"]).await["balanceRemaining"], "523.52");
    // 523.52 still owed, and the 50.00 fee.
    assert_eq!(c.get("customers", &northwind["id"]).await["balance"], "573.52");
    let order = c.get("sales-orders", &order["id"]).await;
    let invoiced: Vec<&Value> =
        order["lines"].as_array().unwrap().iter().map(|line| &line["quantityInvoiced"]).collect();
    assert_eq!((invoiced, order["isFullyInvoiced"].as_bool()), (vec![&json!(10), &json!(5)], Some(true)));
    let purchase = c.get("purchase-orders", &purchase["id"]).await;
    assert_eq!(
        (purchase["isFullyReceived"].as_bool(), purchase["lines"][1]["isBilled"].as_bool()),
        (Some(true), Some(true))
    );
    assert_eq!(c.get("vendors", &works["id"]).await["balance"], "0.00");
    // Kettles: 30 − 4 − 6 + 15 − 5; handles: 100 + 40 − 10.
    let kettle = c.get("inventory-items", &kettle["id"]).await;
    assert_eq!(
        (
            kettle["quantityOnHand"].clone(),
            kettle["quantityOnSalesOrder"].clone(),
            kettle["quantityOnPurchaseOrder"].clone()
        ),
        (json!(30), json!(0), json!(0))
    );
    assert_eq!(c.get("inventory-items", &handle["id"]).await["quantityOnHand"], 130);
    assert_eq!(c.get("inventory-assembly-items", &deluxe["id"]).await["quantityOnHand"], 5);
    // The aging says the same: the rest of the second invoice, and the fee.
    let aging = conductor::qbd::AgingReportParams::new(conductor::qbd::AgingReportType::ArAgingDetail);
    let aging = c.qbd.reports().aging(&aging).await.unwrap();
    assert_eq!(
        report_cells(&aging),
        [
            (json!("Northwind"), json!("523.52")),
            (json!("Northwind"), json!("50.00")),
            (json!("TOTAL"), json!("573.52")),
        ]
    );
    assert!(c.audit().is_empty(), "{:?}", c.audit());
}
