//! A partner's local program, its pure rules: how many local points a sale earns and how many
//! network points a conversion gives.

use crate::domain::limits::POINTS_MAX;
use crate::domain::money::Points;

/// Highest earn rate, in thousandths of a local point per currency unit (1,000 per unit).
pub const EARN_RATE_MILLIPOINTS_MAX: i64 = 1_000_000;
/// Longest expiry of local points, in months (0 is never).
pub const EXPIRY_MONTHS_MAX: i64 = 120;
/// Most local points one network point may cost.
pub const CONVERSION_RATE_MAX: i64 = 1_000_000;

/// Local points a sale earns: its amount weighted by each line's multiplier (`weighted_bp`,
/// minor units x basis points, as the network earn computes it, so a restricted line earns no
/// local point either) at `rate_millipoints` per currency unit, times the member's local tier
/// (`tier_bp`, 10,000 without), rounded down once. None past [`POINTS_MAX`].
pub fn points_of_sale(
    weighted_bp: i64,
    currency_exponent: u32,
    (rate_millipoints, tier_bp): (i64, i64),
) -> Option<Points> {
    let numerator = i128::from(weighted_bp)
        .checked_mul(i128::from(rate_millipoints))?
        .checked_mul(i128::from(tier_bp))?;
    let denominator = 10_i128
        .checked_pow(currency_exponent)?
        .checked_mul(10_000)?
        .checked_mul(1_000)?
        .checked_mul(10_000)?;
    let points = i64::try_from(numerator.checked_div(denominator)?).ok()?;
    (0..=POINTS_MAX)
        .contains(&points)
        .then_some(Points::from(points))
}

/// Network points for `local_points` at `local_per_point`: a conversion takes whole network
/// points only, so the local amount must be a positive multiple of the rate.
pub fn conversion_points(local_points: i64, local_per_point: i64) -> Result<Points, String> {
    if local_per_point <= 0 {
        return Err("the program does not convert".into());
    }
    if local_points <= 0 || local_points % local_per_point != 0 {
        return Err(format!(
            "local_points must be a positive multiple of {local_per_point} (local points per network point)"
        ));
    }
    Ok(Points::from(local_points / local_per_point))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sale_earns_local_points_at_the_rate_on_its_weighted_amount() {
        // 12.34 EUR plain (weight 1.0) at 1 star per euro: 12 stars, rounded down.
        assert_eq!(
            points_of_sale(1_234 * 10_000, 2, (1_000, 10_000)),
            Some(Points::from(12))
        );
        // The same sale with every line at x2: 24 stars; at 2.5 stars per euro: 30.
        assert_eq!(
            points_of_sale(1_234 * 20_000, 2, (1_000, 10_000)),
            Some(Points::from(24))
        );
        assert_eq!(
            points_of_sale(1_234 * 10_000, 2, (2_500, 10_000)),
            Some(Points::from(30))
        );
        // A restricted sale weighs nothing; a yen sale has no minor unit.
        assert_eq!(points_of_sale(0, 2, (1_000, 10_000)), Some(Points::ZERO));
        assert_eq!(
            points_of_sale(500 * 10_000, 0, (1_000, 10_000)),
            Some(Points::from(500))
        );
        // Past the limit: refused, not wrapped.
        assert_eq!(points_of_sale(i64::MAX, 0, (1_000_000, 10_000)), None);
        // 12.34 at 1 point per unit and a local tier of x1.5: 18.51, rounded down once.
        assert_eq!(
            points_of_sale(1_234 * 10_000, 2, (1_000, 15_000)),
            Some(Points::from(18))
        );
    }

    #[test]
    fn a_conversion_takes_whole_network_points() {
        assert_eq!(conversion_points(100, 10), Ok(Points::from(10)));
        assert!(conversion_points(105, 10).is_err());
        assert!(conversion_points(0, 10).is_err());
        assert!(conversion_points(-10, 10).is_err());
        assert!(conversion_points(10, 0).is_err());
    }
}
