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
use partner_sdk::promotions::{Bonus, Funder};

use crate::db::queries::ledger::lots::{self as lot_rows, NewLot};
use crate::db::queries::members::Member;
use crate::db::queries::promotions::{self as rows, NewGrant, PromotionRow};
use crate::db::DbConn;
use crate::domain::catalog::taxonomy::Taxonomy;
use crate::domain::earning::categories::TreatedLine;
use crate::domain::earning::rules::EarnRates;
use crate::domain::ids::{CategoryId, EarnId, EntryId, MemberId, PartnerId, PromotionId};
use crate::domain::money::{Points, PriceMicros};
use crate::domain::promotions::{capped, sale_bonus, shard_of, stack, Rule, SaleFacts, Stackable};
use crate::error::ApiResult;
use crate::service::ledger::clearing::{self, ClearingKind, EntryAt};
use crate::service::ledger::{account, lots, minus, points_overflow, Posting, PTS};

use super::{rule_of, targets};

/// A sale as the promotions see it.
pub struct SaleContext<'a> {
    /// Where it happened.
    pub partner_id: PartnerId,
    /// Who bought.
    pub member_id: MemberId,
    /// When.
    pub occurred_at: NaiveDateTime,
    /// The member's tier code at the sale.
    pub tier: &'a str,
    /// Its earn rates (tier included).
    pub rates: EarnRates,
    /// Its amount, minor units.
    pub amount_minor: i64,
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
        let rule = rule_of(&row)?;
        // A spent budget ends the promotion: it leaves the stack to the next one (an earn
        // that finds it spent only when it takes from it gets nothing from it instead).
        let spent = row.budget_points.is_some() && rows::budget_left(conn, row.id)? == 0;
        let offer = if !spent && targets(conn, &row, sale.member_id, sale.tier)? {
            let facts = facts(conn, sale, &row, &rule)?;
            sale_bonus(&rule, &facts)
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

/// The bonuses of the offers (promotion, points on its own, why) that the stack kept (`ids`,
/// in order), after each member's cap and each budget (taken with `reserve`, else read).
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
        let already = rows::granted_to(conn, row.id, member_id)?;
        let allowed = capped(*want, row.per_member_cap, already);
        let mut description = format!("{}: {why}", row.name);
        if allowed < *want {
            description.push_str(&format!(", cut to the member's cap ({allowed})"));
        }
        let points = match row.budget_points {
            None => allowed,
            Some(_) if reserve => reserve_budget(conn, row.id, member_id, allowed)?,
            Some(_) => allowed.min(rows::budget_left(conn, row.id)?),
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
        amount_minor: sale.amount_minor,
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
    if rows::take_whole(conn, id, shard_of(member_id.get()), want)? {
        return Ok(want);
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

/// Where bonuses go: the sale's order (or the welcome's reference), entry and lot terms.
pub struct Issue<'a> {
    /// The earn they ride on (none: a welcome bonus).
    pub earn_id: Option<EarnId>,
    /// Its entry, which holds their postings.
    pub entry_id: EntryId,
    /// Where the sale happened (none: the operator's welcome at joining).
    pub partner_id: Option<PartnerId>,
    /// The sale's order id (or `promotion:<id>` for a welcome bonus): the clearing event's
    /// reference.
    pub order_id: &'a str,
    /// The partner's issuance price in force.
    pub price_micros: PriceMicros,
    /// When the sale happened.
    pub earned_at: NaiveDateTime,
    /// When its points become available.
    pub available_at: NaiveDateTime,
    /// When they expire.
    pub expires_at: Option<NaiveDateTime>,
    /// Whether they are available already.
    pub matured: bool,
    /// The posting time.
    pub now: NaiveDateTime,
}

/// Creates each bonus's lot (repaying a negative balance first when available at once),
/// records the grant and, for a partner's promotion, its clearing event.
pub fn issue(
    conn: &mut DbConn,
    member: &Member,
    at: &Issue<'_>,
    planned: &[Planned],
) -> ApiResult<()> {
    let bonus_total =
        Points::checked_sum(planned.iter().map(|p| p.points)).ok_or_else(points_overflow)?;
    // The member's available balance before the bonuses (after the sale's own points).
    let mut available = if at.matured {
        member
            .available_points
            .checked_sub(bonus_total)
            .ok_or_else(points_overflow)?
    } else {
        member.available_points
    };
    for p in planned {
        let lot_id = lot_rows::insert_lot(
            conn,
            &NewLot {
                member_id: member.id,
                asset: PTS,
                issuer_kind: if p.funder.is_some() {
                    "partner"
                } else {
                    "operator"
                },
                issuer_partner_id: p.funder,
                price_micros: if p.funder.is_some() {
                    at.price_micros
                } else {
                    PriceMicros::ZERO
                },
                points: p.points,
                remaining: p.points,
                earned_at: at.earned_at,
                available_at: at.available_at,
                expires_at: at.expires_at,
                matured: at.matured,
                entry_id: at.entry_id,
            },
        )?;
        if at.matured {
            let repay = lots::debt_repaid(available, p.points);
            if repay.is_positive() {
                lots::apply_plan(
                    conn,
                    &[(lot_id, repay)],
                    at.entry_id,
                    None,
                    "debt_repayment",
                )?;
            }
            available = available
                .checked_add(p.points)
                .ok_or_else(points_overflow)?;
        }
        rows::insert_grant(
            conn,
            &NewGrant {
                promotion_id: p.promotion_id,
                member_id: member.id,
                partner_id: at.partner_id,
                earn_id: at.earn_id,
                lot_id,
                entry_id: at.entry_id,
                points: p.points.get(),
                granted_at: at.now,
            },
        )?;
        if let Some(funder) = p.funder {
            clearing::record_promotion(
                conn,
                ClearingKind::Issue,
                EntryAt {
                    entry_id: at.entry_id,
                    posted_at: at.now,
                },
                (funder, p.points, at.price_micros),
                at.order_id,
                p.promotion_id,
            )?;
        }
    }
    Ok(())
}
