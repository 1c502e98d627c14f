//! Settlement arithmetic: money in micros, rounded once per statement, and a statement's
//! payment status. Pure functions; the service feeds them the period's aggregates.
//!
//! Rounding rule (documented in the README): every line of a statement is exact in micros
//! (millionths of the currency unit). Only the net is rounded, once, to the nearest minor unit,
//! halves away from zero. The difference (under half a minor unit per statement) is the
//! operator's: the operator's margin is the sum of the rounded nets, so the nets and the margin
//! sum to zero exactly in minor units.

/// Micros in one minor unit of a currency with `exponent` decimals (EUR: 2, so 10,000).
pub fn micros_per_minor(exponent: u32) -> Option<i128> {
    6_u32.checked_sub(exponent).map(|e| 10_i128.pow(e))
}

/// `micros` rounded to the nearest minor unit, halves away from zero, and the remainder
/// (`micros - minor * micros_per_minor`). None when the result does not fit an i64.
pub fn round_to_minor(micros: i128, exponent: u32) -> Option<(i64, i128)> {
    let unit = micros_per_minor(exponent)?;
    let half = unit / 2;
    let minor = if micros >= 0 {
        (micros + half) / unit
    } else {
        -((-micros + half) / unit)
    };
    let remainder = micros - minor * unit;
    Some((i64::try_from(minor).ok()?, remainder))
}

/// Money of `points` at `price_micros` per point, exactly.
pub fn amount_micros(points: i64, price_micros: i64) -> i128 {
    i128::from(points) * i128::from(price_micros)
}

/// Where a statement stands against the payments recorded for it (the SDK's wire enum).
pub use partner_sdk::statement::StatementPaymentStatus as PaymentStatus;

/// The outstanding amount and the status of a statement whose net is `net_minor` (positive: the
/// partner owes the network), given what the network received from and sent to the partner.
/// Outstanding keeps the sign of the net: what is still to move in the net's direction.
pub fn payment_status(
    net_minor: i64,
    received_minor: i64,
    sent_minor: i64,
    disputed: bool,
) -> (i128, PaymentStatus) {
    let settled = i128::from(received_minor) - i128::from(sent_minor);
    let net = i128::from(net_minor);
    let outstanding = net - settled;
    let status = if disputed {
        PaymentStatus::Disputed
    } else if outstanding == 0 {
        PaymentStatus::Paid
    } else if settled == 0 {
        PaymentStatus::Open
    } else if outstanding.signum() == net.signum() {
        PaymentStatus::PartiallyPaid
    } else {
        PaymentStatus::Overpaid
    };
    (outstanding, status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nets_round_half_away_from_zero_and_keep_the_remainder() {
        // EUR: 10,000 micros per cent.
        assert_eq!(round_to_minor(80_000_000_000, 2), Some((8_000_000, 0)));
        assert_eq!(round_to_minor(15_000, 2), Some((2, -5_000)));
        assert_eq!(round_to_minor(14_999, 2), Some((1, 4_999)));
        assert_eq!(round_to_minor(-15_000, 2), Some((-2, 5_000)));
        assert_eq!(round_to_minor(-14_999, 2), Some((-1, -4_999)));
        // JPY: a million micros per yen.
        assert_eq!(round_to_minor(2_500_000, 0), Some((3, -500_000)));
        assert_eq!(round_to_minor(i128::MAX / 2, 2), None);
    }

    #[test]
    fn status_follows_the_payments_in_the_direction_of_the_net() {
        assert_eq!(payment_status(100, 0, 0, false), (100, PaymentStatus::Open));
        assert_eq!(
            payment_status(100, 40, 0, false),
            (60, PaymentStatus::PartiallyPaid)
        );
        assert_eq!(payment_status(100, 100, 0, false), (0, PaymentStatus::Paid));
        assert_eq!(
            payment_status(100, 130, 0, false),
            (-30, PaymentStatus::Overpaid)
        );
        // The network owes the partner 50: it sends money.
        assert_eq!(
            payment_status(-50, 0, 20, false),
            (-30, PaymentStatus::PartiallyPaid)
        );
        assert_eq!(payment_status(0, 0, 0, false), (0, PaymentStatus::Paid));
        assert_eq!(
            payment_status(100, 100, 0, true),
            (0, PaymentStatus::Disputed)
        );
    }
}
