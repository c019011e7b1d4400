//! QuickBooks' refusals and the end-user's connection failures, built in one
//! place, in the form Conductor sends them: a refusal is HTTP 502, type
//! `INTEGRATION_ERROR`, code `QBD_REQUEST_ERROR`, QuickBooks' error number
//! as `integrationCode`, a `message` `QBD Request Error (N): ...` and a
//! `userFacingMessage` that begins "An error occurred while communicating
//! with QuickBooks Desktop: ". The wording after the number is QuickBooks'
//! own status message for that error.

use reqwest::StatusCode;

use super::reply::Reply;

/// A refusal by QuickBooks, error `code`, with its status message.
fn refused(code: u32, status_message: String) -> Reply {
    Reply::Error {
        status: StatusCode::BAD_GATEWAY,
        error_type: "INTEGRATION_ERROR",
        code: "QBD_REQUEST_ERROR".to_owned(),
        message: format!("QBD Request Error ({code}): {status_message}"),
        user_facing: Some(format!("An error occurred while communicating with QuickBooks Desktop: {status_message}")),
        integration_code: Some(code.to_string()),
    }
}

/// 3100: another record of the same name space already has this full name.
pub(crate) fn name_in_use(full_name: &str) -> Reply {
    refused(3100, format!("The name \"{full_name}\" of the list element is already in use."))
}

/// 3140: a reference names no record of a type it may name. `kind` is
/// QuickBooks' word for what was named (`Customer`), `object` the record
/// being saved (`Invoice`).
pub(crate) fn invalid_reference(kind: &str, id: &str, object: &str) -> Reply {
    refused(
        3140,
        format!(
            "There is an invalid reference to QuickBooks {kind} \"{id}\" in the {object}.  QuickBooks error message: \
             Invalid argument.  The specified record does not exist in the list."
        ),
    )
}

/// 3180: QuickBooks could not save the record, for the reason it gives.
pub(crate) fn cannot_save(object: &str, reason: &str) -> Reply {
    refused(3180, format!("There was an error when saving a {object}.  QuickBooks error message: {reason}"))
}

/// 3180 for a transaction with no lines, as the real bodies show it.
pub(crate) fn transaction_empty(object: &str) -> Reply {
    cannot_save(object, "The transaction is empty.")
}

/// 3200: the `revisionNumber` sent is not the record's current one.
pub(crate) fn stale_revision(sent: &str) -> Reply {
    refused(3200, format!("The provided edit sequence \"{sent}\" is out-of-date."))
}

/// 500: a query named a record the company file does not have, so
/// QuickBooks refuses the whole query.
pub(crate) fn not_found_in_query(value: &str) -> Reply {
    refused(
        500,
        format!(
            "The query request has not been fully completed. There was a required element (\"{value}\") that could \
             not be found in QuickBooks."
        ),
    )
}

/// QuickBooks is not running, or the Web Connector is not connected: only
/// the end-user can fix it.
pub(crate) fn connection_offline() -> Reply {
    Reply::Error {
        status: StatusCode::BAD_GATEWAY,
        error_type: "INTEGRATION_CONNECTION_ERROR",
        code: "QBD_CONNECTION_ERROR".to_owned(),
        message: "QBD Connection Error (0x80040408): Could not start QuickBooks: the Web Connector did not \
                  connect, or QuickBooks Desktop is not running."
            .to_owned(),
        user_facing: Some(
            "We could not connect to QuickBooks Desktop. To fix this, make sure the computer with QuickBooks \
             Desktop is on, open QuickBooks Desktop and your company file, and make sure the QuickBooks Web \
             Connector is running. Then try again."
                .to_owned(),
        ),
        integration_code: Some("0x80040408".to_owned()),
    }
}

/// QuickBooks did not answer within the wait: it may still be working on
/// the request.
pub(crate) fn request_timeout(seconds: u64) -> Reply {
    Reply::Error {
        status: StatusCode::GATEWAY_TIMEOUT,
        error_type: "INTEGRATION_CONNECTION_ERROR",
        code: "QBD_REQUEST_TIMEOUT".to_owned(),
        message: format!("Request timed out after {seconds} seconds"),
        user_facing: Some(
            "QuickBooks Desktop did not respond in time. It may be busy with another task or showing a dialog \
             that needs attention. Please check QuickBooks Desktop and try again."
                .to_owned(),
        ),
        integration_code: None,
    }
}

/// The end-user never finished the auth flow.
pub(crate) fn not_set_up(end_user: &str, integration: &str) -> Reply {
    Reply::Error {
        status: StatusCode::CONFLICT,
        error_type: "INTEGRATION_CONNECTION_ERROR",
        code: "INTEGRATION_CONNECTION_NOT_SET_UP".to_owned(),
        message: format!(
            "The end-user {end_user} has not set up their {integration} connection yet: create an auth session and \
             send them through the auth flow."
        ),
        user_facing: Some(
            "You have not connected QuickBooks Desktop yet. Please finish setting up the connection, then try \
             again."
                .to_owned(),
        ),
        integration_code: None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_refusal_is_in_conductors_form() {
        let body = invalid_reference("Customer", "80000099-1", "Invoice").render("req_1", false);
        assert_eq!(body.status(), StatusCode::BAD_GATEWAY);
        let Reply::Error { message, user_facing, integration_code, .. } = name_in_use("Acme") else { unreachable!() };
        assert_eq!(message, "QBD Request Error (3100): The name \"Acme\" of the list element is already in use.");
        assert_eq!(
            user_facing.as_deref(),
            Some(
                "An error occurred while communicating with QuickBooks Desktop: The name \"Acme\" of the list element is already in use."
            )
        );
        assert_eq!(integration_code, Some("3100".to_owned()));
        let _ = json!({});
    }
}
