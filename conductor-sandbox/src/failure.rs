//! An answer that is not a success, in the form Conductor sends one:
//! `{"error": {message, userFacingMessage, type, code, httpStatusCode,
//! integrationCode, requestId}}`. The books and Conductor's checks build
//! them; the HTTP layer only writes them out.

/// One error answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Failure {
    pub(crate) status: u16,
    pub(crate) error_type: &'static str,
    pub(crate) code: String,
    pub(crate) message: String,
    /// What to show the end-user; the `message` when `None`.
    pub(crate) user_facing: Option<String>,
    /// QuickBooks' or the Web Connector's own error code.
    pub(crate) integration_code: Option<String>,
}

/// What a request gets: a JSON body, or an error.
pub(crate) type Outcome = Result<serde_json::Value, Failure>;

/// What Conductor shows an end-user for a request it refused itself, as the
/// real bodies of `errors.json` show it.
const INTERNAL_USER_FACING: &str = "An internal server error occurred. Please try again.";

impl Failure {
    /// An error of Conductor's own.
    pub(crate) fn new(status: u16, error_type: &'static str, code: &str, message: &str) -> Failure {
        Failure {
            status,
            error_type,
            code: code.to_owned(),
            message: message.to_owned(),
            user_facing: None,
            integration_code: None,
        }
    }

    /// Conductor's 404 for a record or end-user that does not exist.
    pub(crate) fn not_found(what: &str, id: &str) -> Failure {
        Failure::new(404, "INVALID_REQUEST_ERROR", "RESOURCE_MISSING", &format!("No {what} exists with ID {id:?}."))
    }

    /// Conductor's 400 for a request it refuses before QuickBooks sees it.
    pub(crate) fn bad_request(code: &str, message: &str) -> Failure {
        Failure::new(400, "INVALID_REQUEST_ERROR", code, message)
    }

    /// Conductor's 400 for a body or query its schema does not allow, as
    /// the real bodies show it: `Invalid request parameter: ...`, code
    /// `INVALID_PARAMETERS`, and the generic user-facing message.
    pub(crate) fn invalid_parameters(detail: &str) -> Failure {
        Failure {
            user_facing: Some(INTERNAL_USER_FACING.to_owned()),
            ..Failure::bad_request("INVALID_PARAMETERS", &format!("Invalid request parameter: {detail}"))
        }
    }

    pub(crate) fn route_missing() -> Failure {
        Failure::new(404, "INVALID_REQUEST_ERROR", "ROUTE_NOT_FOUND", "No such route.")
    }

    pub(crate) fn method_missing() -> Failure {
        Failure::new(405, "INVALID_REQUEST_ERROR", "METHOD_NOT_ALLOWED", "This route does not take that method.")
    }

    /// A request the sandbox could not carry out for a fault of its own;
    /// nothing it sent was kept.
    pub(crate) fn internal(message: &str) -> Failure {
        Failure {
            user_facing: Some(INTERNAL_USER_FACING.to_owned()),
            ..Failure::new(500, "INTERNAL_ERROR", "INTERNAL_ERROR", message)
        }
    }
}
