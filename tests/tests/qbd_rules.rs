//! QuickBooks' rules as Conductor's description states them, through the
//! Rust client: lines priced from their items, sales tax, discounts and
//! subtotals, orders linked into invoices, bills and receipts, assemblies
//! built, journal entries, credits applied by invoices, payments' rules,
//! Conductor's own checks of a body, and ids that come from outside
//! QuickBooks. Every amount and quantity is worked out by hand.

use conductor::qbd::InvoiceUpdateParams;
use conductor_tests::books::{Company, refusal};
use serde_json::{Value, json};

const DATE: &str = "2024-10-01";

fn amounts(record: &Value, lines: &str) -> Vec<String> {
    record[lines].as_array().unwrap().iter().map(|line| line["amount"].as_str().unwrap_or("").to_owned()).collect()
}

#[tokio::test]
async fn a_line_is_priced_from_its_item_and_the_customers_price_level() {
    let c = Company::open().await;
    let level = c.create("price-levels", json!({"name": "Wholesale", "fixedPercentage": "-10"})).await;
    let hours = c.service_item("Hours", "40.00", json!({})).await;
    let plain = c.customer("Plain", json!({})).await;
    let wholesale = c.customer("Wholesale Co", json!({"priceLevelId": level["id"]})).await;
    let invoice =
        |customer: &Value, lines: Value| json!({"customerId": customer["id"], "transactionDate": DATE, "lines": lines});

    // Only the item: its price, for one.
    let only_item = c.create("invoices", invoice(&plain, json!([{"itemId": hours["id"]}]))).await;
    assert_eq!(
        (only_item["lines"][0]["rate"].as_str(), only_item["lines"][0]["amount"].as_str()),
        (Some("40"), Some("40.00"))
    );
    assert_eq!(only_item["subtotal"], "40.00");
    assert_eq!(only_item["balanceRemaining"], "40.00");
    // A quantity and an amount give the rate; "100" is written as money.
    let amount =
        c.create("invoices", invoice(&plain, json!([{"itemId": hours["id"], "quantity": 3, "amount": "100"}]))).await;
    assert_eq!(
        (amount["lines"][0]["rate"].as_str(), amount["lines"][0]["amount"].as_str()),
        (Some("33.33333"), Some("100.00"))
    );
    // The customer's price level: 40.00 less 10%.
    let leveled = c.create("invoices", invoice(&wholesale, json!([{"itemId": hours["id"], "quantity": 2}]))).await;
    assert_eq!((leveled["lines"][0]["rate"].as_str(), leveled["subtotal"].as_str()), (Some("36"), Some("72.00")));
    // A rate sent wins over the item's price.
    let rated =
        c.create("invoices", invoice(&plain, json!([{"itemId": hours["id"], "quantity": 2, "rate": "50"}]))).await;
    assert_eq!(rated["subtotal"], "100.00");
    // Through the typed client the same invoice reads the same.
    let typed = c.qbd.invoices().retrieve(rated["id"].as_str().unwrap()).await.unwrap();
    assert_eq!((typed.subtotal.as_str(), typed.lines[0].rate.as_ref().map(|r| r.as_str())), ("100.00", Some("50")));
    assert!(c.audit().is_empty(), "{:?}", c.audit());
}

/// Sales tax: the transaction's (or the customer's) sales-tax item's rate,
/// on the lines whose code taxes; a group's items' rates add up; a
/// non-taxable transaction code taxes nothing.
#[tokio::test]
async fn sales_tax_is_worked_out_from_items_codes_and_the_customer() {
    let c = Company::open().await;
    let taxable = c.create("sales-tax-codes", json!({"name": "Tax", "isTaxable": true})).await;
    let exempt = c.create("sales-tax-codes", json!({"name": "Non", "isTaxable": false})).await;
    let agency = c.vendor("State Board of Equalization").await;
    let state =
        c.create("sales-tax-items", json!({"name": "State", "taxRate": "6.25", "taxVendorId": agency["id"]})).await;
    let county =
        c.create("sales-tax-items", json!({"name": "County", "taxRate": "1.5", "taxVendorId": agency["id"]})).await;
    let both = c
        .create("sales-tax-group-items", json!({"name": "Combined", "salesTaxItemIds": [state["id"], county["id"]]}))
        .await;
    let design = c.service_item("Design", "200.00", json!({"salesTaxCodeId": taxable["id"]})).await;
    let consult = c.service_item("Consulting", "50.00", json!({"salesTaxCodeId": exempt["id"]})).await;
    let customer = c.customer("Taxed Co", json!({"salesTaxItemId": state["id"]})).await;
    let lines = json!([{"itemId": design["id"], "quantity": 1}, {"itemId": consult["id"], "quantity": 2}]);

    let invoice =
        c.create("invoices", json!({"customerId": customer["id"], "transactionDate": DATE, "lines": lines})).await;
    // 200.00 + 2 × 50.00; 6.25% of the taxed 200.00.
    assert_eq!(invoice["subtotal"], "300.00");
    assert_eq!(
        (invoice["salesTaxPercentage"].as_str(), invoice["salesTaxTotal"].as_str()),
        (Some("6.25"), Some("12.50"))
    );
    assert_eq!(invoice["balanceRemaining"], "312.50");
    assert_eq!(invoice["salesTaxItem"]["id"], state["id"], "the customer's item");
    assert_eq!(invoice["lines"][0]["salesTaxCode"]["id"], taxable["id"], "the item's code");
    let grouped = json!({"customerId": customer["id"], "transactionDate": DATE, "salesTaxItemId": both["id"], "lines": [{"itemId": design["id"]}]});
    let grouped = c.create("invoices", grouped).await;
    // 6.25% + 1.5% of 200.00.
    assert_eq!(
        (grouped["salesTaxTotal"].as_str(), grouped["balanceRemaining"].as_str()),
        (Some("15.50"), Some("215.50"))
    );
    let exempted = json!({"customerId": customer["id"], "transactionDate": DATE, "salesTaxCodeId": exempt["id"], "lines": [{"itemId": design["id"]}]});
    let exempted = c.create("invoices", exempted).await;
    assert_eq!(
        (exempted["salesTaxTotal"].as_str(), exempted["balanceRemaining"].as_str()),
        (Some("0.00"), Some("200.00"))
    );
    // What the customer owes includes the tax: 312.50 + 215.50 + 200.00.
    assert_eq!(c.get("customers", &customer["id"]).await["balance"], "728.00");
    let typed = c.qbd.invoices().retrieve(invoice["id"].as_str().unwrap()).await.unwrap();
    assert_eq!(typed.sales_tax_total.as_ref().map(|t| t.as_str()), Some("12.50"));
    assert!(c.audit().is_empty(), "{:?}", c.audit());
}

/// A percentage discount takes its part of the line immediately above it (a
/// subtotal line included), a flat one its amount; a subtotal line adds up
/// the lines above it and is not counted again.
#[tokio::test]
async fn discounts_and_subtotals_are_worked_out_as_quickbooks_does() {
    let c = Company::open().await;
    let discounts = c.account("Discounts Given", "income").await;
    let hours = c.service_item("Hours", "40.00", json!({})).await;
    let subtotal = c.create("subtotal-items", json!({"name": "Subtotal"})).await;
    let ten = c
        .create("discount-items", json!({"name": "Ten Off", "discountRatePercent": "10", "accountId": discounts}))
        .await;
    let five =
        c.create("discount-items", json!({"name": "Five Off", "discountRate": "5.00", "accountId": discounts})).await;
    let customer = c.customer("Acme", json!({})).await;
    let lines = json!([
        {"itemId": hours["id"], "quantity": 2},
        {"itemId": hours["id"], "quantity": 1},
        {"itemId": subtotal["id"]},
        {"itemId": ten["id"]},
        {"itemId": five["id"]},
    ]);
    let invoice =
        c.create("invoices", json!({"customerId": customer["id"], "transactionDate": DATE, "lines": lines})).await;
    assert_eq!(amounts(&invoice, "lines"), ["80.00", "40.00", "120.00", "-12.00", "-5.00"]);
    // 80.00 + 40.00 − 12.00 − 5.00: the subtotal line is not counted.
    assert_eq!((invoice["subtotal"].as_str(), invoice["balanceRemaining"].as_str()), (Some("103.00"), Some("103.00")));
    assert!(c.audit().is_empty(), "{:?}", c.audit());
}

async fn widget_and_gadget(c: &Company) -> (Value, Value) {
    (c.inventory_item("Widget", 50.0, "20.00", "8.00").await, c.inventory_item("Gadget", 10.0, "15.00", "6.00").await)
}

/// A sales order invoiced in two parts: a line linked to one of its lines,
/// then the rest through `linkToTransactionIds`.
#[tokio::test]
async fn a_sales_order_is_invoiced_in_two_parts() {
    let c = Company::open().await;
    let (widget, gadget) = widget_and_gadget(&c).await;
    let customer = c.customer("Acme", json!({})).await;
    let lines = json!([{"itemId": widget["id"], "quantity": 10, "rate": "20.00"}, {"itemId": gadget["id"], "quantity": 4, "rate": "15.00"}]);
    let order =
        c.create("sales-orders", json!({"customerId": customer["id"], "transactionDate": DATE, "lines": lines})).await;
    assert_eq!(order["subtotal"], "260.00");
    assert_eq!(c.get("inventory-items", &widget["id"]).await["quantityOnSalesOrder"], 10);

    let first_line = json!({"linkToTransactionLine": {"transactionId": order["id"], "transactionLineId": order["lines"][0]["id"]}, "quantity": 6});
    let first = c
        .create("invoices", json!({"customerId": customer["id"], "transactionDate": DATE, "lines": [first_line]}))
        .await;
    assert_eq!(first["lines"][0]["item"]["id"], widget["id"]);
    assert_eq!(
        (first["lines"][0]["amount"].as_str(), first["balanceRemaining"].as_str()),
        (Some("120.00"), Some("120.00"))
    );
    let order_now = c.get("sales-orders", &order["id"]).await;
    assert_eq!(
        (order_now["lines"][0]["quantityInvoiced"].clone(), order_now["isFullyInvoiced"].clone()),
        (json!(6), json!(false))
    );

    let rest = c
        .create(
            "invoices",
            json!({"customerId": customer["id"], "transactionDate": DATE, "linkToTransactionIds": [order["id"]]}),
        )
        .await;
    // The 4 widgets left at 20.00 and the 4 gadgets at 15.00.
    assert_eq!(amounts(&rest, "lines"), ["80.00", "60.00"]);
    assert_eq!(rest["balanceRemaining"], "140.00");
    let order_now = c.get("sales-orders", &order["id"]).await;
    let invoiced: Vec<&Value> = order_now["lines"].as_array().unwrap().iter().map(|l| &l["quantityInvoiced"]).collect();
    assert_eq!(invoiced, [&json!(10), &json!(4)]);
    assert_eq!(order_now["isFullyInvoiced"], true);
    let linked: Vec<&Value> = order_now["linkedTransactions"].as_array().unwrap().iter().map(|l| &l["id"]).collect();
    assert_eq!(linked, [&first["id"], &rest["id"]]);
    let rest_now = c.get("invoices", &rest["id"]).await;
    assert!(
        rest_now["linkedTransactions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["id"] == order["id"] && l["transactionType"] == "sales_order")
    );
    // 50 − 6 − 4 widgets, 10 − 4 gadgets; nothing left on the order.
    let widget_now = c.get("inventory-items", &widget["id"]).await;
    assert_eq!(
        (widget_now["quantityOnHand"].clone(), widget_now["quantityOnSalesOrder"].clone()),
        (json!(40), json!(0))
    );
    assert_eq!(c.get("inventory-items", &gadget["id"]).await["quantityOnHand"], 6);
    assert!(c.audit().is_empty(), "{:?}", c.audit());
}

/// A purchase order received by an item receipt, then billed: the stock
/// comes in once, the order is fully received and billed, and only a
/// purchase order may be linked to a bill.
#[tokio::test]
async fn a_purchase_order_is_received_then_billed() {
    let c = Company::open().await;
    let (widget, _) = widget_and_gadget(&c).await;
    let vendor = c.vendor("Parts Co").await;
    let lines = json!([{"itemId": widget["id"], "quantity": 20, "rate": "8.00"}]);
    let order =
        c.create("purchase-orders", json!({"vendorId": vendor["id"], "transactionDate": DATE, "lines": lines})).await;
    assert_eq!(order["totalAmount"], "160.00");
    assert_eq!(c.get("inventory-items", &widget["id"]).await["quantityOnPurchaseOrder"], 20);

    let receipt = c
        .create(
            "item-receipts",
            json!({"vendorId": vendor["id"], "transactionDate": DATE, "linkToTransactionIds": [order["id"]]}),
        )
        .await;
    assert_eq!(
        (receipt["itemLines"][0]["quantity"].clone(), receipt["totalAmount"].clone()),
        (json!(20), json!("160.00"))
    );
    let order_now = c.get("purchase-orders", &order["id"]).await;
    assert_eq!(
        (order_now["lines"][0]["receivedQuantity"].clone(), order_now["isFullyReceived"].clone()),
        (json!(20), json!(true))
    );
    let widget_now = c.get("inventory-items", &widget["id"]).await;
    assert_eq!(
        (widget_now["quantityOnHand"].clone(), widget_now["quantityOnPurchaseOrder"].clone()),
        (json!(70), json!(0))
    );

    let bill = c
        .create(
            "bills",
            json!({"vendorId": vendor["id"], "transactionDate": DATE, "linkToTransactionIds": [order["id"]]}),
        )
        .await;
    assert_eq!((bill["amountDue"].as_str(), bill["openAmount"].as_str()), (Some("160.00"), Some("160.00")));
    let order_now = c.get("purchase-orders", &order["id"]).await;
    assert_eq!(
        (order_now["lines"][0]["isBilled"].clone(), order_now["lines"][0]["unbilledQuantity"].clone()),
        (json!(true), json!(0))
    );
    assert_eq!(
        c.get("inventory-items", &widget["id"]).await["quantityOnHand"],
        70,
        "received once, not again by the bill"
    );
    assert_eq!(c.get("vendors", &vendor["id"]).await["balance"], "160.00");

    // Bills link purchase orders only, as the description says.
    let customer = c.customer("Acme", json!({})).await;
    let sale =
        c.create("sales-orders", json!({"customerId": customer["id"], "transactionDate": DATE, "lines": lines})).await;
    let error = c
        .try_create(
            "bills",
            json!({"vendorId": vendor["id"], "transactionDate": DATE, "linkToTransactionIds": [sale["id"]]}),
        )
        .await
        .unwrap_err();
    assert_eq!(refusal(&error).2, "3140", "{error}");
    assert!(c.audit().is_empty(), "{:?}", c.audit());
}

#[tokio::test]
async fn an_assembly_is_built_from_its_components_and_not_beyond_them() {
    let c = Company::open().await;
    let (asset, cogs, income) = c.item_accounts().await;
    let board = c.inventory_item("Board", 10.0, "5.00", "2.00").await;
    let screw = c.inventory_item("Screw", 100.0, "0.10", "0.02").await;
    let shelf = c
        .create("inventory-assembly-items", json!({
            "name": "Shelf", "assetAccountId": asset, "cogsAccountId": cogs, "incomeAccountId": income,
            "lines": [{"inventoryItemId": board["id"], "quantity": 2}, {"inventoryItemId": screw["id"], "quantity": 8}],
        }))
        .await;
    let (board, screw, shelf) = (board["id"].clone(), screw["id"].clone(), shelf["id"].clone());
    let on_hand = async |item: &Value| {
        let resource = if *item == shelf { "inventory-assembly-items" } else { "inventory-items" };
        c.get(resource, item).await["quantityOnHand"].clone()
    };
    let build = |count: u32, pending: bool| json!({"inventoryAssemblyItemId": shelf, "transactionDate": DATE, "quantityToBuild": count, "markPendingIfRequired": pending});

    let built = c.create("build-assemblies", build(3, false)).await;
    assert_eq!((built["isPending"].clone(), built["quantityCanBuild"].clone()), (json!(false), json!(5)));
    // 10 − 3 × 2 boards, 100 − 3 × 8 screws, 3 shelves.
    assert_eq!((on_hand(&board).await, on_hand(&screw).await), (json!(4), json!(76)));
    assert_eq!(on_hand(&shelf).await, json!(3));

    // 3 more need 6 boards; 4 are left.
    let error = c.try_create("build-assemblies", build(3, false)).await.unwrap_err();
    assert_eq!(refusal(&error).2, "3180", "{error}");
    let pending = c.create("build-assemblies", build(3, true)).await;
    assert_eq!(pending["isPending"], true);
    assert_eq!((on_hand(&board).await, on_hand(&shelf).await), (json!(4), json!(3)), "a pending build moves nothing");

    c.delete("build-assemblies", &built["id"]).await;
    assert_eq!((on_hand(&board).await, on_hand(&screw).await), (json!(10), json!(100)));
    assert_eq!(on_hand(&shelf).await, json!(0));
    assert!(c.audit().is_empty(), "{:?}", c.audit());
}

#[tokio::test]
async fn a_journal_entry_balances_names_who_it_is_for_and_moves_their_balance() {
    let c = Company::open().await;
    let receivable = c.account("Accounts Receivable", "accounts_receivable").await;
    let payable = c.account("Accounts Payable", "accounts_payable").await;
    let income = c.account("Other Income", "income").await;
    let expense = c.account("Repairs", "expense").await;
    let customer = c.customer("Acme", json!({})).await;
    let vendor = c.vendor("Fixit").await;
    let entry =
        |debit: Value, credit: Value| json!({"transactionDate": DATE, "debitLines": [debit], "creditLines": [credit]});

    let unbalanced = entry(
        json!({"accountId": receivable, "amount": "100.00", "entityId": customer["id"]}),
        json!({"accountId": income, "amount": "90.00"}),
    );
    let error = c.try_create("journal-entries", unbalanced).await.unwrap_err();
    assert_eq!(refusal(&error).2, "3180");
    assert!(refusal(&error).3.contains("not in balance"), "{error}");
    let nobody =
        entry(json!({"accountId": receivable, "amount": "100.00"}), json!({"accountId": income, "amount": "100.00"}));
    assert_eq!(refusal(&c.try_create("journal-entries", nobody).await.unwrap_err()).2, "3180");

    let charge = entry(
        json!({"accountId": receivable, "amount": "100.00", "entityId": customer["id"]}),
        json!({"accountId": income, "amount": "100.00"}),
    );
    let charge = c.create("journal-entries", charge).await;
    assert_eq!(c.get("customers", &customer["id"]).await["balance"], "100.00");
    let owed = entry(
        json!({"accountId": expense, "amount": "40.00"}),
        json!({"accountId": payable, "amount": "40.00", "entityId": vendor["id"]}),
    );
    c.create("journal-entries", owed).await;
    assert_eq!(c.get("vendors", &vendor["id"]).await["balance"], "40.00");

    c.delete("journal-entries", &charge["id"]).await;
    assert_eq!(c.get("customers", &customer["id"]).await["balance"], "0.00");
    assert!(c.audit().is_empty(), "{:?}", c.audit());
}

/// An invoice's own `applyCredits` and the credit memos it links use their
/// credit; deleting the invoice gives it back.
#[tokio::test]
async fn an_invoice_applies_credits_to_itself() {
    let c = Company::open().await;
    let customer = c.customer("Acme", json!({})).await;
    let memo = |amount: &str| json!({"customerId": customer["id"], "transactionDate": DATE, "lines": [{"description": "Return", "amount": amount}]});
    let thirty = c.create("credit-memos", memo("30.00")).await;
    let twenty = c.create("credit-memos", memo("20.00")).await;
    let line = |amount: &str| json!([{"description": "Work", "amount": amount}]);

    let invoice = json!({"customerId": customer["id"], "transactionDate": DATE, "lines": line("100.00"),
        "applyCredits": [{"creditTransactionId": thirty["id"], "appliedAmount": "30.00"}]});
    let invoice = c.create("invoices", invoice).await;
    let invoice = c.get("invoices", &invoice["id"]).await;
    assert_eq!(
        (invoice["balanceRemaining"].as_str(), invoice["appliedAmount"].as_str()),
        (Some("70.00"), Some("-30.00"))
    );
    assert_eq!(invoice["linkedTransactions"][0]["id"], thirty["id"]);
    assert_eq!(c.get("credit-memos", &thirty["id"]).await["creditRemaining"], "0.00");

    // A linked credit memo is used for no more than the invoice owes.
    let small = c.create("invoices", json!({"customerId": customer["id"], "transactionDate": DATE, "lines": line("15.00"), "linkToTransactionIds": [twenty["id"]]})).await;
    assert_eq!(c.get("invoices", &small["id"]).await["balanceRemaining"], "0.00");
    assert_eq!(c.get("credit-memos", &twenty["id"]).await["creditRemaining"], "5.00");
    // 70.00 owed, 5.00 of credit left.
    assert_eq!(c.get("customers", &customer["id"]).await["balance"], "65.00");

    c.delete("invoices", &invoice["id"]).await;
    assert_eq!(c.get("credit-memos", &thirty["id"]).await["creditRemaining"], "30.00");
    assert_eq!(c.get("customers", &customer["id"]).await["balance"], "-35.00");
    assert!(c.audit().is_empty(), "{:?}", c.audit());
}

/// What the description states of a payment's applications: either
/// `isAutoApply` or `applyToTransactions`, never both; each application
/// says what it applies; the transactions paid are the payer's.
#[tokio::test]
async fn a_payments_applications_follow_the_descriptions_rules() {
    let c = Company::open().await;
    let customer = c.customer("Acme", json!({})).await;
    let other = c.customer("Other", json!({})).await;
    let invoice = c.create("invoices", json!({"customerId": customer["id"], "transactionDate": DATE, "lines": [{"description": "Work", "amount": "100.00"}]})).await;
    let theirs = c.create("invoices", json!({"customerId": other["id"], "transactionDate": DATE, "lines": [{"description": "Work", "amount": "100.00"}]})).await;
    let pay = |more: Value| {
        let mut body = json!({"customerId": customer["id"], "transactionDate": DATE, "totalAmount": "50.00"});
        body.as_object_mut().unwrap().extend(more.as_object().unwrap().clone());
        body
    };

    let both = pay(
        json!({"isAutoApply": true, "applyToTransactions": [{"transactionId": invoice["id"], "paymentAmount": "50.00"}]}),
    );
    let error = c.try_create("receive-payments", both).await.unwrap_err();
    assert_eq!((refusal(&error).0, refusal(&error).1.as_str()), (400, "INVALID_PARAMETERS"), "{error}");
    let nothing = pay(json!({"applyToTransactions": [{"transactionId": invoice["id"]}]}));
    assert_eq!(refusal(&c.try_create("receive-payments", nothing).await.unwrap_err()).2, "3180");
    let not_theirs = pay(json!({"applyToTransactions": [{"transactionId": theirs["id"], "paymentAmount": "50.00"}]}));
    assert_eq!(refusal(&c.try_create("receive-payments", not_theirs).await.unwrap_err()).2, "3140");
    let auto = c.create("receive-payments", pay(json!({"isAutoApply": true}))).await;
    assert_eq!(auto["appliedToTransactions"][0]["transactionId"], invoice["id"]);
    assert_eq!(c.get("invoices", &invoice["id"]).await["balanceRemaining"], "50.00");
    assert!(c.audit().is_empty(), "{:?}", c.audit());
}

/// Conductor checks a body against the description before QuickBooks sees
/// it, and answers as the real bodies of `errors.json` show.
#[tokio::test]
async fn conductor_refuses_a_body_the_description_does_not_allow() {
    let c = Company::open().await;
    let vendor = c.vendor("Sputtek").await;
    let error = c
        .try_create("bills", json!({"vendorId": vendor["id"], "transactionDate": DATE, "vendorAddress": {"line1": "1 Main"}, "address": {}}))
        .await
        .unwrap_err();
    let (status, code, number, message) = refusal(&error);
    assert_eq!((status, code.as_str(), number.as_str()), (400, "INVALID_PARAMETERS", ""));
    assert_eq!(message, "Invalid request parameter: Unrecognized key(s) in object: 'address'");
    let details = error.as_api_error().and_then(|api| api.details()).unwrap();
    assert_eq!(details.user_facing_message.as_deref(), Some("An internal server error occurred. Please try again."));

    let long = "A customer name of sixty characters, which is over forty-one";
    assert_eq!(long.chars().count(), 60);
    let error = c.try_create("customers", json!({"name": long})).await.unwrap_err();
    assert_eq!(refusal(&error).3, "Invalid request parameter: `name`: String must contain at most 41 character(s)");
    let error = c.try_create("customers", json!({"name": "Acme", "email": 5})).await.unwrap_err();
    assert_eq!(refusal(&error).3, "Invalid request parameter: `email`: Expected string, received number");
    let customers = c.try_list("customers", &[]).await.unwrap();
    assert_eq!(customers["data"], json!([]), "nothing refused is stored");
    // A query parameter the list does not have.
    let error = c.try_list("invoices", &[("refNumber", "INV-1")]).await.unwrap_err();
    assert_eq!(refusal(&error).3, "Invalid request parameter: Unrecognized key(s) in object: 'refNumber'");
}

/// Ids a credit-card processor issues, and types the API does not list,
/// are kept as sent: they name nothing in QuickBooks.
#[tokio::test]
async fn ids_from_outside_quickbooks_are_not_references() {
    let c = Company::open().await;
    let customer = c.customer("Acme", json!({"jobTypeId": "80000099-0000000001"})).await;
    assert_eq!(customer["jobType"]["id"], "80000099-0000000001");
    let vendor = c.create("vendors", json!({"name": "Typed", "vendorTypeId": "80000098-0000000001"})).await;
    assert_eq!(vendor["vendorType"]["id"], "80000098-0000000001");
    let card = json!({"response": {"creditCardTransactionId": "ch_3Nq1", "clientTransactionId": "cli_42", "statusCode": 0, "statusMessage": "Approved", "merchantAccountNumber": "4269281420247209", "authorizationCode": "A1", "paymentStatus": "completed", "transactionAuthorizedAt": "2024-10-01T12:00:00Z", "reconBatchId": "RB1", "paymentGroupingCode": 4, "transactionAuthorizationStamp": 1}});
    let payment = json!({"customerId": customer["id"], "transactionDate": DATE, "totalAmount": "10.00", "creditCardTransaction": card});
    let payment = c.create("receive-payments", payment).await;
    assert_eq!(payment["creditCardTransaction"]["response"]["creditCardTransactionId"], "ch_3Nq1");
    assert_eq!(payment["unusedPayment"], "10.00");
}

/// An update replaces a line named by its id in place (priced again when
/// its quantity changes), adds a `-1` line, and drops a line it leaves out;
/// a line id the invoice does not have is refused.
#[tokio::test]
async fn an_update_replaces_lines_by_id() {
    let c = Company::open().await;
    let hours = c.service_item("Hours", "40.00", json!({})).await;
    let customer = c.customer("Acme", json!({})).await;
    let lines = json!([{"itemId": hours["id"], "quantity": 1}, {"description": "Setup", "amount": "10.00"}]);
    let invoice =
        c.create("invoices", json!({"customerId": customer["id"], "transactionDate": DATE, "lines": lines})).await;
    let kept = invoice["lines"][0]["id"].clone();
    let changes =
        json!({"lines": [{"id": kept, "quantity": 3}, {"id": "-1", "description": "Travel", "amount": "25.00"}]});
    let updated = c.try_update("invoices", &invoice["id"], changes).await.unwrap();
    assert_eq!(updated["lines"][0]["id"], kept);
    assert_eq!(amounts(&updated, "lines"), ["120.00", "25.00"]);
    assert_eq!(updated["balanceRemaining"], "145.00");
    let mut params = InvoiceUpdateParams::new(updated["revisionNumber"].as_str().unwrap());
    params.memo = Some("typed".into());
    c.qbd.invoices().update(updated["id"].as_str().unwrap(), &params).await.unwrap();
    let error = c
        .try_update("invoices", &invoice["id"], json!({"lines": [{"id": "NOPE-1", "quantity": 1}]}))
        .await
        .unwrap_err();
    assert_eq!(refusal(&error).2, "3120", "{error}");
    assert!(c.audit().is_empty(), "{:?}", c.audit());
}

/// The rules the description states of one kind of record or another,
/// each refused as it says, with nothing stored.
#[tokio::test]
async fn the_descriptions_rules_of_one_kind_of_record_are_kept() {
    let c = Company::open().await;
    let number = |error: &conductor::Error| refusal(error).2;
    let status = |error: &conductor::Error| refusal(error).0;
    // A sales-tax item with a rate names its agency.
    let error = c.try_create("sales-tax-items", json!({"name": "State", "taxRate": "6.25"})).await.unwrap_err();
    assert_eq!(number(&error), "3180", "{error}");
    // QuickBooks makes non-posting accounts itself.
    let error = c.try_create("accounts", json!({"name": "Orders", "accountType": "non_posting"})).await.unwrap_err();
    assert_eq!(number(&error), "3180", "{error}");
    // A total value needs a quantity on hand above zero.
    let (asset, cogs, income) = c.item_accounts().await;
    let valued = json!({"name": "Valued", "assetAccountId": asset, "cogsAccountId": cogs, "incomeAccountId": income, "totalValue": "100.00"});
    assert_eq!(number(&c.try_create("inventory-items", valued).await.unwrap_err()), "3180");
    // A price level's fixed percentage stays what it was created with.
    let level = c.create("price-levels", json!({"name": "Retail", "fixedPercentage": "5"})).await;
    let error = c.try_update("price-levels", &level["id"], json!({"fixedPercentage": "10"})).await.unwrap_err();
    assert_eq!(number(&error), "3180");
    // An item has one of its two configurations, never both.
    let both = json!({"name": "Both", "salesOrPurchaseDetails": {"price": "1.00", "postingAccountId": income}, "salesAndPurchaseDetails": {"salesPrice": "1.00"}});
    assert_eq!(status(&c.try_create("service-items", both).await.unwrap_err()), 400);
    assert_eq!(status(&c.try_create("service-items", json!({"name": "Neither"})).await.unwrap_err()), 400);
    let customer = c.customer("Acme", json!({})).await;
    let hours = c.service_item("Hours", "40.00", json!({})).await;
    let invoice = |lines: Value| json!({"customerId": customer["id"], "transactionDate": DATE, "lines": lines});
    // A line has a rate or a rate percentage, never both.
    let error = c
        .try_create("invoices", invoice(json!([{"itemId": hours["id"], "rate": "10", "ratePercent": "5"}])))
        .await
        .unwrap_err();
    assert_eq!(refusal(&error).3, "Invalid request parameter: Only one of `rate` and `ratePercent` can be set.");
    // A line linked to an order's line names no item of its own; an
    // invoice's line links to a sales order's only.
    let (widget, _) = widget_and_gadget(&c).await;
    let vendor = c.vendor("Parts Co").await;
    let purchase = c.create("purchase-orders", json!({"vendorId": vendor["id"], "transactionDate": DATE, "lines": [{"itemId": widget["id"], "quantity": 1}]})).await;
    let order = c.create("sales-orders", json!({"customerId": customer["id"], "transactionDate": DATE, "lines": [{"itemId": widget["id"], "quantity": 1}]})).await;
    let linked = |order: &Value, item: Option<&Value>| {
        let mut line = json!({"linkToTransactionLine": {"transactionId": order["id"], "transactionLineId": order["lines"][0]["id"]}});
        if let Some(item) = item {
            line["itemId"] = item["id"].clone();
        }
        invoice(json!([line]))
    };
    assert_eq!(number(&c.try_create("invoices", linked(&order, Some(&widget))).await.unwrap_err()), "3180");
    assert_eq!(number(&c.try_create("invoices", linked(&purchase, None)).await.unwrap_err()), "3140");
    // Links and what is set only at creation cannot be added by an update.
    let created = c.create("invoices", invoice(json!([{"itemId": hours["id"]}]))).await;
    let error =
        c.try_update("invoices", &created["id"], json!({"linkToTransactionIds": [order["id"]]})).await.unwrap_err();
    assert_eq!(refusal(&error).3, "Invalid request parameter: Unrecognized key(s) in object: 'linkToTransactionIds'");
    let error = c
        .try_update("invoices", &created["id"], json!({"externalId": "123e4567-e89b-12d3-a456-426614174000"}))
        .await
        .unwrap_err();
    assert_eq!(status(&error), 400);
    // A field that cannot be cleared takes no null.
    let error = c.try_update("customers", &customer["id"], json!({"name": null})).await.unwrap_err();
    assert_eq!(refusal(&error).3, "Invalid request parameter: `name`: Expected string, received null");
    // A paid invoice is one QuickBooks no longer finds to apply a payment to.
    let pay = |amount: &str| {
        json!({"customerId": customer["id"], "transactionDate": DATE, "totalAmount": amount,
        "applyToTransactions": [{"transactionId": created["id"], "paymentAmount": amount}]})
    };
    c.create("receive-payments", pay("40.00")).await;
    assert_eq!(number(&c.try_create("receive-payments", pay("1.00")).await.unwrap_err()), "3140");
    assert!(c.audit().is_empty(), "{:?}", c.audit());
}

/// A list without a cursor answers at most `limit` records; `/transactions`
/// lists no time-tracking activity, and refuses one named by id.
#[tokio::test]
async fn lists_without_cursors_and_the_transactions_list_follow_the_description() {
    let c = Company::open().await;
    for name in ["Cash", "Checking", "Savings"] {
        c.account(name, "bank").await;
    }
    let limited = c.try_list("accounts", &[("limit", "2")]).await.unwrap();
    assert_eq!(limited["data"].as_array().unwrap().len(), 2);
    let employee = c.create("employees", json!({"firstName": "Ada", "lastName": "Byron"})).await;
    let activity = c
        .create(
            "time-tracking-activities",
            json!({"transactionDate": DATE, "entityId": employee["id"], "duration": "PT1H30M"}),
        )
        .await;
    let error = c.try_list("transactions", &[("ids", activity["id"].as_str().unwrap())]).await.unwrap_err();
    assert_eq!(refusal(&error).0, 502, "{error}");
    assert_eq!(c.try_list("transactions", &[]).await.unwrap()["data"], json!([]));
}

/// A credit-card refund pays out what is left of the credits it names,
/// never more; the customer's balance follows.
#[tokio::test]
async fn a_refund_uses_a_credit_and_never_more_than_is_left() {
    let c = Company::open().await;
    let customer = c.customer("Acme", json!({})).await;
    let memo = c.create("credit-memos", json!({"customerId": customer["id"], "transactionDate": DATE, "lines": [{"description": "Return", "amount": "50.00"}]})).await;
    assert_eq!(c.get("customers", &customer["id"]).await["balance"], "-50.00");
    let refund = |amount: &str| {
        json!({"customerId": customer["id"], "transactionDate": DATE,
        "refundAppliedToTransactions": [{"transactionId": memo["id"], "refundAmount": amount}]})
    };
    let error = c.try_create("credit-card-refunds", refund("60.00")).await.unwrap_err();
    assert_eq!(refusal(&error).2, "3180", "{error}");
    let paid_out = c.create("credit-card-refunds", refund("30.00")).await;
    assert_eq!(paid_out["totalAmount"], "30.00");
    assert_eq!(c.get("credit-memos", &memo["id"]).await["creditRemaining"], "20.00");
    assert_eq!(c.get("customers", &customer["id"]).await["balance"], "-20.00");
    c.delete("credit-card-refunds", &paid_out["id"]).await;
    assert_eq!(c.get("credit-memos", &memo["id"]).await["creditRemaining"], "50.00");
    assert!(c.audit().is_empty(), "{:?}", c.audit());
}
