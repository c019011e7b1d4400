//! [`Date`]: a QuickBooks date, `YYYY-MM-DD`, with no time and no zone.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use super::InvalidValue;
use super::text::{self, Ymd};

const EXPECTED: &str = "a date (YYYY-MM-DD)";

/// A calendar date as QuickBooks keeps it: `"2024-10-01"`, with no time of
/// day and no time zone (QuickBooks reads it in the company file's local
/// time, so a zone would be invented).
///
/// ```
/// use conductor::Date;
///
/// let due = Date::new(2024, 10, 31)?;
/// assert_eq!(due.as_str(), "2024-10-31");
/// assert_eq!(due, "2024-10-31".parse()?);
/// assert!("2024-02-30".parse::<Date>().is_err());
/// assert!(Date::new(2024, 10, 1)? < due);
/// # Ok::<(), conductor::InvalidValue>(())
/// ```
///
/// Building one is strict: exactly `YYYY-MM-DD`, a real day of a real
/// month (a year outside 0000 to 9999, which only other crates' dates
/// have, is written as ISO 8601 expands it: `-000044-03-15`). Decoding is lenient: a value Conductor sends
/// that is not such a date still decodes and keeps its text;
/// [`is_valid`](Date::is_valid) and [`check`](Date::check) say so. Dates
/// sort by day, invalid ones after every valid one.
///
/// With the `jiff`, `chrono` or `time` feature, `Date::from(date)` and
/// `TryFrom<Date>` convert to and from `jiff::civil::Date`,
/// `chrono::NaiveDate` and `time::Date`.
#[derive(Clone)]
pub struct Date(Box<str>);

impl Date {
    /// The date of `year`, `month` (1 to 12) and `day` (1 to 31), when it
    /// exists.
    pub fn new(year: i32, month: u8, day: u8) -> Result<Date, InvalidValue> {
        match text::ymd(year, month, day) {
            Some(date) => Ok(Date::from_ymd(date)),
            None => Err(InvalidValue::new(format!("{year:04}-{month:02}-{day:02}"), EXPECTED)),
        }
    }

    pub(crate) fn from_ymd(date: Ymd) -> Date {
        Date(text::write_date(date).into_boxed_str())
    }

    pub(crate) fn ymd(&self) -> Option<Ymd> {
        text::date(&self.0)
    }

    /// The text, exactly as decoded or built.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the text is a date. Always true for a date you built.
    pub fn is_valid(&self) -> bool {
        self.ymd().is_some()
    }

    /// The date itself when its text is one, else what is wrong: the
    /// checked way to read a decoded date.
    pub fn check(&self) -> Result<&Date, InvalidValue> {
        self.year_month_day().map(|_| self)
    }

    /// The year, month and day, when the text is a date.
    pub fn year_month_day(&self) -> Result<(i32, u8, u8), InvalidValue> {
        match self.ymd() {
            Some(Ymd { year, month, day }) => Ok((year, month, day)),
            None => Err(InvalidValue::new(&*self.0, EXPECTED)),
        }
    }

    /// Valid dates by day, then invalid ones by text.
    fn key(&self) -> (Option<Ymd>, &str) {
        (self.ymd(), &self.0)
    }
}

impl FromStr for Date {
    type Err = InvalidValue;

    fn from_str(text: &str) -> Result<Self, InvalidValue> {
        match text::date(text) {
            Some(_) => Ok(Date(text.into())),
            None => Err(InvalidValue::new(text, EXPECTED)),
        }
    }
}

impl TryFrom<&str> for Date {
    type Error = InvalidValue;

    fn try_from(text: &str) -> Result<Self, InvalidValue> {
        text.parse()
    }
}

impl TryFrom<String> for Date {
    type Error = InvalidValue;

    fn try_from(text: String) -> Result<Self, InvalidValue> {
        text.parse()
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

impl fmt::Debug for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Date({:?})", &*self.0)
    }
}

// A valid date has one text, so equal texts are equal days.
impl PartialEq for Date {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl Eq for Date {}

impl Hash for Date {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl Ord for Date {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.key(), other.key()) {
            ((Some(a), _), (Some(b), _)) => a.cmp(&b),
            ((Some(_), _), (None, _)) => Ordering::Less,
            ((None, _), (Some(_), _)) => Ordering::Greater,
            ((None, a), (None, b)) => a.cmp(b),
        }
    }
}

impl PartialOrd for Date {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        super::decode_text(deserializer, EXPECTED, Date)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn building_is_strict_and_decoding_lenient() {
        assert_eq!(Date::new(2024, 2, 29).unwrap().as_str(), "2024-02-29");
        assert_eq!(Date::new(2023, 2, 29).unwrap_err().to_string(), "\"2023-02-29\" is not a date (YYYY-MM-DD)");
        assert!("2024-10-01T00:00:00Z".parse::<Date>().is_err());
        let decoded: Date = serde_json::from_str("\"10/01/2024\"").unwrap();
        assert_eq!((decoded.as_str(), decoded.is_valid()), ("10/01/2024", false));
        assert_eq!(decoded.year_month_day().unwrap_err().text(), "10/01/2024");
        assert_eq!(serde_json::to_string(&decoded).unwrap(), "\"10/01/2024\"");
        assert!(decoded > Date::new(9999, 12, 31).unwrap());
    }

    proptest! {
        #[test]
        fn any_date_round_trips(days in -365_243_219_i64..364_522_971) {
            let ymd = text::civil_from_days(days);
            let date = Date::new(ymd.year, ymd.month, ymd.day).unwrap();
            let decoded: Date = serde_json::from_str(&serde_json::to_string(&date).unwrap()).unwrap();
            prop_assert_eq!(decoded.as_str(), date.as_str());
            prop_assert_eq!(decoded.year_month_day().unwrap(), (ymd.year, ymd.month, ymd.day));
            let next = text::civil_from_days(days + 1);
            prop_assert!(date < Date::new(next.year, next.month, next.day).unwrap());
        }
    }
}
