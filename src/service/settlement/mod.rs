//! Closing settlement periods: one grouped scan of the period's clearing events gives every
//! partner's statement (signed with the network's Ed25519 key), the flow matrix, breakage and
//! the operator's margin; the money nets are posted to the ledger in the settlement currency.
//!
//! A period is `[previous cut-off, cut-off)` by posting time. Closing the same cut-off again
//! returns the stored run; a cut-off before the last closed one is refused; the cut-off must be
//! at least [`GRACE_S`] in the past, so that a write still in flight when the period ends (a
//! request takes milliseconds; PostgreSQL statements are also bounded by the statement
//! timeout) has committed before the close reads the period.

mod close;
pub mod disputes;
mod issue;
pub mod liability;
pub mod network_key;
pub mod payments;
pub mod reconcile;
pub mod statements;

pub use close::close;

use chrono::{Duration, NaiveDateTime};

use crate::crypto::MasterKey;
use crate::db::queries::settlement::{self as rows, RunRow};
use crate::db::DbConn;
use crate::domain::clock::utc;
use crate::domain::ids::{EntryId, RunId};
use crate::error::{fail, ApiError, ApiResult, Code};
use crate::http::settlement::json::{
    BreakageLine, FlowMatrix, MatrixColumn, MatrixRow, PartnerNet, Run, RunSummary,
};

/// How far in the past a cut-off must be, in seconds.
pub const GRACE_S: i64 = 60;

impl TryFrom<RunRow> for Run {
    type Error = ApiError;
    fn try_from(r: RunRow) -> ApiResult<Run> {
        Ok(Run {
            run_id: r.id.get(),
            period_start: utc(r.period_start),
            period_end: utc(r.period_end),
            closed_at: utc(r.closed_at),
            currency: r.currency,
            events_count: r.events_count,
            entry_id: r.entry_id.map(EntryId::get),
            summary: serde_json::from_str(&r.summary).map_err(ApiError::internal)?,
        })
    }
}

/// A run by id.
pub fn get_run(conn: &mut DbConn, run_id: RunId) -> ApiResult<Run> {
    match rows::run(conn, run_id)? {
        Some(r) => Run::try_from(r),
        None => fail(
            Code::SettlementRunNotFound,
            format!("no settlement run {run_id}"),
        ),
    }
}

/// A page of runs, newest first.
pub fn list_runs(conn: &mut DbConn, before: Option<i64>, limit: i64) -> ApiResult<Vec<Run>> {
    rows::runs_page(
        conn,
        before.map_or(RunId::from(i64::MAX), RunId::from),
        limit,
    )?
    .into_iter()
    .map(Run::try_from)
    .collect()
}

/// The most recent cut-off on day `day` of a month (00:00 UTC) that is at least [`GRACE_S`]
/// before `now`.
pub fn due_cutoff(now: NaiveDateTime, day: u32) -> Option<NaiveDateTime> {
    use chrono::Datelike;
    let latest = now - Duration::seconds(GRACE_S);
    let this_month = latest.date().with_day(day)?.and_hms_opt(0, 0, 0)?;
    if this_month <= latest {
        return Some(this_month);
    }
    let previous = latest.date().checked_sub_months(chrono::Months::new(1))?;
    previous.with_day(day)?.and_hms_opt(0, 0, 0)
}

/// The scheduled close: closes up to the due cut-off of day `day` unless a run already
/// reaches it. Safe on several instances (a second close of the same cut-off returns the run).
pub fn close_if_due(
    conn: &mut DbConn,
    master_key: &MasterKey,
    now: NaiveDateTime,
    day: u32,
) -> ApiResult<Option<Run>> {
    let Some(cutoff) = due_cutoff(now, day) else {
        return Ok(None);
    };
    if rows::last_run(conn)?.is_some_and(|r| r.period_end >= cutoff) {
        return Ok(None);
    }
    let (run, created) = close(conn, master_key, now, cutoff)?;
    Ok(created.then_some(run))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    #[test]
    fn the_scheduled_cutoff_is_the_last_day_n_midnight_past_the_grace() {
        assert_eq!(
            due_cutoff(at("2026-11-23 10:00:00"), 1),
            Some(at("2026-11-01 00:00:00"))
        );
        assert_eq!(
            due_cutoff(at("2026-11-01 00:00:30"), 1),
            Some(at("2026-10-01 00:00:00"))
        );
        assert_eq!(
            due_cutoff(at("2026-11-01 00:01:00"), 1),
            Some(at("2026-11-01 00:00:00"))
        );
        assert_eq!(
            due_cutoff(at("2026-03-10 00:00:00"), 28),
            Some(at("2026-02-28 00:00:00"))
        );
    }
}
