//! Use cases. Each public function is one database transaction, synchronous, run inside
//! `web::block` by the handlers (see [`AppState::run`]) or directly by the command line.

//!
//! Grouped by capability, the same names as in `http/`, `db/queries/` and `tests/api/`:
//! `ledger` (the shared kernel: posting, lots, clearing events, verification), `earning`
//! (earn and refund), `redemption` (two-phase spending), `members`, `partners`, `settlement`
//! (periods, statements, payments, disputes, reconciliation, the signing key) and `platform`
//! (authentication, idempotency, background jobs, the clock, network settings).

pub mod analytics;
pub mod branding;
pub mod catalog;
pub mod earning;
pub mod ledger;
pub mod local_programs;
pub mod members;
pub mod partners;
pub mod platform;
pub mod promotions;
pub mod redemption;
pub mod settlement;
pub mod tiers;

use crate::crypto::MasterKey;
use crate::db::{DbConn, DbPool};
use crate::domain::clock::Clock;
use crate::error::{ApiError, ApiResult};
use std::sync::atomic::Ordering;

/// A page of a list read with one row more than its `limit`: the rows of the page, and the
/// cursor of the next page (made from its last row) when that extra row came back.
pub fn page_of<T>(
    mut rows: Vec<T>,
    limit: i64,
    cursor: impl Fn(&T) -> String,
) -> (Vec<T>, Option<String>) {
    let limit = usize::try_from(limit).unwrap_or(0);
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next = if more { rows.last().map(cursor) } else { None };
    (rows, next)
}

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
    /// Until when (Unix milliseconds) pooled connections are checked before use, because the
    /// database was found unavailable shortly before: connections that died with it are
    /// dropped instead of being handed to requests.
    pub database_suspect_until_ms: std::sync::Arc<std::sync::atomic::AtomicI64>,
    /// This server's copy of the category tree.
    pub categories: catalog::taxonomy::TreeCache,
    /// Partner secrets already opened, by key id and sealed form.
    pub secrets: platform::auth::SecretCache,
    /// The group-committing writers of the requests that move points.
    pub writers: platform::writer::Writers,
}

impl AppState {
    /// The state of a server or a command. An adjustable clock takes in the offset stored in
    /// the database; a system clock ignores it (a production server never runs on a moved
    /// clock) and says so loudly when the database holds one.
    pub fn new(
        pool: DbPool,
        clock: Clock,
        master_key: MasterKey,
        session_ttl_s: i64,
        writers_pg: u16,
    ) -> ApiResult<AppState> {
        let mut conn = pool.get()?;
        // SQLite has one writer (the database takes one at a time anyway); PostgreSQL's
        // writers leave at least two connections of the pool to the other requests.
        let spare = usize::try_from(pool.max_size().saturating_sub(2)).unwrap_or(1);
        let writers = match crate::db::Backend::of_conn(&conn) {
            crate::db::Backend::Sqlite => 1,
            crate::db::Backend::Postgres => usize::from(writers_pg).min(spare).max(1),
        };
        if clock.is_adjustable() {
            platform::clock::refresh(&mut conn, &clock)?;
        } else {
            platform::clock::warn_if_moved(&mut conn)?;
        }
        catalog::taxonomy::seed_if_empty(&mut conn, clock.now_naive())?;
        drop(conn);
        Ok(AppState {
            pool,
            clock,
            master_key,
            session_ttl_s,
            internal_errors: Default::default(),
            database_suspect_until_ms: Default::default(),
            categories: Default::default(),
            secrets: Default::default(),
            writers: platform::writer::Writers::start(writers)?,
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
                    platform::clock::refresh(&mut conn, &state.clock)?;
                }
                f(&mut conn, &state)
            })();
            if let Err(ApiError::Database(e)) = &result {
                if crate::db::is_unavailable(e) {
                    // The connection may have died with the database: drop it, and check the
                    // others before they are used.
                    crate::db::mark_broken(&mut conn);
                    state.suspect_database();
                }
            }
            result
        })
        .await
        .map_err(ApiError::internal)?
    }

    /// How long pooled connections are checked before use after the database failed.
    const SUSPECT_MS: i64 = 10_000;

    pub(crate) fn suspect_database(&self) {
        let until = chrono::Utc::now().timestamp_millis() + Self::SUSPECT_MS;
        self.database_suspect_until_ms
            .fetch_max(until, Ordering::SeqCst);
    }

    /// A pooled connection. For a while after the database failed, each one is checked with a
    /// trivial query first and dropped when dead, so that a restarted database is served again
    /// at once instead of through one failed request per dead connection. Bounded: after as
    /// many dead connections as the pool holds, the next failure is the answer (a 503).
    pub(crate) fn checkout(&self) -> ApiResult<r2d2::PooledConnection<crate::db::ConnManager>> {
        use diesel::connection::SimpleConnection;
        let suspect_until = self.database_suspect_until_ms.load(Ordering::SeqCst);
        let mut tries_left = self.pool.max_size();
        loop {
            let started = std::time::Instant::now();
            let got = self.pool.get();
            platform::metrics::pool_wait(started.elapsed().as_secs_f64());
            let mut conn = got?;
            if chrono::Utc::now().timestamp_millis() >= suspect_until {
                return Ok(conn);
            }
            match conn.batch_execute("SELECT 1") {
                Ok(()) => return Ok(conn),
                Err(e) if crate::db::is_unavailable(&e) && tries_left > 0 => {
                    crate::db::mark_broken(&mut conn);
                    tries_left -= 1;
                }
                Err(e) => {
                    crate::db::mark_broken(&mut conn);
                    return Err(e.into());
                }
            }
        }
    }
}
