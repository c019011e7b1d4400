//! The books can never go wrong: each defect an adversarial review found,
//! as a hostile user would meet it, through the Rust client. After every
//! test the sandbox's own audit (every computed field worked out again
//! from scratch) finds nothing.

use conductor_tests::books::{Company, refusal};
use serde_json::{Value, json};

const DATE: &str = "2024-10-01";

async fn invoice(c: &Company, customer: &Value, amount: &str) -> Value {
    let body = json!({"customerId": customer["id"], "transactionDate": DATE, "lines": [{"description": "Work", "amount": amount}]});
    c.create("invoices", body).await
}

async fn payment(c: &Company, customer: &Value, total: &str, applied: &[(&Value, &str)]) -> conductor::Result<Value> {
    let apply: Vec<Value> =
        applied.iter().map(|(id, amount)| json!({"transactionId": id, "paymentAmount": amount})).collect();
    let body = json!({"customerId": customer["id"], "transactionDate": DATE, "totalAmount": total, "applyToTransactions": apply});
    c.try_create("receive-payments", body).await
}

async fn bill(c: &Company, vendor: &Value, amount: &str) -> Value {
    let body = json!({"vendorId": vendor["id"], "transactionDate": DATE, "expenseLines": [{"amount": amount}]});
    c.create("bills", body).await
}

fn clean(c: &Company) {
    let found = c.audit();
    assert!(found.is_empty(), "the books hold: {found:#?}");
}

#[tokio::test]
async fn deleting_a_paid_invoice_leaves_its_payment_unused_and_the_customer_in_credit() {
    let c = Company::open().await;
    let customer = c.customer("Acme", json!({})).await;
    let invoice = invoice(&c, &customer, "100.00").await;
    let paid = payment(&c, &customer, "100.00", &[(&invoice["id"], "100.00")]).await.unwrap();
    assert_eq!(c.get("customers", &customer["id"]).await["balance"], "0.00");
    c.delete("invoices", &invoice["id"]).await;
    let paid = c.get("receive-payments", &paid["id"]).await;
    assert_eq!(paid["unusedPayment"], "100.00");
    assert_eq!(paid["appliedToTransactions"], json!([]), "it names no invoice that is gone");
    assert_eq!(c.get("customers", &customer["id"]).await["balance"], "-100.00");
    clean(&c);
}

#[tokio::test]
async fn deleting_a_paid_bill_leaves_the_vendor_in_credit() {
    let c = Company::open().await;
    let vendor = c.vendor("Parts Co").await;
    let bank = c.account("Checking", "bank").await;
    let bill = bill(&c, &vendor, "100.00").await;
    let body = json!({"vendorId": vendor["id"], "transactionDate": DATE, "bankAccountId": bank,
        "applyToTransactions": [{"transactionId": bill["id"], "paymentAmount": "100.00"}]});
    let paid = c.create("bill-check-payments", body).await;
    assert_eq!(c.get("vendors", &vendor["id"]).await["balance"], "0.00");
    c.delete("bills", &bill["id"]).await;
    let paid = c.get("bill-check-payments", &paid["id"]).await;
    assert_eq!((paid["amount"].as_str(), paid["appliedToTransactions"].clone()), (Some("100.00"), json!([])));
    assert_eq!(c.get("vendors", &vendor["id"]).await["balance"], "-100.00");
    clean(&c);
}

#[tokio::test]
async fn a_credit_is_undone_when_either_side_goes() {
    let c = Company::open().await;
    let customer = c.customer("Acme", json!({})).await;
    let memo_body = json!({"customerId": customer["id"], "transactionDate": DATE, "lines": [{"description": "Return", "amount": "30.00"}]});
    let apply = |invoice: &Value, memo: &Value| {
        json!({"customerId": customer["id"], "transactionDate": DATE, "totalAmount": "0.00",
        "applyToTransactions": [{"transactionId": invoice["id"], "applyCredits": [{"creditTransactionId": memo["id"], "appliedAmount": "30.00"}]}]})
    };

    // The credit memo deleted: the invoice owes its 100.00 again.
    let first = invoice(&c, &customer, "100.00").await;
    let memo = c.create("credit-memos", memo_body.clone()).await;
    c.create("receive-payments", apply(&first, &memo)).await;
    assert_eq!(c.get("invoices", &first["id"]).await["balanceRemaining"], "70.00");
    c.delete("credit-memos", &memo["id"]).await;
    assert_eq!(c.get("invoices", &first["id"]).await["balanceRemaining"], "100.00");

    // The invoice voided: the credit memo has its 30.00 again.
    let second = invoice(&c, &customer, "100.00").await;
    let memo = c.create("credit-memos", memo_body).await;
    c.create("receive-payments", apply(&second, &memo)).await;
    assert_eq!(c.get("credit-memos", &memo["id"]).await["creditRemaining"], "0.00");
    c.void("invoices", &second["id"]).await;
    assert_eq!(c.get("credit-memos", &memo["id"]).await["creditRemaining"], "30.00");
    // 100.00 owed on the first invoice, 30.00 of credit.
    assert_eq!(c.get("customers", &customer["id"]).await["balance"], "70.00");
    clean(&c);
}

/// An update may set only what its params have: computed fields and
/// references written as objects are refused, and nothing changes.
#[tokio::test]
async fn an_update_cannot_write_what_quickbooks_computes() {
    let c = Company::open().await;
    let customer = c.customer("Acme", json!({})).await;
    let item = c.inventory_item("Widget", 5.0, "10.00", "4.00").await;
    for (resource, id, change, key) in [
        ("customers", &customer["id"], json!({"balance": "12345.67"}), "'balance'"),
        ("inventory-items", &item["id"], json!({"quantityOnHand": 500}), "'quantityOnHand'"),
        ("customers", &customer["id"], json!({"parent": {"id": "80000099-1"}}), "'parent'"),
    ] {
        let error = c.try_update(resource, id, change).await.unwrap_err();
        let (status, code, _, message) = refusal(&error);
        assert_eq!((status, code.as_str()), (400, "INVALID_PARAMETERS"), "{error}");
        assert_eq!(message, format!("Invalid request parameter: Unrecognized key(s) in object: {key}"));
    }
    assert_eq!(c.get("customers", &customer["id"]).await["balance"], "0.00");
    assert_eq!(c.get("inventory-items", &item["id"]).await["quantityOnHand"], 5);
    clean(&c);
}

/// Over-application is checked over all applications of a payment
/// together, and again when an update changes its amount; amounts applied
/// are never negative.
#[tokio::test]
async fn applications_are_checked_as_a_whole_and_never_negative() {
    let c = Company::open().await;
    let customer = c.customer("Acme", json!({})).await;
    let invoice = invoice(&c, &customer, "100.00").await;
    let twice = payment(&c, &customer, "160.00", &[(&invoice["id"], "80.00"), (&invoice["id"], "80.00")]).await;
    assert_eq!(refusal(&twice.unwrap_err()).2, "3180");
    let negative = payment(&c, &customer, "50.00", &[(&invoice["id"], "-100.00")]).await;
    assert_eq!(refusal(&negative.unwrap_err()).2, "3180");

    let paid = payment(&c, &customer, "100.00", &[(&invoice["id"], "100.00")]).await.unwrap();
    let lowered = c.try_update("receive-payments", &paid["id"], json!({"totalAmount": "10.00"})).await;
    assert_eq!(refusal(&lowered.unwrap_err()).2, "3180");
    assert_eq!(
        c.get("receive-payments", &paid["id"]).await["unusedPayment"],
        "0.00",
        "the refused update changed nothing"
    );

    let memo = c
        .create("credit-memos", json!({"customerId": customer["id"], "transactionDate": DATE, "lines": [{"description": "Return", "amount": "30.00"}]}))
        .await;
    let other = invoice_for_credit(&c, &customer).await;
    let credit = json!({"customerId": customer["id"], "transactionDate": DATE, "totalAmount": "0.00",
        "applyToTransactions": [{"transactionId": other["id"], "applyCredits": [{"creditTransactionId": memo["id"], "appliedAmount": "-500.00"}]}]});
    assert_eq!(refusal(&c.try_create("receive-payments", credit).await.unwrap_err()).2, "3180");
    assert_eq!(c.get("credit-memos", &memo["id"]).await["creditRemaining"], "30.00");
    assert_eq!(c.get("invoices", &invoice["id"]).await["balanceRemaining"], "0.00");
    clean(&c);
}

async fn invoice_for_credit(c: &Company, customer: &Value) -> Value {
    invoice(c, customer, "50.00").await
}

/// Amounts beyond what QuickBooks keeps are refused, never a panic, never
/// a write half done, never left out of the totals.
#[tokio::test]
async fn amounts_beyond_what_quickbooks_keeps_are_refused_whole() {
    let c = Company::open().await;
    let customer = c.customer("Acme", json!({})).await;
    let lines = |lines: Value| json!({"customerId": customer["id"], "transactionDate": DATE, "lines": lines});
    let product =
        c.try_create("invoices", lines(json!([{"description": "Huge", "quantity": 1e20, "rate": "1000000000"}]))).await;
    assert_eq!(refusal(&product.unwrap_err()).2, "3180");
    let max = "79228162514264337593543950335";
    let two = c
        .try_create(
            "invoices",
            lines(json!([{"description": "A", "amount": max}, {"description": "B", "amount": max}])),
        )
        .await;
    assert_eq!(refusal(&two.unwrap_err()).0, 400);
    let wide = c
        .try_create("invoices", lines(json!([{"description": "A", "amount": "123456789012345678901234567890"}])))
        .await;
    assert_eq!(refusal(&wide.unwrap_err()).0, 400);
    // Lines that add up beyond 13 digits are refused; up to them, exact.
    let over = c
        .try_create(
            "invoices",
            lines(json!([{"description": "A", "amount": "9999999999999.99"}, {"description": "B", "amount": "0.01"}])),
        )
        .await;
    assert_eq!(refusal(&over.unwrap_err()).2, "3180");
    let largest = c
        .create(
            "invoices",
            lines(json!([{"description": "A", "amount": "9999999999999.98"}, {"description": "B", "amount": "0.01"}])),
        )
        .await;
    assert_eq!(largest["subtotal"], "9999999999999.99");
    assert_eq!(
        c.try_list("invoices", &[]).await.unwrap()["data"].as_array().unwrap().len(),
        1,
        "nothing refused was kept"
    );
    assert_eq!(c.get("customers", &customer["id"]).await["balance"], "9999999999999.99");
    clean(&c);
}

#[tokio::test]
async fn list_filters_find_items_in_lines_and_transactions_by_id() {
    let c = Company::open().await;
    let customer = c.customer("Acme", json!({})).await;
    let hours = c.service_item("Hours", "40.00", json!({})).await;
    let travel = c.service_item("Travel", "10.00", json!({})).await;
    let body = json!({"customerId": customer["id"], "transactionDate": DATE, "lines": [{"itemId": hours["id"]}]});
    let invoice = c.create("invoices", body).await;
    // `/transactions` filters by the items of a transaction's lines.
    let found = c.try_list("transactions", &[("itemIds", hours["id"].as_str().unwrap())]).await.unwrap();
    assert_eq!(found["data"][0]["transactionId"], invoice["id"]);
    let none = c.try_list("transactions", &[("itemIds", travel["id"].as_str().unwrap())]).await.unwrap();
    assert_eq!(none["data"], json!([]));
    // The description gives invoices no `itemIds`: Conductor refuses it
    // rather than answer every invoice.
    let error = c.try_list("invoices", &[("itemIds", hours["id"].as_str().unwrap())]).await.unwrap_err();
    assert_eq!(refusal(&error).3, "Invalid request parameter: Unrecognized key(s) in object: 'itemIds'");
    let by_id = c.try_list("transactions", &[("ids", invoice["id"].as_str().unwrap())]).await.unwrap();
    assert_eq!(by_id["data"][0]["transactionId"], invoice["id"]);
}

/// `fullNames` (like `ids`) makes QuickBooks ignore every other filter;
/// without `status`, a list is of active records, its default.
#[tokio::test]
async fn full_names_ignore_other_filters_and_lists_are_active_by_default() {
    let c = Company::open().await;
    c.customer("Active Co", json!({})).await;
    let gone = c.customer("Gone Co", json!({"isActive": false})).await;
    let listed = c.try_list("customers", &[]).await.unwrap();
    let names: Vec<&str> = listed["data"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Active Co"]);
    let by_name = c.try_list("customers", &[("fullNames", "gone co"), ("status", "active")]).await.unwrap();
    assert_eq!(by_name["data"][0]["id"], gone["id"]);
    let all = c.try_list("customers", &[("status", "all")]).await.unwrap();
    assert_eq!(all["data"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn transactions_show_what_their_records_say() {
    let c = Company::open().await;
    let vendor = c.vendor("Parts Co").await;
    let bank = c.account("Checking", "bank").await;
    let bill = bill(&c, &vendor, "100.00").await;
    let body = json!({"vendorId": vendor["id"], "transactionDate": DATE, "bankAccountId": bank,
        "applyToTransactions": [{"transactionId": bill["id"], "paymentAmount": "100.00"}]});
    let paid = c.create("bill-check-payments", body).await;
    let view = c.get("transactions", &paid["id"]).await;
    assert_eq!((view["amount"].as_str(), paid["amount"].as_str()), (Some("100.00"), Some("100.00")));
    assert_eq!(c.get("transactions", &bill["id"]).await["amount"], "100.00");
}

/// A customer's opening balance is in every report of what customers owe,
/// so the detail and the summary agree.
#[tokio::test]
async fn an_opening_balance_is_in_the_detail_as_in_the_summary() {
    let c = Company::open().await;
    let customer = c.customer("Acme", json!({"openingBalance": "250.00", "openingBalanceDate": DATE})).await;
    invoice(&c, &customer, "100.00").await;
    let report = |kind: &str| {
        let c = &c;
        let kind = kind.to_owned();
        async move {
            let params = conductor::qbd::AgingReportParams::new(kind.parse().unwrap());
            serde_json::to_value(c.qbd.reports().aging(&params).await.unwrap()).unwrap()
        }
    };
    let total = |report: &Value| {
        let rows = report["rows"].as_array().unwrap();
        let last = rows.last().unwrap();
        last["cells"].as_array().unwrap().last().unwrap()["value"].clone()
    };
    let (detail, summary) = (report("ar_aging_detail").await, report("ar_aging_summary").await);
    assert_eq!((total(&detail), total(&summary)), (json!("350.00"), json!("350.00")));
    assert_eq!(detail["rows"].as_array().unwrap().len(), 3, "the opening balance, the invoice, the total");
}

#[tokio::test]
async fn a_deposits_total_is_its_lines_less_its_cash_back() {
    let c = Company::open().await;
    let bank = c.account("Checking", "bank").await;
    let income = c.account("Other Income", "income").await;
    let body = json!({"transactionDate": DATE, "depositToAccountId": bank, "lines": [{"accountId": income, "amount": "100.00"}],
        "cashBack": {"accountId": income, "amount": "20.00"}});
    let deposit = c.create("deposits", body).await;
    assert_eq!(deposit["totalAmount"], "80.00");
}
