//! `Amount` to and from `bigdecimal::BigDecimal` (feature `bigdecimal`).

use std::str::FromStr;

use bigdecimal::BigDecimal;

use super::{Amount, InvalidValue};

impl From<BigDecimal> for Amount {
    /// The decimal's plain text, never in exponent form:
    /// `BigDecimal::new(150.into(), 2)` is `"1.50"`.
    fn from(value: BigDecimal) -> Self {
        Amount(value.to_plain_string().into_boxed_str())
    }
}

impl TryFrom<&Amount> for BigDecimal {
    type Error = InvalidValue;

    /// The amount's exact value; an error when the text is not a decimal.
    fn try_from(amount: &Amount) -> Result<Self, InvalidValue> {
        let text = amount.check()?.as_str();
        BigDecimal::from_str(text).map_err(|_| InvalidValue::new(text, "an amount a BigDecimal holds"))
    }
}

impl TryFrom<Amount> for BigDecimal {
    type Error = InvalidValue;

    fn try_from(amount: Amount) -> Result<Self, InvalidValue> {
        BigDecimal::try_from(&amount)
    }
}

#[cfg(test)]
mod tests {
    use bigdecimal::num_bigint::BigInt;
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn the_scale_is_kept() {
        assert_eq!(Amount::from(BigDecimal::new(BigInt::from(150), 2)).as_str(), "1.50");
        assert_eq!(Amount::from(BigDecimal::new(BigInt::from(15), -3)).as_str(), "15000");
        let long: Amount = "123456789012345678901234567890.123456789012345678901".parse().unwrap();
        assert_eq!(Amount::from(BigDecimal::try_from(&long).unwrap()), long);
    }

    proptest! {
        #[test]
        fn any_bigdecimal_converts_to_an_amount_and_back(digits in "-?[1-9][0-9]{0,40}", scale in -10i64..40) {
            let value = BigDecimal::new(BigInt::from_str(&digits).unwrap(), scale);
            let amount = Amount::from(value.clone());
            prop_assert!(amount.is_valid(), "{}", amount.as_str());
            prop_assert_eq!(BigDecimal::try_from(&amount).unwrap(), value);
        }
    }
}
