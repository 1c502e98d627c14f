//! Use cases. Each public function is one database transaction, synchronous, run inside
//! `web::block` by the handlers (see [`AppState::run`]) or directly by the command line.

pub mod auth;
pub mod clearing;
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
}

impl AppState {
    /// Runs blocking database work on actix's thread pool with a pooled connection.
    pub async fn run<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn, &AppState) -> ApiResult<T> + Send + 'static,
    {
        let state = self.clone();
        actix_web::web::block(move || {
            let mut conn = state.pool.get()?;
            f(&mut conn, &state)
        })
        .await
        .map_err(ApiError::internal)?
    }
}
