//! `Amount` to and from `rust_decimal::Decimal` (feature `rust_decimal`).

use rust_decimal::Decimal;

use super::{Amount, InvalidValue};

impl From<Decimal> for Amount {
    /// The decimal's text, with its scale: `Decimal::new(150, 2)` is
    /// `"1.50"`.
    fn from(value: Decimal) -> Self {
        Amount(value.to_string().into_boxed_str())
    }
}

impl TryFrom<&Amount> for Decimal {
    type Error = InvalidValue;

    /// The amount's exact value, with its scale where a `Decimal` can keep
    /// it; an error when the text is not a decimal, or its value needs more
    /// than the 28 digits a `Decimal` holds (nothing is rounded). Zeros at
    /// the end of the fraction are dropped where they do not fit:
    /// `"1.000000000000000000000000000000"` is 1, to 28 places.
    fn try_from(amount: &Amount) -> Result<Self, InvalidValue> {
        let text = amount.check()?.as_str();
        let refused = || InvalidValue::new(text, "an amount a rust_decimal::Decimal holds exactly");
        if let Ok(exact) = Decimal::from_str_exact(text) {
            return Ok(exact);
        }
        let Some((whole, fraction)) = text.split_once('.') else { return Err(refused()) };
        let significant = fraction.trim_end_matches('0');
        // As many of the trailing zeros as still fit.
        for keep in (significant.len()..=fraction.len().min(28)).rev() {
            let shorter = if keep == 0 { whole.to_owned() } else { format!("{whole}.{}", &fraction[..keep]) };
            if let Ok(exact) = Decimal::from_str_exact(&shorter) {
                return Ok(exact);
            }
        }
        Err(refused())
    }
}

impl TryFrom<Amount> for Decimal {
    type Error = InvalidValue;

    fn try_from(amount: Amount) -> Result<Self, InvalidValue> {
        Decimal::try_from(&amount)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn the_scale_is_kept_and_nothing_is_rounded() {
        assert_eq!(Amount::from(Decimal::new(150, 2)).as_str(), "1.50");
        assert_eq!(Decimal::try_from("0.585".parse::<Amount>().unwrap()).unwrap(), Decimal::new(585, 3));
        let too_precise: Amount = "0.12345678901234567890123456789".parse().unwrap();
        assert!(Decimal::try_from(&too_precise).is_err());
        // Exactly one, written with 30 places.
        let one: Amount = "1.000000000000000000000000000000".parse().unwrap();
        let decimal = Decimal::try_from(&one).unwrap();
        assert_eq!((decimal, decimal.scale()), (Decimal::ONE, 28));
        let cents: Amount = "-12.3400000000000000000000000000000".parse().unwrap();
        assert_eq!(Decimal::try_from(&cents).unwrap(), Decimal::new(-1234, 2));
        let invalid: Amount = serde_json::from_str("\"n/a\"").unwrap();
        assert_eq!(Decimal::try_from(invalid).unwrap_err().text(), "n/a");
    }

    proptest! {
        #[test]
        fn any_decimal_converts_to_an_amount_and_back(mantissa in any::<i64>(), scale in 0u32..=28) {
            let value = Decimal::new(mantissa, scale);
            let amount = Amount::from(value);
            prop_assert!(amount.is_valid());
            let back = Decimal::try_from(&amount).unwrap();
            prop_assert_eq!(back, value);
            prop_assert_eq!(back.scale(), value.scale());
        }

        #[test]
        fn the_largest_decimals_convert_too(lo in any::<u32>(), mid in any::<u32>(), hi in any::<u32>(), negative in any::<bool>(), scale in 0u32..=28) {
            let value = Decimal::from_parts(lo, mid, hi, negative, scale);
            prop_assert_eq!(Decimal::try_from(Amount::from(value)).unwrap(), value);
        }
    }
}
