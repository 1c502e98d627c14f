//! A refund takes back the bonuses of its order in the same proportion as the order's own
//! points: from each bonus's lot first, then from the member's other available points, and
//! what the member cannot cover leaves a negative balance, as for the sale's points. Each
//! funder is credited back what its bonus returned (a partner at the bonus lot's price).

use chrono::NaiveDateTime;

use crate::db::queries::catalog::sales as sales_rows;
use crate::db::queries::earning::EarnRow;
use crate::db::queries::members::Member;
use crate::db::queries::promotions::{self as rows, GrantRow};
use crate::db::DbConn;
use crate::domain::earning::rules::cumulative_clawback_weighted;
use crate::domain::ids::CategoryId;
use crate::domain::money::Points;
use crate::domain::promotions::{shard_of, Rule};
use crate::error::{ApiError, ApiResult};
use crate::service::catalog::taxonomy::TreeCache;
use crate::service::ledger::clearing::{self, ClearingKind, EntryAt};
use crate::service::ledger::{account, lots, points_overflow, Posting};

use super::rule_of;

/// What a refund returned, as the bonuses' claw-back reads it.
pub struct Returned<'a> {
    /// For a bonus of so many points, what the order's refunds take back in total after this
    /// one (the order's own proportion, by weight).
    pub share: &'a dyn Fn(Points) -> Points,
    /// This refund's parts: each returned line's category and weight; `None` for the part
    /// taken at the order's average weight.
    pub parts: &'a [(Option<CategoryId>, i128)],
    /// Whether the order is now wholly returned.
    pub full: bool,
    /// The category tree.
    pub categories: &'a TreeCache,
}

/// Claws back the order's bonuses: a category bonus in proportion to the weight of its
/// category's lines returned, any other in the order's own proportion. Returns the points
/// taken back.
pub fn claw_back(
    conn: &mut DbConn,
    member: &mut Member,
    earn: &EarnRow,
    refund_id: &str,
    returned: &Returned<'_>,
    now: NaiveDateTime,
) -> ApiResult<Points> {
    let mut total = Points::ZERO;
    for grant in rows::grants_of_earn(conn, earn.id)? {
        let promotion = rows::find(conn, grant.promotion_id, None)?
            .ok_or_else(|| ApiError::internal("a bonus's promotion vanished"))?;
        let points = Points::from(grant.points);
        let (cumulative, basis_after) = match rule_of(&promotion)? {
            Rule::CategoryBonus { category, .. } => {
                category_share(conn, earn, &grant, category, returned)?
            }
            _ => ((returned.share)(points), grant.refunded_basis_bp),
        };
        let claw = cumulative
            .checked_sub(Points::from(grant.clawed_points))
            .ok_or_else(points_overflow)?
            .at_least_zero();
        if claw.is_positive() {
            claw_grant(conn, member, earn, refund_id, &grant, claw, now)?;
            if rows::add_clawed(conn, grant.id, claw.get(), basis_after)? != 1 {
                return Err(ApiError::internal("bonus claw-back beyond the bonus"));
            }
            // What a refund takes back returns to the budget, so returns do not drain it.
            if promotion.budget_points.is_some() {
                rows::give_back(conn, promotion.id, shard_of(member.id.get()), claw.get())?;
            }
            total = total.checked_add(claw).ok_or_else(points_overflow)?;
        }
    }
    Ok(total)
}

/// A category bonus's cumulative claw-back: the weight its category's lines earned at in the
/// order (the basis), the part of it returned so far (lines in the category, plus the part at
/// the average in the category's proportion; everything left on a full return), and the
/// bonus's points in that proportion. Returns (cumulative claw-back, basis returned so far).
fn category_share(
    conn: &mut DbConn,
    earn: &EarnRow,
    grant: &GrantRow,
    root: CategoryId,
    returned: &Returned<'_>,
) -> ApiResult<(Points, i64)> {
    let tree = returned.categories.current(conn)?;
    let within = |c: CategoryId| tree.taxonomy.is_within(c, root);
    let basis: i128 = sales_rows::spend_of(conn, earn.id)?
        .into_iter()
        .filter(|(c, _, _)| within(*c))
        .map(|(_, amount, weight)| i128::from(amount) * i128::from(weight))
        .sum();
    let basis = i64::try_from(basis).unwrap_or(i64::MAX);
    let before = i128::from(grant.refunded_basis_bp);
    let now_returned: i128 = if returned.full {
        i128::from(basis) - before
    } else {
        let total = i128::from(earn.weighted_bp.unwrap_or(0)).max(1);
        returned
            .parts
            .iter()
            .map(|(c, w)| match c {
                Some(c) if within(*c) => *w,
                Some(_) => 0,
                None => *w * i128::from(basis) / total,
            })
            .sum()
    };
    let after = (before + now_returned).clamp(0, i128::from(basis));
    let after = i64::try_from(after).unwrap_or(basis);
    Ok((
        cumulative_clawback_weighted(Points::from(grant.points), basis, after),
        after,
    ))
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
    let funder = match rows::find(conn, grant.promotion_id, None)?.and_then(|p| p.partner_id) {
        Some(p) => Posting::partner(account::PARTNER_ISSUANCE, p, claw),
        None => Posting::network(account::NETWORK_PROMOTION, claw),
    };
    let memo = format!(
        "promotion {} on order {}",
        grant.promotion_id, earn.order_id
    );
    let (_, entry_id, own) = lots::claw_back(
        conn,
        member,
        lots::Clawback {
            own_lot: Some(grant.lot_id),
            points: claw,
            funder,
            partner_id: earn.partner_id,
            reference: refund_id,
            memo: &memo,
            now,
        },
    )?;
    let own = own.ok_or_else(|| ApiError::internal("a bonus's lot vanished"))?;
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
