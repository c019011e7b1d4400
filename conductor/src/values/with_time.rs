//! `Date` and `DateTime` to and from `time` (feature `time`): `time::Date`
//! and `time::OffsetDateTime`.

use time::{Month, OffsetDateTime, UtcOffset};

use super::{Date, DateTime, InvalidValue};

const OUT_OF_RANGE: &str = "a date or time in the time crate's range";

impl From<time::Date> for Date {
    fn from(date: time::Date) -> Self {
        Date::new(date.year(), date.month() as u8, date.day()).expect("every time date is a date")
    }
}

impl TryFrom<&Date> for time::Date {
    type Error = InvalidValue;

    fn try_from(date: &Date) -> Result<Self, InvalidValue> {
        let (year, month, day) = date.year_month_day()?;
        let out_of_range = |_| InvalidValue::new(date.as_str(), OUT_OF_RANGE);
        time::Date::from_calendar_date(year, Month::try_from(month).map_err(out_of_range)?, day).map_err(out_of_range)
    }
}

impl TryFrom<Date> for time::Date {
    type Error = InvalidValue;

    fn try_from(date: Date) -> Result<Self, InvalidValue> {
        time::Date::try_from(&date)
    }
}

impl From<OffsetDateTime> for DateTime {
    /// The instant at its own offset.
    fn from(value: OffsetDateTime) -> Self {
        DateTime::from_instant(value.unix_timestamp(), value.nanosecond(), value.offset().whole_seconds())
            .expect("every time date and time is one")
    }
}

impl TryFrom<&DateTime> for OffsetDateTime {
    type Error = InvalidValue;

    /// The instant at the offset it was written in.
    fn try_from(value: &DateTime) -> Result<Self, InvalidValue> {
        let stamp = value.checked()?;
        let out_of_range = || InvalidValue::new(value.as_str(), OUT_OF_RANGE);
        let nanos = i128::from(stamp.unix_seconds()) * 1_000_000_000 + i128::from(stamp.nanosecond);
        let utc = OffsetDateTime::from_unix_timestamp_nanos(nanos).map_err(|_| out_of_range())?;
        let offset = UtcOffset::from_whole_seconds(stamp.offset).map_err(|_| out_of_range())?;
        utc.checked_to_offset(offset).ok_or_else(out_of_range)
    }
}

impl TryFrom<DateTime> for OffsetDateTime {
    type Error = InvalidValue;

    fn try_from(value: DateTime) -> Result<Self, InvalidValue> {
        OffsetDateTime::try_from(&value)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn dates_and_times_convert_both_ways() {
        let date = time::Date::from_calendar_date(2024, Month::October, 1).unwrap();
        assert_eq!(Date::from(date).as_str(), "2024-10-01");
        assert_eq!(time::Date::try_from(Date::from(date)).unwrap(), date);
        for extreme in [time::Date::MIN, time::Date::MAX] {
            assert_eq!(time::Date::try_from(Date::from(extreme)).unwrap(), extreme);
        }
        let updated: DateTime = "2025-01-01T12:34:56-05:00".parse().unwrap();
        let value = OffsetDateTime::try_from(&updated).unwrap();
        assert_eq!(value.offset().whole_hours(), -5);
        assert_eq!(DateTime::from(value).as_str(), "2025-01-01T12:34:56-05:00");
    }

    proptest! {
        #[test]
        fn any_offset_date_time_converts_and_back(seconds in -377_705_116_800_i64..253_402_300_799, nanos in 0u32..1_000_000_000, minutes in -1439i32..1440) {
            let Ok(utc) = OffsetDateTime::from_unix_timestamp(seconds) else { return Ok(()) };
            let Some(value) = utc.replace_nanosecond(nanos).ok().and_then(|v| v.checked_to_offset(UtcOffset::from_whole_seconds(minutes * 60).unwrap())) else { return Ok(()) };
            prop_assert_eq!(OffsetDateTime::try_from(DateTime::from(value)).unwrap(), value);
        }
    }
}
