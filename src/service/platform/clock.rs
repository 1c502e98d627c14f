//! The network clock's offset, kept in the database so that every instance reads one time:
//! refreshed before each unit of work on an adjustable clock, moved forward only by an
//! operator of a server started with an adjustable clock (demo and tests).

use crate::db::queries::platform::system;
use crate::db::{write_tx, DbConn};
use crate::domain::clock::Clock;
use crate::domain::input::check_range;
use crate::error::{fail, ApiError, ApiResult, Code};

/// Longest single move of the clock, in seconds (100 years).
pub const ADVANCE_S_MAX: i64 = 3_153_600_000;

/// Takes in the offset stored in the database (another instance may have moved it).
pub fn refresh(conn: &mut DbConn, clock: &Clock) -> ApiResult<()> {
    clock.observe_offset_s(system::clock_offset_s(conn)?);
    Ok(())
}

/// Logs an error when the database's clock was moved (by a demo or test server) while this
/// process runs on the system clock, which ignores the offset.
pub fn warn_if_moved(conn: &mut DbConn) -> ApiResult<()> {
    let offset_s = system::clock_offset_s(conn)?;
    if offset_s != 0 {
        tracing::error!(
            clock.offset_s = offset_s,
            "this database's clock was moved by a server with an adjustable clock; this process \
             runs on the system clock and ignores it: never share a database between a demo \
             and a production server"
        );
    }
    Ok(())
}

/// Moves the network's clock forward by `advance_s` seconds, for every instance.
pub fn advance(conn: &mut DbConn, clock: &Clock, advance_s: i64) -> ApiResult<()> {
    check_range("advance_s", advance_s, 1, ADVANCE_S_MAX)?;
    if !clock.is_adjustable() {
        return fail(
            Code::ClockNotAdjustable,
            "start the server with LOYALTY_ADJUSTABLE_CLOCK=true (demo only)",
        );
    }
    let offset_s = write_tx(conn, |conn| {
        system::advance_clock_offset(conn, advance_s).map_err(ApiError::from)
    })?;
    clock.observe_offset_s(offset_s);
    Ok(())
}
