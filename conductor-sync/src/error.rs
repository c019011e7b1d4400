//! The sync's one error type.

/// What stopped a run, or an end-user's part of it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The database refused or failed.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// A call to Conductor failed.
    #[error("{0}")]
    Conductor(#[from] conductor::Error),
    /// A setting is wrong: an unknown resource, a database URL the sync
    /// cannot use.
    #[error("{0}")]
    Config(String),
    /// The database holds what this version cannot use: a schema from a
    /// newer release, a column whose type changed.
    #[error("database schema: {0}")]
    Schema(String),
}

impl Error {
    pub(crate) fn config(message: impl Into<String>) -> Error {
        Error::Config(message.into())
    }

    /// The Conductor error inside, when a call failed.
    pub fn as_conductor(&self) -> Option<&conductor::Error> {
        match self {
            Error::Conductor(error) => Some(error),
            _ => None,
        }
    }
}

/// The sync's `Result`.
pub type Result<T, E = Error> = std::result::Result<T, E>;
