//! Promotions, the pure rules: what each rule gives on a sale, how promotions stack, how a
//! member's cap and the budget cut a bonus, and how a budget is split into shards so that
//! concurrent earns do not queue on one row.
//!
//! A bonus is computed on the sale itself, never on another bonus: x2 and x1.5 on a sale of 100
//! points give 100 + 50 bonus points. Promotions are considered in their stacking order (lower
//! priority first, then older first); an exclusive promotion applies only when none before it
//! applied, and then ends the stack.

use crate::domain::earning::rules::{EarnRates, BP_ONE, MILLI_ONE};
use crate::domain::ids::CategoryId;
use crate::domain::limits::POINTS_MAX;

/// Bounds of a rule's fixed points.
pub const BONUS_POINTS_MAX: i64 = 1_000_000;
/// Bounds of a budget or a per-member cap.
pub const BUDGET_MAX: i64 = 1_000_000_000;
/// Bounds of a multiplier: above x1, at most x10.
pub const MULTIPLIER_BP_MIN: i64 = 10_001;
/// Highest multiplier: x10.
pub const MULTIPLIER_BP_MAX: i64 = 100_000;
/// Largest N of an Nth-purchase rule.
pub const NTH_MAX: i64 = 1_000;
/// How many rows a budget is split into: concurrent earns of different members take from
/// different rows.
pub const BUDGET_SHARDS: i64 = 16;

/// A promotion's rule, checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// The sale's points again, times `multiplier_bp - 1`.
    Multiplier {
        /// Basis points.
        multiplier_bp: i64,
    },
    /// Fixed points on every qualifying sale.
    FixedBonus {
        /// Points.
        points: i64,
    },
    /// The points of the lines in a subtree, times `multiplier_bp - 1`.
    CategoryBonus {
        /// The subtree.
        category: CategoryId,
        /// Basis points.
        multiplier_bp: i64,
    },
    /// Points on every Nth purchase at the partner since the promotion started.
    NthPurchase {
        /// N.
        n: i64,
        /// Points.
        points: i64,
    },
    /// Points on the member's first purchase at the partner.
    FirstPurchase {
        /// Points.
        points: i64,
    },
    /// Points at enrolment (not a sale rule).
    Welcome {
        /// Points.
        points: i64,
    },
    /// Points to both sides of a referral, once the referred member's first purchase of at
    /// least `min_amount_minor` is past its return window (not a sale rule).
    Referral {
        /// Points to each side.
        points: i64,
        /// The smallest qualifying purchase, minor units.
        min_amount_minor: i64,
    },
    /// Points on a sale of at least `min_amount_minor`.
    MinimumBasket {
        /// Minor units.
        min_amount_minor: i64,
        /// Points.
        points: i64,
    },
}

/// Checks a rule's numbers; the reason it is refused.
pub fn check_rule(rule: &Rule) -> Result<(), String> {
    let points_ok = |p: i64| (1..=BONUS_POINTS_MAX).contains(&p);
    let bp_ok = |bp: i64| (MULTIPLIER_BP_MIN..=MULTIPLIER_BP_MAX).contains(&bp);
    match *rule {
        Rule::Multiplier { multiplier_bp } | Rule::CategoryBonus { multiplier_bp, .. }
            if !bp_ok(multiplier_bp) =>
        {
            Err(format!(
                "multiplier_bp: {MULTIPLIER_BP_MIN} to {MULTIPLIER_BP_MAX}"
            ))
        }
        Rule::NthPurchase { n, .. } if !(2..=NTH_MAX).contains(&n) => {
            Err(format!("n: 2 to {NTH_MAX}"))
        }
        Rule::MinimumBasket {
            min_amount_minor, ..
        }
        | Rule::Referral {
            min_amount_minor, ..
        } if !(1..=crate::domain::limits::AMOUNT_MINOR_MAX).contains(&min_amount_minor) => {
            Err("min_amount_minor: 1 to the largest sale amount".to_owned())
        }
        Rule::FixedBonus { points }
        | Rule::NthPurchase { points, .. }
        | Rule::FirstPurchase { points }
        | Rule::Welcome { points }
        | Rule::MinimumBasket { points, .. }
        | Rule::Referral { points, .. }
            if !points_ok(points) =>
        {
            Err(format!("points: 1 to {BONUS_POINTS_MAX}"))
        }
        _ => Ok(()),
    }
}

/// What the service knows about a sale, as one rule needs it.
#[derive(Debug, Clone, Copy)]
pub struct SaleFacts {
    /// The earn rates of the sale (tier included).
    pub rates: EarnRates,
    /// The sale's own points: no rule gives anything on a sale that earns none (only
    /// restricted lines, or too small to earn a point).
    pub points: i64,
    /// The sale's amount that earns (restricted lines left out): what a minimum basket counts.
    pub amount_minor: i64,
    /// The sale's amount weighted by each line's multiplier (minor units x basis points).
    pub weighted_bp: i64,
    /// For a category rule: the weight of the lines within its subtree.
    pub category_weighted_bp: i64,
    /// The member's purchases at the partner since the promotion started, this one included.
    pub purchases_since_start: i64,
    /// The member's purchases at the partner before this one, ever.
    pub purchases_before: i64,
}

/// The points that `extra_bp` (basis points beyond x1) gives on a weighted amount at `rates`,
/// rounded down; None beyond i64.
pub fn extra_points(weighted_bp: i64, rates: EarnRates, extra_bp: i64) -> Option<i64> {
    let minor_per_unit = 10_i128.checked_pow(rates.currency_exponent)?;
    let bp = i128::from(BP_ONE);
    let numerator = i128::from(weighted_bp)
        .checked_mul(i128::from(rates.base_rate_millipoints))?
        .checked_mul(i128::from(rates.partner_rate_bp))?
        .checked_mul(i128::from(rates.tier_bp))?
        .checked_mul(i128::from(extra_bp))?;
    let denominator = minor_per_unit
        .checked_mul(i128::from(MILLI_ONE))?
        .checked_mul(bp)?
        .checked_mul(bp)?
        .checked_mul(bp)?
        .checked_mul(bp)?;
    i64::try_from(numerator.checked_div(denominator)?).ok()
}

/// What `rule` gives on a sale, and why; None when the sale does not qualify (or the rule is
/// not a sale rule).
pub fn sale_bonus(rule: &Rule, sale: &SaleFacts) -> Option<(i64, String)> {
    // One bonus never exceeds what one sale may earn (a x10 on the largest sale would).
    rule_bonus(rule, sale).map(|(points, why)| (points.min(POINTS_MAX), why))
}

fn rule_bonus(rule: &Rule, sale: &SaleFacts) -> Option<(i64, String)> {
    if sale.points <= 0 || sale.weighted_bp <= 0 {
        return None;
    }
    let times = crate::domain::tiers::factor;
    match *rule {
        Rule::Multiplier { multiplier_bp } => {
            let points = extra_points(sale.weighted_bp, sale.rates, multiplier_bp - BP_ONE)?;
            Some((
                points,
                format!("{} on the sale's points", times(multiplier_bp)),
            ))
        }
        Rule::FixedBonus { points } => Some((points, "bonus on every sale".to_owned())),
        Rule::CategoryBonus { multiplier_bp, .. } if sale.category_weighted_bp > 0 => {
            let points = extra_points(
                sale.category_weighted_bp,
                sale.rates,
                multiplier_bp - BP_ONE,
            )?;
            Some((
                points,
                format!("{} on the category's lines", times(multiplier_bp)),
            ))
        }
        Rule::NthPurchase { n, points }
            if n >= 2 && sale.purchases_since_start > 0 && sale.purchases_since_start % n == 0 =>
        {
            Some((
                points,
                format!("purchase number {} (every {n})", sale.purchases_since_start),
            ))
        }
        Rule::FirstPurchase { points } if sale.purchases_before == 0 => {
            Some((points, "first purchase here".to_owned()))
        }
        Rule::MinimumBasket {
            min_amount_minor,
            points,
        } if sale.amount_minor >= min_amount_minor => Some((
            points,
            format!("a basket of at least {min_amount_minor} minor units"),
        )),
        _ => None,
    }
}

/// A promotion's place in the stack and what it would give on its own (None: it does not
/// apply to this sale).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stackable {
    /// Lower first.
    pub priority: i64,
    /// Older first among equals.
    pub id: i64,
    /// Whether it excludes the rest.
    pub exclusive: bool,
    /// Its points on its own; None or zero: it does not apply.
    pub points: Option<i64>,
}

/// The promotions that apply, in stacking order (their ids).
pub fn stack(mut candidates: Vec<Stackable>) -> Vec<i64> {
    candidates.sort_by_key(|c| (c.priority, c.id));
    let mut applied = Vec::new();
    for c in candidates {
        if c.points.is_none_or(|p| p <= 0) {
            continue;
        }
        if c.exclusive {
            if applied.is_empty() {
                applied.push(c.id);
            }
            break;
        }
        applied.push(c.id);
    }
    applied
}

/// The part of `want` a member's cap still allows, given what they already received.
pub fn capped(want: i64, cap: Option<i64>, already: i64) -> i64 {
    match cap {
        Some(cap) => want.min(cap.saturating_sub(already)).max(0),
        None => want.max(0),
    }
}

/// A budget split into [`BUDGET_SHARDS`] rows, the remainder in the first.
pub fn split_budget(budget: i64) -> Vec<i64> {
    let each = budget / BUDGET_SHARDS;
    let rest = budget % BUDGET_SHARDS;
    (0..BUDGET_SHARDS)
        .map(|i| if i == 0 { each + rest } else { each })
        .collect()
}

/// The budget row a member takes from first.
pub fn shard_of(member_id: i64) -> i64 {
    member_id.rem_euclid(BUDGET_SHARDS)
}

#[cfg(test)]
mod tests;
