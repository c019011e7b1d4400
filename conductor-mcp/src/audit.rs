//! `--audit-log PATH`: one JSON line per tool call, reads and writes alike,
//! written and flushed before the answer goes back to the agent.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Map, Value, json};

/// Argument names whose values are never written: none of Conductor's
/// operations takes a secret, but passthrough bodies and future fields
/// might.
const SECRET_WORDS: [&str; 5] = ["password", "secret", "token", "apikey", "authorization"];

/// The log, shared by every session of the server.
#[derive(Clone, Debug)]
pub(crate) struct Audit(Arc<Mutex<File>>);

/// One call, as the log records it.
pub(crate) struct Entry<'a> {
    pub(crate) tool: &'a str,
    pub(crate) operation: Option<&'a str>,
    pub(crate) end_user: Option<&'a str>,
    pub(crate) arguments: &'a Map<String, Value>,
    pub(crate) answer: &'a Value,
    pub(crate) is_error: bool,
    pub(crate) duration: Duration,
}

impl Audit {
    /// Opens `path` to append to, creating it.
    pub(crate) fn open(path: &Path) -> Result<Audit, String> {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| format!("cannot open the audit log {}: {e}", path.display()))?;
        Ok(Audit(Arc::new(Mutex::new(file))))
    }

    /// Appends one call's line and flushes it.
    pub(crate) fn record(&self, entry: &Entry<'_>) -> std::io::Result<()> {
        let line = line(entry, &jiff::Timestamp::now().to_string());
        let mut file = crate::lock(&self.0);
        writeln!(file, "{line}")?;
        file.flush()
    }
}

/// The line of one call at `time`.
fn line(entry: &Entry<'_>, time: &str) -> Value {
    let error = entry.answer.get("error");
    let outcome = match error {
        None if !entry.is_error => "ok",
        Some(error) if error.get("outcomeUnknown").is_some() => "outcome_unknown",
        Some(error) if error.get("code").is_some() || error.get("status").is_some() => "failed",
        _ => "refused",
    };
    let mut line = Map::new();
    line.insert("time".into(), json!(time));
    line.insert("tool".into(), json!(entry.tool));
    line.insert("operation".into(), json!(entry.operation));
    line.insert("endUserId".into(), json!(entry.end_user));
    line.insert("arguments".into(), redact(Value::Object(entry.arguments.clone())));
    line.insert("outcome".into(), json!(outcome));
    if let Some(error) = error {
        for key in ["code", "message", "requestId", "externalId"] {
            if let Some(value) = error.get(key) {
                line.insert(key.into(), value.clone());
            }
        }
    }
    if let Some(id) = entry.answer.pointer("/result/id") {
        line.insert("recordId".into(), id.clone());
    }
    line.insert("durationMs".into(), json!(u64::try_from(entry.duration.as_millis()).unwrap_or(u64::MAX)));
    Value::Object(line)
}

/// `value` with the values of secret-looking keys replaced, at any depth.
fn redact(value: Value) -> Value {
    match value {
        Value::Object(fields) => Value::Object(
            fields
                .into_iter()
                .map(|(key, value)| {
                    let lower = key.to_ascii_lowercase().replace(['_', '-'], "");
                    if SECRET_WORDS.iter().any(|word| lower.contains(word)) {
                        (key, json!("[redacted]"))
                    } else {
                        (key, redact(value))
                    }
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(redact).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_names_the_call_its_outcome_and_hides_secrets() {
        let arguments = json!({"operation": "qbd.invoices.create", "arguments": {"customerId": "1", "apiKey": "sk_x",
                               "nested": [{"client_secret": "s"}]}});
        let answer = json!({"error": {"message": "m", "code": "QBD_REQUEST_TIMEOUT", "requestId": "req_1",
                            "outcomeUnknown": "...", "externalId": "g"}});
        let entry = Entry {
            tool: "call_operation",
            operation: Some("qbd.invoices.create"),
            end_user: Some("end_usr_1"),
            arguments: arguments.as_object().unwrap(),
            answer: &answer,
            is_error: true,
            duration: Duration::from_millis(12),
        };
        assert_eq!(
            line(&entry, "2026-12-06T00:00:00Z"),
            json!({"time": "2026-12-06T00:00:00Z", "tool": "call_operation", "operation": "qbd.invoices.create",
                   "endUserId": "end_usr_1", "outcome": "outcome_unknown", "code": "QBD_REQUEST_TIMEOUT",
                   "message": "m", "requestId": "req_1", "externalId": "g", "durationMs": 12,
                   "arguments": {"operation": "qbd.invoices.create", "arguments": {"customerId": "1",
                                 "apiKey": "[redacted]", "nested": [{"client_secret": "[redacted]"}]}}})
        );
    }
}
