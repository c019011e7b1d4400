//! [`Amount`]: a decimal string, as Conductor sends prices, rates,
//! quantities of money, balances and totals.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use super::InvalidValue;

const EXPECTED: &str = "a decimal amount such as \"1234.50\" or \"-0.585\"";

/// A decimal amount exactly as Conductor writes it: `"1000.00"`, `"27"`,
/// `"0.585"`.
///
/// It keeps the text it was decoded from, so serializing it gives back the
/// same string (`"27"` stays `"27"`, `"27.00"` stays `"27.00"`), and no
/// float ever rounds it. Equality, ordering and hashing go by value:
/// `"1.0" == "1.00"`, and both hash alike.
///
/// ```
/// use conductor::Amount;
///
/// let price: Amount = "19.90".parse()?;
/// assert_eq!(price.as_str(), "19.90");
/// assert_eq!(price, "19.9".parse()?);
/// assert!("1e3".parse::<Amount>().is_err());
/// assert_eq!(Amount::from(250).as_str(), "250");
/// # Ok::<(), conductor::InvalidValue>(())
/// ```
///
/// Building one is strict: [`FromStr`] accepts an optional `-`, digits,
/// and optionally `.` and more digits, nothing else. Decoding is lenient: a
/// value Conductor sends that is not a decimal still decodes and keeps its
/// text; [`is_valid`](Amount::is_valid) and [`check`](Amount::check) say
/// so. Invalid amounts sort after every valid one and equal only the same
/// text.
///
/// With the `rust_decimal` or `bigdecimal` feature, `Amount::from(decimal)`
/// and `Decimal::try_from(amount)` convert.
#[derive(Clone)]
pub struct Amount(pub(super) Box<str>);

/// The parts of a valid decimal: its sign, its integer digits without
/// leading zeros and its fraction digits without trailing zeros. Zero is
/// never negative.
#[derive(PartialEq, Eq, Hash)]
struct Value<'a> {
    negative: bool,
    integer: &'a str,
    fraction: &'a str,
}

fn parse(text: &str) -> Option<Value<'_>> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (integer, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    if integer.is_empty() || !all_digits(integer) || !all_digits(fraction) || digits.ends_with('.') {
        return None;
    }
    let integer = integer.trim_start_matches('0');
    let fraction = fraction.trim_end_matches('0');
    let zero = integer.is_empty() && fraction.is_empty();
    Some(Value { negative: negative && !zero, integer, fraction })
}

impl Value<'_> {
    fn cmp_magnitude(&self, other: &Self) -> Ordering {
        (self.integer.len().cmp(&other.integer.len()))
            .then_with(|| self.integer.cmp(other.integer))
            .then_with(|| self.fraction.cmp(other.fraction))
    }
}

impl Ord for Value<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.negative, other.negative) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => self.cmp_magnitude(other),
            (true, true) => other.cmp_magnitude(self),
        }
    }
}

impl PartialOrd for Value<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Amount {
    /// The text, exactly as decoded or built.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the text is a decimal amount. Always true for an amount you
    /// built; false for a decoded one Conductor sent as something else.
    pub fn is_valid(&self) -> bool {
        parse(&self.0).is_some()
    }

    /// The amount itself when its text is a decimal, else what is wrong:
    /// the checked way to read a decoded amount.
    ///
    /// ```
    /// # use conductor::Amount;
    /// let total: Amount = serde_json::from_str("\"n/a\"").unwrap();
    /// assert_eq!(total.as_str(), "n/a");
    /// assert!(total.check().is_err());
    /// ```
    pub fn check(&self) -> Result<&Amount, InvalidValue> {
        match self.is_valid() {
            true => Ok(self),
            false => Err(InvalidValue::new(&*self.0, EXPECTED)),
        }
    }

    /// Whether the amount is zero (`"0"`, `"0.00"`, `"-0.00"`).
    pub fn is_zero(&self) -> bool {
        parse(&self.0).is_some_and(|value| value.integer.is_empty() && value.fraction.is_empty())
    }

    /// Whether the amount is below zero.
    pub fn is_negative(&self) -> bool {
        parse(&self.0).is_some_and(|value| value.negative)
    }
}

impl FromStr for Amount {
    type Err = InvalidValue;

    fn from_str(text: &str) -> Result<Self, InvalidValue> {
        match parse(text) {
            Some(_) => Ok(Amount(text.into())),
            None => Err(InvalidValue::new(text, EXPECTED)),
        }
    }
}

impl TryFrom<&str> for Amount {
    type Error = InvalidValue;

    fn try_from(text: &str) -> Result<Self, InvalidValue> {
        text.parse()
    }
}

impl TryFrom<String> for Amount {
    type Error = InvalidValue;

    fn try_from(text: String) -> Result<Self, InvalidValue> {
        match parse(&text) {
            Some(_) => Ok(Amount(text.into_boxed_str())),
            None => Err(InvalidValue::new(text, EXPECTED)),
        }
    }
}

macro_rules! from_integers {
    ($($int:ty),*) => {$(
        impl From<$int> for Amount {
            /// A whole amount, written without a fraction (`250`).
            fn from(value: $int) -> Self {
                Amount(value.to_string().into_boxed_str())
            }
        }
    )*};
}

from_integers!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize);

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

impl fmt::Debug for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Amount({:?})", &*self.0)
    }
}

impl PartialEq for Amount {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Amount {}

impl Ord for Amount {
    /// By value; an invalid amount after every valid one, and invalid ones
    /// by their text.
    fn cmp(&self, other: &Self) -> Ordering {
        match (parse(&self.0), parse(&other.0)) {
            (Some(a), Some(b)) => a.cmp(&b),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => self.0.cmp(&other.0),
        }
    }
}

impl PartialOrd for Amount {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Hash for Amount {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match parse(&self.0) {
            Some(value) => value.hash(state),
            None => (0xff_u8, &*self.0).hash(state),
        }
    }
}

impl serde::Serialize for Amount {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Amount {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        super::decode_text(deserializer, EXPECTED, Amount)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::hash_map::DefaultHasher;

    use proptest::prelude::*;

    use super::*;

    fn amount(text: &str) -> Amount {
        text.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    fn hash(amount: &Amount) -> u64 {
        let mut hasher = DefaultHasher::new();
        amount.hash(&mut hasher);
        hasher.finish()
    }

    #[test]
    fn building_is_strict() {
        for good in ["0", "27", "0.585", "3.245", "1000.00", "-12.5", "-0.00", "007.10"] {
            assert_eq!(amount(good).as_str(), good);
        }
        for bad in ["", "-", ".", "1.", ".5", "+1", "1e3", "1,000.00", " 1", "1 ", "0x10", "NaN", "inf", "1.2.3", "--1"]
        {
            let error = bad.parse::<Amount>().unwrap_err();
            assert_eq!(error.text(), bad);
            assert!(error.to_string().contains("is not a decimal amount"), "{error}");
        }
    }

    #[test]
    fn equality_ordering_and_hash_go_by_value() {
        assert_eq!(amount("1.0"), amount("1.00"));
        assert_eq!(hash(&amount("1.0")), hash(&amount("1.00")));
        assert_eq!(amount("-0.00"), amount("0"));
        assert_eq!(hash(&amount("-0.00")), hash(&amount("0")));
        assert_eq!(amount("007.10"), amount("7.1"));
        let mut sorted = ["10", "9.99", "-1", "-10.5", "0.585", "0.5850", "0", "100.01"].map(amount);
        sorted.sort();
        let texts: Vec<&str> = sorted.iter().map(Amount::as_str).collect();
        assert_eq!(texts, ["-10.5", "-1", "0", "0.585", "0.5850", "9.99", "10", "100.01"]);
        assert_ne!(amount("0.1"), amount("0.01"));
    }

    #[test]
    fn decoding_is_lenient_and_keeps_the_text() {
        let decoded: Amount = serde_json::from_str("\"12,50 €\"").unwrap();
        assert_eq!(decoded.as_str(), "12,50 €");
        assert!(!decoded.is_valid());
        assert_eq!(decoded.check().unwrap_err().text(), "12,50 €");
        assert!(decoded > amount("1000000"));
        assert_eq!(serde_json::to_string(&decoded).unwrap(), "\"12,50 €\"");
        // Not a string at all is still a decode error.
        assert!(serde_json::from_str::<Amount>("12.5").is_err());
    }

    #[test]
    fn integers_convert_exactly() {
        assert_eq!(Amount::from(-7_i64).as_str(), "-7");
        assert_eq!(Amount::from(u128::MAX).as_str(), u128::MAX.to_string());
        assert!(Amount::from(0_u8).is_zero() && Amount::from(-3).is_negative());
    }

    proptest! {
        #[test]
        fn any_decimal_string_round_trips(text in "-?[0-9]{1,30}(\\.[0-9]{1,12})?") {
            let built: Amount = text.parse().unwrap();
            prop_assert_eq!(built.as_str(), text.as_str());
            let json = serde_json::to_string(&built).unwrap();
            let decoded: Amount = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(decoded.as_str(), text.as_str());
            prop_assert_eq!(&decoded, &built);
        }

        #[test]
        fn equal_values_hash_alike(integer in "[0-9]{1,12}", fraction in "[0-9]{0,6}", zeros in 0usize..4, leading in 0usize..3) {
            let plain = if fraction.is_empty() { integer.clone() } else { format!("{integer}.{fraction}") };
            let padded = format!("{}{integer}.{fraction}{}", "0".repeat(leading), "0".repeat(zeros + 1));
            let (a, b) = (amount(&plain), amount(&padded));
            prop_assert_eq!(&a, &b);
            prop_assert_eq!(hash(&a), hash(&b));
            prop_assert_eq!(a.cmp(&b), Ordering::Equal);
        }

        #[test]
        fn ordering_agrees_with_the_numbers(a in -1_000_000_000_i64..1_000_000_000, b in -1_000_000_000_i64..1_000_000_000, scale in 0u32..4) {
            let text = |n: i64| {
                let divisor = 10_i64.pow(scale);
                let sign = if n < 0 { "-" } else { "" };
                match scale {
                    0 => n.to_string(),
                    _ => format!("{sign}{}.{:0width$}", n.abs() / divisor, n.abs() % divisor, width = scale as usize),
                }
            };
            prop_assert_eq!(amount(&text(a)).cmp(&amount(&text(b))), a.cmp(&b));
        }
    }
}
