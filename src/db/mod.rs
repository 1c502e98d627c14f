//! All SQL lives here: the connection enum over both backends, the pool and its manager, the
//! migrations, the transaction helpers, and the queries (one module per table family).
//! This is the only place that may match on the backend.

pub mod schema;

mod conn;
pub mod queries;
pub mod types;

pub use conn::{
    build_pool, is_transient, is_unavailable, is_unique_violation, mark_broken, ping,
    revert_migrations, run_migrations, write_tx, Backend, ConnManager, DbConn, DbPool,
    PoolSettings, TxError,
};
