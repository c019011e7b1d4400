//! Made-up values that look like QuickBooks' and Conductor's: ids,
//! timestamps and revision numbers.

use std::time::{SystemTime, UNIX_EPOCH};

use conductor::DateTime;

/// Letters and digits from the standard library's randomly seeded hasher.
pub(crate) fn random_suffix(length: usize) -> String {
    use std::hash::{BuildHasher, RandomState};
    const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut out = String::with_capacity(length);
    while out.len() < length {
        let mut bits = RandomState::new().hash_one(SystemTime::now());
        for _ in 0..10 {
            if out.len() == length {
                break;
            }
            out.push(ALPHABET[(bits % ALPHABET.len() as u64) as usize] as char);
            bits /= ALPHABET.len() as u64;
        }
    }
    out
}

/// Seconds since 1970, as the sandbox's clock reads them.
pub(crate) fn unix_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |since| since.as_secs() as i64)
}

/// A timestamp as QuickBooks writes them through Conductor: whole seconds,
/// with the company file's offset (the sandbox's companies keep UTC):
/// `2025-01-01T12:34:56+00:00`.
pub(crate) fn timestamp(unix_seconds: i64) -> String {
    DateTime::from_unix_seconds(unix_seconds, 0).map(|at| at.to_string()).unwrap_or_default()
}

/// Now, as [`timestamp`] writes it.
pub(crate) fn now() -> String {
    timestamp(unix_now())
}

/// A time filter (`updatedAfter`, `deletedBefore`) as an instant, in the
/// three forms Conductor takes: a timestamp with an offset; a local time
/// without one, in the company file's time (UTC in the sandbox); or a date,
/// from the start of its day, or to its end for an upper bound.
pub(crate) fn instant(text: &str, end_of_day: bool) -> Option<i64> {
    if let Ok(at) = text.parse::<DateTime>() {
        return at.unix_seconds().ok();
    }
    if let Ok(at) = format!("{text}Z").parse::<DateTime>() {
        return at.unix_seconds().ok();
    }
    let day = text.parse::<conductor::Date>().ok()?;
    let start = format!("{day}T00:00:00Z").parse::<DateTime>().ok()?.unix_seconds().ok()?;
    Some(if end_of_day { start + 86_399 } else { start })
}

/// Revision numbers look like QuickBooks' and change with every write.
pub(crate) fn revision(n: u64) -> String {
    (1_721_172_000 + n).to_string()
}

/// A QuickBooks id: `80000001-1700000001` for list objects and
/// transactions alike.
pub(crate) fn record_id(n: u64) -> String {
    format!("{:X}-{}", 0x8000_0000u64 + n, 1_700_000_000 + n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_whole_seconds_with_an_offset() {
        assert_eq!(timestamp(0), "1970-01-01T00:00:00+00:00");
        assert_eq!(timestamp(1_609_504_496), "2021-01-01T12:34:56+00:00");
        assert!(now().parse::<DateTime>().is_ok());
    }

    #[test]
    fn time_filters_take_three_forms() {
        assert_eq!(instant("2024-01-01", true), Some(1_704_153_599));
        assert_eq!(instant("2024-01-01", false), Some(1_704_067_200));
        assert_eq!(instant("2024-01-01T00:00:00", false), instant("2024-01-01", false));
        assert_eq!(instant("2024-01-01T05:00:00+05:00", false), instant("2024-01-01", false));
        assert_eq!(instant("yesterday", false), None);
    }
}
