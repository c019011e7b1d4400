//! The error codes Conductor documents, for comparing with
//! [`Error::code`](crate::Error::code) without spelling them out:
//!
//! ```
//! # fn handle(err: conductor::Error) {
//! use conductor::code;
//!
//! if err.code() == Some(code::QBD_CONNECTION_ERROR) {
//!     // The end-user's QuickBooks is closed or their Web Connector is off.
//! }
//! # }
//! ```

/// QuickBooks Desktop refused the request (HTTP 502, type
/// `INTEGRATION_ERROR`); its own error number is the `integrationCode`.
pub const QBD_REQUEST_ERROR: &str = "QBD_REQUEST_ERROR";
/// The end-user's QuickBooks Desktop or Web Connector could not be reached
/// (type `INTEGRATION_CONNECTION_ERROR`): only the end-user can fix it.
pub const QBD_CONNECTION_ERROR: &str = "QBD_CONNECTION_ERROR";
/// QuickBooks Desktop did not answer in time (HTTP 504, "Request timed out
/// after 90 seconds"): the request may still be running there.
pub const QBD_REQUEST_TIMEOUT: &str = "QBD_REQUEST_TIMEOUT";
/// The end-user never finished the auth flow (HTTP 409).
pub const INTEGRATION_CONNECTION_NOT_SET_UP: &str = "INTEGRATION_CONNECTION_NOT_SET_UP";
/// The end-user's connection is no longer active (HTTP 409).
pub const INTEGRATION_CONNECTION_NOT_ACTIVE: &str = "INTEGRATION_CONNECTION_NOT_ACTIVE";
/// The record or end-user asked for does not exist (HTTP 404).
pub const RESOURCE_MISSING: &str = "RESOURCE_MISSING";
/// The secret key is missing or wrong (HTTP 401).
pub const API_KEY_INVALID: &str = "API_KEY_INVALID";
/// A request parameter is not what the API takes (HTTP 400), as in
/// "Unrecognized key(s) in object".
pub const INVALID_PARAMETERS: &str = "INVALID_PARAMETERS";
