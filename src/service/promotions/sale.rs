//! Promotions on a sale: which running promotions apply to it (target, rule, stacking), what
//! each gives after the member's cap and the budget, and the bonus lots, each with its funder.
//!
//! Budgets: a budget is split into rows (`promotion_budgets`, 16 per promotion). An earn takes
//! its bonus from the member's own row in one conditional update; only when that row is short
//! does it take from every row that holds points, locking them in shard order (one order for
//! every earn, so two earns never wait on each other in a cycle). Concurrent earns of different
//! members therefore update different rows until the budget runs low, and no row ever goes
//! below zero (a check constraint says so too). The member's cap is counted from their own
//! bonuses, under the member's lock every earn already holds.

use chrono::NaiveDateTime;
use diesel::Connection;
use partner_sdk::promotions::{Bonus, Funder};

use crate::db::queries::promotions::{self as rows, PromotionRow};
use crate::db::DbConn;
use crate::domain::catalog::taxonomy::Taxonomy;
use crate::domain::earning::categories::TreatedLine;
use crate::domain::earning::rules::EarnRates;
use crate::domain::ids::{CategoryId, MemberId, PartnerId, PromotionId};
use crate::domain::money::Points;
use crate::domain::promotions::{capped, sale_bonus, shard_of, stack, Rule, SaleFacts, Stackable};
use crate::error::ApiResult;
use crate::service::ledger::{account, minus, points_overflow, Posting};

use super::{rule_of, targets};

/// A sale as the promotions see it.
pub struct SaleContext<'a> {
    /// Where it happened.
    pub partner_id: PartnerId,
    /// Who bought.
    pub member_id: MemberId,
    /// When.
    pub occurred_at: NaiveDateTime,
    /// The network's clock.
    pub now: NaiveDateTime,
    /// The sale's own points (a rule gives nothing on a sale that earns none).
    pub points: i64,
    /// The part of its amount that earns (restricted lines left out).
    pub eligible_minor: i64,
    /// The member's tier code at the sale.
    pub tier: &'a str,
    /// Its earn rates (tier included).
    pub rates: EarnRates,
    /// Its amount weighted by each line's multiplier.
    pub weighted_bp: i64,
    /// Its lines' treatments and categories.
    pub lines: &'a [TreatedLine],
    /// Each line's category.
    pub line_categories: &'a [Option<CategoryId>],
    /// The tree the lines were read with.
    pub taxonomy: Option<&'a Taxonomy>,
    /// Whether the sale's earn is already recorded (an earn; not a dry run): the purchase
    /// counts then include it.
    pub recorded: bool,
}

/// A bonus to give.
#[derive(Debug, Clone)]
pub struct Planned {
    /// The promotion.
    pub promotion_id: PromotionId,
    /// Its name.
    pub name: String,
    /// The partner that pays (None: the operator).
    pub funder: Option<PartnerId>,
    /// Points after the cap and the budget.
    pub points: Points,
    /// Why.
    pub description: String,
}

/// The points of bonuses together (each within the points range; an overflow is refused).
pub fn total(planned: &[Planned]) -> ApiResult<Points> {
    Points::checked_sum(planned.iter().map(|p| p.points)).ok_or_else(points_overflow)
}

impl Planned {
    /// As the earn's answer shows it.
    pub fn bonus(&self) -> Bonus {
        Bonus {
            promotion_id: self.promotion_id.get(),
            name: self.name.clone(),
            funder: match self.funder {
                Some(_) => Funder::Partner,
                None => Funder::Operator,
            },
            points: self.points.get(),
            description: self.description.clone(),
        }
    }

    /// The postings of the bonus in the earn's entry: the funder issues it to `wallet`.
    pub fn postings(&self, member_id: MemberId, wallet: &'static str) -> ApiResult<[Posting; 2]> {
        let from = match self.funder {
            Some(p) => Posting::partner(account::PARTNER_ISSUANCE, p, minus(self.points)?),
            None => Posting::network(account::NETWORK_PROMOTION, minus(self.points)?),
        };
        Ok([from, Posting::member(wallet, member_id, self.points)])
    }
}

/// The bonuses the running promotions give on a sale, in stacking order. With `reserve`, the
/// budgets are taken (an earn, inside its transaction, the member locked); without, they are
/// only read (a dry run).
pub fn plan(conn: &mut DbConn, sale: &SaleContext<'_>, reserve: bool) -> ApiResult<Vec<Planned>> {
    let running = rows::running(conn, Some(sale.partner_id), sale.occurred_at, None)?;
    let mut offers: Vec<(PromotionRow, i64, String)> = Vec::new();
    let mut candidates = Vec::new();
    for row in running {
        // The operator's promotions must also be running now: a sale backdated into an ended
        // (or, for a dry run, a future) network promotion gets nothing from it. A partner's
        // own promotion follows the sale's time only (late batches of its weekend count).
        if row.partner_id.is_none() && !(row.starts_at <= sale.now && sale.now < row.ends_at) {
            continue;
        }
        let rule = rule_of(&row)?;
        let offer = if targets(conn, &row, sale.member_id, sale.tier)? {
            let facts = facts(conn, sale, &row, &rule)?;
            match sale_bonus(&rule, &facts) {
                // What the member's cap and the budget still allow decides whether it applies:
                // a spent promotion leaves the stack to the next one.
                Some((points, why)) => Some(available(conn, &row, sale.member_id, points, why)?),
                None => None,
            }
        } else {
            None
        };
        candidates.push(Stackable {
            priority: row.priority,
            id: row.id.get(),
            exclusive: row.exclusive,
            points: offer.as_ref().map(|(p, _)| *p),
        });
        if let Some((points, why)) = offer {
            offers.push((row, points, why));
        }
    }
    settle(conn, sale.member_id, &offers, stack(candidates), reserve)
}

/// What a promotion can still give a member of `want` (its cap, then its budget left, read),
/// and why: every offer goes through here before it is stacked and settled.
pub(super) fn available(
    conn: &mut DbConn,
    row: &PromotionRow,
    member_id: MemberId,
    want: i64,
    mut why: String,
) -> ApiResult<(i64, String)> {
    let already = rows::granted_to(conn, row.id, member_id)?;
    let allowed = capped(want, row.per_member_cap, already);
    if allowed < want {
        why.push_str(&format!(", cut to the member's cap ({allowed})"));
    }
    let left = match row.budget_points {
        Some(_) if allowed > 0 => allowed.min(rows::budget_left(conn, row.id)?),
        _ => allowed,
    };
    if left < allowed {
        why.push_str(&format!(", cut to what is left of the budget ({left})"));
    }
    Ok((left, why))
}

/// The bonuses of the offers (promotion, points after [`available`], why) that the stack kept
/// (`ids`, in order); with `reserve`, their points are taken from the budgets.
pub(super) fn settle(
    conn: &mut DbConn,
    member_id: MemberId,
    offers: &[(PromotionRow, i64, String)],
    ids: Vec<i64>,
    reserve: bool,
) -> ApiResult<Vec<Planned>> {
    let mut planned = Vec::new();
    for id in ids {
        let Some((row, want, why)) = offers.iter().find(|(r, _, _)| r.id.get() == id) else {
            continue;
        };
        // The offer is already cut to the member's cap and the budget as read ([`available`]);
        // an earn takes it from the budget now, which a concurrent earn may have spent.
        let allowed = *want;
        let mut description = format!("{}: {why}", row.name);
        let points = match row.budget_points {
            Some(_) if reserve => reserve_budget(conn, row.id, member_id, allowed)?,
            _ => allowed,
        };
        if points < allowed {
            description.push_str(&format!(", cut to what is left of the budget ({points})"));
        }
        if points > 0 {
            planned.push(Planned {
                promotion_id: row.id,
                name: row.name.clone(),
                funder: row.partner_id,
                points: Points::from(points),
                description,
            });
        }
    }
    Ok(planned)
}

/// What a rule needs to know of the sale and the member.
fn facts(
    conn: &mut DbConn,
    sale: &SaleContext<'_>,
    row: &PromotionRow,
    rule: &Rule,
) -> ApiResult<SaleFacts> {
    let this = i64::from(!sale.recorded);
    let mut facts = SaleFacts {
        rates: sale.rates,
        points: sale.points,
        amount_minor: sale.eligible_minor,
        weighted_bp: sale.weighted_bp,
        category_weighted_bp: 0,
        purchases_since_start: 0,
        purchases_before: 0,
    };
    match *rule {
        Rule::NthPurchase { .. } => {
            let since = row.starts_at;
            facts.purchases_since_start =
                rows::purchases_since(conn, sale.member_id, sale.partner_id, since)? + this;
        }
        Rule::FirstPurchase { .. } => {
            let ever = chrono::DateTime::UNIX_EPOCH.naive_utc();
            facts.purchases_before =
                rows::purchases_since(conn, sale.member_id, sale.partner_id, ever)? + this - 1;
        }
        Rule::CategoryBonus { category, .. } => {
            if let Some(tree) = sale.taxonomy {
                let within = sale
                    .lines
                    .iter()
                    .zip(sale.line_categories)
                    .filter(|(_, c)| c.is_some_and(|c| tree.is_within(c, category)))
                    .map(|(l, _)| i128::from(l.amount.get()) * i128::from(l.treatment.weight_bp()))
                    .sum::<i128>();
                facts.category_weighted_bp = i64::try_from(within).unwrap_or(i64::MAX);
            }
        }
        _ => {}
    }
    Ok(facts)
}

/// Takes up to `want` points of a promotion's budget for a member; what it got.
fn reserve_budget(
    conn: &mut DbConn,
    id: PromotionId,
    member_id: MemberId,
    want: i64,
) -> ApiResult<i64> {
    if want <= 0 {
        return Ok(0);
    }
    // In a savepoint: on PostgreSQL an update that waited for a concurrent one and then found
    // the row short still holds its lock; rolling the savepoint back releases it before the
    // ordered sweep below, so two earns never hold one row each while waiting for the other.
    let own = shard_of(member_id.get());
    let took = conn.transaction(|c| match rows::take_whole(c, id, own, want) {
        Ok(true) => Ok(true),
        Ok(false) => Err(diesel::result::Error::RollbackTransaction),
        Err(e) => Err(e),
    });
    match took {
        Ok(_) => return Ok(want),
        Err(diesel::result::Error::RollbackTransaction) => {}
        Err(e) => return Err(e.into()),
    }
    let mut got = 0_i64;
    for shard in rows::shards_left(conn, id)? {
        let left = rows::lock_shard(conn, id, shard)?;
        let take = left.min(want - got);
        if take > 0 {
            rows::take_locked(conn, id, shard, take)?;
            got += take;
        }
        if got >= want {
            break;
        }
    }
    Ok(got)
}
