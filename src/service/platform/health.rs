//! Readiness: whether the database answers, and which one it is.

use crate::db::{ping, DbConn};
use crate::error::ApiResult;

/// Runs a trivial query; returns the backend's name (`postgres` or `sqlite`).
pub fn database(conn: &mut DbConn) -> ApiResult<&'static str> {
    Ok(ping(conn)?.name())
}
