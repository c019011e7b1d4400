//! QuickBooks' values as Rust types that keep Conductor's exact text:
//! [`Amount`] for decimal strings, [`Date`] for dates and [`DateTime`] for
//! timestamps.
//!
//! Each is strict to build (`"1O.00".parse::<Amount>()` is an error) and
//! lenient to decode: a value Conductor sends that is not what its type
//! says still decodes, keeps its text, and says so from `is_valid()` and
//! `check()`, so one odd field never costs a whole page of records.
//! Serializing writes the text back exactly as it was decoded.
//!
//! Conversions to and from the crates you already use are behind cargo
//! features named after them: `rust_decimal`, `bigdecimal`, `jiff`,
//! `chrono` and `time`. Going from your type to ours is `From`; going back
//! is `TryFrom`, since decoded text may be invalid.

mod amount;
mod date;
mod date_time;
mod text;

#[cfg(feature = "bigdecimal")]
mod with_bigdecimal;
#[cfg(feature = "chrono")]
mod with_chrono;
#[cfg(feature = "jiff")]
mod with_jiff;
#[cfg(feature = "rust_decimal")]
mod with_rust_decimal;
#[cfg(feature = "time")]
mod with_time;

pub use self::amount::Amount;
pub use self::date::Date;
pub use self::date_time::DateTime;

/// A text that is not the value its type holds, or a value another type
/// cannot hold: what building an [`Amount`], [`Date`] or [`DateTime`]
/// refuses, what `check()` reports for a decoded one, and why a conversion
/// failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} is not {expected}")]
pub struct InvalidValue {
    text: String,
    expected: &'static str,
}

impl InvalidValue {
    pub(crate) fn new(text: impl Into<String>, expected: &'static str) -> Self {
        InvalidValue { text: text.into(), expected }
    }

    /// The text that was refused.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// What it should have been, as in `a date (YYYY-MM-DD)`.
    pub fn expected(&self) -> &'static str {
        self.expected
    }
}

impl From<InvalidValue> for crate::Error {
    fn from(invalid: InvalidValue) -> Self {
        crate::Error::invalid_input("value", invalid.to_string())
    }
}

/// The text of a value decoded from JSON: any JSON string is kept, whatever
/// it holds.
fn decode_text<'de, D, T>(deserializer: D, expecting: &'static str, make: fn(Box<str>) -> T) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
{
    struct TextVisitor<T> {
        expecting: &'static str,
        make: fn(Box<str>) -> T,
    }

    impl<T> serde::de::Visitor<'_> for TextVisitor<T> {
        type Value = T;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "a string holding {}", self.expecting)
        }

        fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<T, E> {
            Ok((self.make)(text.into()))
        }
    }

    deserializer.deserialize_str(TextVisitor { expecting, make })
}
