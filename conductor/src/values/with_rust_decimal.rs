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

    /// The amount's exact value; an error when the text is not a decimal
    /// or needs more than the 28 digits a `Decimal` holds (nothing is
    /// rounded).
    fn try_from(amount: &Amount) -> Result<Self, InvalidValue> {
        let text = amount.check()?.as_str();
        Decimal::from_str_exact(text)
            .map_err(|_| InvalidValue::new(text, "an amount a rust_decimal::Decimal holds exactly"))
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
