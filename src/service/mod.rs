//! Use cases. Each public function is one database transaction, synchronous, run inside
//! `web::block` by the handlers (see [`AppState::run`]) or directly by the command line.

pub mod auth;
pub mod clearing;
pub mod clock;
pub mod earn;
pub mod idempotency;
pub mod jobs;
pub mod ledger;
pub mod lots;
pub mod members;
pub mod network_key;
pub mod partners;
pub mod reconcile;
pub mod redeem;
pub mod settings;
pub mod settlement;
pub mod statements;
pub mod verify;

use crate::crypto::MasterKey;
use crate::db::{DbConn, DbPool};
use crate::domain::clock::Clock;
use crate::error::{ApiError, ApiResult};
use std::sync::atomic::Ordering;

/// What every request needs: the pool, the clock and the master key.
#[derive(Clone)]
pub struct AppState {
    /// The database pool.
    pub pool: DbPool,
    /// The network's clock.
    pub clock: Clock,
    /// Seals and opens partner secrets.
    pub master_key: MasterKey,
    /// Lifetime of a member's sign-in token, in seconds.
    pub session_ttl_s: i64,
    /// Answers that were internal errors (500), counted so that tests can fail on any.
    pub internal_errors: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// Set after the database was found unavailable: pooled connections are checked before
    /// use until one answers again, so that requests are not handed connections that died
    /// with the database.
    pub database_suspect: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl AppState {
    /// The state of a server or a command, with the clock taking in the stored offset.
    pub fn new(
        pool: DbPool,
        clock: Clock,
        master_key: MasterKey,
        session_ttl_s: i64,
    ) -> ApiResult<AppState> {
        let mut conn = pool.get()?;
        clock::refresh(&mut conn, &clock)?;
        drop(conn);
        Ok(AppState {
            pool,
            clock,
            master_key,
            session_ttl_s,
            internal_errors: Default::default(),
            database_suspect: Default::default(),
        })
    }

    /// Runs blocking database work on actix's thread pool with a pooled connection.
    pub async fn run<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn, &AppState) -> ApiResult<T> + Send + 'static,
    {
        let state = self.clone();
        actix_web::web::block(move || {
            let mut conn = state.checkout()?;
            let result = (|| {
                if state.clock.is_adjustable() {
                    clock::refresh(&mut conn, &state.clock)?;
                }
                f(&mut conn, &state)
            })();
            if let Err(ApiError::Database(e)) = &result {
                if crate::db::is_unavailable(e) {
                    // The connection may have died with the database: drop it, and check the
                    // others before they are used.
                    crate::db::mark_broken(&mut conn);
                    state.database_suspect.store(true, Ordering::SeqCst);
                }
            }
            result
        })
        .await
        .map_err(ApiError::internal)?
    }

    /// A pooled connection. While the database is suspect (it failed recently), each one is
    /// checked with a trivial query first and dropped when dead, so that a restarted database
    /// is served again at once instead of through one failed request per dead connection.
    fn checkout(&self) -> ApiResult<r2d2::PooledConnection<crate::db::ConnManager>> {
        use diesel::connection::SimpleConnection;
        loop {
            let mut conn = self.pool.get()?;
            if !self.database_suspect.load(Ordering::SeqCst) {
                return Ok(conn);
            }
            match conn.batch_execute("SELECT 1") {
                Ok(()) => {
                    self.database_suspect.store(false, Ordering::SeqCst);
                    return Ok(conn);
                }
                Err(e) if crate::db::is_unavailable(&e) => {
                    // Dropped by the pool; the loop ends when the pool can open no new
                    // connection within its timeout (an error, answered 503).
                    crate::db::mark_broken(&mut conn);
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
}
