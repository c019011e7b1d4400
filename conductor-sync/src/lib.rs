//! Keeps a database in step with every end-user's QuickBooks Desktop
//! company file, through the [Conductor API](https://docs.conductor.is).
//!
//! One table per list resource (`invoices`, `customers`, ... with
//! `invoice_lines` and the other tables of lines), typed columns beside the
//! whole record as JSON, keyed by `(end_user_id, id)`, in SQLite or
//! PostgreSQL. Each run reads what changed since the last (with an overlap,
//! as QuickBooks stamps records by the end-user's clock), what QuickBooks
//! lists as deleted, and again the records whose balances those changes
//! moved; it resumes wherever it stopped, a process killed included.
//!
//! ```no_run
//! # async fn go() -> conductor_sync::Result<()> {
//! use conductor_sync::{Database, Syncer};
//!
//! let client = conductor::Client::from_env()?;
//! let database = Database::connect("postgres://sync@127.0.0.1/books", 20).await?;
//! let report = Syncer::builder(client, database).concurrency(8).build()?.run().await?;
//! for end_user in &report.end_users {
//!     println!("{} {} {:?}", end_user.end_user_id, end_user.status, end_user.reason);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! The command, `conductor-sync run` and `conductor-sync status`, is this
//! library with a progress bar per end-user and resource.

#![warn(clippy::too_many_lines)]

mod db;
mod engine;
mod error;
mod event;
mod lease;
mod read;
mod run;
mod schema;
mod tables;

pub use crate::db::Database;
pub use crate::db::ddl::schema_sql;
pub use crate::db::state::{EndUserStatus, RunRecord};
pub use crate::error::{Error, Result};
pub use crate::event::Event;
pub use crate::run::{
    DEFAULT_CONCURRENCY, DEFAULT_OVERLAP, EndUserReport, ResourceCount, RunReport, RunStatus, SyncBuilder, Syncer,
};
pub use crate::schema::resource_names;
