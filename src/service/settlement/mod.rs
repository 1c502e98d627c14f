//! Closing settlement periods: one grouped scan of the period's clearing events gives every
//! partner's statement (signed with the network's Ed25519 key), the flow matrix, breakage and
//! the operator's margin; the money nets are posted to the ledger in the settlement currency.
//!
//! A period is `[previous cut-off, cut-off)` by posting time. Closing the same cut-off again
//! returns the stored run; a cut-off before the last closed one is refused; the cut-off must be
//! at least [`GRACE_S`] in the past, so no transaction still in flight can post into a closed
//! period (write transactions are bounded far below that by the statement timeout).

mod close;
pub mod disputes;
mod issue;
pub mod liability;
pub mod network_key;
pub mod payments;
pub mod reconcile;
pub mod statements;

pub use close::close;

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use partner_sdk::statement::StatementLine;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::crypto::MasterKey;
use crate::db::queries::settlement::{self as rows, RunRow};
use crate::db::DbConn;
use crate::domain::clock::utc;
use crate::domain::ids::{EntryId, RunId};
use crate::error::{fail, ApiError, ApiResult, Code};

/// How far in the past a cut-off must be, in seconds.
pub const GRACE_S: i64 = 60;

/// Asks to close the period ending at `until`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseRequest {
    /// The cut-off (exclusive, by posting time); at least 60 s in the past.
    pub until: DateTime<Utc>,
}

/// One partner's net in a run.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PartnerNet {
    /// The partner.
    pub partner_id: i64,
    /// Its slug.
    pub slug: String,
    /// Its statement.
    pub statement_id: i64,
    /// Minor units; positive: the partner owes the network.
    pub net_minor: i64,
}

/// Points of a funding party that expired in the period.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BreakageLine {
    /// The funding partner, or absent for the operator.
    pub issuer_partner_id: Option<i64>,
    /// Its slug, or `operator`.
    pub party: String,
    /// Points and their value at the price the issuer paid.
    pub line: StatementLine,
}

/// A column of the flow matrix: a shop where points were redeemed.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MatrixColumn {
    /// The partner.
    pub partner_id: i64,
    /// Its slug.
    pub party: String,
}

/// A row of the flow matrix: the party that funded the points.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MatrixRow {
    /// The funding partner, or absent for the operator.
    pub issuer_partner_id: Option<i64>,
    /// Its slug, or `operator`.
    pub party: String,
    /// Points redeemed at each column's shop, net of reversals.
    pub cells: Vec<i64>,
    /// The row's sum.
    pub total: i64,
}

/// Points issued by A (row) redeemed at B (column) in the period, net of reversals.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct FlowMatrix {
    /// The shops.
    pub columns: Vec<MatrixColumn>,
    /// The funding parties.
    pub rows: Vec<MatrixRow>,
    /// Each column's sum: the points redeemed at that shop net of reversals.
    pub column_totals: Vec<i64>,
    /// Everything redeemed, net.
    pub total: i64,
}

/// The network's view of a closed period.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RunSummary {
    /// Each partner's net.
    pub partners: Vec<PartnerNet>,
    /// The operator's margin, minor units: the sum of the nets (what the network keeps).
    pub operator_margin_minor: i64,
    /// Of which fees, minor units.
    pub fees_minor: i64,
    /// Of which dispute adjustments, minor units.
    pub adjustments_minor: i64,
    /// Of which rounding: the exact nets less the rounded ones, micros.
    pub rounding_micros: i64,
    /// Points the operator funded (bonuses, goodwill) redeemed at shops: its cost.
    pub operator_funded_redeemed: StatementLine,
    /// Breakage by funding party.
    pub breakage: Vec<BreakageLine>,
    /// The flow matrix.
    pub matrix: FlowMatrix,
}

/// A closed period.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Run {
    /// The run's id.
    pub run_id: i64,
    /// Start (inclusive).
    pub period_start: DateTime<Utc>,
    /// Cut-off (exclusive).
    pub period_end: DateTime<Utc>,
    /// When it was closed.
    pub closed_at: DateTime<Utc>,
    /// Settlement currency.
    pub currency: String,
    /// Clearing events in the period.
    pub events_count: i64,
    /// The ledger entry of the money nets (absent when every net was zero).
    pub entry_id: Option<i64>,
    /// The figures.
    pub summary: RunSummary,
}

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
