//! Disputes of statements and the adjustments they carry into the next close.

use crate::domain::ids::{DisputeId, PartnerId, RunId, StatementId};
use crate::domain::money::MoneyMinor;
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::disputes;
use crate::db::DbConn;

/// A dispute.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = disputes)]
pub struct DisputeRow {
    pub id: DisputeId,
    pub statement_id: StatementId,
    pub partner_id: PartnerId,
    pub reason: String,
    pub status: String,
    pub opened_at: NaiveDateTime,
    pub resolution: Option<String>,
    pub adjustment_minor: Option<MoneyMinor>,
    pub resolved_at: Option<NaiveDateTime>,
    pub applied_run_id: Option<RunId>,
}

/// Opens a dispute.
pub fn insert_dispute(
    conn: &mut DbConn,
    statement_id: StatementId,
    partner_id: PartnerId,
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<DisputeId> {
    diesel::insert_into(disputes::table)
        .values((
            disputes::statement_id.eq(statement_id),
            disputes::partner_id.eq(partner_id),
            disputes::reason.eq(reason),
            disputes::status.eq("open"),
            disputes::opened_at.eq(now),
        ))
        .returning(disputes::id)
        .get_result(conn)
}

/// A dispute by id.
pub fn dispute(conn: &mut DbConn, id: DisputeId) -> QueryResult<Option<DisputeRow>> {
    disputes::table
        .find(id)
        .select(DisputeRow::as_select())
        .first(conn)
        .optional()
}

/// The disputes of some statements.
pub fn disputes_of(
    conn: &mut DbConn,
    statement_ids: &[StatementId],
) -> QueryResult<Vec<DisputeRow>> {
    disputes::table
        .filter(disputes::statement_id.eq_any(statement_ids))
        .order(disputes::id.asc())
        .select(DisputeRow::as_select())
        .load(conn)
}

/// Resolves an open dispute; 0 rows when it was not open.
pub fn resolve_dispute(
    conn: &mut DbConn,
    id: DisputeId,
    resolution: &str,
    adjustment_minor: MoneyMinor,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        disputes::table
            .filter(disputes::id.eq(id))
            .filter(disputes::status.eq("open")),
    )
    .set((
        disputes::status.eq("resolved"),
        disputes::resolution.eq(resolution),
        disputes::adjustment_minor.eq(adjustment_minor),
        disputes::resolved_at.eq(now),
    ))
    .execute(conn)
}

/// Resolved disputes whose adjustment no run has applied yet, resolved before `end`.
pub fn pending_adjustments(conn: &mut DbConn, end: NaiveDateTime) -> QueryResult<Vec<DisputeRow>> {
    disputes::table
        .filter(disputes::status.eq("resolved"))
        .filter(disputes::applied_run_id.is_null())
        .filter(disputes::resolved_at.lt(end))
        .order(disputes::id.asc())
        .select(DisputeRow::as_select())
        .load(conn)
}

/// Marks dispute adjustments as applied by a run.
pub fn mark_adjustments_applied(
    conn: &mut DbConn,
    ids: &[DisputeId],
    run_id: RunId,
) -> QueryResult<usize> {
    diesel::update(
        disputes::table
            .filter(disputes::id.eq_any(ids))
            .filter(disputes::applied_run_id.is_null()),
    )
    .set(disputes::applied_run_id.eq(run_id))
    .execute(conn)
}
