//! Points: integers, never floats, with checked arithmetic and a documented maximum.

use super::limits::POINTS_MAX;

/// A positive amount of network points within [`POINTS_MAX`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Points(i64);

impl Points {
    /// Accepts 1 to [`POINTS_MAX`]; zero, negative and larger amounts are refused.
    pub fn positive(value: i64) -> Option<Points> {
        (1..=POINTS_MAX).contains(&value).then_some(Points(value))
    }

    /// The raw count.
    pub fn get(self) -> i64 {
        self.0
    }
}

/// Adds two balances, refusing overflow instead of wrapping.
pub fn checked_sum(a: i64, b: i64) -> Option<i64> {
    a.checked_add(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_positive_bounded_points_are_accepted() {
        assert!(Points::positive(0).is_none());
        assert!(Points::positive(-5).is_none());
        assert!(Points::positive(POINTS_MAX + 1).is_none());
        assert_eq!(
            Points::positive(POINTS_MAX).map(Points::get),
            Some(POINTS_MAX)
        );
    }
}
