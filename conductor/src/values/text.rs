//! Reading the ISO 8601 text of dates and timestamps, and the calendar
//! arithmetic that turns them into instants.

/// A calendar date read from `YYYY-MM-DD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Ymd {
    pub(crate) year: i32,
    pub(crate) month: u8,
    pub(crate) day: u8,
}

/// A timestamp read from `YYYY-MM-DDThh:mm:ss[.fraction](Z|±hh:mm)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Stamp {
    pub(crate) date: Ymd,
    pub(crate) hour: u8,
    pub(crate) minute: u8,
    pub(crate) second: u8,
    pub(crate) nanosecond: u32,
    /// East of UTC, in seconds.
    pub(crate) offset: i32,
}

/// Exactly `n` ASCII digits as a number.
fn digits(text: &[u8]) -> Option<u32> {
    text.iter().try_fold(0u32, |n, b| b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0')))
}

fn leap(year: i32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

pub(crate) fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The years a date can have: ISO 8601's expanded years, wide enough for
/// every date `jiff`, `chrono` and `time` hold.
pub(crate) const YEARS: std::ops::RangeInclusive<i32> = -999_999..=999_999;

/// A date of the proleptic Gregorian calendar.
pub(crate) fn ymd(year: i32, month: u8, day: u8) -> Option<Ymd> {
    let valid = YEARS.contains(&year) && (1..=12).contains(&month) && (1..=days_in_month(year, month)).contains(&day);
    valid.then_some(Ymd { year, month, day })
}

/// `YYYY-MM-DD` exactly, a real day of a real month; a year outside 0000
/// to 9999 is written as ISO 8601 expands it, with a sign and six digits
/// (`-000044-03-15`). Returns the date and how many bytes it took.
fn date_prefix(b: &[u8]) -> Option<(Ymd, usize)> {
    let (year, at) = match b.first()? {
        sign @ (b'+' | b'-') => {
            let year = digits(b.get(1..7)?)? as i32;
            let year = if *sign == b'-' { -year } else { year };
            // `-000000` is not a year, and a year that fits four digits is
            // written with four.
            if (*sign == b'-' && year == 0) || (0..=9999).contains(&year) {
                return None;
            }
            (year, 7)
        }
        _ => (digits(b.get(..4)?)? as i32, 4),
    };
    if b.get(at) != Some(&b'-') || b.get(at + 3) != Some(&b'-') {
        return None;
    }
    let (month, day) = (digits(b.get(at + 1..at + 3)?)?, digits(b.get(at + 4..at + 6)?)?);
    Some((ymd(year, month as u8, day as u8)?, at + 6))
}

/// A whole date: see [`date_prefix`].
pub(crate) fn date(text: &str) -> Option<Ymd> {
    let (date, length) = date_prefix(text.as_bytes())?;
    (length == text.len()).then_some(date)
}

/// How a date is written: `YYYY-MM-DD`, or with a sign and six digits of
/// year outside 0000 to 9999.
pub(crate) fn write_date(Ymd { year, month, day }: Ymd) -> String {
    match year {
        0..=9999 => format!("{year:04}-{month:02}-{day:02}"),
        _ => format!("{year:+07}-{month:02}-{day:02}"),
    }
}

/// `YYYY-MM-DDThh:mm:ss`, an optional fraction of a second (up to nine
/// digits), then `Z` or an offset `±hh:mm`.
pub(crate) fn stamp(text: &str) -> Option<Stamp> {
    let (date, at) = date_prefix(text.as_bytes())?;
    let b = &text.as_bytes()[at..];
    if b.len() < 10 || b[0] != b'T' || b[3] != b':' || b[6] != b':' {
        return None;
    }
    let (hour, minute, second) = (digits(&b[1..3])?, digits(&b[4..6])?, digits(&b[7..9])?);
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let mut rest = &b[9..];
    let mut nanosecond = 0;
    if let Some(fraction) = rest.strip_prefix(b".") {
        let length = fraction.iter().take_while(|b| b.is_ascii_digit()).count();
        if length == 0 || length > 9 {
            return None;
        }
        nanosecond = digits(&fraction[..length])? * 10u32.pow(9 - length as u32);
        rest = &fraction[length..];
    }
    let offset = match rest {
        b"Z" => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let (hours, minutes) = (digits(&[*h1, *h2])?, digits(&[*m1, *m2])?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            let seconds = (hours * 3600 + minutes * 60) as i32;
            if *sign == b'-' { -seconds } else { seconds }
        }
        _ => return None,
    };
    Some(Stamp { date, hour: hour as u8, minute: minute as u8, second: second as u8, nanosecond, offset })
}

/// Days from 1970-01-01 to a date (negative before it).
pub(crate) fn days_from_civil(date: Ymd) -> i64 {
    let year = i64::from(date.year) - i64::from(date.month <= 2);
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month = i64::from(date.month);
    let day_of_year = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(date.day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date `days` after 1970-01-01.
pub(crate) fn civil_from_days(days: i64) -> Ymd {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = (year_of_era + era * 400 + i64::from(month <= 2)) as i32;
    Ymd { year, month, day }
}

impl Stamp {
    /// Seconds since 1970-01-01T00:00:00Z.
    pub(crate) fn unix_seconds(&self) -> i64 {
        let local = days_from_civil(self.date) * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second);
        local - i64::from(self.offset)
    }

    /// The same instant at another offset.
    pub(crate) fn at(unix_seconds: i64, nanosecond: u32, offset: i32) -> Stamp {
        let local = unix_seconds + i64::from(offset);
        let (days, seconds) = (local.div_euclid(86_400), local.rem_euclid(86_400));
        Stamp {
            date: civil_from_days(days),
            hour: (seconds / 3600) as u8,
            minute: (seconds % 3600 / 60) as u8,
            second: (seconds % 60) as u8,
            nanosecond,
            offset,
        }
    }

    /// As Conductor's filters take it: `YYYY-MM-DDThh:mm:ss±hh:mm`, with a
    /// fraction only when there is one.
    pub(crate) fn write(&self) -> String {
        let mut out = write_date(self.date);
        out.push_str(&format!("T{:02}:{:02}:{:02}", self.hour, self.minute, self.second));
        if self.nanosecond != 0 {
            let fraction = format!("{:09}", self.nanosecond);
            out.push('.');
            out.push_str(fraction.trim_end_matches('0'));
        }
        let sign = if self.offset < 0 { '-' } else { '+' };
        let offset = self.offset.unsigned_abs();
        out.push_str(&format!("{sign}{:02}:{:02}", offset / 3600, offset % 3600 / 60));
        out
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn dates_are_exact() {
        assert_eq!(date("2024-02-29"), Some(Ymd { year: 2024, month: 2, day: 29 }));
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-00-10",
            "2024-04-31",
            "24-01-01",
            "2024-1-01",
            "2024/01/01",
            "2024-01-01 ",
        ] {
            assert_eq!(date(bad), None, "{bad}");
        }
        assert!(date("1900-02-29").is_none() && date("2000-02-29").is_some());
        // Expanded years, for what other crates hold; a year that fits four
        // digits is written with four.
        assert_eq!(date("-000044-03-15"), Some(Ymd { year: -44, month: 3, day: 15 }));
        assert_eq!(date("+262143-12-31").map(|d| d.year), Some(262_143));
        for bad in ["+002024-01-01", "-000000-01-01", "+2024-01-01", "-1000000-01-01"] {
            assert_eq!(date(bad), None, "{bad}");
        }
        assert_eq!(write_date(Ymd { year: -44, month: 3, day: 15 }), "-000044-03-15");
        assert_eq!(write_date(Ymd { year: 10_000, month: 1, day: 1 }), "+010000-01-01");
    }

    #[test]
    fn stamps_keep_their_offset() {
        let stamp = stamp("2025-01-01T12:34:56-05:00").unwrap();
        assert_eq!((stamp.hour, stamp.offset), (12, -5 * 3600));
        assert_eq!(stamp.unix_seconds(), 1_735_752_896);
        assert_eq!(super::stamp("2021-10-01T17:34:56.000Z").unwrap().nanosecond, 0);
        assert_eq!(super::stamp("2024-01-01T12:34:56.789Z").unwrap().nanosecond, 789_000_000);
        for bad in [
            "2025-01-01T12:34:56",
            "2025-01-01 12:34:56Z",
            "2025-01-01T24:00:00Z",
            "2025-01-01T12:34:56+5:00",
            "2025-01-01T12:34:56.Z",
            "2025-01-01T12:34:56.1234567891Z",
            "2025-01-01T12:34:56+00:60",
        ] {
            assert_eq!(super::stamp(bad), None, "{bad}");
        }
    }

    proptest! {
        #[test]
        fn days_and_dates_are_inverse(days in -365_243_219_i64..364_522_971) {
            let date = civil_from_days(days);
            prop_assert_eq!(days_from_civil(date), days);
            prop_assert!(ymd(date.year, date.month, date.day).is_some());
        }

        #[test]
        fn a_stamp_written_reads_back(seconds in -8_210_298_412_800_i64..8_210_298_412_800, nanosecond in 0u32..1_000_000_000, offset_minutes in -1439i32..1440) {
            let offset = offset_minutes * 60;
            let written = Stamp::at(seconds, nanosecond, offset);
            let read = stamp(&written.write()).unwrap();
            prop_assert_eq!(read, written);
            prop_assert_eq!(read.unix_seconds(), seconds);
        }
    }
}
