//! `Date` and `DateTime` to and from `chrono` (feature `chrono`):
//! `chrono::NaiveDate` and `chrono::DateTime` (`FixedOffset`, `Utc`, or any
//! time zone into ours).

use chrono::{Datelike, FixedOffset, NaiveDate, Offset, TimeZone, Utc};

use super::{Date, DateTime, InvalidValue};

const OUT_OF_RANGE: &str = "a date or time in chrono's range";

impl From<NaiveDate> for Date {
    fn from(date: NaiveDate) -> Self {
        Date::new(date.year(), date.month() as u8, date.day() as u8).expect("every chrono date is a date")
    }
}

impl TryFrom<&Date> for NaiveDate {
    type Error = InvalidValue;

    fn try_from(date: &Date) -> Result<Self, InvalidValue> {
        let (year, month, day) = date.year_month_day()?;
        NaiveDate::from_ymd_opt(year, month.into(), day.into())
            .ok_or_else(|| InvalidValue::new(date.as_str(), OUT_OF_RANGE))
    }
}

impl TryFrom<Date> for NaiveDate {
    type Error = InvalidValue;

    fn try_from(date: Date) -> Result<Self, InvalidValue> {
        NaiveDate::try_from(&date)
    }
}

impl<Tz: TimeZone> From<chrono::DateTime<Tz>> for DateTime {
    /// The instant at its own offset (`Utc` as `+00:00`). A leap second is
    /// written as the last nanosecond of its minute.
    fn from(value: chrono::DateTime<Tz>) -> Self {
        let nanosecond = value.timestamp_subsec_nanos().min(999_999_999);
        let offset = value.offset().fix().local_minus_utc();
        DateTime::from_instant(value.timestamp(), nanosecond, offset).expect("every chrono date and time is one")
    }
}

impl TryFrom<&DateTime> for chrono::DateTime<FixedOffset> {
    type Error = InvalidValue;

    /// The instant at the offset it was written in.
    fn try_from(value: &DateTime) -> Result<Self, InvalidValue> {
        let stamp = value.checked()?;
        let out_of_range = || InvalidValue::new(value.as_str(), OUT_OF_RANGE);
        let offset = FixedOffset::east_opt(stamp.offset).ok_or_else(out_of_range)?;
        let utc = chrono::DateTime::from_timestamp(stamp.unix_seconds(), stamp.nanosecond).ok_or_else(out_of_range)?;
        Ok(utc.with_timezone(&offset))
    }
}

impl TryFrom<DateTime> for chrono::DateTime<FixedOffset> {
    type Error = InvalidValue;

    fn try_from(value: DateTime) -> Result<Self, InvalidValue> {
        chrono::DateTime::<FixedOffset>::try_from(&value)
    }
}

impl TryFrom<&DateTime> for chrono::DateTime<Utc> {
    type Error = InvalidValue;

    /// The same instant in UTC.
    fn try_from(value: &DateTime) -> Result<Self, InvalidValue> {
        chrono::DateTime::<FixedOffset>::try_from(value).map(|fixed| fixed.with_timezone(&Utc))
    }
}

impl TryFrom<DateTime> for chrono::DateTime<Utc> {
    type Error = InvalidValue;

    fn try_from(value: DateTime) -> Result<Self, InvalidValue> {
        chrono::DateTime::<Utc>::try_from(&value)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn dates_and_times_convert_both_ways() {
        let date = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        assert_eq!(Date::from(date).as_str(), "2024-02-29");
        assert_eq!(NaiveDate::try_from(Date::from(date)).unwrap(), date);
        for extreme in [NaiveDate::MIN, NaiveDate::MAX] {
            assert_eq!(NaiveDate::try_from(Date::from(extreme)).unwrap(), extreme);
        }
        let updated: DateTime = "2025-01-01T12:34:56.250-05:00".parse().unwrap();
        let fixed = chrono::DateTime::<FixedOffset>::try_from(&updated).unwrap();
        assert_eq!(fixed.to_rfc3339(), "2025-01-01T12:34:56.250-05:00");
        assert_eq!(DateTime::from(fixed).as_str(), "2025-01-01T12:34:56.25-05:00");
        let utc = chrono::DateTime::<Utc>::try_from(updated).unwrap();
        assert_eq!(DateTime::from(utc).as_str(), "2025-01-01T17:34:56.25+00:00");
        let invalid: DateTime = serde_json::from_str("\"soon\"").unwrap();
        assert_eq!(chrono::DateTime::<Utc>::try_from(invalid).unwrap_err().text(), "soon");
    }

    proptest! {
        #[test]
        fn any_chrono_time_converts_and_back(seconds in -8_000_000_000_000_i64..8_000_000_000_000, nanos in 0u32..1_000_000_000, minutes in -1439i32..1440) {
            let Some(utc) = chrono::DateTime::from_timestamp(seconds, nanos) else { return Ok(()) };
            let value = utc.with_timezone(&FixedOffset::east_opt(minutes * 60).unwrap());
            let ours = DateTime::from(value);
            prop_assert_eq!(chrono::DateTime::<FixedOffset>::try_from(&ours).unwrap(), value);
            prop_assert_eq!(ours.offset_seconds().unwrap(), minutes * 60);
        }
    }
}
