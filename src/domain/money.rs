//! Amounts as types: [`Points`] of the network currency, [`MoneyMinor`] (an integer count of a
//! currency's minor units, cents for EUR), [`PriceMicros`] (millionths of the settlement currency
//! unit per point) and [`MoneyMicros`], the exact value of points at a price before the one
//! rounding a statement makes. No floats anywhere.
//!
//! Arithmetic is checked: every operation that could leave the 64-bit range returns `None`, so
//! an overflow is refused by the caller (with a problem answer) instead of wrapping or panicking.
//! The types do not implement `Add` or `Sub` on purpose: an unchecked `+` on money does not
//! compile.

use std::fmt;

macro_rules! amount_type {
    ($(#[$doc:meta])* $name:ident) => {
        super::i64_newtype! {
            $(#[$doc])*
            $name
        }

        impl $name {
            /// Nothing.
            pub const ZERO: Self = Self(0);

            /// The sum, or None beyond the 64-bit range.
            pub fn checked_add(self, other: Self) -> Option<Self> {
                self.0.checked_add(other.0).map(Self)
            }

            /// The difference, or None beyond the 64-bit range.
            pub fn checked_sub(self, other: Self) -> Option<Self> {
                self.0.checked_sub(other.0).map(Self)
            }

            /// The opposite amount, or None for the one value without an opposite.
            pub fn checked_neg(self) -> Option<Self> {
                self.0.checked_neg().map(Self)
            }

            /// The sum of `amounts`, or None as soon as a partial sum leaves the range.
            pub fn checked_sum(amounts: impl IntoIterator<Item = Self>) -> Option<Self> {
                amounts
                    .into_iter()
                    .try_fold(Self::ZERO, |total, amount| total.checked_add(amount))
            }

            /// Whether the amount is below zero.
            pub const fn is_negative(self) -> bool {
                self.0 < 0
            }

            /// Whether the amount is above zero.
            pub const fn is_positive(self) -> bool {
                self.0 > 0
            }
        }
    };
}

amount_type! {
    /// A number of network points (or of a partner's local currency): whole points, signed so
    /// that a posting can debit or credit.
    Points
}

amount_type! {
    /// Money in minor units of its currency (cents for EUR, yen for JPY), signed.
    MoneyMinor
}

amount_type! {
    /// A contract price: millionths of the settlement currency unit per point (8,000 micros is
    /// 0.8 cents a point).
    PriceMicros
}

/// The exact value of points at a price, in millionths of the currency unit. Wider than 64 bits
/// so that the product of two in-range amounts is always exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct MoneyMicros(i128);

impl MoneyMicros {
    /// Nothing.
    pub const ZERO: Self = Self(0);

    /// The value in micros.
    pub const fn get(self) -> i128 {
        self.0
    }

    /// The sum, or None beyond the 128-bit range.
    pub fn checked_add(self, other: Self) -> Option<Self> {
        self.0.checked_add(other.0).map(Self)
    }

    /// The difference, or None beyond the 128-bit range.
    pub fn checked_sub(self, other: Self) -> Option<Self> {
        self.0.checked_sub(other.0).map(Self)
    }

    /// Rounded to the nearest minor unit of a currency with `exponent` decimals, halves away
    /// from zero, with the remainder (`self - minor`, under half a minor unit). None when the
    /// currency has more than six decimals or the result does not fit 64 bits.
    pub fn round_to_minor(self, exponent: u32) -> Option<(MoneyMinor, MoneyMicros)> {
        let unit = micros_per_minor(exponent)?;
        let half = unit / 2;
        let minor = if self.0 >= 0 {
            self.0.checked_add(half)? / unit
        } else {
            -(self.0.checked_neg()?.checked_add(half)? / unit)
        };
        let remainder = self.0.checked_sub(minor.checked_mul(unit)?)?;
        Some((
            MoneyMinor(i64::try_from(minor).ok()?),
            MoneyMicros(remainder),
        ))
    }
}

impl MoneyMicros {
    /// The exact value of `amount` in a currency with `exponent` decimals.
    pub fn of_minor(amount: MoneyMinor, exponent: u32) -> Option<Self> {
        Some(Self(
            i128::from(amount.0).checked_mul(micros_per_minor(exponent)?)?,
        ))
    }
}

impl fmt::Display for MoneyMicros {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Micros in one minor unit of a currency with `exponent` decimals (EUR: 2, so 10,000); None
/// beyond six decimals.
pub fn micros_per_minor(exponent: u32) -> Option<i128> {
    6_u32.checked_sub(exponent).map(|e| 10_i128.pow(e))
}

impl Points {
    /// The exact value of these points at `price`: never overflows (64 x 64 bits fits 128).
    pub fn value_at(self, price: PriceMicros) -> MoneyMicros {
        MoneyMicros(i128::from(self.0) * i128::from(price.0))
    }

    /// The part of these points above zero (a negative balance holds none).
    pub fn at_least_zero(self) -> Self {
        Self(self.0.max(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checked_arithmetic_refuses_to_leave_the_range() {
        assert_eq!(
            Points::from(2).checked_add(Points::from(3)),
            Some(Points::from(5))
        );
        assert_eq!(Points::from(i64::MAX).checked_add(Points::from(1)), None);
        assert_eq!(
            MoneyMinor::from(i64::MIN).checked_sub(MoneyMinor::from(1)),
            None
        );
        assert_eq!(Points::from(i64::MIN).checked_neg(), None);
        assert_eq!(
            Points::checked_sum([Points::from(i64::MAX), Points::from(1), Points::from(-5)]),
            None
        );
        assert_eq!(
            MoneyMinor::checked_sum([MoneyMinor::from(7), MoneyMinor::from(-2)]),
            Some(MoneyMinor::from(5))
        );
    }

    #[test]
    fn the_spec_example_values_points_at_their_price() {
        // Shop A issues 10,000 points at 8,000 micros: it owes 80.00 EUR.
        let owed = Points::from(10_000).value_at(PriceMicros::from(8_000));
        assert_eq!(
            owed.round_to_minor(2),
            Some((MoneyMinor::from(8_000), MoneyMicros::ZERO))
        );
        // The largest product is exact.
        let huge = Points::from(i64::MAX).value_at(PriceMicros::from(i64::MAX));
        assert_eq!(huge.get(), i128::from(i64::MAX) * i128::from(i64::MAX));
        assert_eq!(huge.round_to_minor(2), None);
    }

    #[test]
    fn rounding_is_half_away_from_zero_and_keeps_the_remainder() {
        let r = |micros: i128| {
            MoneyMicros(micros)
                .round_to_minor(2)
                .map(|(m, rest)| (m.get(), rest.get()))
        };
        assert_eq!(r(5_000), Some((1, -5_000)));
        assert_eq!(r(4_999), Some((0, 4_999)));
        assert_eq!(r(-5_000), Some((-1, 5_000)));
        assert_eq!(r(-15_001), Some((-2, 4_999)));
        assert_eq!(MoneyMicros(1).round_to_minor(7), None);
        assert_eq!(
            MoneyMicros(3).round_to_minor(6),
            Some((MoneyMinor::from(3), MoneyMicros::ZERO))
        );
    }
}
