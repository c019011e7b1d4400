//! [`DateTime`]: an ISO 8601 timestamp with its offset, as Conductor sends
//! `createdAt` and `updatedAt` and takes `updatedAfter`.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use super::text::{self, Stamp};
use super::{Date, InvalidValue};

const EXPECTED: &str = "a date and time with an offset (YYYY-MM-DDThh:mm:ss±hh:mm)";

/// A point in time with the offset it was written in:
/// `"2025-01-01T12:34:56-05:00"`.
///
/// QuickBooks writes its timestamps in the local time of the end-user's
/// computer, with that offset; the offset is kept, and serializing gives
/// back the exact text. Equality, ordering and hashing go by the instant:
/// `12:00:00+00:00` equals `07:00:00-05:00`.
///
/// ```
/// use conductor::DateTime;
///
/// let updated: DateTime = "2025-01-01T12:34:56-05:00".parse()?;
/// assert_eq!(updated.offset_seconds()?, -5 * 3600);
/// assert_eq!(updated, "2025-01-01T17:34:56Z".parse()?);
/// assert_eq!(updated.date()?.as_str(), "2025-01-01");
/// let watermark = DateTime::from_unix_seconds(updated.unix_seconds()?, 0)?;
/// assert_eq!(watermark.as_str(), "2025-01-01T17:34:56+00:00");
/// # Ok::<(), conductor::InvalidValue>(())
/// ```
///
/// Building one is strict: `YYYY-MM-DDThh:mm:ss`, an optional fraction of a
/// second, then `Z` or `±hh:mm`. Decoding is lenient: a value that is not
/// such a timestamp still decodes and keeps its text;
/// [`is_valid`](DateTime::is_valid) and [`check`](DateTime::check) say so.
/// Invalid ones sort after every valid one.
///
/// With the `jiff`, `chrono` or `time` feature, `DateTime::from(value)`
/// (`DateTime::try_from` for `time`, whose `large-dates` years reach past
/// what any offset writes) and
/// `TryFrom<DateTime>` convert to and from `jiff::Timestamp` and
/// `jiff::Zoned`, `chrono::DateTime<FixedOffset>` and `time::OffsetDateTime`.
/// Converting to a `DateTime` writes whole seconds when there is no
/// fraction, and an offset in whole minutes (an offset with seconds is
/// written as the same instant in UTC), as Conductor's filters take them.
#[derive(Clone)]
pub struct DateTime(Box<str>);

impl DateTime {
    /// The instant `seconds` after 1970-01-01T00:00:00Z, written at
    /// `offset_seconds` east of UTC. An offset `±hh:mm` cannot write (with
    /// seconds, or of a day or more) is written as UTC instead.
    pub fn from_unix_seconds(seconds: i64, offset_seconds: i32) -> Result<DateTime, InvalidValue> {
        DateTime::from_instant(seconds, 0, offset_seconds)
            .ok_or_else(|| InvalidValue::new(format!("{seconds} s at offset {offset_seconds} s"), EXPECTED))
    }

    /// The instant written at `offset` seconds east of UTC; `None` for a
    /// year a date cannot have. An offset that `±hh:mm` cannot write (with
    /// seconds, or of a day or more) is written as the same instant in UTC.
    pub(crate) fn from_instant(seconds: i64, nanosecond: u32, offset: i32) -> Option<DateTime> {
        if nanosecond >= 1_000_000_000 {
            return None;
        }
        let offset = if offset % 60 == 0 && offset.unsigned_abs() < 86_400 { offset } else { 0 };
        // Far beyond any year, the calendar arithmetic would overflow.
        if seconds.unsigned_abs() > 40_000_000_000_000 {
            return None;
        }
        let stamp = Stamp::at(seconds, nanosecond, offset);
        text::YEARS.contains(&stamp.date.year).then(|| DateTime(stamp.write().into_boxed_str()))
    }

    pub(crate) fn stamp(&self) -> Option<Stamp> {
        text::stamp(&self.0)
    }

    pub(crate) fn checked(&self) -> Result<Stamp, InvalidValue> {
        self.stamp().ok_or_else(|| InvalidValue::new(&*self.0, EXPECTED))
    }

    /// The text, exactly as decoded or built.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the text is a timestamp with an offset. Always true for one
    /// you built.
    pub fn is_valid(&self) -> bool {
        self.stamp().is_some()
    }

    /// The timestamp itself when its text is one, else what is wrong: the
    /// checked way to read a decoded timestamp.
    pub fn check(&self) -> Result<&DateTime, InvalidValue> {
        self.checked().map(|_| self)
    }

    /// Whole seconds since 1970-01-01T00:00:00Z (the fraction left out).
    pub fn unix_seconds(&self) -> Result<i64, InvalidValue> {
        self.checked().map(|stamp| stamp.unix_seconds())
    }

    /// The fraction of the second, in nanoseconds.
    pub fn nanosecond(&self) -> Result<u32, InvalidValue> {
        self.checked().map(|stamp| stamp.nanosecond)
    }

    /// The offset from UTC it was written in, in seconds east.
    pub fn offset_seconds(&self) -> Result<i32, InvalidValue> {
        self.checked().map(|stamp| stamp.offset)
    }

    /// The calendar date at its own offset: the end-user's local day.
    pub fn date(&self) -> Result<Date, InvalidValue> {
        self.checked().map(|stamp| Date::from_ymd(stamp.date))
    }

    fn instant(&self) -> Option<(i64, u32)> {
        self.stamp().map(|stamp| (stamp.unix_seconds(), stamp.nanosecond))
    }
}

impl FromStr for DateTime {
    type Err = InvalidValue;

    fn from_str(text: &str) -> Result<Self, InvalidValue> {
        match text::stamp(text) {
            Some(_) => Ok(DateTime(text.into())),
            None => Err(InvalidValue::new(text, EXPECTED)),
        }
    }
}

impl TryFrom<&str> for DateTime {
    type Error = InvalidValue;

    fn try_from(text: &str) -> Result<Self, InvalidValue> {
        text.parse()
    }
}

impl TryFrom<String> for DateTime {
    type Error = InvalidValue;

    fn try_from(text: String) -> Result<Self, InvalidValue> {
        text.parse()
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

impl fmt::Debug for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DateTime({:?})", &*self.0)
    }
}

impl PartialEq for DateTime {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for DateTime {}

impl Ord for DateTime {
    /// By instant; an invalid timestamp after every valid one, and invalid
    /// ones by their text.
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.instant(), other.instant()) {
            (Some(a), Some(b)) => a.cmp(&b),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => self.0.cmp(&other.0),
        }
    }
}

impl PartialOrd for DateTime {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Hash for DateTime {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self.instant() {
            Some(instant) => instant.hash(state),
            None => (0xff_u8, &*self.0).hash(state),
        }
    }
}

impl serde::Serialize for DateTime {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for DateTime {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        super::decode_text(deserializer, EXPECTED, DateTime)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::hash_map::DefaultHasher;

    use proptest::prelude::*;

    use super::*;

    fn hash(value: &DateTime) -> u64 {
        let mut hasher = DefaultHasher::new();
        value.hash(&mut hasher);
        hasher.finish()
    }

    fn at(text: &str) -> DateTime {
        text.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn the_same_instant_is_equal_at_any_offset() {
        let (utc, eastern) = (at("2025-01-01T17:34:56Z"), at("2025-01-01T12:34:56-05:00"));
        assert_eq!(utc, eastern);
        assert_eq!(hash(&utc), hash(&eastern));
        assert_eq!(at("2021-10-01T17:34:56.000Z"), at("2021-10-01T17:34:56+00:00"));
        assert!(at("2025-01-01T12:34:56.5Z") > at("2025-01-01T12:34:56Z"));
        assert_eq!(eastern.as_str(), "2025-01-01T12:34:56-05:00");
        assert_eq!(eastern.date().unwrap().as_str(), "2025-01-01");
        assert_eq!(at("2025-01-01T23:30:00-05:00").date().unwrap().as_str(), "2025-01-01");
    }

    #[test]
    fn building_is_strict_and_decoding_lenient() {
        for bad in ["2025-01-01", "2025-01-01T12:34:56", "yesterday", "2025-01-01T12:34:56+24:00"] {
            assert!(bad.parse::<DateTime>().is_err(), "{bad}");
        }
        let decoded: DateTime = serde_json::from_str("\"2025-01-01 12:34\"").unwrap();
        assert!(!decoded.is_valid());
        assert_eq!(decoded.unix_seconds().unwrap_err().text(), "2025-01-01 12:34");
        assert_eq!(serde_json::to_string(&decoded).unwrap(), "\"2025-01-01 12:34\"");
        assert_eq!(DateTime::from_unix_seconds(0, 86_400).unwrap().as_str(), "1970-01-01T00:00:00+00:00");
        assert!(DateTime::from_unix_seconds(i64::MAX, 0).is_err());
        assert!(DateTime::from_unix_seconds(i64::MIN, 0).is_err());
        assert_eq!(DateTime::from_unix_seconds(0, 5 * 3600 + 30 * 60).unwrap().as_str(), "1970-01-01T05:30:00+05:30");
        // An offset with seconds is written as the same instant in UTC.
        assert_eq!(DateTime::from_unix_seconds(0, 61).unwrap().as_str(), "1970-01-01T00:00:00+00:00");
    }

    proptest! {
        #[test]
        fn a_timestamp_round_trips_with_its_offset(seconds in -62_135_596_800_i64..253_402_214_400, minutes in -1439i32..1440) {
            let Some(built) = DateTime::from_instant(seconds, 0, minutes * 60) else { return Ok(()) };
            let decoded: DateTime = serde_json::from_str(&serde_json::to_string(&built).unwrap()).unwrap();
            prop_assert_eq!(decoded.as_str(), built.as_str());
            prop_assert_eq!(decoded.unix_seconds().unwrap(), seconds);
            prop_assert_eq!(decoded.offset_seconds().unwrap(), minutes * 60);
            let utc = DateTime::from_unix_seconds(seconds, 0).unwrap();
            prop_assert_eq!(&decoded, &utc);
            prop_assert_eq!(hash(&decoded), hash(&utc));
        }
    }
}
