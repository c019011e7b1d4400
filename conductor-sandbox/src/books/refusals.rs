//! QuickBooks' refusals and the end-user's connection failures, built in one
//! place, in the form Conductor sends them: a refusal is HTTP 502, type
//! `INTEGRATION_ERROR`, code `QBD_REQUEST_ERROR`, QuickBooks' error number
//! as `integrationCode`, a `message` `QBD Request Error (N): ...` and a
//! `userFacingMessage` that begins "An error occurred while communicating
//! with QuickBooks Desktop: ". The wording after the number is QuickBooks'
//! own status message for that error.

use rust_decimal::Decimal;

use crate::failure::Failure;

/// A refusal by QuickBooks, error `code`, with its status message.
fn refused(code: u32, status_message: String) -> Failure {
    Failure {
        status: 502,
        error_type: "INTEGRATION_ERROR",
        code: "QBD_REQUEST_ERROR".to_owned(),
        message: format!("QBD Request Error ({code}): {status_message}"),
        user_facing: Some(format!("An error occurred while communicating with QuickBooks Desktop: {status_message}")),
        integration_code: Some(code.to_string()),
    }
}

/// 3100: another record of the same name space already has this full name.
pub(crate) fn name_in_use(full_name: &str) -> Failure {
    refused(3100, format!("The name \"{full_name}\" of the list element is already in use."))
}

/// 3120: an update names a line the transaction does not have.
pub(crate) fn line_not_found(line: &str, object: &str) -> Failure {
    refused(3120, format!("Object \"{line}\" specified in the request cannot be found in the {object}."))
}

/// 3140: a reference names no record of a type it may name. `kind` is
/// QuickBooks' word for what was named (`Customer`), `object` the record
/// being saved (`Invoice`).
pub(crate) fn invalid_reference(kind: &str, id: &str, object: &str) -> Failure {
    refused(
        3140,
        format!(
            "There is an invalid reference to QuickBooks {kind} \"{id}\" in the {object}.  QuickBooks error message: \
             Invalid argument.  The specified record does not exist in the list."
        ),
    )
}

/// 3180: QuickBooks could not save the record, for the reason it gives.
pub(crate) fn cannot_save(object: &str, reason: &str) -> Failure {
    refused(3180, format!("There was an error when saving a {object}.  QuickBooks error message: {reason}"))
}

/// 3180 for a transaction with no lines, as the real bodies show it.
pub(crate) fn transaction_empty(object: &str) -> Failure {
    cannot_save(object, "The transaction is empty.")
}

/// 3180 for an amount QuickBooks cannot keep.
pub(crate) fn amount_too_large(object: &str, amount: Decimal) -> Failure {
    cannot_save(object, &format!("The amount {amount} is larger than QuickBooks allows (13 digits before the point)."))
}

/// 3180 for arithmetic a decimal cannot hold.
pub(crate) fn cannot_work_out(object: &str) -> Failure {
    cannot_save(object, "An amount or quantity is too large to work out exactly.")
}

/// 3200: the `revisionNumber` sent is not the record's current one.
pub(crate) fn stale_revision(sent: &str) -> Failure {
    refused(3200, format!("The provided edit sequence \"{sent}\" is out-of-date."))
}

/// 500: a query named a record the company file does not have, so
/// QuickBooks refuses the whole query.
pub(crate) fn not_found_in_query(value: &str) -> Failure {
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
pub(crate) fn connection_offline() -> Failure {
    Failure {
        status: 502,
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
pub(crate) fn request_timeout(seconds: u64) -> Failure {
    Failure {
        status: 504,
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
pub(crate) fn not_set_up(end_user: &str, integration: &str) -> Failure {
    Failure {
        status: 409,
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
    use super::*;

    #[test]
    fn a_refusal_is_in_conductors_form() {
        let refusal = name_in_use("Acme");
        assert_eq!(
            (refusal.status, refusal.error_type, refusal.code.as_str()),
            (502, "INTEGRATION_ERROR", "QBD_REQUEST_ERROR")
        );
        assert_eq!(
            refusal.message,
            "QBD Request Error (3100): The name \"Acme\" of the list element is already in use."
        );
        assert_eq!(
            refusal.user_facing.as_deref(),
            Some(
                "An error occurred while communicating with QuickBooks Desktop: The name \"Acme\" of the list element is already in use."
            )
        );
        assert_eq!(refusal.integration_code.as_deref(), Some("3100"));
        // As the real body of errors.json has it.
        assert_eq!(
            transaction_empty("Bill").message,
            "QBD Request Error (3180): There was an error when saving a Bill.  QuickBooks error message: The \
             transaction is empty."
        );
    }
}
