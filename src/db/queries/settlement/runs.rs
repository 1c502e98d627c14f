//! Settlement runs: one per closed period.

use crate::domain::ids::{EntryId, RunId};
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{clearing_events, settlement_runs};
use crate::db::DbConn;

/// A settlement run.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = settlement_runs)]
pub struct RunRow {
    pub id: RunId,
    pub period_start: NaiveDateTime,
    pub period_end: NaiveDateTime,
    pub currency: String,
    pub closed_at: NaiveDateTime,
    pub events_count: i64,
    pub summary: String,
    pub entry_id: Option<EntryId>,
}

/// A run to store.
#[derive(Debug, Insertable)]
#[diesel(table_name = settlement_runs)]
pub struct NewRun<'a> {
    pub period_start: NaiveDateTime,
    pub period_end: NaiveDateTime,
    pub currency: &'a str,
    pub closed_at: NaiveDateTime,
    pub events_count: i64,
    pub summary: &'a str,
    pub entry_id: Option<EntryId>,
}

/// Stores a run; a unique violation means another close of the same cut-off won.
pub fn insert_run(conn: &mut DbConn, run: &NewRun<'_>) -> QueryResult<RunId> {
    diesel::insert_into(settlement_runs::table)
        .values(run)
        .returning(settlement_runs::id)
        .get_result(conn)
}

/// The run with the latest cut-off.
pub fn last_run(conn: &mut DbConn) -> QueryResult<Option<RunRow>> {
    settlement_runs::table
        .order(settlement_runs::period_end.desc())
        .select(RunRow::as_select())
        .first(conn)
        .optional()
}

/// The run closed at exactly this cut-off.
pub fn run_ending_at(conn: &mut DbConn, end: NaiveDateTime) -> QueryResult<Option<RunRow>> {
    settlement_runs::table
        .filter(settlement_runs::period_end.eq(end))
        .select(RunRow::as_select())
        .first(conn)
        .optional()
}

/// A run by id.
pub fn run(conn: &mut DbConn, id: RunId) -> QueryResult<Option<RunRow>> {
    settlement_runs::table
        .find(id)
        .select(RunRow::as_select())
        .first(conn)
        .optional()
}

/// A page of runs, newest first, before `before` (an id).
pub fn runs_page(conn: &mut DbConn, before: RunId, limit: i64) -> QueryResult<Vec<RunRow>> {
    settlement_runs::table
        .filter(settlement_runs::id.lt(before))
        .order(settlement_runs::id.desc())
        .limit(limit)
        .select(RunRow::as_select())
        .load(conn)
}

/// Every run in order of cut-off (for the verification).
pub fn all_runs(conn: &mut DbConn) -> QueryResult<Vec<RunRow>> {
    settlement_runs::table
        .order(settlement_runs::period_end.asc())
        .select(RunRow::as_select())
        .load(conn)
}

/// How many clearing events `[start, end)` holds (the verification compares it with the run).
pub fn event_count(
    conn: &mut DbConn,
    start: NaiveDateTime,
    end: NaiveDateTime,
) -> QueryResult<i64> {
    clearing_events::table
        .filter(clearing_events::posted_at.ge(start))
        .filter(clearing_events::posted_at.lt(end))
        .count()
        .get_result(conn)
}

/// Completes a run with its summary and money entry (in the transaction that created it).
pub fn finish_run(
    conn: &mut DbConn,
    id: RunId,
    summary: &str,
    entry_id: Option<EntryId>,
) -> QueryResult<usize> {
    diesel::update(settlement_runs::table.find(id))
        .set((
            settlement_runs::summary.eq(summary),
            settlement_runs::entry_id.eq(entry_id),
        ))
        .execute(conn)
}
