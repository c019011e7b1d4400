//! What a generated operation's call needs: its arguments, decoded into the
//! operation's Rust types with errors that name the field, and its answer as
//! JSON.

use std::future::Future;
use std::pin::Pin;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// A call's outcome: the typed answer re-encoded as JSON, or why it failed.
pub(crate) type Call = Pin<Box<dyn Future<Output = Result<Value, Failure>> + Send>>;

/// Why a call failed.
#[derive(Debug)]
pub(crate) enum Failure {
    /// An argument is missing, unknown or of the wrong type: nothing was sent.
    Argument { field: String, message: String },
    /// The SDK's error: Conductor's answer, or the call never completed.
    Sdk(conductor::Error),
}

/// The arguments of a call, by wire name, taken as the call uses them.
pub(crate) struct Args(pub(crate) Map<String, Value>);

impl Args {
    /// A path argument, as text.
    pub(crate) fn path(&mut self, name: &str) -> Result<String, Failure> {
        match self.0.remove(name) {
            Some(Value::String(text)) if !text.is_empty() => Ok(text),
            Some(other) => Err(argument(name, format!("must be a non-empty string, not {other}"))),
            None => Err(argument(name, "is required".to_owned())),
        }
    }

    /// A path argument of a type of its own.
    pub(crate) fn path_as<T: DeserializeOwned>(&mut self, name: &str) -> Result<T, Failure> {
        let value = self.0.remove(name).ok_or_else(|| argument(name, "is required".to_owned()))?;
        serde_json::from_value(value).map_err(|e| argument(name, e.to_string()))
    }

    /// The remaining arguments as the operation's query or body type, with
    /// the field that failed named.
    pub(crate) fn rest<T: DeserializeOwned>(&mut self) -> Result<T, Failure> {
        let value = Value::Object(std::mem::take(&mut self.0));
        serde_path_to_error::deserialize::<_, T>(value).map_err(|failure| {
            let field = failure.path().to_string();
            argument(if field == "." { "arguments" } else { &field }, failure.into_inner().to_string())
        })
    }

    /// No arguments are left.
    pub(crate) fn none(&mut self) -> Result<(), Failure> {
        match self.0.keys().next() {
            Some(name) => Err(argument(name, "is not an argument of this operation".to_owned())),
            None => Ok(()),
        }
    }
}

fn argument(field: &str, message: String) -> Failure {
    Failure::Argument { field: field.to_owned(), message }
}

/// The SDK's answer as JSON.
pub(crate) fn answer<T: Serialize>(result: conductor::Result<T>) -> Result<Value, Failure> {
    let value = result.map_err(Failure::Sdk)?;
    serde_json::to_value(value).map_err(|e| argument("answer", format!("could not be encoded: {e}")))
}
