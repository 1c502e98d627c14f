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
        let bp = match line.treatment {
            LineTreatment::Plain => bp_one,
            LineTreatment::Restricted { .. } => 0,
            LineTreatment::Multiplied { multiplier_bp, .. } => i128::from(multiplier_bp),
        };
        weighted = weighted.checked_add(i128::from(line.amount.get()).checked_mul(bp)?)?;
    }
    let numerator = weighted
        .checked_mul(i128::from(rates.base_rate_millipoints))?
        .checked_mul(i128::from(rates.partner_rate_bp))?;
    let denominator = minor_per_unit
        .checked_mul(i128::from(MILLI_ONE))?
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
    rules.extend(category_rules(lines, currency, rates.currency_exponent, name));
    if remainder != 0 {
        rules.push(AppliedRule {
            rule: "round_down".into(),
            description: format!("rounded down to whole points: {points}"),
        });
    }
    Some(EarnOutcome {
        points: Points::from(points),
        rules,
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
            LineTreatment::Multiplied { root, multiplier_bp } => (false, root, multiplier_bp),
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
    let (points, amount, refunded) = (
        i128::from(points.get()),
        i128::from(amount.get()),
        i128::from(refunded_total.get()),
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
mod tests {
    use super::*;

    #[test]
    fn clawback_takes_the_order_first_then_others_then_leaves_a_debt() {
        let p = Points::from;
        let parts = |s: ClawbackSplit| {
            (
                s.from_order.get(),
                s.from_others.get(),
                s.uncovered.get(),
                s.from_pending.get(),
                s.from_available.get(),
            )
        };
        // Pending order lot with 12 left; 9 more from nowhere: a debt of 9.
        assert_eq!(
            parts(clawback_split(p(21), p(12), false, p(0))),
            (12, 0, 9, 12, 9)
        );
        // Matured order lot: everything comes out of the available wallet.
        assert_eq!(
            parts(clawback_split(p(21), p(12), true, p(5))),
            (12, 5, 4, 0, 21)
        );
        // The order's lot was spent: other lots pay.
        assert_eq!(
            parts(clawback_split(p(10), p(0), true, p(50))),
            (0, 10, 0, 0, 10)
        );
        assert_eq!(
            clawback_split(p(0), p(7), false, p(3)),
            ClawbackSplit::default()
        );
    }

    fn rates(base: i64, bp: i64) -> EarnRates {
        EarnRates {
            base_rate_millipoints: base,
            partner_rate_bp: bp,
            currency_exponent: 2,
        }
    }

    #[test]
    fn points_are_rounded_down_and_explained() {
        // 42.50 EUR at 1 point per EUR, x2: 85 points exactly.
        let out = compute_points(MoneyMinor::from(4250), "EUR", rates(1000, 20_000)).unwrap();
        assert_eq!(out.points, Points::from(85));
        assert_eq!(out.rules.len(), 2);
        // 42.50 EUR at 1 point per EUR, x1: 42.5, rounded down to 42.
        let out = compute_points(MoneyMinor::from(4250), "EUR", rates(1000, 10_000)).unwrap();
        assert_eq!(out.points, Points::from(42));
        assert_eq!(out.rules.last().unwrap().rule, "round_down");
        assert_eq!(
            out.rules.first().unwrap().description,
            "1 point(s) per EUR spent (network base rate)"
        );
    }

    #[test]
    fn restricted_lines_earn_nothing_and_multiplied_lines_earn_more() {
        let line = |amount: i64, treatment| TreatedLine {
            amount: MoneyMinor::from(amount),
            treatment,
        };
        let id = CategoryId::from;
        // 100.00 EUR at 1 point per EUR: 20.00 of tobacco earns 0, 30.00 of tools at x1.5
        // earns 45, 10.00 of plain lines and the 40.00 no line covers earn 50: 95 points.
        let lines = [
            line(2000, LineTreatment::Restricted { root: id(435) }),
            line(3000, LineTreatment::Multiplied { root: id(1167), multiplier_bp: 15_000 }),
            line(1000, LineTreatment::Plain),
        ];
        let name = |c: CategoryId| format!("category {c}");
        let out = compute_points_with_lines(
            MoneyMinor::from(10_000),
            "EUR",
            rates(1000, 10_000),
            &lines,
            &name,
        )
        .unwrap();
        assert_eq!(out.points, Points::from(95));
        let codes: Vec<&str> = out.rules.iter().map(|r| r.rule.as_str()).collect();
        assert_eq!(
            codes,
            ["network_base_rate", "partner_rate", "category_multiplier", "restricted_category"]
        );
        assert_eq!(
            out.rules[3].description,
            "1 line(s), 20 EUR, in category 435: a restricted category earns nothing"
        );
        assert_eq!(out.rules[2].description, "x1.5 on category 1167 (1 line(s), 30 EUR)");
        // Only restricted lines: nothing at all.
        let all = [line(10_000, LineTreatment::Restricted { root: id(435) })];
        let out = compute_points_with_lines(
            MoneyMinor::from(10_000),
            "EUR",
            rates(1000, 10_000),
            &all,
            &name,
        )
        .unwrap();
        assert_eq!(out.points, Points::from(0));
    }

    #[test]
    fn huge_results_are_refused_not_wrapped() {
        assert!(compute_points(
            MoneyMinor::from(100_000_000_000),
            "EUR",
            rates(1_000_000, 1_000_000)
        )
        .is_none());
    }

    #[test]
    fn clawback_is_proportional_and_complete_on_full_refund() {
        assert_eq!(
            cumulative_clawback(
                Points::from(85),
                MoneyMinor::from(4250),
                MoneyMinor::from(0)
            )
            .get(),
            0
        );
        // 10.00 of 42.50 refunded: keeps 85*3250/4250 = 65 exactly, claws back 20.
        assert_eq!(
            cumulative_clawback(
                Points::from(85),
                MoneyMinor::from(4250),
                MoneyMinor::from(1000)
            )
            .get(),
            20
        );
        // 10.01 refunded: keeps floor(85*3249/4250) = floor(64.98) = 64, claws back 21.
        assert_eq!(
            cumulative_clawback(
                Points::from(85),
                MoneyMinor::from(4250),
                MoneyMinor::from(1001)
            )
            .get(),
            21
        );
        assert_eq!(
            cumulative_clawback(
                Points::from(85),
                MoneyMinor::from(4250),
                MoneyMinor::from(4250)
            )
            .get(),
            85
        );
    }

    #[test]
    fn currency_codes_are_checked() {
        assert_eq!(currency_exponent("EUR"), Some(2));
        assert_eq!(currency_exponent("JPY"), Some(0));
        assert_eq!(currency_exponent("eur"), None);
        assert_eq!(currency_exponent("EURO"), None);
    }
}
