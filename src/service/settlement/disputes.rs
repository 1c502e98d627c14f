//! Disputes: a partner disputes one of its statements; the operator resolves it with an
//! adjustment that the next statement carries.

use chrono::NaiveDateTime;
use partner_sdk::statement::{Dispute, DisputeRequest, DisputeStatus};

use super::statements::readable;
use crate::db::queries::settlement::{self as rows, DisputeRow};
use crate::db::{is_unique_violation, write_tx, DbConn};
use crate::domain::clock::utc;
use crate::domain::ids::{DisputeId, PartnerId, RunId, StatementId};
use crate::domain::input::{check_range, check_text, TextKind};
use crate::domain::limits::PAYMENT_MINOR_MAX;
use crate::domain::money::MoneyMinor;
use crate::error::{fail, ApiError, ApiResult, Code};
use crate::http::settlement::json::ResolutionRequest;

impl TryFrom<DisputeRow> for Dispute {
    type Error = ApiError;
    fn try_from(d: DisputeRow) -> ApiResult<Dispute> {
        let status = DisputeStatus::parse(&d.status)
            .ok_or_else(|| ApiError::internal(format!("stored dispute status {}", d.status)))?;
        Ok(Dispute {
            dispute_id: d.id.get(),
            statement_id: d.statement_id.get(),
            reason: d.reason,
            status,
            opened_at: utc(d.opened_at),
            resolution: d.resolution,
            adjustment_minor: d.adjustment_minor.map(MoneyMinor::get),
            resolved_at: d.resolved_at.map(utc),
            applied_in_run_id: d.applied_run_id.map(RunId::get),
        })
    }
}

/// Opens a dispute on the partner's own statement (one open dispute at a time).
pub fn open_dispute(
    conn: &mut DbConn,
    now: NaiveDateTime,
    partner_id: PartnerId,
    statement_id: StatementId,
    req: &DisputeRequest,
) -> ApiResult<Dispute> {
    let reason = check_text("reason", &req.reason, TextKind::FreeText)?;
    let opened = write_tx(conn, |conn| {
        let row = readable(conn, statement_id, Some(partner_id))?;
        if rows::disputes_of(conn, &[row.id])?
            .iter()
            .any(|d| d.status == "open")
        {
            return fail(
                Code::DisputeAlreadyOpen,
                "this statement already has an open dispute",
            );
        }
        let id = rows::insert_dispute(conn, row.id, partner_id, reason, now)?;
        tracing::info!(
            partner.id = %partner_id,
            statement.id = %row.id,
            dispute.id = %id,
            "statement disputed"
        );
        dispute(conn, id)
    });
    match opened {
        // A concurrent dispute of the same statement won (the partial unique index).
        Err(ApiError::Database(e)) if is_unique_violation(&e) => fail(
            Code::DisputeAlreadyOpen,
            "this statement already has an open dispute",
        ),
        other => other,
    }
}

fn dispute(conn: &mut DbConn, id: DisputeId) -> ApiResult<Dispute> {
    match rows::dispute(conn, id)? {
        Some(d) => Dispute::try_from(d),
        None => fail(Code::DisputeNotFound, format!("no dispute {id}")),
    }
}

/// Resolves an open dispute; its adjustment lands on the partner's next statement.
pub fn resolve_dispute(
    conn: &mut DbConn,
    now: NaiveDateTime,
    dispute_id: DisputeId,
    req: &ResolutionRequest,
) -> ApiResult<Dispute> {
    let text = check_text("resolution", &req.resolution, TextKind::FreeText)?;
    check_range(
        "adjustment_minor",
        req.adjustment_minor,
        -PAYMENT_MINOR_MAX,
        PAYMENT_MINOR_MAX,
    )?;
    write_tx(conn, |conn| {
        dispute(conn, dispute_id)?;
        if rows::resolve_dispute(
            conn,
            dispute_id,
            text,
            MoneyMinor::from(req.adjustment_minor),
            now,
        )? != 1
        {
            return fail(Code::DisputeNotOpen, "the dispute is already resolved");
        }
        dispute(conn, dispute_id)
    })
}
