//! How a sale becomes points: network base rate x partner rate, rounded down, with the
//! explanation returned to the partner. Integer arithmetic only (i128 intermediates), so no
//! amount within the documented limits can overflow.

use partner_sdk::types::AppliedRule;

use std::collections::BTreeMap;

use crate::domain::earning::categories::{LineTreatment, TreatedLine};
use crate::domain::ids::CategoryId;
use crate::domain::limits::POINTS_MAX;
use crate::domain::money::{MoneyMinor, Points};

/// Basis points of a multiplier of one.
pub const BP_ONE: i64 = 10_000;
/// Millipoints in a point.
pub const MILLI_ONE: i64 = 1_000;

/// The number of decimals of an ISO 4217 currency (2 unless listed), or None for a code that is
/// not three upper-case letters.
pub fn currency_exponent(code: &str) -> Option<u32> {
    if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
        return None;
    }
    Some(match code {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX"
        | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        _ => 2,
    })
}

/// The inputs of the earn calculation.
#[derive(Debug, Clone, Copy)]
pub struct EarnRates {
    /// Network base rate: thousandths of a point per major currency unit.
    pub base_rate_millipoints: i64,
    /// Partner multiplier, in basis points (10,000 = x1).
    pub partner_rate_bp: i64,
    /// The member's tier multiplier, in basis points (10,000 = x1).
    pub tier_bp: i64,
    /// Decimals of the sale currency.
    pub currency_exponent: u32,
}

/// Points earned and the rules that produced them.
#[derive(Debug, Clone)]
pub struct EarnOutcome {
    /// Points, rounded down.
    pub points: Points,
    /// The explanation, in the order applied.
    pub rules: Vec<AppliedRule>,
    /// The sale's amount weighted by each line's multiplier (minor units x basis points; 0
    /// for a restricted line): what a refund's claw-back is measured against.
    pub weighted_bp: i64,
}

/// Computes the points of a sale without lines. None when the result would exceed
/// [`POINTS_MAX`].
pub fn compute_points(amount: MoneyMinor, currency: &str, rates: EarnRates) -> Option<EarnOutcome> {
    compute_points_with_lines(amount, currency, rates, &[], &|_| String::new())
}

/// Computes the points of a sale whose `lines` (adding up to at most the amount) carry their
/// category's treatment: restricted lines earn nothing, multiplied lines earn at their
/// multiplier, the rest of the sale at the plain rate. One rounding down, at the end. `name`
/// names a category in the explanation. None when the result would exceed [`POINTS_MAX`].
pub fn compute_points_with_lines(
    amount: MoneyMinor,
    currency: &str,
    rates: EarnRates,
    lines: &[TreatedLine],
    name: &dyn Fn(CategoryId) -> String,
) -> Option<EarnOutcome> {
    let minor_per_unit = 10_i128.checked_pow(rates.currency_exponent)?;
    let bp_one = i128::from(BP_ONE);
    // The amount weighted by each part's multiplier, in minor units x basis points.
    let lined: i128 = lines.iter().map(|l| i128::from(l.amount.get())).sum();
    let mut weighted = (i128::from(amount.get()) - lined).max(0) * bp_one;
    for line in lines {
        let bp = i128::from(line.treatment.weight_bp());
        weighted = weighted.checked_add(i128::from(line.amount.get()).checked_mul(bp)?)?;
    }
    let numerator = weighted
        .checked_mul(i128::from(rates.base_rate_millipoints))?
        .checked_mul(i128::from(rates.partner_rate_bp))?
        .checked_mul(i128::from(rates.tier_bp))?;
    let denominator = minor_per_unit
        .checked_mul(i128::from(MILLI_ONE))?
        .checked_mul(bp_one)?
        .checked_mul(bp_one)?
        .checked_mul(bp_one)?;
    let points = i64::try_from(numerator.checked_div(denominator)?).ok()?;
    if points > POINTS_MAX {
        return None;
    }
    let remainder = numerator.checked_rem(denominator)?;
    let mut rules = vec![
        AppliedRule {
            rule: "network_base_rate".into(),
            description: format!(
                "{} point(s) per {currency} spent (network base rate)",
                fixed(i128::from(rates.base_rate_millipoints), 3)
            ),
        },
        AppliedRule {
            rule: "partner_rate".into(),
            description: format!(
                "x{} partner multiplier",
                fixed(i128::from(rates.partner_rate_bp), 4)
            ),
        },
    ];
    rules.extend(category_rules(
        lines,
        currency,
        rates.currency_exponent,
        name,
    ));
    if remainder != 0 {
        rules.push(AppliedRule {
            rule: "round_down".into(),
            description: format!("rounded down to whole points: {points}"),
        });
    }
    Some(EarnOutcome {
        points: Points::from(points),
        rules,
        weighted_bp: i64::try_from(weighted).ok()?,
    })
}

/// One explanation per restricted subtree and per multiplied subtree the lines fall in.
fn category_rules(
    lines: &[TreatedLine],
    currency: &str,
    exponent: u32,
    name: &dyn Fn(CategoryId) -> String,
) -> Vec<AppliedRule> {
    // (is restricted, subtree, multiplier) -> (lines, amount)
    let mut groups: BTreeMap<(bool, CategoryId, i64), (usize, i128)> = BTreeMap::new();
    for line in lines {
        let key = match line.treatment {
            LineTreatment::Plain => continue,
            LineTreatment::Restricted { root } => (true, root, 0),
            LineTreatment::Multiplied {
                root,
                multiplier_bp,
            } => (false, root, multiplier_bp),
        };
        let group = groups.entry(key).or_insert((0, 0));
        group.0 += 1;
        group.1 += i128::from(line.amount.get());
    }
    groups
        .into_iter()
        .map(|((restricted, root, bp), (count, amount))| {
            let spent = format!("{} {currency}", fixed(amount, exponent));
            if restricted {
                AppliedRule {
                    rule: "restricted_category".into(),
                    description: format!(
                        "{count} line(s), {spent}, in {}: a restricted category earns nothing",
                        name(root)
                    ),
                }
            } else {
                AppliedRule {
                    rule: "category_multiplier".into(),
                    description: format!(
                        "x{} on {} ({count} line(s), {spent})",
                        fixed(i128::from(bp), 4),
                        name(root)
                    ),
                }
            }
        })
        .collect()
}

/// `value / 10^decimals` as a decimal string with trailing zeros trimmed (display only).
fn fixed(value: i128, decimals: u32) -> String {
    let scale = 10_i128.pow(decimals);
    let whole = value / scale;
    let frac = (value % scale).abs();
    if frac == 0 {
        return whole.to_string();
    }
    let digits = format!(
        "{frac:0width$}",
        width = usize::try_from(decimals).unwrap_or(0)
    );
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

/// Points clawed back by a refund: the order's points are kept in proportion to the part of the
/// order not yet refunded, rounded down, so the claw-back is rounded up and a full refund takes
/// back every point. Returns the cumulative claw-back after this refund.
pub fn cumulative_clawback(
    points: Points,
    amount: MoneyMinor,
    refunded_total: MoneyMinor,
) -> Points {
    cumulative_clawback_weighted(points, amount.get(), refunded_total.get())
}

/// [`cumulative_clawback`] measured by weight rather than amount: `total` is the order's
/// amount weighted by each line's multiplier, `refunded` the weight of what was returned so
/// far, so returning a line at x10 takes back ten times what a plain line of the same price
/// does, and returning a restricted line (weight 0) takes back nothing.
pub fn cumulative_clawback_weighted(points: Points, total: i64, refunded: i64) -> Points {
    let (points, amount, refunded) = (
        i128::from(points.get()),
        i128::from(total),
        i128::from(refunded),
    );
    if amount <= 0 {
        return Points::from(i64::try_from(points).unwrap_or(0));
    }
    // i128: a product of two i64 values cannot overflow it, and the refunded total never
    // exceeds the amount (the service refuses it), so the claw-back lies in 0..=points.
    let kept = points * (amount - refunded).clamp(0, amount) / amount;
    Points::from(i64::try_from(points - kept).unwrap_or(0))
}

/// Where the points a refund claws back come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ClawbackSplit {
    /// Taken from the order's own lot.
    pub from_order: Points,
    /// Taken from the member's other available lots.
    pub from_others: Points,
    /// Not covered by any lot: left as a negative available balance.
    pub uncovered: Points,
    /// Of the whole claw-back, the part taken from the pending wallet (the order's own points,
    /// while its return window runs).
    pub from_pending: Points,
    /// Of the whole claw-back, the part taken from the available wallet (possibly below zero).
    pub from_available: Points,
}

/// Splits a claw-back of `claw` points: the order's own lot first (`order_remaining` points
/// left, matured or not), then the member's other available points, and what neither covers
/// stays as a negative balance.
pub fn clawback_split(
    claw: Points,
    order_remaining: Points,
    order_matured: bool,
    others_available: Points,
) -> ClawbackSplit {
    // Every part lies between zero and the claw-back, so no difference below can overflow.
    let claw = claw.at_least_zero().get();
    let from_order = order_remaining.get().clamp(0, claw);
    let from_others = (claw - from_order).clamp(0, others_available.at_least_zero().get());
    let (from_pending, from_available) = if order_matured {
        (0, claw)
    } else {
        (from_order, claw - from_order)
    };
    ClawbackSplit {
        from_order: Points::from(from_order),
        from_others: Points::from(from_others),
        uncovered: Points::from(claw - from_order - from_others),
        from_pending: Points::from(from_pending),
        from_available: Points::from(from_available),
    }
}

#[cfg(test)]
mod tests;
