//! Network tiers, the pure rules: which tier a member's qualifying spend reaches, and how the
//! member's tier moves: up at once, down only after a grace period below the current tier's
//! threshold (a member who climbs back within it keeps the tier).

use chrono::{Duration, NaiveDateTime};

/// Lowest multiplier: x1.
pub const MULTIPLIER_BP_MIN: i64 = 10_000;
/// Highest multiplier: x10.
pub const MULTIPLIER_BP_MAX: i64 = 100_000;
/// Most tiers the network may define.
pub const TIERS_MAX: usize = 10;

/// A tier, by rank (0 is the base tier every member starts in).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tier {
    /// Its code, such as `gold`.
    pub code: String,
    /// Its rank: higher is better.
    pub rank: i64,
    /// Qualifying spend it needs, in minor units of the settlement currency.
    pub threshold_minor: i64,
    /// Its multiplier at earn, in basis points.
    pub multiplier_bp: i64,
}

/// Where to set a threshold so that the members at or above it bring at least `share_ppm` of
/// the total (parts per million): the smallest such set of best members, by their figures
/// (spend or points). Returns (threshold, members at or above it, their share of the total in
/// ppm), or None without a positive figure.
pub fn threshold_for_share(figures: &[i64], share_ppm: i64) -> Option<(i64, usize, i64)> {
    let mut sorted: Vec<i64> = figures.iter().copied().filter(|f| *f > 0).collect();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    let total: i128 = sorted.iter().map(|f| i128::from(*f)).sum();
    if total == 0 {
        return None;
    }
    let wanted = (total * i128::from(share_ppm.clamp(1, 1_000_000)) + 999_999) / 1_000_000;
    let mut running = 0_i128;
    let mut threshold = *sorted.last()?;
    for f in &sorted {
        running += i128::from(*f);
        if running >= wanted {
            threshold = *f;
            break;
        }
    }
    // Members level with the threshold reach it too.
    let at_or_above: Vec<i64> = sorted.iter().copied().filter(|f| *f >= threshold).collect();
    let covered: i128 = at_or_above.iter().map(|f| i128::from(*f)).sum();
    let share = i64::try_from(covered * 1_000_000 / total).unwrap_or(1_000_000);
    Some((threshold, at_or_above.len(), share))
}

/// A multiplier in basis points as people read it: 15,000 is `x1.5`, 20,000 `x2`.
pub fn factor(bp: i64) -> String {
    let whole = bp / 10_000;
    let frac = (bp % 10_000).abs();
    if frac == 0 {
        return format!("x{whole}");
    }
    format!("x{whole}.{}", format!("{frac:04}").trim_end_matches('0'))
}

/// The best tier whose threshold the spend reaches (`tiers` sorted by rank; the first has a
/// threshold of 0).
pub fn reached(tiers: &[Tier], spend_minor: i64) -> Option<&Tier> {
    tiers
        .iter()
        .filter(|t| t.threshold_minor <= spend_minor)
        .max_by_key(|t| t.rank)
}

/// What happens to a member's tier now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    /// Nothing changes.
    Stay,
    /// The spend reaches a better tier: move up now.
    Up,
    /// The spend fell below the current tier: the grace period starts now.
    StartGrace,
    /// The spend is back at the current tier: the grace period ends.
    EndGrace,
    /// The grace period ended below the current tier: move down to the tier the spend reaches.
    Down,
}

/// How the tier of rank `current` moves when the spend reaches rank `reached`, the spend
/// having been below the current tier since `below_since`, with `grace_days` of grace.
pub fn next_move(
    current: i64,
    reached: i64,
    below_since: Option<NaiveDateTime>,
    now: NaiveDateTime,
    grace_days: i64,
) -> Move {
    match (reached.cmp(&current), below_since) {
        (std::cmp::Ordering::Greater, _) => Move::Up,
        (std::cmp::Ordering::Equal, Some(_)) => Move::EndGrace,
        (std::cmp::Ordering::Equal, None) => Move::Stay,
        (std::cmp::Ordering::Less, None) => Move::StartGrace,
        (std::cmp::Ordering::Less, Some(since)) if since + Duration::days(grace_days) <= now => {
            Move::Down
        }
        (std::cmp::Ordering::Less, Some(_)) => Move::Stay,
    }
}

/// Checks a tier table: 1 to [`TIERS_MAX`] tiers, ranks 0, 1, 2... in order, the base tier at
/// threshold 0 and x1, thresholds and multipliers strictly increasing, multipliers within
/// bounds. Returns the reason it is refused.
pub fn check_table(tiers: &[Tier]) -> Result<(), String> {
    if tiers.is_empty() || tiers.len() > TIERS_MAX {
        return Err(format!("tiers: 1 to {TIERS_MAX}"));
    }
    let base = tiers.first().ok_or("tiers: none")?;
    if base.threshold_minor != 0 || base.multiplier_bp != MULTIPLIER_BP_MIN {
        return Err("tiers[0]: the base tier has threshold_minor 0 and multiplier_bp 10000".into());
    }
    for (i, pair) in tiers.windows(2).enumerate() {
        let (Some(lower), Some(upper)) = (pair.first(), pair.get(1)) else {
            continue;
        };
        if upper.threshold_minor <= lower.threshold_minor
            || upper.multiplier_bp < lower.multiplier_bp
        {
            return Err(format!(
                "tiers[{}]: thresholds must increase and multipliers never decrease",
                i + 1
            ));
        }
    }
    if let Some(t) = tiers
        .iter()
        .find(|t| !(MULTIPLIER_BP_MIN..=MULTIPLIER_BP_MAX).contains(&t.multiplier_bp))
    {
        return Err(format!(
            "{}: multiplier_bp must be {MULTIPLIER_BP_MIN} to {MULTIPLIER_BP_MAX}",
            t.code
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn table() -> Vec<Tier> {
        [
            ("member", 0, 0, 10_000),
            ("silver", 1, 50_000, 12_500),
            ("gold", 2, 150_000, 15_000),
        ]
        .iter()
        .map(|&(code, rank, threshold_minor, multiplier_bp)| Tier {
            code: code.into(),
            rank,
            threshold_minor,
            multiplier_bp,
        })
        .collect()
    }

    fn day(d: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 1, d)
            .and_then(|x| x.and_hms_opt(0, 0, 0))
            .unwrap_or_default()
    }

    #[test]
    fn spend_reaches_the_best_tier_whose_threshold_it_meets() {
        let t = table();
        let code = |spend| reached(&t, spend).map(|t| t.code.as_str());
        assert_eq!(code(0), Some("member"));
        assert_eq!(code(49_999), Some("member"));
        assert_eq!(code(50_000), Some("silver"));
        assert_eq!(code(149_999), Some("silver"));
        assert_eq!(code(150_000), Some("gold"));
        assert_eq!(code(-100), None, "a negative spend reaches nothing");
    }

    #[test]
    fn up_at_once_down_only_after_the_grace_period() {
        assert_eq!(next_move(1, 2, None, day(1), 30), Move::Up);
        assert_eq!(next_move(1, 2, Some(day(1)), day(2), 30), Move::Up);
        assert_eq!(next_move(2, 2, None, day(1), 30), Move::Stay);
        assert_eq!(next_move(2, 1, None, day(1), 30), Move::StartGrace);
        // 30 days of grace from 1 January: still gold on the 30th, silver on the 31st.
        assert_eq!(next_move(2, 1, Some(day(1)), day(30), 30), Move::Stay);
        assert_eq!(next_move(2, 1, Some(day(1)), day(31), 30), Move::Down);
        assert_eq!(next_move(2, 2, Some(day(1)), day(20), 30), Move::EndGrace);
        assert_eq!(next_move(2, 0, Some(day(1)), day(1), 0), Move::Down);
    }

    #[test]
    fn a_tier_table_is_checked() {
        assert!(check_table(&table()).is_ok());
        let mut t = table();
        t.swap(1, 2);
        assert!(check_table(&t).is_err());
        let mut t = table();
        if let Some(base) = t.first_mut() {
            base.multiplier_bp = 12_000;
        }
        assert!(check_table(&t).is_err());
        let mut t = table();
        if let Some(gold) = t.last_mut() {
            gold.multiplier_bp = 200_000;
        }
        assert!(check_table(&t).unwrap_err().contains("gold"));
        assert!(check_table(&[]).is_err());
    }

    #[test]
    fn a_threshold_for_a_share_of_revenue_takes_the_fewest_best_members() {
        // Ten members: 500, 300, 100, 50, then 9, 9, 8, 8, 8, 8: 1,000 in all.
        let spends = [500, 300, 100, 50, 9, 9, 8, 8, 8, 8];
        // 40 %: the first member alone brings 50 %.
        assert_eq!(
            threshold_for_share(&spends, 400_000),
            Some((500, 1, 500_000))
        );
        // 80 %: 500 + 300.
        assert_eq!(
            threshold_for_share(&spends, 800_000),
            Some((300, 2, 800_000))
        );
        // 85 %: 500 + 300 + 100 = 90 %.
        assert_eq!(
            threshold_for_share(&spends, 850_000),
            Some((100, 3, 900_000))
        );
        // 100 %: everyone; members level with the threshold count (four at 8).
        assert_eq!(
            threshold_for_share(&spends, 1_000_000),
            Some((8, 10, 1_000_000))
        );
        assert_eq!(threshold_for_share(&[0, -5], 400_000), None);
    }
}
