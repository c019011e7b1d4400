//! What QuickBooks works out of a transaction's own lines when it is
//! written: each line's rate and amount, subtotal lines, discount lines,
//! sales tax, and the transaction's totals.
//!
//! - A line that names its item and no amount is priced from the item:
//!   its sales price (or purchase cost, on a purchase), adjusted by the
//!   price level of the line or the customer; its amount is its quantity
//!   (1 when not given) times its rate, to the cent. A line with an
//!   amount and a quantity but no rate gets the rate they imply.
//! - A subtotal item's line is the sum of the lines above it since the
//!   last subtotal, and is not counted in the total.
//! - A discount item's line takes its percentage off the line immediately
//!   above it (a subtotal line included), or its flat amount.
//! - Sales tax: the rate of the transaction's sales-tax item (or the
//!   customer's; a group's items' rates add up), on the lines whose
//!   sales-tax code (the line's, else its item's) is taxable, unless the
//!   transaction's (or customer's) code is not taxable. `salesTaxTotal`
//!   is that, to the cent; `totalAmount` is `subtotal` plus it.
//!
//! Money is written with two places; rates as given, or with up to five.

use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use super::money::{Checked, cents, decimal, field, input, money, price, sum, within_limits};
use super::records::ref_id;
use super::store::Company;
use crate::failure::Failure;

/// The resources whose lines are sales, priced from sales prices and
/// taxed.
const SALES: &[&str] = &["credit-memos", "estimates", "invoices", "sales-orders", "sales-receipts"];

/// The field a purchase's total is in, by resource.
const PURCHASES: &[(&str, &str)] = &[
    ("bills", "amountDue"),
    ("checks", "amount"),
    ("credit-card-charges", "amount"),
    ("credit-card-credits", "amount"),
    ("item-receipts", "totalAmount"),
    ("purchase-orders", "totalAmount"),
    ("vendor-credits", "creditAmount"),
];

/// Works out the lines and totals of a record of `slug` as QuickBooks
/// does. `object` names the record in a refusal (`Invoice`).
pub(crate) fn price_transaction(
    company: &Company,
    slug: &str,
    object: &str,
    record: &mut Map<String, Value>,
) -> Result<(), Failure> {
    if SALES.contains(&slug) {
        return sale(company, object, record);
    }
    if let Some((_, total)) = PURCHASES.iter().find(|(purchase, _)| *purchase == slug) {
        let amount = purchase(company, object, record)?;
        record.insert((*total).to_owned(), money(amount));
        return Ok(());
    }
    if slug == "credit-card-refunds" {
        // A refund is what it refunds of the credits it names.
        let mut total = Decimal::ZERO;
        for applied in record.get("refundAppliedToTransactions").and_then(Value::as_array).into_iter().flatten() {
            total = total.plus(input(&applied["refundAmount"], object)?.unwrap_or_default(), object)?;
        }
        record.insert("totalAmount".into(), money(within_limits(total, object)?));
        return Ok(());
    }
    if slug == "deposits" {
        let lines = lines_total(record.get_mut("lines"), object)?;
        let cash_back = record.get("cashBack").map_or(Ok(None), |back| input(&back["amount"], object))?;
        let total = lines.minus(cash_back.unwrap_or_default(), object)?;
        record.insert("totalAmount".into(), money(within_limits(total, object)?));
    }
    Ok(())
}

/// The sum of the `amount`s of a list of lines, each written as money.
fn lines_total(lines: Option<&mut Value>, object: &str) -> Result<Decimal, Failure> {
    let mut total = Decimal::ZERO;
    for line in lines.and_then(Value::as_array_mut).into_iter().flatten() {
        let amount = within_limits(input(&line["amount"], object)?.unwrap_or_default(), object)?;
        line["amount"] = money(amount);
        total = total.plus(amount, object)?;
    }
    Ok(total)
}

/// One priced line: its amount, whether it counts in the total, and
/// whether it is taxed.
struct Priced {
    amount: Decimal,
    counted: bool,
    taxed: bool,
}

/// What pricing a sale's lines needs to know of its transaction.
struct Sale<'a> {
    company: &'a Company,
    object: &'a str,
    price_level: Option<String>,
    /// Whether the transaction is taxable at all.
    taxable: bool,
}

fn sale(company: &Company, object: &str, record: &mut Map<String, Value>) -> Result<(), Failure> {
    let customer = ref_id(&Value::Object(record.clone()), "customer").and_then(|id| company.find(id)).map(|(_, c)| c);
    let inherited = |field: &str| -> Option<String> {
        let own = record.get(field).and_then(|r| r["id"].as_str());
        own.or_else(|| customer.and_then(|c| ref_id(c, field))).map(str::to_owned)
    };
    let tax_item = inherited("salesTaxItem");
    let tax_code = inherited("salesTaxCode");
    let sale = Sale {
        company,
        object,
        price_level: customer.and_then(|c| ref_id(c, "priceLevel")).map(str::to_owned),
        taxable: tax_code.as_deref().and_then(|code| is_taxable(company, code)).unwrap_or(true),
    };
    let mut priced = sale.lines(record.get_mut("lines"))?;
    for group in record.get_mut("lineGroups").and_then(Value::as_array_mut).into_iter().flatten() {
        let inner = sale.lines(group.get_mut("lines"))?;
        let total = sum(inner.iter().filter(|line| line.counted).map(|line| line.amount), object)?;
        group["totalAmount"] = money(total);
        priced.extend(inner);
    }
    let subtotal = sum(priced.iter().filter(|line| line.counted).map(|line| line.amount), object)?;
    let taxed = sum(priced.iter().filter(|line| line.counted && line.taxed).map(|line| line.amount), object)?;
    let rate = match &tax_item {
        Some(item) => tax_rate(company, item, object)?,
        None => Decimal::ZERO,
    };
    let tax = cents(rate.times(taxed, object)? / Decimal::ONE_HUNDRED);
    if let (Some(item), None) = (&tax_item, record.get("salesTaxItem").filter(|v| !v.is_null())) {
        record.insert("salesTaxItem".into(), json!({"id": item, "fullName": null}));
    }
    record.insert("subtotal".into(), money(within_limits(subtotal, object)?));
    record.insert("salesTaxPercentage".into(), price(rate));
    record.insert("salesTaxTotal".into(), money(tax));
    record.insert("totalAmount".into(), money(within_limits(subtotal.plus(tax, object)?, object)?));
    Ok(())
}

impl Sale<'_> {
    /// Prices a list of sale lines in order: each may depend on the line
    /// above it, and a subtotal on those since the last subtotal.
    fn lines(&self, lines: Option<&mut Value>) -> Result<Vec<Priced>, Failure> {
        let mut out: Vec<Priced> = Vec::new();
        let mut since_subtotal = Decimal::ZERO;
        for line in lines.and_then(Value::as_array_mut).into_iter().flatten() {
            let above = out.last().map(|line| line.amount);
            let priced = self.line(line, above, since_subtotal)?;
            since_subtotal = match priced.counted {
                true => since_subtotal.plus(priced.amount, self.object)?,
                false => Decimal::ZERO,
            };
            out.push(priced);
        }
        Ok(out)
    }

    fn line(&self, line: &mut Value, above: Option<Decimal>, since_subtotal: Decimal) -> Result<Priced, Failure> {
        let (object, company) = (self.object, self.company);
        let item = ref_id(line, "item").and_then(|id| company.find(id));
        let code = line["salesTaxCode"]["id"].as_str().map(str::to_owned);
        let code = code.or_else(|| item.and_then(|(_, item)| ref_id(item, "salesTaxCode")).map(str::to_owned));
        if let (Some(code), true) = (&code, line["salesTaxCode"].is_null()) {
            line["salesTaxCode"] = json!({"id": code, "fullName": null});
        }
        let taxed = self.taxable && code.as_deref().and_then(|code| is_taxable(company, code)).unwrap_or(false);
        let given = input(&line["amount"], object)?;
        let (amount, counted) = match item {
            Some(("subtotal-items", _)) => (since_subtotal, false),
            Some(("discount-items", discount)) => (discount_amount(line, discount, above, given, object)?, true),
            Some(("sales-tax-items" | "sales-tax-group-items", _)) => {
                let rate = tax_rate(company, ref_id(line, "item").unwrap_or_default(), object)?;
                let amount = match given {
                    Some(amount) => amount,
                    None => cents(rate.times(above.unwrap_or_default(), object)? / Decimal::ONE_HUNDRED),
                };
                (amount, true)
            }
            Some((slug, item)) => {
                let list = sales_price(slug, item).map(|p| self.leveled(line, item, p, object)).transpose()?;
                (priced_line(line, "rate", list, given, object)?, true)
            }
            None => (priced_line(line, "rate", None, given, object)?, true),
        };
        line["amount"] = money(within_limits(amount, object)?);
        Ok(Priced { amount, counted, taxed })
    }

    /// A sales price adjusted by the price level of the line, else the
    /// customer's.
    fn leveled(&self, line: &Value, item: &Value, list: Decimal, object: &str) -> Result<Decimal, Failure> {
        let level = ref_id(line, "priceLevel").map(str::to_owned).or_else(|| self.price_level.clone());
        let Some((_, level)) = level.and_then(|id| self.company.find(&id)) else { return Ok(list) };
        let percent = |value: &Value| decimal(value).map(|pct| pct / Decimal::ONE_HUNDRED + Decimal::ONE);
        if let Some(factor) = percent(&level["fixedPercentage"]) {
            return list.times(factor, object);
        }
        let own = (level["perItemPriceLevels"].as_array().into_iter().flatten())
            .find(|entry| entry["item"]["id"] == item["id"]);
        match own {
            Some(entry) => match (decimal(&entry["customPrice"]), percent(&entry["customPricePercent"])) {
                (Some(custom), _) => Ok(custom),
                (None, Some(factor)) => list.times(factor, object),
                (None, None) => Ok(list),
            },
            None => Ok(list),
        }
    }
}

/// A discount line's amount: what was sent, else its percentage of the
/// line above (the line's `ratePercent`, else the item's), else its flat
/// rate, taken off.
fn discount_amount(
    line: &mut Value,
    discount: &Value,
    above: Option<Decimal>,
    given: Option<Decimal>,
    object: &str,
) -> Result<Decimal, Failure> {
    if let Some(amount) = given {
        return Ok(amount);
    }
    let percent = input(&line["ratePercent"], object)?.or_else(|| decimal(&discount["discountRatePercent"]));
    if let Some(percent) = percent {
        line["ratePercent"] = price(percent);
        let off = percent.times(above.unwrap_or_default(), object)? / Decimal::ONE_HUNDRED;
        return Ok(-cents(off));
    }
    let rate = input(&line["rate"], object)?.or_else(|| decimal(&discount["discountRate"])).unwrap_or_default();
    if line["rate"].is_null() {
        line["rate"] = price(rate);
    }
    Ok(-cents(rate.abs()))
}

/// A line priced from its quantity and its rate (the field `rate_field`:
/// `rate` on sales, `cost` on purchases), or `list` where it gives none;
/// with an amount and a quantity but no rate, the rate they imply.
fn priced_line(
    line: &mut Value,
    rate_field: &str,
    list: Option<Decimal>,
    given: Option<Decimal>,
    object: &str,
) -> Result<Decimal, Failure> {
    let quantity = input(&line["quantity"], object)?;
    let rate = input(&line[rate_field], object)?;
    match (given, rate) {
        (Some(amount), None) => {
            if let Some(quantity) = quantity.filter(|q| !q.is_zero()) {
                let implied = amount.checked_div(quantity).ok_or_else(|| super::refusals::cannot_work_out(object))?;
                line[rate_field] = price(implied);
            }
            Ok(amount)
        }
        (Some(amount), Some(_)) => Ok(amount),
        (None, rate) => {
            let rate = rate.or(list);
            if let (Some(rate), true) = (rate, line[rate_field].is_null()) {
                line[rate_field] = price(rate);
            }
            Ok(cents(quantity.unwrap_or(Decimal::ONE).times(rate.unwrap_or_default(), object)?))
        }
    }
}

/// A purchase's item and expense lines, priced from purchase costs; its
/// total.
fn purchase(company: &Company, object: &str, record: &mut Map<String, Value>) -> Result<Decimal, Failure> {
    let mut total = Decimal::ZERO;
    // A purchase order's lines are `lines`, with a `rate`.
    for (lines, rate_field) in [("itemLines", "cost"), ("lines", "rate")] {
        total = total.plus(item_lines(company, record.get_mut(lines), rate_field, object)?, object)?;
    }
    for group in record.get_mut("itemGroupLines").and_then(Value::as_array_mut).into_iter().flatten() {
        let inner = item_lines(company, group.get_mut("itemLines"), "cost", object)?;
        group["totalAmount"] = money(inner);
        total = total.plus(inner, object)?;
    }
    total = total.plus(lines_total(record.get_mut("expenseLines"), object)?, object)?;
    within_limits(total, object)
}

fn item_lines(
    company: &Company,
    lines: Option<&mut Value>,
    rate_field: &str,
    object: &str,
) -> Result<Decimal, Failure> {
    let mut total = Decimal::ZERO;
    for line in lines.and_then(Value::as_array_mut).into_iter().flatten() {
        let item = ref_id(line, "item").and_then(|id| company.find(id));
        let cost = item.and_then(|(slug, item)| purchase_cost(slug, item));
        let given = input(&line["amount"], object)?;
        let amount = within_limits(priced_line(line, rate_field, cost, given, object)?, object)?;
        line["amount"] = money(amount);
        total = total.plus(amount, object)?;
    }
    Ok(total)
}

/// An item's sales price.
fn sales_price(slug: &str, item: &Value) -> Option<Decimal> {
    match slug {
        "inventory-items" | "inventory-assembly-items" => decimal(&item["salesPrice"]),
        _ => decimal(&item["salesAndPurchaseDetails"]["salesPrice"])
            .or_else(|| decimal(&item["salesOrPurchaseDetails"]["price"])),
    }
}

/// An item's purchase cost.
fn purchase_cost(slug: &str, item: &Value) -> Option<Decimal> {
    match slug {
        "inventory-items" | "inventory-assembly-items" => decimal(&item["purchaseCost"]),
        _ => decimal(&item["salesAndPurchaseDetails"]["purchaseCost"])
            .or_else(|| decimal(&item["salesOrPurchaseDetails"]["price"])),
    }
}

/// The rate, in percent, of a sales-tax item, or of a group: its items'
/// rates added up.
fn tax_rate(company: &Company, id: &str, object: &str) -> Result<Decimal, Failure> {
    match company.find(id) {
        Some(("sales-tax-items", item)) => Ok(field(item, "taxRate")),
        Some(("sales-tax-group-items", group)) => {
            let members = group["salesTaxItems"].as_array().into_iter().flatten();
            let rates: Vec<Decimal> = members
                .filter_map(|member| member["id"].as_str())
                .filter_map(|member| company.get("sales-tax-items", member))
                .map(|item| field(item, "taxRate"))
                .collect();
            sum(rates, object)
        }
        _ => Ok(Decimal::ZERO),
    }
}

/// Whether a sales-tax code taxes; `None` when there is no such code.
fn is_taxable(company: &Company, code: &str) -> Option<bool> {
    company.get("sales-tax-codes", code).map(|code| code["isTaxable"] == true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(value: Value) -> Map<String, Value> {
        let Value::Object(map) = value else { unreachable!() };
        map
    }

    fn company() -> Company {
        let mut company = Company::default();
        company.put(
            "service-items",
            json!({"id": "S", "salesOrPurchaseDetails": {"price": "40.00"}, "salesTaxCode": {"id": "TAX"}}),
        );
        company.put("service-items", json!({"id": "N", "salesOrPurchaseDetails": {"price": "10.00"}}));
        company.put("subtotal-items", json!({"id": "SUB"}));
        company.put("discount-items", json!({"id": "PCT", "discountRatePercent": "10"}));
        company.put("discount-items", json!({"id": "FLAT", "discountRate": "5.00"}));
        company.put("sales-tax-codes", json!({"id": "TAX", "isTaxable": true}));
        company.put("sales-tax-codes", json!({"id": "NON", "isTaxable": false}));
        company.put("sales-tax-items", json!({"id": "T1", "taxRate": "6.25"}));
        company.put("sales-tax-items", json!({"id": "T2", "taxRate": "1.5"}));
        company.put("sales-tax-group-items", json!({"id": "G", "salesTaxItems": [{"id": "T1"}, {"id": "T2"}]}));
        company.put("customers", json!({"id": "C", "salesTaxItem": {"id": "T1"}, "priceLevel": {"id": "L"}}));
        company.put("price-levels", json!({"id": "L", "fixedPercentage": "-10"}));
        company
    }

    #[test]
    fn lines_are_priced_from_their_items_and_taxed() {
        let company = company();
        let mut invoice = fields(json!({"customer": {"id": "C"}, "lines": [
            {"item": {"id": "S"}, "quantity": 2},                 // 2 × 36.00 (40.00 less 10%): 72.00, taxed
            {"item": {"id": "N"}, "quantity": 3, "amount": "31.50"}, // rate 10.5, not taxed
            {"item": {"id": "SUB"}},                               // 103.50, not counted
            {"item": {"id": "PCT"}},                               // -10.35 (10% of the subtotal)
            {"item": {"id": "FLAT"}},                              // -5.00
        ]}));
        price_transaction(&company, "invoices", "Invoice", &mut invoice).unwrap();
        let lines = invoice["lines"].as_array().unwrap();
        let amounts: Vec<&str> = lines.iter().map(|l| l["amount"].as_str().unwrap()).collect();
        assert_eq!(amounts, ["72.00", "31.50", "103.50", "-10.35", "-5.00"]);
        assert_eq!((lines[0]["rate"].as_str(), lines[1]["rate"].as_str()), (Some("36"), Some("10.5")));
        // 72.00 + 31.50 - 10.35 - 5.00; tax 6.25% of the taxed 72.00 = 4.50.
        assert_eq!(invoice["subtotal"], "88.15");
        assert_eq!(
            (invoice["salesTaxTotal"].as_str(), invoice["salesTaxPercentage"].as_str()),
            (Some("4.50"), Some("6.25"))
        );
        assert_eq!(invoice["totalAmount"], "92.65");
        assert_eq!(invoice["salesTaxItem"]["id"], "T1", "the customer's");
    }

    #[test]
    fn a_group_taxes_at_its_items_rates_and_a_non_taxable_code_taxes_nothing() {
        let company = company();
        let mut invoice = fields(
            json!({"customer": {"id": "C"}, "salesTaxItem": {"id": "G"}, "lines": [{"item": {"id": "S"}, "rate": "100", "quantity": 1}]}),
        );
        price_transaction(&company, "invoices", "Invoice", &mut invoice).unwrap();
        assert_eq!(
            (invoice["salesTaxTotal"].as_str(), invoice["totalAmount"].as_str()),
            (Some("7.75"), Some("107.75"))
        );
        let mut exempt = fields(
            json!({"customer": {"id": "C"}, "salesTaxCode": {"id": "NON"}, "lines": [{"item": {"id": "S"}, "rate": "100"}]}),
        );
        price_transaction(&company, "invoices", "Invoice", &mut exempt).unwrap();
        assert_eq!((exempt["salesTaxTotal"].as_str(), exempt["totalAmount"].as_str()), (Some("0.00"), Some("100.00")));
    }

    #[test]
    fn purchases_and_deposits_add_up() {
        let mut company = company();
        company.put("inventory-items", json!({"id": "W", "purchaseCost": "2.5"}));
        let mut bill =
            fields(json!({"itemLines": [{"item": {"id": "W"}, "quantity": 4}], "expenseLines": [{"amount": "100"}]}));
        price_transaction(&company, "bills", "Bill", &mut bill).unwrap();
        assert_eq!(
            (bill["itemLines"][0]["amount"].as_str(), bill["amountDue"].as_str()),
            (Some("10.00"), Some("110.00"))
        );
        let mut deposit = fields(json!({"lines": [{"amount": "100.00"}], "cashBack": {"amount": "20.00"}}));
        price_transaction(&company, "deposits", "Deposit", &mut deposit).unwrap();
        assert_eq!(deposit["totalAmount"], "80.00");
    }

    #[test]
    fn amounts_beyond_what_quickbooks_keeps_are_refused() {
        let company = company();
        let mut huge = fields(json!({"lines": [{"quantity": 1e20, "rate": "1000000000"}]}));
        assert_eq!(
            price_transaction(&company, "invoices", "Invoice", &mut huge).unwrap_err().integration_code.as_deref(),
            Some("3180")
        );
        let mut two = fields(
            json!({"lines": [{"amount": "79228162514264337593543950335"}, {"amount": "79228162514264337593543950335"}]}),
        );
        assert!(price_transaction(&company, "invoices", "Invoice", &mut two).is_err());
        let mut wide = fields(json!({"lines": [{"amount": "123456789012345678901234567890"}]}));
        assert!(price_transaction(&company, "invoices", "Invoice", &mut wide).is_err(), "30 digits are not left out");
    }
}
