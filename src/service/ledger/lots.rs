//! Lots: which points a member holds, from whom, until when. Spending takes from the lots in
//! expiry order (earliest first) and records which lot paid for which redemption; giving points
//! back returns them to the lots they came from, latest expiry first.
//!
//! Invariant kept here and checked by `verify`: a member's pending balance is the remaining
//! points of their unmatured lots; their matured lots hold `max(available, 0)`; a negative
//! available balance (a claw-back the member could not cover) is repaid from the next points
//! that become available.

use chrono::NaiveDateTime;
use partner_sdk::types::EntryKind;

use crate::db::queries::ledger::lots::{self as lot_rows, Lot};
use crate::db::queries::members::Member;
use crate::db::queries::redemption::{self as redemption_rows, RedemptionRow};
use crate::db::DbConn;
use crate::domain::earning::rules::{clawback_split, ClawbackSplit};
use crate::domain::ids::{EntryId, LotId, PartnerId, RedemptionId};
use crate::domain::money::Points;
use crate::error::{ApiError, ApiResult};
use crate::service::ledger::clearing::{self, EntryAt};
use crate::service::ledger::{self, account, minus, points_overflow, Asset, Draft, Posting, PTS};
use crate::service::platform::settings::NetworkSettings;

/// Takes `points` from the lots that satisfy `eligible`, in spending order. Returns the plan
/// (lot id, points); fails when the lots do not hold enough.
pub fn plan_take(
    lots: &[Lot],
    points: Points,
    eligible: impl Fn(&Lot) -> bool,
) -> ApiResult<Vec<(LotId, Points)>> {
    let mut left = points;
    let mut plan = Vec::new();
    for lot in lots
        .iter()
        .filter(|l| eligible(l) && l.remaining.is_positive())
    {
        if !left.is_positive() {
            break;
        }
        let n = lot.remaining.min(left);
        plan.push((lot.id, n));
        left = left.checked_sub(n).ok_or_else(points_overflow)?;
    }
    if left.is_positive() {
        return Err(ApiError::internal(format!(
            "lots short of {left} points: balances and lots disagree"
        )));
    }
    Ok(plan)
}

/// Applies a plan: each lot loses its points, with a
/// movement recorded against the entry (and the redemption, if any).
pub fn apply_plan(
    conn: &mut DbConn,
    plan: &[(LotId, Points)],
    entry_id: EntryId,
    redemption_id: Option<RedemptionId>,
    kind: &str,
) -> ApiResult<()> {
    for (lot_id, taken) in plan {
        if lot_rows::adjust_lot_remaining(conn, *lot_id, minus(*taken)?)? != 1 {
            return Err(ApiError::internal(format!("lot {lot_id} out of range")));
        }
        lot_rows::insert_movement(conn, *lot_id, entry_id, redemption_id, kind, *taken)?;
    }
    Ok(())
}

pub use crate::domain::ledger::debt_repaid;

/// Gives `points` of a redemption back to the member's available balance, after `entry_id`
/// posted them: they go back to the lots they came from, latest expiry first, except the part
/// that repays a negative balance, which those lots keep paying for.
pub fn restore_to_lots(
    conn: &mut DbConn,
    redemption_id: RedemptionId,
    points: Points,
    available_before: Points,
    entry_id: EntryId,
) -> ApiResult<Vec<(Lot, Points)>> {
    let holdings = lot_rows::redemption_lot_holdings(conn, redemption_id)?;
    let mut restored = Vec::new();
    let mut left = points;
    let mut repay = debt_repaid(available_before, points);
    for (lot, held) in holdings {
        if !left.is_positive() {
            break;
        }
        let n = held.min(left);
        // The redemption no longer holds these points...
        let released = minus(n)?;
        lot_rows::insert_movement(
            conn,
            lot.id,
            entry_id,
            Some(redemption_id),
            "restore",
            released,
        )?;
        // ...but the part that repays the member's debt stays spent from this lot.
        let kept = repay.min(n);
        if kept.is_positive() {
            lot_rows::insert_movement(conn, lot.id, entry_id, None, "debt_repayment", kept)?;
            repay = repay.checked_sub(kept).ok_or_else(points_overflow)?;
        }
        let back = n.checked_sub(kept).ok_or_else(points_overflow)?;
        if back.is_positive() && lot_rows::adjust_lot_remaining(conn, lot.id, back)? != 1 {
            return Err(ApiError::internal(format!("lot {} out of range", lot.id)));
        }
        left = left.checked_sub(n).ok_or_else(points_overflow)?;
        restored.push((lot, n));
    }
    if left.is_positive() {
        return Err(ApiError::internal(
            "a redemption restored more than it held",
        ));
    }
    Ok(restored)
}

/// Brings a locked member up to the clock: releases holds that timed out, makes pending points
/// available when their return window ended, and expires points by the network's policy.
/// Every transaction that touches a member calls this first, so what a member sees and spends
/// never depends on when the background job last ran.
pub fn sync_member(
    conn: &mut DbConn,
    member: &mut Member,
    now: NaiveDateTime,
    settings: &NetworkSettings,
) -> ApiResult<()> {
    for hold in redemption_rows::expired_holds(conn, member.id, now)? {
        release_hold(conn, member, hold, "expired", now)?;
    }
    let inactive = settings
        .expiry_policy
        .inactivity_deadline(settings.expiry_months, member.last_activity_at)
        .is_some_and(|deadline| deadline <= now);
    // Most requests find nothing due: one indexed question then, not three reads.
    if !inactive && !lot_rows::any_lot_due(conn, member.id, now)? {
        return Ok(());
    }
    mature_lots(conn, member, now)?;
    expire_lots(conn, member, now, settings)?;
    super::local::expire_local_lots(conn, member, now)
}

/// Releases a whole authorized hold back to the member (void or time-out).
pub fn release_hold(
    conn: &mut DbConn,
    member: &mut Member,
    mut hold: RedemptionRow,
    new_status: &str,
    now: NaiveDateTime,
) -> ApiResult<()> {
    let points = hold.points_authorized;
    let asset = hold_asset(&hold)?;
    let available_before = available_of(conn, member, asset)?;
    let reference = hold.id.to_string();
    let member_id = member.id;
    let entry_id = ledger::post_entry(
        conn,
        member,
        Draft {
            kind: EntryKind::RedemptionRelease,
            partner_id: Some(hold.partner_id),
            reference: &reference,
            memo: Some(new_status),
            posted_at: now,
            postings: vec![
                Posting::member(account::MEMBER_HELD, member_id, minus(points)?).in_asset(asset),
                Posting::member(account::MEMBER_AVAILABLE, member_id, points).in_asset(asset),
            ],
            allow_negative_available: false,
            activity: false,
        },
    )?;
    restore_to_lots(conn, hold.id, points, available_before, entry_id)?;
    hold.status = new_status.to_owned();
    if redemption_rows::update_redemption(conn, &hold, "authorized", now)? != 1 {
        return Err(ApiError::internal("hold changed under the member lock"));
    }
    Ok(())
}

/// What a redemption spends: network points or its partner's local currency.
pub fn hold_asset(hold: &RedemptionRow) -> ApiResult<Asset> {
    Asset::parse(&hold.asset).ok_or_else(|| {
        ApiError::internal(format!("redemption {} has asset {}", hold.id, hold.asset))
    })
}

/// The member's available balance of `asset` (network points or a partner's own), negative
/// after a claw-back the member could not cover: points given back repay that first.
pub fn available_of(conn: &mut DbConn, member: &Member, asset: Asset) -> ApiResult<Points> {
    Ok(match asset {
        Asset::Points => member.available_points,
        Asset::Local(partner_id) => {
            crate::db::queries::local_programs::wallet(conn, member.id, partner_id)?
                .map_or(Points::ZERO, |w| w.available)
        }
    })
}

fn mature_lots(conn: &mut DbConn, member: &mut Member, now: NaiveDateTime) -> ApiResult<()> {
    let due = lot_rows::lots_due_to_mature(conn, member.id, now)?;
    if due.is_empty() {
        return Ok(());
    }
    let total = Points::checked_sum(due.iter().map(|l| l.remaining)).ok_or_else(points_overflow)?;
    let ids: Vec<LotId> = due.iter().map(|l| l.id).collect();
    if total.is_positive() {
        let available_before = member.available_points;
        let member_id = member.id;
        let entry_id = ledger::post_entry(
            conn,
            member,
            Draft {
                kind: EntryKind::Maturation,
                partner_id: None,
                reference: "return_window_ended",
                memo: None,
                posted_at: now,
                postings: vec![
                    Posting::member(account::MEMBER_PENDING, member_id, minus(total)?),
                    Posting::member(account::MEMBER_AVAILABLE, member_id, total),
                ],
                allow_negative_available: false,
                activity: false,
            },
        )?;
        let repay = debt_repaid(available_before, total);
        if repay.is_positive() {
            let plan = plan_take(&due, repay, |_| true)?;
            apply_plan(conn, &plan, entry_id, None, "debt_repayment")?;
        }
    }
    lot_rows::mark_matured(conn, &ids)?;
    Ok(())
}

fn expire_lots(
    conn: &mut DbConn,
    member: &mut Member,
    now: NaiveDateTime,
    settings: &NetworkSettings,
) -> ApiResult<()> {
    let inactive = settings
        .expiry_policy
        .inactivity_deadline(settings.expiry_months, member.last_activity_at)
        .is_some_and(|deadline| deadline <= now);
    let lots = lot_rows::member_lots_in_spending_order(conn, member.id, ledger::PTS)?;
    let expiring: Vec<&Lot> = lots
        .iter()
        .filter(|l| inactive || l.expires_at.is_some_and(|at| at <= now))
        .collect();
    if expiring.is_empty() {
        return Ok(());
    }
    let sum = |matured: bool| {
        Points::checked_sum(
            expiring
                .iter()
                .filter(|l| l.matured == matured)
                .map(|l| l.remaining),
        )
        .ok_or_else(points_overflow)
    };
    let (from_available, from_pending) = (sum(true)?, sum(false)?);
    let expired_total = from_available
        .checked_add(from_pending)
        .ok_or_else(points_overflow)?;
    let member_id = member.id;
    let entry_id = ledger::post_entry(
        conn,
        member,
        Draft {
            kind: EntryKind::Expiry,
            partner_id: None,
            reference: if inactive {
                "inactivity"
            } else {
                "lot_expired"
            },
            memo: None,
            posted_at: now,
            postings: vec![
                Posting::member(account::MEMBER_AVAILABLE, member_id, minus(from_available)?),
                Posting::member(account::MEMBER_PENDING, member_id, minus(from_pending)?),
                Posting::network(account::NETWORK_BREAKAGE, expired_total),
            ],
            allow_negative_available: false,
            activity: false,
        },
    )?;
    let plan: Vec<(LotId, Points)> = expiring.iter().map(|l| (l.id, l.remaining)).collect();
    apply_plan(conn, &plan, entry_id, None, "expiry")?;
    let expired: Vec<(&Lot, Points)> = expiring.iter().map(|l| (*l, l.remaining)).collect();
    clearing::record_breakage(
        conn,
        EntryAt {
            entry_id,
            posted_at: now,
        },
        &expired,
    )
}

/// A claw-back of points out of a member's wallet: which lot it takes from first (the order's
/// or the bonus's own), who is credited back (`funder`, a posting of `points`), and the entry's
/// reference.
pub struct Clawback<'a> {
    /// The lot taken from first, if it still exists.
    pub own_lot: Option<LotId>,
    /// Points taken back.
    pub points: Points,
    /// The posting that credits the funder back.
    pub funder: Posting,
    /// Where the refund happened.
    pub partner_id: PartnerId,
    /// The refund's id.
    pub reference: &'a str,
    /// What it takes back.
    pub memo: &'a str,
    /// The posting time.
    pub now: NaiveDateTime,
}

/// Takes points back from a member: from the own lot first (pending or available), then from
/// their other available points; what neither covers is left as a negative available balance,
/// which later points repay. Posts the refund entry and moves the lots; returns how the points
/// were found, the entry, and the own lot (for its price).
pub fn claw_back(
    conn: &mut DbConn,
    member: &mut Member,
    c: Clawback<'_>,
) -> ApiResult<(ClawbackSplit, EntryId, Option<Lot>)> {
    let all = lot_rows::member_lots_in_spending_order(conn, member.id, PTS)?;
    let own = match c.own_lot {
        Some(id) => Some(lot_rows::lot(conn, id)?),
        None => None,
    };
    let own_id = own.as_ref().map(|l| l.id);
    let is_other = |l: &Lot| l.matured && Some(l.id) != own_id;
    let others_available =
        Points::checked_sum(all.iter().filter(|l| is_other(l)).map(|l| l.remaining))
            .ok_or_else(points_overflow)?;
    let split = clawback_split(
        c.points,
        own.as_ref().map_or(Points::ZERO, |l| l.remaining),
        own.as_ref().is_some_and(|l| l.matured),
        others_available,
    );
    let member_id = member.id;
    let entry_id = ledger::post_entry(
        conn,
        member,
        Draft {
            kind: EntryKind::Refund,
            partner_id: Some(c.partner_id),
            reference: c.reference,
            memo: Some(c.memo),
            posted_at: c.now,
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
                c.funder,
            ],
            allow_negative_available: true,
            activity: false,
        },
    )?;
    let mut plan: Vec<(LotId, Points)> = Vec::new();
    if let (Some(id), true) = (own_id, split.from_order.is_positive()) {
        plan.push((id, split.from_order));
    }
    if split.from_others.is_positive() {
        plan.extend(plan_take(&all, split.from_others, is_other)?);
    }
    apply_plan(conn, &plan, entry_id, None, "clawback")?;
    if split.uncovered.is_positive() {
        tracing::warn!(
            member.id = %member_id,
            points = split.uncovered.get(),
            "refund left a negative balance"
        );
    }
    Ok((split, entry_id, own))
}
