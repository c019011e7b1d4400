//! The HTTP side of the sandbox: accepting connections, checking the key,
//! reading bodies within their limits, injected faults, one request at a
//! time per company file, and writing answers out. It knows nothing of
//! QuickBooks: each request goes to `api` as a call, and its outcome comes
//! back as a JSON value or a failure.

pub(crate) mod bounds;
pub(crate) mod reply;
pub(crate) mod server;
