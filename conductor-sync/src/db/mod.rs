//! The database: SQLite or PostgreSQL through one pool (sqlx's `Any`
//! driver), with the SQL that differs between them in one place.
//!
//! Every value is bound as text (or an integer), and PostgreSQL casts it to
//! its column's type in the statement (`$1::text::numeric`), so one code
//! path serves both; in SQLite, the column's affinity does the rest.

pub(crate) mod ddl;
pub(crate) mod rows;
pub(crate) mod state;

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

use crate::error::{Error, Result};
use crate::schema::Type;

/// The two databases the sync writes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

/// A database the sync keeps: SQLite (`sqlite:PATH`) or PostgreSQL
/// (`postgres://...`). Cheap to clone: clones share one pool.
#[derive(Clone, Debug)]
pub struct Database {
    pub(crate) pool: AnyPool,
    pub(crate) dialect: Dialect,
}

impl Database {
    /// Connects to `url` and brings its schema up to date (creating the
    /// tables on first use, adding the columns a newer release has, and
    /// filling them from each row's record).
    ///
    /// `sqlite:PATH` (or `sqlite://PATH`) is a file, created if missing;
    /// `postgres://user:password@host:port/database` a PostgreSQL server.
    /// `connections` bounds the pool (PostgreSQL; a SQLite file takes one
    /// writer at a time, so its pool has one connection).
    pub async fn connect(url: &str, connections: u32) -> Result<Database> {
        sqlx::any::install_default_drivers();
        let (dialect, url) = parse(url)?;
        let options = AnyConnectOptions::from_str(&url).map_err(|e| Error::config(format!("database URL: {e}")))?;
        let pool = match dialect {
            Dialect::Sqlite => {
                AnyPoolOptions::new()
                    .max_connections(1)
                    .acquire_timeout(Duration::from_secs(600))
                    .after_connect(|connection, _| {
                        Box::pin(async move {
                            // Readers (`status`, your own queries) go on while
                            // the sync writes; a commit waits for the disk
                            // only at checkpoints.
                            connection.execute("PRAGMA journal_mode = WAL").await?;
                            connection.execute("PRAGMA synchronous = NORMAL").await?;
                            connection.execute("PRAGMA busy_timeout = 30000").await?;
                            Ok(())
                        })
                    })
                    .connect_with(options)
                    .await?
            }
            Dialect::Postgres => {
                AnyPoolOptions::new()
                    .max_connections(connections.max(2))
                    .acquire_timeout(Duration::from_secs(600))
                    .connect_with(options)
                    .await?
            }
        };
        let database = Database { pool, dialect };
        ddl::migrate(&database).await?;
        Ok(database)
    }

    /// Whether it is PostgreSQL (which several workers can share).
    pub fn is_postgres(&self) -> bool {
        self.dialect == Dialect::Postgres
    }

    /// The pool, for queries of your own over the synced tables. On SQLite
    /// it has one connection, which the sync takes turns with.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Closes the pool, waiting for its connections to finish.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// The dialect of a database URL, and the URL as sqlx takes it.
fn parse(url: &str) -> Result<(Dialect, String)> {
    if let Some(path) = url.strip_prefix("sqlite:") {
        let path = path.strip_prefix("//").unwrap_or(path);
        if path.is_empty() {
            return Err(Error::config("database URL: `sqlite:` needs a path, as in sqlite:conductor-sync.db"));
        }
        let separator = if path.contains('?') { '&' } else { '?' };
        let create = if path.contains("mode=") { String::new() } else { format!("{separator}mode=rwc") };
        return Ok((Dialect::Sqlite, format!("sqlite://{path}{create}")));
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok((Dialect::Postgres, url.to_owned()));
    }
    Err(Error::config(format!(
        "database URL {:?}: give sqlite:PATH or postgres://user:password@host/database",
        redact(url)
    )))
}

/// A URL with its password hidden.
pub(crate) fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

impl Dialect {
    /// The `n`th (from 1) bound value of a statement.
    ///
    /// In SQLite a plain `?`, numbered by its place: every statement's
    /// values appear in the order they are bound. (sqlx looks a numbered
    /// `?NNN` up by name, in a list as long as the statement's, which made
    /// binding a page of rows quadratic; and it cannot mix the two forms.)
    pub(crate) fn param(self, n: usize) -> String {
        match self {
            Dialect::Sqlite => "?".to_owned(),
            Dialect::Postgres => format!("${n}"),
        }
    }

    /// The `count` bound values from the `first`th, comma-separated: the
    /// list of an `IN (...)`.
    pub(crate) fn params(self, first: usize, count: usize) -> String {
        (first..first + count).map(|n| self.param(n)).collect::<Vec<_>>().join(", ")
    }

    /// The `n`th bound value, as a value of a column of type `ty`.
    pub(crate) fn value(self, n: usize, ty: Type) -> String {
        let param = self.param(n);
        match (self, ty) {
            (Dialect::Sqlite, _) => param,
            (Dialect::Postgres, Type::Text | Type::Reference) => param,
            (Dialect::Postgres, ty) => format!("{param}::text::{}", self.sql_type(ty)),
        }
    }

    /// The SQL type of a column.
    pub(crate) fn sql_type(self, ty: Type) -> &'static str {
        match (self, ty) {
            (_, Type::Text | Type::Reference) => "TEXT",
            (Dialect::Postgres, Type::Decimal) => "NUMERIC",
            (Dialect::Postgres, Type::Date) => "DATE",
            (Dialect::Postgres, Type::Timestamp) => "TIMESTAMPTZ",
            (Dialect::Postgres, Type::Bool) => "BOOLEAN",
            (Dialect::Postgres, Type::Integer) => "BIGINT",
            (Dialect::Postgres, Type::Json) => "JSONB",
            // Exact text, never a float: SQLite has no decimal type.
            (Dialect::Sqlite, Type::Decimal | Type::Date | Type::Timestamp | Type::Json) => "TEXT",
            (Dialect::Sqlite, Type::Bool | Type::Integer) => "INTEGER",
        }
    }

    /// A timestamp column read back as RFC 3339 text in UTC.
    pub(crate) fn timestamp_text(self, column: &str) -> String {
        match self {
            Dialect::Sqlite => format!("\"{column}\""),
            Dialect::Postgres => {
                format!("to_char(\"{column}\" AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')")
            }
        }
    }

    /// A JSON column read back as text.
    pub(crate) fn json_text(self, column: &str) -> String {
        match self {
            Dialect::Sqlite => format!("\"{column}\""),
            Dialect::Postgres => format!("\"{column}\"::text"),
        }
    }

    /// A text field of a JSON column.
    pub(crate) fn json_field(self, column: &str, field: &str) -> String {
        match self {
            Dialect::Sqlite => format!("json_extract(\"{column}\", '$.{field}')"),
            Dialect::Postgres => format!("(\"{column}\"->>'{field}')"),
        }
    }
}

/// A statement the sync built: its text comes from the generated table's
/// identifiers, this module's SQL and placeholders alone, and every value
/// is bound, never written into it.
pub(crate) fn safe(statement: String) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(statement)
}

/// An identifier, quoted.
pub(crate) fn quoted(name: &str) -> String {
    format!("\"{name}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_their_database() {
        assert_eq!(parse("sqlite:sync.db").unwrap(), (Dialect::Sqlite, "sqlite://sync.db?mode=rwc".into()));
        assert_eq!(parse("sqlite:///tmp/a.db").unwrap(), (Dialect::Sqlite, "sqlite:///tmp/a.db?mode=rwc".into()));
        assert_eq!(parse("postgres://u:p@h/db").unwrap().0, Dialect::Postgres);
        let message = parse("mysql://root:hunter2@host/db").unwrap_err().to_string();
        assert!(message.contains("root:***@host") && !message.contains("hunter2"), "{message}");
        assert!(parse("sqlite:").is_err());
    }
}
