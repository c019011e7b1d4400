//! Decimal arithmetic as QuickBooks does it, on exact decimals, never
//! floats: text in, text out. Every sum and product is checked: a value
//! that cannot be worked out exactly is refused, never rounded away, never
//! left out, never a panic.

use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{Value, json};

use super::refusals;
use crate::failure::Failure;

/// The most digits QuickBooks keeps before the decimal point of an amount,
/// as the description states it.
const AMOUNT_DIGITS: u32 = 13;

/// A decimal string or JSON number as a decimal; `None` when it is neither,
/// or holds more than a decimal does.
pub(crate) fn decimal(value: &Value) -> Option<Decimal> {
    match value {
        Value::String(text) => Decimal::from_str(text).ok(),
        Value::Number(number) => {
            let text = number.to_string();
            Decimal::from_str(&text).or_else(|_| Decimal::from_scientific(&text)).ok()
        }
        _ => None,
    }
}

/// A field of a record as a decimal, zero when it has none.
pub(crate) fn field(record: &Value, name: &str) -> Decimal {
    decimal(&record[name]).unwrap_or_default()
}

/// A numeric input as a decimal: `Ok(None)` when absent or null, refused
/// when it is a number no decimal holds (`1e40`).
pub(crate) fn input(value: &Value, object: &str) -> Result<Option<Decimal>, Failure> {
    match value {
        Value::Null => Ok(None),
        other => decimal(other).map(Some).ok_or_else(|| refusals::cannot_work_out(object)),
    }
}

/// Money rounded to the cent, as QuickBooks rounds it (half away from
/// zero).
pub(crate) fn cents(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// An amount as QuickBooks writes money: two places, `"-100.00"`.
pub(crate) fn money(amount: Decimal) -> Value {
    let rounded = cents(amount);
    // `-0.00` is written `0.00`.
    let rounded = if rounded.is_zero() { Decimal::ZERO } else { rounded };
    json!(format!("{rounded:.2}"))
}

/// A rate or price QuickBooks worked out: up to five places, without
/// trailing zeros (`"12.5"`).
pub(crate) fn price(amount: Decimal) -> Value {
    let rounded = amount.round_dp_with_strategy(5, RoundingStrategy::MidpointAwayFromZero).normalize();
    json!(rounded.to_string())
}

/// A quantity as the description types it: a JSON number.
pub(crate) fn quantity(amount: Decimal) -> Value {
    let text = amount.normalize().to_string();
    serde_json::from_str::<Value>(&text).unwrap_or(json!(0))
}

/// Checked arithmetic: every step of a sum or product, refused when it
/// overflows what a decimal holds.
pub(crate) trait Checked: Sized {
    fn plus(self, other: Decimal, object: &str) -> Result<Decimal, Failure>;
    fn minus(self, other: Decimal, object: &str) -> Result<Decimal, Failure>;
    fn times(self, other: Decimal, object: &str) -> Result<Decimal, Failure>;
}

impl Checked for Decimal {
    fn plus(self, other: Decimal, object: &str) -> Result<Decimal, Failure> {
        self.checked_add(other).ok_or_else(|| refusals::cannot_work_out(object))
    }

    fn minus(self, other: Decimal, object: &str) -> Result<Decimal, Failure> {
        self.checked_sub(other).ok_or_else(|| refusals::cannot_work_out(object))
    }

    fn times(self, other: Decimal, object: &str) -> Result<Decimal, Failure> {
        self.checked_mul(other).ok_or_else(|| refusals::cannot_work_out(object))
    }
}

/// The sum of `amounts`, checked.
pub(crate) fn sum(amounts: impl IntoIterator<Item = Decimal>, object: &str) -> Result<Decimal, Failure> {
    amounts.into_iter().try_fold(Decimal::ZERO, |total, amount| total.plus(amount, object))
}

/// An amount QuickBooks can keep: at most 13 digits before the decimal
/// point, refused otherwise.
pub(crate) fn within_limits(amount: Decimal, object: &str) -> Result<Decimal, Failure> {
    let limit = Decimal::from(10u64.pow(AMOUNT_DIGITS));
    match amount.abs() < limit {
        true => Ok(amount),
        false => Err(refusals::amount_too_large(object, amount)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_exact_and_written_as_money() {
        assert_eq!(decimal(&json!("0.1")).unwrap() + decimal(&json!("0.2")).unwrap(), Decimal::new(3, 1));
        assert_eq!(decimal(&json!(1e20)), Some(Decimal::from(100_000_000_000_000_000_000u128)));
        assert_eq!(decimal(&json!(1e40)), None, "more than a decimal holds");
        assert_eq!(money(Decimal::new(-0, 2)), "0.00");
        assert_eq!(money(Decimal::from(100)), "100.00");
        assert_eq!(money(Decimal::new(1005, 3)), "1.01");
        assert_eq!(price(Decimal::new(125000, 4)), "12.5");
        assert_eq!(quantity(Decimal::new(25, 1)), json!(2.5));
    }

    #[test]
    fn arithmetic_is_checked() {
        let max = Decimal::MAX;
        assert!(max.plus(Decimal::ONE, "Invoice").is_err());
        assert!(max.times(Decimal::TWO, "Invoice").is_err());
        assert!(sum([max, max], "Invoice").is_err());
        assert_eq!(sum([Decimal::ONE, Decimal::TWO], "Invoice").unwrap(), Decimal::from(3));
        assert!(within_limits(Decimal::from(10_000_000_000_000u64), "Invoice").is_err());
        assert!(within_limits(Decimal::from(9_999_999_999_999u64), "Invoice").is_ok());
    }
}
