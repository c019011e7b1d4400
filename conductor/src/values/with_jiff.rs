//! `Date` and `DateTime` to and from `jiff` (feature `jiff`):
//! `jiff::civil::Date`, `jiff::Timestamp` and `jiff::Zoned`.

use jiff::civil;
use jiff::tz::{Offset, TimeZone};
use jiff::{Timestamp, Zoned};

use super::{Date, DateTime, InvalidValue};

const OUT_OF_RANGE: &str = "a date or time in jiff's range";

impl From<civil::Date> for Date {
    fn from(date: civil::Date) -> Self {
        Date::new(date.year().into(), date.month() as u8, date.day() as u8).expect("every jiff date is a date")
    }
}

impl TryFrom<&Date> for civil::Date {
    type Error = InvalidValue;

    fn try_from(date: &Date) -> Result<Self, InvalidValue> {
        let (year, month, day) = date.year_month_day()?;
        let year = i16::try_from(year).map_err(|_| InvalidValue::new(date.as_str(), OUT_OF_RANGE))?;
        civil::Date::new(year, month as i8, day as i8).map_err(|_| InvalidValue::new(date.as_str(), OUT_OF_RANGE))
    }
}

impl TryFrom<Date> for civil::Date {
    type Error = InvalidValue;

    fn try_from(date: Date) -> Result<Self, InvalidValue> {
        civil::Date::try_from(&date)
    }
}

/// Seconds and a non-negative nanosecond, as `DateTime` counts them (jiff
/// counts the fraction of a negative timestamp below zero).
fn parts(timestamp: Timestamp) -> (i64, u32) {
    let nanos = i128::from(timestamp.as_second()) * 1_000_000_000 + i128::from(timestamp.subsec_nanosecond());
    (nanos.div_euclid(1_000_000_000) as i64, nanos.rem_euclid(1_000_000_000) as u32)
}

impl From<Timestamp> for DateTime {
    /// The instant in UTC (`+00:00`).
    fn from(timestamp: Timestamp) -> Self {
        let (seconds, nanosecond) = parts(timestamp);
        DateTime::from_instant(seconds, nanosecond, 0).expect("every jiff timestamp is a date and time")
    }
}

impl From<&Zoned> for DateTime {
    /// The instant at the zoned time's offset.
    fn from(zoned: &Zoned) -> Self {
        let (seconds, nanosecond) = parts(zoned.timestamp());
        DateTime::from_instant(seconds, nanosecond, zoned.offset().seconds())
            .expect("every jiff zoned time is a date and time")
    }
}

impl From<Zoned> for DateTime {
    fn from(zoned: Zoned) -> Self {
        DateTime::from(&zoned)
    }
}

impl TryFrom<&DateTime> for Timestamp {
    type Error = InvalidValue;

    fn try_from(value: &DateTime) -> Result<Self, InvalidValue> {
        let stamp = value.checked()?;
        Timestamp::new(stamp.unix_seconds(), stamp.nanosecond as i32)
            .map_err(|_| InvalidValue::new(value.as_str(), OUT_OF_RANGE))
    }
}

impl TryFrom<DateTime> for Timestamp {
    type Error = InvalidValue;

    fn try_from(value: DateTime) -> Result<Self, InvalidValue> {
        Timestamp::try_from(&value)
    }
}

impl TryFrom<&DateTime> for Zoned {
    type Error = InvalidValue;

    /// The instant in a fixed-offset time zone of the offset it was
    /// written in.
    fn try_from(value: &DateTime) -> Result<Self, InvalidValue> {
        let timestamp = Timestamp::try_from(value)?;
        let offset = value.offset_seconds()?;
        let offset = Offset::from_seconds(offset).map_err(|_| InvalidValue::new(value.as_str(), OUT_OF_RANGE))?;
        Ok(timestamp.to_zoned(TimeZone::fixed(offset)))
    }
}

impl TryFrom<DateTime> for Zoned {
    type Error = InvalidValue;

    fn try_from(value: DateTime) -> Result<Self, InvalidValue> {
        Zoned::try_from(&value)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn dates_and_times_convert_both_ways() {
        let date = civil::date(2024, 10, 1);
        assert_eq!(Date::from(date).as_str(), "2024-10-01");
        assert_eq!(civil::Date::try_from(Date::from(date)).unwrap(), date);
        assert_eq!(Date::from(civil::Date::MIN).as_str(), "-009999-01-01");
        assert_eq!(civil::Date::try_from(Date::from(civil::Date::MAX)).unwrap(), civil::Date::MAX);
        let too_late: Date = "+010000-01-01".parse().unwrap();
        assert!(civil::Date::try_from(&too_late).is_err());

        let updated: DateTime = "2025-01-01T12:34:56-05:00".parse().unwrap();
        let zoned = Zoned::try_from(&updated).unwrap();
        assert_eq!(zoned.offset().seconds(), -5 * 3600);
        assert_eq!(DateTime::from(&zoned).as_str(), "2025-01-01T12:34:56-05:00");
        let timestamp = Timestamp::try_from(&updated).unwrap();
        assert_eq!(DateTime::from(timestamp).as_str(), "2025-01-01T17:34:56+00:00");
        assert_eq!(DateTime::from(Timestamp::MIN), DateTime::from_unix_seconds(Timestamp::MIN.as_second(), 0).unwrap());
        assert!(DateTime::from(Timestamp::MAX).is_valid());
        let negative_fraction = Timestamp::new(-2, 500_000_000).unwrap();
        assert_eq!(DateTime::from(negative_fraction).as_str(), "1969-12-31T23:59:58.5+00:00");
    }

    proptest! {
        #[test]
        fn any_timestamp_converts_and_back(seconds in Timestamp::MIN.as_second()..Timestamp::MAX.as_second(), nanos in 0i32..1_000_000_000) {
            let timestamp = Timestamp::new(seconds, nanos).unwrap();
            prop_assert_eq!(Timestamp::try_from(DateTime::from(timestamp)).unwrap(), timestamp);
        }

        #[test]
        fn any_jiff_date_converts_and_back(year in -9999i16..=9999, month in 1i8..=12, day in 1i8..=31) {
            let Ok(date) = civil::Date::new(year, month, day) else { return Ok(()) };
            prop_assert_eq!(civil::Date::try_from(Date::from(date)).unwrap(), date);
        }
    }
}
