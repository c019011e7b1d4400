//! Several workers on one PostgreSQL database, with Postgres as the only
//! coordinator: session advisory locks, which the server releases when the
//! session ends, however its worker ended.
//!
//! - A worker holds a lock on its run for as long as it runs: a run still
//!   recorded as `running` whose lock is free was interrupted.
//! - A worker holds a lock on an end-user while it syncs it: no two sync
//!   one end-user at once, and one that finds it locked moves on and comes
//!   back to it.
//!
//! SQLite has one writer: there the sync is one worker, and these are
//! no-ops.

use sqlx::Any;
use sqlx::pool::PoolConnection;

use crate::db::{Database, safe};
use crate::error::Result;

/// The first key of a run's lock; the second is the run's id. Two-key
/// locks and one-key locks (end-users') never collide in Postgres.
const RUN_LOCKS: i32 = 0x636f_6e64;

/// An end-user's lock key: FNV-1a of its id, the same in every worker and
/// release.
pub(crate) fn end_user_key(end_user: &str) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in end_user.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    i64::from_ne_bytes(hash.to_ne_bytes())
}

/// The second key of a run's lock.
fn run_key(run: i64) -> i32 {
    i32::try_from(run.rem_euclid(i64::from(i32::MAX))).unwrap_or_default()
}

/// A lock held by a session kept out of the pool until released.
pub(crate) struct Lock {
    connection: Option<PoolConnection<Any>>,
    unlock: String,
    keys: (i64, i32, bool),
}

impl Lock {
    /// Releases the lock and gives the session back to the pool.
    pub(crate) async fn release(mut self) {
        let Some(mut connection) = self.connection.take() else { return };
        let (one, two, pair) = self.keys;
        let query = sqlx::query_scalar::<_, bool>(safe(self.unlock.clone()));
        let query = if pair { query.bind(i32::try_from(one).unwrap_or_default()).bind(two) } else { query.bind(one) };
        if query.fetch_one(&mut *connection).await.is_err() {
            // A session that could not say it unlocked is closed, which
            // unlocks.
            connection.close_on_drop();
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Dropped without `release` (a task cancelled): the session closes,
        // and the server releases the lock.
        if let Some(connection) = &mut self.connection {
            connection.close_on_drop();
        }
    }
}

/// Locks the run for as long as the worker runs: `None` on SQLite.
pub(crate) async fn lock_run(database: &Database, run: i64) -> Result<Option<Lock>> {
    if !database.is_postgres() {
        return Ok(None);
    }
    let mut connection = database.pool.acquire().await?;
    sqlx::query_scalar::<_, bool>("SELECT pg_try_advisory_lock($1::int4, $2::int4)")
        .bind(RUN_LOCKS)
        .bind(run_key(run))
        .fetch_one(&mut *connection)
        .await?;
    Ok(Some(Lock {
        connection: Some(connection),
        unlock: "SELECT pg_advisory_unlock($1::int4, $2::int4)".into(),
        keys: (i64::from(RUN_LOCKS), run_key(run), true),
    }))
}

/// Whether a run recorded as `running` has no worker any more. On SQLite,
/// every such run (one worker at a time).
pub(crate) async fn run_is_dead(database: &Database, run: i64) -> Result<bool> {
    if !database.is_postgres() {
        return Ok(true);
    }
    let mut connection = database.pool.acquire().await?;
    let free: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1::int4, $2::int4)")
        .bind(RUN_LOCKS)
        .bind(run_key(run))
        .fetch_one(&mut *connection)
        .await?;
    if free {
        sqlx::query_scalar::<_, bool>("SELECT pg_advisory_unlock($1::int4, $2::int4)")
            .bind(RUN_LOCKS)
            .bind(run_key(run))
            .fetch_one(&mut *connection)
            .await?;
    }
    Ok(free)
}

/// What trying an end-user's lock found.
pub(crate) enum Attempt {
    /// This worker holds it (always, on SQLite).
    Held(Option<Lock>),
    /// Another worker is syncing the end-user.
    Busy,
}

/// Tries to lock an end-user without waiting.
pub(crate) async fn try_lock_end_user(database: &Database, end_user: &str) -> Result<Attempt> {
    if !database.is_postgres() {
        return Ok(Attempt::Held(None));
    }
    let key = end_user_key(end_user);
    let mut connection = database.pool.acquire().await?;
    let locked: bool =
        sqlx::query_scalar("SELECT pg_try_advisory_lock($1::int8)").bind(key).fetch_one(&mut *connection).await?;
    if !locked {
        return Ok(Attempt::Busy);
    }
    Ok(Attempt::Held(Some(Lock {
        connection: Some(connection),
        unlock: "SELECT pg_advisory_unlock($1::int8)".into(),
        keys: (key, 0, false),
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_stable() {
        // FNV-1a 64 of "end_usr_1": the same in every worker and release.
        assert_eq!(end_user_key(""), i64::from_ne_bytes(0xcbf2_9ce4_8422_2325_u64.to_ne_bytes()));
        assert_ne!(end_user_key("end_usr_1"), end_user_key("end_usr_2"));
        assert_eq!(run_key(5), 5);
        assert_eq!(run_key(i64::from(i32::MAX) + 3), 3);
    }
}
