//! Operator adjustments: goodwill credits and corrections, with a mandatory reason.

use chrono::NaiveDateTime;
use partner_sdk::types::EntryKind;

use super::{balance, find, lock_and_sync};
use crate::db::queries::ledger::lots::{self as lot_rows, NewLot};
use crate::db::{write_tx, DbConn};
use crate::domain::ids::{EntryId, MemberId};
use crate::domain::input::{check_range, check_text, TextKind};
use crate::domain::limits::{self};
use crate::domain::money::{Points, PriceMicros};
use crate::error::{fail, ApiError, ApiResult, Code};
use crate::http::members::json::{AdjustmentRequest, AdjustmentResponse};
use crate::service::ledger::lots;
use crate::service::ledger::{self, account, minus, points_overflow, Draft, Posting, PTS};

/// Posts an operator adjustment. A credit is a new lot funded by the operator; a withdrawal
/// takes from available points and cannot make the balance negative.
pub fn adjust(
    conn: &mut DbConn,
    now: NaiveDateTime,
    number: &str,
    req: &AdjustmentRequest,
    operator: &str,
) -> ApiResult<AdjustmentResponse> {
    check_range(
        "points",
        req.points,
        -limits::POINTS_MAX,
        limits::POINTS_MAX,
    )?;
    if req.points == 0 {
        return fail(Code::InvalidAmount, "points: must not be zero");
    }
    let reason = check_text("reason", &req.reason, TextKind::FreeText)?;
    let memo = format!("{reason} (by {operator})");
    let member_id = find(conn, number)?.id;
    let entry_id = write_tx(conn, |conn| {
        let (mut member, settings) = lock_and_sync(conn, member_id, now)?;
        let available_before = member.available_points;
        let member_id = member.id;
        let points = Points::from(req.points);
        let entry_id = ledger::post_entry(
            conn,
            &mut member,
            Draft {
                kind: EntryKind::Adjustment,
                partner_id: None,
                reference: "operator",
                memo: Some(&memo),
                posted_at: now,
                postings: vec![
                    Posting::network(account::NETWORK_ADJUSTMENT, minus(points)?),
                    Posting::member(account::MEMBER_AVAILABLE, member_id, points),
                ],
                allow_negative_available: false,
                activity: false,
            },
        )?;
        if points.is_positive() {
            let expires_at = settings
                .expiry_policy
                .lot_expires_at(settings.expiry_months, now);
            let lot_points = points
                .checked_sub(lots::debt_repaid(available_before, points))
                .ok_or_else(points_overflow)?;
            credit_lot(conn, member.id, lot_points, entry_id, now, expires_at)?;
        } else {
            let all = lot_rows::member_lots_in_spending_order(conn, member.id, PTS)?;
            let plan = lots::plan_take(&all, minus(points)?, |l| l.matured)?;
            lots::apply_plan(conn, &plan, entry_id, None, "adjustment")?;
        }
        tracing::info!(
            member.id = %member.id,
            points = req.points,
            "operator adjustment"
        );
        Ok::<EntryId, ApiError>(entry_id)
    })?;
    Ok(AdjustmentResponse {
        entry_id: entry_id.get(),
        balance: balance(conn, now, member_id, None)?,
    })
}

/// The lot of an operator credit (what is left after repaying a negative balance): funded by
/// the operator, available at once.
fn credit_lot(
    conn: &mut DbConn,
    member_id: MemberId,
    points: Points,
    entry_id: EntryId,
    now: NaiveDateTime,
    expires_at: Option<NaiveDateTime>,
) -> ApiResult<()> {
    if !points.is_positive() {
        return Ok(());
    }
    lot_rows::insert_lot(
        conn,
        &NewLot {
            member_id,
            asset: PTS,
            issuer_kind: "operator",
            issuer_partner_id: None,
            price_micros: PriceMicros::ZERO,
            points,
            remaining: points,
            earned_at: now,
            available_at: now,
            expires_at,
            matured: true,
            entry_id,
        },
    )?;
    Ok(())
}
