//! Made-up values that look like QuickBooks': ids, timestamps, revision
//! numbers, and realistic invoices to seed an end-user with.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use super::ops_of;
use super::store::Store;

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

/// An ISO 8601 UTC timestamp with milliseconds, as Conductor writes them.
pub(crate) fn now() -> String {
    let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    timestamp(since.as_secs(), since.subsec_millis())
}

pub(crate) fn timestamp(seconds: u64, millis: u32) -> String {
    let days = (seconds / 86_400) as i64;
    let rest = seconds % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z", rest / 3600, rest % 3600 / 60, rest % 60)
}

/// Days since 1970-01-01 to a calendar date (proleptic Gregorian).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Revision numbers look like QuickBooks' and change with every write.
pub(crate) fn revision(n: u64) -> String {
    (1_721_172_000 + n).to_string()
}

impl Store {
    /// Stores a realistic invoice for an end-user, with two lines, and
    /// returns its id.
    pub(crate) fn seed_invoice(&mut self, end_user: &str) -> String {
        let op = ops_of("invoices").next().expect("invoices are declared");
        let invoice = seeded_invoice(self.counter + 1);
        self.insert(end_user, op, invoice)
    }
}

/// Invoice number `n`: its amounts add up, and its customer, dates and
/// payment state vary with `n`.
fn seeded_invoice(n: u64) -> Value {
    let quantity = (n % 7 + 1) as f64;
    let rate = 25.0 + (n % 13) as f64 * 5.0;
    let total = quantity * rate + 100.0;
    let date = format!("2024-{:02}-{:02}", n % 12 + 1, n % 28 + 1);
    json!({
        "refNumber": format!("INV-{n:05}"),
        "customer": {"id": format!("80000{:03}-1234567890", n % 40), "fullName": format!("Customer {}", n % 40)},
        "transactionDate": date,
        "dueDate": date,
        "isPaid": n % 3 == 0,
        "isPending": false,
        "memo": format!("Seeded invoice {n}"),
        "subtotal": format!("{total:.2}"),
        "salesTaxTotal": "0.00",
        "appliedAmount": "0.00",
        "balanceRemaining": format!("{total:.2}"),
        "currency": {"id": "80000001-1234567890", "fullName": "USD"},
        "lines": [
            line(n, 1, ("80000010-1234567890", "Consulting"), "Consulting hours", quantity, rate),
            line(n, 2, ("80000011-1234567890", "Setup fee"), "One-time setup", 1.0, 100.0),
        ],
        "lineGroups": [],
        "linkedTransactions": [],
        "customFields": [],
    })
}

/// Line `index` of invoice `n`.
fn line(n: u64, index: u32, (item_id, item): (&str, &str), description: &str, quantity: f64, rate: f64) -> Value {
    json!({
        "id": format!("LINE-{n}-{index}"),
        "objectType": "qbd_invoice_line",
        "item": {"id": item_id, "fullName": item},
        "description": description,
        "quantity": quantity,
        "rate": format!("{rate:.2}"),
        "amount": format!("{:.2}", quantity * rate),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seeded_invoice_adds_up() {
        let invoice = seeded_invoice(8);
        let lines: f64 = invoice["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["amount"].as_str().unwrap().parse::<f64>().unwrap())
            .sum();
        assert_eq!(format!("{lines:.2}"), invoice["subtotal"]);
        assert_eq!(invoice["lines"][1]["amount"], "100.00");
    }

    #[test]
    fn timestamps_are_iso_8601() {
        assert_eq!(timestamp(0, 0), "1970-01-01T00:00:00.000Z");
        assert_eq!(timestamp(1_609_504_496, 789), "2021-01-01T12:34:56.789Z");
        assert_eq!(timestamp(951_782_400, 5), "2000-02-29T00:00:00.005Z");
    }
}
