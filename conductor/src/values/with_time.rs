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

impl TryFrom<OffsetDateTime> for DateTime {
    type Error = InvalidValue;

    /// The instant, at its own offset where ISO 8601 can write it (whole
    /// minutes, under a day), else at the nearest offset it can, the
    /// instant unchanged. An error only at the very ends of the years
    /// `time` holds with its `large-dates` feature, where no offset ISO 8601
    /// writes keeps the date within the ±999,999 years a `DateTime` has.
    fn try_from(value: OffsetDateTime) -> Result<Self, InvalidValue> {
        let offset = value.offset().whole_seconds();
        let floor = offset.div_euclid(60) * 60;
        let largest = 86_340;
        let candidates =
            [offset, floor, floor + 60, floor.clamp(-largest, largest), (floor + 60).clamp(-largest, largest), 0];
        (candidates.into_iter())
            .filter(|offset| offset % 60 == 0 && offset.abs() <= largest)
            .find_map(|offset| DateTime::from_instant(value.unix_timestamp(), value.nanosecond(), offset))
            .ok_or_else(|| InvalidValue::new(value.to_string(), "a date and time within years -999999 to 999999"))
    }
}

impl TryFrom<&OffsetDateTime> for DateTime {
    type Error = InvalidValue;

    fn try_from(value: &OffsetDateTime) -> Result<Self, InvalidValue> {
        DateTime::try_from(*value)
    }
}

impl TryFrom<&DateTime> for OffsetDateTime {
    type Error = InvalidValue;

    /// The instant at the offset it was written in: its local date and
    /// time, at its offset (so an instant whose UTC date lies just beyond
    /// `time`'s years converts, as `time` holds it).
    fn try_from(value: &DateTime) -> Result<Self, InvalidValue> {
        let stamp = value.checked()?;
        let out_of_range = || InvalidValue::new(value.as_str(), OUT_OF_RANGE);
        let month = Month::try_from(stamp.date.month).map_err(|_| out_of_range())?;
        let date =
            time::Date::from_calendar_date(stamp.date.year, month, stamp.date.day).map_err(|_| out_of_range())?;
        let local =
            date.with_hms_nano(stamp.hour, stamp.minute, stamp.second, stamp.nanosecond).map_err(|_| out_of_range())?;
        let offset = UtcOffset::from_whole_seconds(stamp.offset).map_err(|_| out_of_range())?;
        Ok(local.assume_offset(offset))
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
        assert_eq!(DateTime::try_from(value).unwrap().as_str(), "2025-01-01T12:34:56-05:00");
    }

    /// The ends of what `time` holds with `large-dates` (years ±999,999),
    /// at every kind of offset it allows: none panics, and what converts
    /// comes back the same instant.
    #[test]
    fn the_ends_of_times_range_never_panic() {
        let ends = [time::PrimitiveDateTime::MIN, time::PrimitiveDateTime::MAX];
        let mut converted = 0;
        for end in ends {
            for offset in [-93_599, -86_399, -86_340, -61, -60, -1, 0, 1, 59, 60, 86_340, 86_399, 93_599] {
                // The local date and time at the end, at each offset: the
                // instant lies beyond the end by up to a day.
                let value = end.assume_offset(UtcOffset::from_whole_seconds(offset).unwrap());
                if let Ok(written) = DateTime::try_from(value) {
                    converted += 1;
                    assert_eq!(OffsetDateTime::try_from(&written).unwrap(), value, "{value}");
                }
            }
        }
        assert!(converted > 0);
    }

    #[test]
    fn offsets_iso_8601_cannot_write_keep_the_instant() {
        let utc = OffsetDateTime::from_unix_timestamp(1_735_734_896).unwrap();
        let odd = utc.to_offset(UtcOffset::from_hms(1, 0, 30).unwrap());
        let written = DateTime::try_from(odd).unwrap();
        assert_eq!(written.as_str(), "2025-01-01T13:34:56+01:00");
        assert_eq!(OffsetDateTime::try_from(&written).unwrap(), odd);
    }

    proptest! {
        #[test]
        fn any_offset_date_time_converts_and_back(seconds in -377_705_116_800_i64..253_402_300_799, nanos in 0u32..1_000_000_000, minutes in -1439i32..1440) {
            let Ok(utc) = OffsetDateTime::from_unix_timestamp(seconds) else { return Ok(()) };
            let Some(value) = utc.replace_nanosecond(nanos).ok().and_then(|v| v.checked_to_offset(UtcOffset::from_whole_seconds(minutes * 60).unwrap())) else { return Ok(()) };
            prop_assert_eq!(OffsetDateTime::try_from(DateTime::try_from(value).unwrap()).unwrap(), value);
        }

        /// With the `large-dates` feature (which feature unification may
        /// turn on for every crate), `time` holds years to ±999,999 and
        /// offsets to ±25:59:59: no instant of it panics, and every one in
        /// the years a `DateTime` has converts and back.
        #[test]
        fn no_offset_date_time_panics(raw in any::<i64>(), offset in -93_599i32..=93_599) {
            let (min, max) = (time::Date::MIN.midnight().assume_utc().unix_timestamp(), time::Date::MAX.midnight().assume_utc().unix_timestamp());
            let Ok(utc) = OffsetDateTime::from_unix_timestamp(min + raw.rem_euclid(max - min)) else { return Ok(()) };
            let Some(value) = UtcOffset::from_whole_seconds(offset).ok().and_then(|o| utc.checked_to_offset(o)) else { return Ok(()) };
            if let Ok(written) = DateTime::try_from(value) {
                prop_assert_eq!(OffsetDateTime::try_from(&written).unwrap(), value);
            }
        }
    }
}
