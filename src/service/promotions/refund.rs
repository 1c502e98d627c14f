//! A refund takes back the bonuses of its order in the same proportion as the order's own
//! points: from each bonus's lot first, then from the member's other available points, and
//! what the member cannot cover leaves a negative balance, as for the sale's points. Each
//! funder is credited back what its bonus returned (a partner at the bonus lot's price).

use chrono::NaiveDateTime;
use partner_sdk::types::EntryKind;

use crate::db::queries::earning::EarnRow;
use crate::db::queries::ledger::lots::{self as lot_rows, Lot};
use crate::db::queries::members::Member;
use crate::db::queries::promotions::{self as rows, GrantRow};
use crate::db::DbConn;
use crate::domain::earning::rules::clawback_split;
use crate::domain::money::Points;
use crate::error::{ApiError, ApiResult};
use crate::service::ledger::clearing::{self, ClearingKind, EntryAt};
use crate::service::ledger::{self, account, lots, minus, points_overflow, Draft, Posting, PTS};

/// Claws back the order's bonuses: `cumulative` gives, for a bonus of so many points, what the
/// order's refunds take back in total after this one. Returns the points taken back.
pub fn claw_back(
    conn: &mut DbConn,
    member: &mut Member,
    earn: &EarnRow,
    refund_id: &str,
    cumulative: &dyn Fn(Points) -> Points,
    now: NaiveDateTime,
) -> ApiResult<Points> {
    let mut total = Points::ZERO;
    for grant in rows::grants_of_earn(conn, earn.id)? {
        let claw = cumulative(Points::from(grant.points))
            .checked_sub(Points::from(grant.clawed_points))
            .ok_or_else(points_overflow)?
            .at_least_zero();
        if claw.is_positive() {
            claw_grant(conn, member, earn, refund_id, &grant, claw, now)?;
            total = total.checked_add(claw).ok_or_else(points_overflow)?;
        }
    }
    Ok(total)
}

fn claw_grant(
    conn: &mut DbConn,
    member: &mut Member,
    earn: &EarnRow,
    refund_id: &str,
    grant: &GrantRow,
    claw: Points,
    now: NaiveDateTime,
) -> ApiResult<()> {
    let all = lot_rows::member_lots_in_spending_order(conn, member.id, PTS)?;
    let own = lot_rows::lot(conn, grant.lot_id)?;
    let is_other = |l: &Lot| l.matured && l.id != grant.lot_id;
    let others_available =
        Points::checked_sum(all.iter().filter(|l| is_other(l)).map(|l| l.remaining))
            .ok_or_else(points_overflow)?;
    let split = clawback_split(claw, own.remaining, own.matured, others_available);
    let funder = match own.issuer_partner_id {
        Some(p) => Posting::partner(account::PARTNER_ISSUANCE, p, claw),
        None => Posting::network(account::NETWORK_PROMOTION, claw),
    };
    let memo = format!(
        "promotion {} on order {}",
        grant.promotion_id, earn.order_id
    );
    let member_id = member.id;
    let entry_id = ledger::post_entry(
        conn,
        member,
        Draft {
            kind: EntryKind::Refund,
            partner_id: Some(earn.partner_id),
            reference: refund_id,
            memo: Some(&memo),
            posted_at: now,
            postings: vec![
                Posting::member(
                    account::MEMBER_PENDING,
                    member_id,
                    minus(split.from_pending)?,
                ),
                Posting::member(
                    account::MEMBER_AVAILABLE,
                    member_id,
                    minus(split.from_available)?,
                ),
                funder,
            ],
            allow_negative_available: true,
            activity: false,
        },
    )?;
    let mut plan = Vec::new();
    if split.from_order.is_positive() {
        plan.push((own.id, split.from_order));
    }
    if split.from_others.is_positive() {
        plan.extend(lots::plan_take(&all, split.from_others, is_other)?);
    }
    lots::apply_plan(conn, &plan, entry_id, None, "clawback")?;
    if rows::add_clawed(conn, grant.id, claw.get())? != 1 {
        return Err(ApiError::internal("bonus claw-back beyond the bonus"));
    }
    if let Some(partner) = own.issuer_partner_id {
        clearing::record_promotion(
            conn,
            ClearingKind::Clawback,
            EntryAt {
                entry_id,
                posted_at: now,
            },
            (partner, claw, own.price_micros),
            &earn.order_id,
            grant.promotion_id,
        )?;
    }
    Ok(())
}
