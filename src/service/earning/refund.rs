//! Claws back the points of a returned sale, in proportion to what the returned part earned
//! (the amount weighted by each line's multiplier, a restricted line weighing nothing): from the
//! order's own lot first, then from the member's other available points; what the member
//! cannot cover leaves a negative balance. The partner is credited back every point clawed.

use chrono::NaiveDateTime;
use diesel::Connection;
use partner_sdk::types::{RefundRequest, RefundResponse};

use crate::db::queries::earning::{self as earn_rows, EarnRow};
use crate::db::queries::ledger::lots as lot_rows;
use crate::db::queries::members::Member;
use crate::db::{is_unique_violation, write_tx, DbConn};
use std::collections::HashMap;

use crate::db::queries::catalog::catalogs as catalog_rows;
use crate::db::queries::catalog::sales as sales_rows;
use crate::domain::earning::rules::{
    cumulative_clawback, cumulative_clawback_weighted, ClawbackSplit,
};
use crate::domain::earning::sale::check_return;
use crate::domain::ids::CategoryId;
use crate::domain::ids::{EntryId, PartnerId};
use crate::domain::money::{MoneyMinor, Points, PriceMicros};
use crate::error::{fail, ApiError, ApiResult, Code};
use crate::service::catalog::taxonomy::TreeCache;
use crate::service::ledger::clearing::{self, EntryAt};
use crate::service::ledger::{account, lots, points_overflow, Posting};
use crate::service::{local_programs, members, promotions};

/// Claws back the points of a full or partial return of an order.
pub fn refund(
    conn: &mut DbConn,
    categories: &TreeCache,
    now: NaiveDateTime,
    partner_id: PartnerId,
    req: &RefundRequest,
) -> ApiResult<RefundResponse> {
    check_return(req)?;
    write_tx(conn, |conn| {
        let (mut member, earn) = lock_order(conn, partner_id, &req.order_id, now)?;
        let refunded_after = check_refund(conn, partner_id, &earn, req)?;
        let (weight, parts) = refund_weight(conn, categories, &earn, req, refunded_after)?;
        let cumulative = match earn.weighted_bp {
            Some(total) => cumulative_clawback_weighted(
                earn.points,
                total,
                earn.refunded_weighted_bp.saturating_add(weight),
            ),
            None => cumulative_clawback(earn.points, earn.amount_minor, refunded_after),
        };
        let claw = cumulative
            .checked_sub(earn.clawed_points)
            .ok_or_else(points_overflow)?
            .at_least_zero();
        let (split, entry_id) = if claw.is_positive() {
            let (split, id) = claw_back(conn, &mut member, &earn, req, claw, now)?;
            (split, Some(id))
        } else {
            (ClawbackSplit::default(), None)
        };
        let returned = local_programs::Returned {
            refund_id: &req.refund_id,
            amount_after: refunded_after,
            weight_after: earn.refunded_weighted_bp.saturating_add(weight),
        };
        let (local_claw, local_entry) =
            local_programs::claw_back(conn, &mut member, &earn, &returned, now)?;
        let entry_id = entry_id.or(local_entry);
        let weight_after = earn.refunded_weighted_bp.saturating_add(weight);
        let bonus_share = |points: Points| match earn.weighted_bp {
            Some(total) => cumulative_clawback_weighted(points, total, weight_after),
            None => cumulative_clawback(points, earn.amount_minor, refunded_after),
        };
        let returned = promotions::refund::Returned {
            share: &bonus_share,
            parts: &parts,
            full: refunded_after >= earn.amount_minor,
            categories,
        };
        let bonus_claw = promotions::refund::claw_back(
            conn,
            &mut member,
            &earn,
            &req.refund_id,
            &returned,
            now,
        )?;
        record_refund(conn, &earn, req, (claw, weight), entry_id, now)?;
        promotions::referrals::on_refund(conn, &earn, refunded_after.get())?;
        // The refund lowers the member's qualifying spend: a grace period starts now if it
        // takes them below their tier.
        crate::service::tiers::evaluate(conn, member.id, now)?;
        Ok(RefundResponse {
            refund_id: req.refund_id.clone(),
            order_id: req.order_id.clone(),
            amount_minor: req.amount_minor,
            points_clawed_back: claw.get(),
            from_order_points: split.from_order.get(),
            from_other_points: split.from_others.get(),
            uncovered_points: split.uncovered.get(),
            order_refunded_minor: refunded_after.get(),
            entry_id: entry_id.map(EntryId::get),
            local_points_clawed_back: local_claw.get(),
            bonus_points_clawed_back: bonus_claw.get(),
        })
    })
}

/// The order and its member, locked. Refunds of one order serialise on its member's lock,
/// taken before the order's totals are read: read first, two concurrent refunds would both
/// start from the same totals (PostgreSQL's READ COMMITTED reads what was committed when each
/// statement began).
fn lock_order(
    conn: &mut DbConn,
    partner_id: PartnerId,
    order_id: &str,
    now: NaiveDateTime,
) -> ApiResult<(Member, EarnRow)> {
    let not_found = || ApiError::new(Code::OrderNotFound, "no earn for this order id");
    let member_id = earn_rows::earn_by_order(conn, partner_id, order_id)?
        .ok_or_else(not_found)?
        .member_id;
    let (member, _) = members::lock_and_sync(conn, member_id, now)?;
    let earn = earn_rows::earn_by_order(conn, partner_id, order_id)?.ok_or_else(not_found)?;
    Ok((member, earn))
}

/// A part of a refund: the returned line's category (None: the part at the order's average)
/// and its weight.
type ReturnedPart = (Option<CategoryId>, i128);

/// The weight this refund takes back from the order (0 for an order recorded before weights
/// were): each returned line at the weight its category earned at in this order, the rest at
/// the order's average weight; the last refund of an order takes back all that is left, so a
/// full return claws back every point. With it, the parts it is made of (each line's category
/// and weight, `None` for the part at the average), which a category bonus's claw-back reads.
fn refund_weight(
    conn: &mut DbConn,
    categories: &TreeCache,
    earn: &EarnRow,
    req: &RefundRequest,
    refunded_after: MoneyMinor,
) -> ApiResult<(i64, Vec<ReturnedPart>)> {
    let Some(total) = earn.weighted_bp else {
        return Ok((0, Vec::new()));
    };
    let left = total.saturating_sub(earn.refunded_weighted_bp).max(0);
    if refunded_after >= earn.amount_minor {
        return Ok((left, Vec::new()));
    }
    let amount = i128::from(earn.amount_minor.get()).max(1);
    let average = |minor: i64| i128::from(minor) * i128::from(total) / amount;
    let lines = req.lines.as_deref().unwrap_or(&[]);
    let mut weight = average(req.amount_minor - lines.iter().map(|l| l.amount_minor).sum::<i64>());
    let mut parts = vec![(None, weight)];
    if !lines.is_empty() {
        let tree = categories.current(conn)?;
        let weights: HashMap<CategoryId, i64> =
            sales_rows::weights_of(conn, earn.id)?.into_iter().collect();
        let skus: Vec<String> = lines.iter().filter_map(|l| l.sku.clone()).collect();
        let by_sku: HashMap<String, Option<CategoryId>> =
            catalog_rows::categories_of_skus(conn, earn.partner_id, &skus)?
                .into_iter()
                .collect();
        for line in lines {
            let category = line
                .sku
                .as_ref()
                .and_then(|s| by_sku.get(s).copied().flatten())
                .or_else(|| {
                    line.category
                        .as_deref()
                        .and_then(|c| tree.taxonomy.resolve(c))
                });
            let part = match category.and_then(|c| weights.get(&c).map(|bp| (c, bp))) {
                Some((c, bp)) => (Some(c), i128::from(line.amount_minor) * i128::from(*bp)),
                None => (None, average(line.amount_minor)),
            };
            weight += part.1;
            parts.push(part);
        }
    }
    Ok((
        i64::try_from(weight).unwrap_or(i64::MAX).clamp(0, left),
        parts,
    ))
}

/// Refuses a refund in another currency, a reused refund id, or one beyond the order; returns
/// the order's refunded total after this refund.
fn check_refund(
    conn: &mut DbConn,
    partner_id: PartnerId,
    earn: &EarnRow,
    req: &RefundRequest,
) -> ApiResult<MoneyMinor> {
    if earn.currency != req.currency {
        return fail(
            Code::CurrencyMismatch,
            format!("the order was paid in {}", earn.currency),
        );
    }
    if earn_rows::refund_ref_exists(conn, partner_id, &req.refund_id)? {
        return fail(Code::RefundIdReused, "this refund_id was already used");
    }
    let refunded_after = earn
        .refunded_minor
        .checked_add(MoneyMinor::from(req.amount_minor))
        .ok_or_else(|| ApiError::new(Code::InvalidAmount, "the refunded total would overflow"))?;
    if refunded_after > earn.amount_minor {
        return fail(
            Code::RefundExceedsOrder,
            format!(
                "the order was {} minor units and {} are already refunded",
                earn.amount_minor, earn.refunded_minor
            ),
        );
    }
    Ok(refunded_after)
}

/// Posts the claw-back entry, takes the points from the lots and writes the clearing event
/// (credited at the price the order's points were bought at, whatever the contract now).
fn claw_back(
    conn: &mut DbConn,
    member: &mut Member,
    earn: &EarnRow,
    req: &RefundRequest,
    claw: Points,
    now: NaiveDateTime,
) -> ApiResult<(ClawbackSplit, EntryId)> {
    let (split, entry_id, _) = lots::claw_back(
        conn,
        member,
        lots::Clawback {
            own_lot: earn.lot_id,
            points: claw,
            funder: Posting::partner(account::PARTNER_ISSUANCE, earn.partner_id, claw),
            partner_id: earn.partner_id,
            reference: &req.refund_id,
            memo: &req.order_id,
            now,
        },
    )?;
    let at = EntryAt {
        entry_id,
        posted_at: now,
    };
    record_clawback(conn, earn, &req.order_id, claw, at)?;
    Ok((split, entry_id))
}

/// The claw-back's clearing event: the partner is credited at the price the order's points
/// were bought at, whatever its contract says now.
fn record_clawback(
    conn: &mut DbConn,
    earn: &EarnRow,
    order_id: &str,
    claw: Points,
    at: EntryAt,
) -> ApiResult<()> {
    let order_price = match earn.lot_id {
        Some(lot_id) => lot_rows::lot(conn, lot_id)?.price_micros,
        None => PriceMicros::ZERO,
    };
    clearing::record_order(
        conn,
        clearing::ClearingKind::Clawback,
        at,
        earn.partner_id,
        claw,
        order_price,
        order_id,
    )
}

/// Adds the refund to the order's totals and records it (a refund id refunds once).
fn record_refund(
    conn: &mut DbConn,
    earn: &EarnRow,
    req: &RefundRequest,
    (claw, weight): (Points, i64),
    entry_id: Option<EntryId>,
    now: NaiveDateTime,
) -> ApiResult<()> {
    let amount = MoneyMinor::from(req.amount_minor);
    if earn_rows::add_earn_refund(conn, earn.id, amount, claw, weight)? != 1 {
        return Err(ApiError::internal("earn totals out of range"));
    }
    let inserted = conn.transaction(|conn| {
        earn_rows::insert_refund(
            conn,
            earn.id,
            earn.partner_id,
            &req.refund_id,
            MoneyMinor::from(req.amount_minor),
            claw,
            entry_id,
            now,
        )
    });
    match inserted {
        Ok(_) => Ok(()),
        Err(e) if is_unique_violation(&e) => {
            fail(Code::RefundIdReused, "this refund_id was already used")
        }
        Err(e) => Err(e.into()),
    }
}
