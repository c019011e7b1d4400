//! `Amount` to and from `bigdecimal::BigDecimal` (feature `bigdecimal`).

use std::str::FromStr;

use bigdecimal::BigDecimal;

use super::{Amount, InvalidValue};

/// The most characters an amount made from a `BigDecimal` may have: a
/// `BigDecimal` can stand for a number whose plain text would not fit in
/// memory (`1e4000000000`), and an amount is plain text.
const MAX_AMOUNT_CHARACTERS: u64 = 1_000;

impl TryFrom<&BigDecimal> for Amount {
    type Error = InvalidValue;

    /// The decimal's plain text, never in exponent form:
    /// `BigDecimal::new(150.into(), 2)` is `"1.50"`; an error, before any
    /// of it is written, when that text would be longer than 1,000
    /// characters.
    fn try_from(value: &BigDecimal) -> Result<Self, InvalidValue> {
        let digits = value.digits();
        let scale = value.fractional_digit_count();
        // Digits, the zeros a negative scale adds or a positive one puts
        // before them, the point and the sign.
        let length = match scale {
            ..=0 => digits.saturating_add(scale.unsigned_abs()),
            _ => digits.max(scale.unsigned_abs().saturating_add(1)).saturating_add(1),
        }
        .saturating_add(1);
        if length > MAX_AMOUNT_CHARACTERS {
            let shown = format!("a BigDecimal of {digits} digits and scale {scale}");
            return Err(InvalidValue::new(shown, "an amount of at most 1,000 characters"));
        }
        Ok(Amount(value.to_plain_string().into_boxed_str()))
    }
}

impl TryFrom<BigDecimal> for Amount {
    type Error = InvalidValue;

    fn try_from(value: BigDecimal) -> Result<Self, InvalidValue> {
        Amount::try_from(&value)
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
        assert_eq!(Amount::try_from(BigDecimal::new(BigInt::from(150), 2)).unwrap().as_str(), "1.50");
        assert_eq!(Amount::try_from(BigDecimal::new(BigInt::from(15), -3)).unwrap().as_str(), "15000");
        let long: Amount = "123456789012345678901234567890.123456789012345678901".parse().unwrap();
        assert_eq!(Amount::try_from(BigDecimal::try_from(&long).unwrap()).unwrap(), long);
    }

    #[test]
    fn a_number_too_long_to_write_is_refused_before_it_is_written() {
        // Each would be a string of 4 GB, or 100 MB, written out.
        for text in ["1e4000000000", "1e100000000", "1e-100000000"] {
            let huge = BigDecimal::from_str(text).unwrap();
            assert!(Amount::try_from(&huge).is_err(), "{text}");
        }
        let widest = BigDecimal::from_str("1e998").unwrap();
        assert_eq!(Amount::try_from(&widest).unwrap().as_str().len(), 999);
    }

    proptest! {
        #[test]
        fn any_bigdecimal_converts_to_an_amount_and_back(digits in "-?[1-9][0-9]{0,40}", scale in -10i64..40) {
            let value = BigDecimal::new(BigInt::from_str(&digits).unwrap(), scale);
            let amount = Amount::try_from(value.clone()).unwrap();
            prop_assert!(amount.is_valid(), "{}", amount.as_str());
            prop_assert_eq!(BigDecimal::try_from(&amount).unwrap(), value);
        }
    }
}
