//! Settlement arithmetic: money in micros, rounded once per statement, and a statement's
//! payment status. Pure functions; the service feeds them the period's aggregates.
//!
//! Rounding rule (documented in the README): every line of a statement is exact in micros
//! (millionths of the currency unit). Only the net is rounded, once, to the nearest minor unit,
//! halves away from zero. The difference (under half a minor unit per statement) is the
//! operator's: the operator's margin is the sum of the rounded nets, so the nets and the margin
//! sum to zero exactly in minor units.

pub mod clearing;
pub mod statement_csv;
pub mod tally;

use crate::domain::money::{MoneyMicros, MoneyMinor};

/// A statement's net: the exact value of its figures plus its flat fee and adjustments, then
/// rounded once. Returns (exact net, rounded net, remainder); None beyond the 64-bit range or
/// for a currency with more than six decimals.
pub fn statement_net(
    figures_value: MoneyMicros,
    fee: MoneyMinor,
    adjustments: MoneyMinor,
    exponent: u32,
) -> Option<(MoneyMicros, MoneyMinor, MoneyMicros)> {
    let exact = figures_value
        .checked_add(MoneyMicros::of_minor(fee, exponent)?)?
        .checked_add(MoneyMicros::of_minor(adjustments, exponent)?)?;
    let (rounded, remainder) = exact.round_to_minor(exponent)?;
    i64::try_from(exact.get()).ok()?;
    Some((exact, rounded, remainder))
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
    fn a_net_adds_fee_and_adjustments_exactly_before_its_one_rounding() {
        let eur = |micros: i128, fee: i64, adj: i64| {
            statement_net(
                MoneyMicros::ZERO
                    .checked_add(crate::domain::money::Points::from(1).value_at(
                        crate::domain::money::PriceMicros::from(i64::try_from(micros).unwrap()),
                    ))
                    .unwrap(),
                MoneyMinor::from(fee),
                MoneyMinor::from(adj),
                2,
            )
            .map(|(exact, net, rest)| (exact.get(), net.get(), rest.get()))
        };
        // 0.5 cent of figures, a 1.00 EUR fee, a -0.25 EUR adjustment: 0.755 EUR, 76 cents.
        assert_eq!(eur(5_000, 100, -25), Some((755_000, 76, -5_000)));
        assert_eq!(eur(-14_999, 0, 0), Some((-14_999, -1, -4_999)));
        // JPY: a million micros per yen.
        let jpy = statement_net(MoneyMicros::ZERO, MoneyMinor::from(3), MoneyMinor::ZERO, 0);
        assert_eq!(jpy.map(|(_, net, _)| net.get()), Some(3));
        assert_eq!(
            statement_net(
                MoneyMicros::ZERO,
                MoneyMinor::from(i64::MAX),
                MoneyMinor::ZERO,
                2
            ),
            None,
            "an exact net beyond i64 micros is refused"
        );
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
