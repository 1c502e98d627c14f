//! All SQL lives here: the connection enum over both backends, the pool and its manager, the
//! migrations, the transaction helpers, and the queries (one module per table family).
//! This is the only place that may match on the backend.

/// Inserts `rows` into `table` in multi-row statements of `chunk` rows, on each backend (the
/// connection enum cannot express a multi-row insert); the rows written, or the query error.
/// For the large writes only: the category tree, catalog uploads.
macro_rules! insert_in_chunks {
    ($conn:expr, $table:expr, $rows:expr, $chunk:expr) => {{
        let mut written = 0_usize;
        for chunk in $rows.chunks($chunk) {
            written += match &mut *$conn {
                $crate::db::DbConn::Pg(c) => {
                    diesel::insert_into($table).values(chunk).execute(c)?
                }
                $crate::db::DbConn::Sqlite(c) => {
                    diesel::insert_into($table).values(chunk).execute(c)?
                }
            };
        }
        Ok(written)
    }};
}
pub(crate) use insert_in_chunks;

pub mod schema;

mod conn;
pub mod queries;
mod tx;
pub mod types;

pub use conn::{
    build_pool, is_unique_violation, ping, revert_migrations, run_migrations, Backend, ConnManager,
    DbConn, DbPool, PoolSettings,
};
pub use tx::{is_transient, is_unavailable, limit_lock_waits, mark_broken, write_tx, TxError};
