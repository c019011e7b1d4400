//! What every example shares: how it ends (the error printed, and a failing
//! exit code), whichever API it ran against.

use std::process::ExitCode;

/// The exit code of an example's run, with its error printed when it
/// failed.
pub fn finish(result: Result<(), Box<dyn std::error::Error>>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Whether the examples run against the real API: `CONDUCTOR_SECRET_KEY`
/// is set. Without it, each says so and runs against an embedded sandbox.
pub fn real_api() -> bool {
    std::env::var_os("CONDUCTOR_SECRET_KEY").is_some()
}
