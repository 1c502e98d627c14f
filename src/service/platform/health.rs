//! Readiness: whether the database answers, and which one it is.

use diesel::connection::SimpleConnection;

use crate::db::{Backend, DbConn};
use crate::error::ApiResult;

/// Runs a trivial query; returns the backend's name (`postgres` or `sqlite`).
pub fn database(conn: &mut DbConn) -> ApiResult<&'static str> {
    conn.batch_execute("SELECT 1")?;
    Ok(Backend::of_conn(conn).name())
}
