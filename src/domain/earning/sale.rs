//! A sale and a return as the partner sends them, checked before any query: identifiers,
//! amounts, currency, lines, and when the sale happened. Pure, so every refusal is unit-tested
//! and a refused request reads and writes nothing.

use chrono::{Duration, NaiveDateTime};
use partner_sdk::types::{EarnRequest, RefundRequest, SaleLine};

use crate::domain::earning::rules::currency_exponent;
use crate::domain::input::{check_range, check_text, InputError, TextKind};
use crate::domain::limits::{AMOUNT_MINOR_MAX, SALE_BACKDATE_DAYS_MAX, SALE_LINES_MAX};
use crate::domain::money::MoneyMinor;

/// How far ahead of the network's clock a till's clock may be: a few minutes of difference
/// between the till and the network is normal.
pub const SALE_CLOCK_SKEW_S: i64 = 300;

/// Why a sale or a return is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaleError {
    /// A field breaks its rule (text, or a number out of range).
    Input(InputError),
    /// The currency is not an ISO 4217 code.
    UnknownCurrency,
    /// More lines than a sale may have.
    TooManyLines,
    /// The lines add up to more than the sale.
    LinesExceedAmount,
    /// The sale is dated in the future or too far in the past.
    OccurredAtOutOfWindow,
}

impl From<InputError> for SaleError {
    fn from(e: InputError) -> SaleError {
        SaleError::Input(e)
    }
}

impl std::fmt::Display for SaleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SaleError::Input(e) => e.fmt(f),
            SaleError::UnknownCurrency => {
                f.write_str("currency must be an ISO 4217 code such as EUR")
            }
            SaleError::TooManyLines => write!(f, "at most {SALE_LINES_MAX} lines"),
            SaleError::LinesExceedAmount => {
                f.write_str("the lines add up to more than the sale amount")
            }
            SaleError::OccurredAtOutOfWindow => write!(
                f,
                "occurred_at must be within the last {SALE_BACKDATE_DAYS_MAX} days and at most {} minutes ahead",
                SALE_CLOCK_SKEW_S / 60
            ),
        }
    }
}

/// A checked sale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sale {
    /// When it happened, never after the network's clock.
    pub occurred_at: NaiveDateTime,
    /// Its amount, in minor units of its currency.
    pub amount: MoneyMinor,
}

/// Checks a sale against the network's clock `now`.
pub fn check_sale(req: &EarnRequest, now: NaiveDateTime) -> Result<Sale, SaleError> {
    check_text("order_id", &req.order_id, TextKind::Identifier)?;
    let amount = check_range("amount_minor", req.amount_minor, 1, AMOUNT_MINOR_MAX)?;
    if currency_exponent(&req.currency).is_none() {
        return Err(SaleError::UnknownCurrency);
    }
    if let Some(lines) = &req.lines {
        check_lines(lines, amount)?;
    }
    let occurred_at = req.occurred_at.map(|t| t.naive_utc()).unwrap_or(now);
    if occurred_at > now + Duration::seconds(SALE_CLOCK_SKEW_S)
        || occurred_at < now - Duration::days(SALE_BACKDATE_DAYS_MAX)
    {
        return Err(SaleError::OccurredAtOutOfWindow);
    }
    Ok(Sale {
        occurred_at: occurred_at.min(now),
        amount: MoneyMinor::from(amount),
    })
}

fn check_lines(lines: &[SaleLine], amount_minor: i64) -> Result<(), SaleError> {
    if lines.len() > SALE_LINES_MAX {
        return Err(SaleError::TooManyLines);
    }
    let mut total: i64 = 0;
    for (i, line) in lines.iter().enumerate() {
        let field = |name: &str| format!("lines[{i}].{name}");
        check_range(
            &field("amount_minor"),
            line.amount_minor,
            0,
            AMOUNT_MINOR_MAX,
        )?;
        if let Some(sku) = &line.sku {
            check_text(&field("sku"), sku, TextKind::Label)?;
        }
        if let Some(category) = &line.category {
            check_text(&field("category"), category, TextKind::Label)?;
        }
        // Each line is at most AMOUNT_MINOR_MAX and there are at most SALE_LINES_MAX of them,
        // so this cannot saturate; saturating keeps it obviously panic-free.
        total = total.saturating_add(line.amount_minor);
    }
    if total > amount_minor {
        return Err(SaleError::LinesExceedAmount);
    }
    Ok(())
}

/// Checks a return's identifiers and amount; returns the amount.
pub fn check_return(req: &RefundRequest) -> Result<MoneyMinor, SaleError> {
    check_text("order_id", &req.order_id, TextKind::Identifier)?;
    check_text("refund_id", &req.refund_id, TextKind::Identifier)?;
    let amount = check_range("amount_minor", req.amount_minor, 1, AMOUNT_MINOR_MAX)?;
    if let Some(lines) = &req.lines {
        check_lines(lines, amount)?;
    }
    Ok(MoneyMinor::from(amount))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};

    fn now() -> NaiveDateTime {
        DateTime::<Utc>::from_timestamp(1_790_000_000, 0)
            .unwrap()
            .naive_utc()
    }

    fn sale(amount_minor: i64) -> EarnRequest {
        EarnRequest {
            member_number: "100000000001".into(),
            order_id: "o-1".into(),
            occurred_at: None,
            amount_minor,
            currency: "EUR".into(),
            lines: None,
        }
    }

    fn line(amount_minor: i64, sku: Option<&str>) -> SaleLine {
        SaleLine {
            sku: sku.map(str::to_owned),
            category: None,
            amount_minor,
        }
    }

    #[test]
    fn a_plain_sale_happens_now() {
        let s = check_sale(&sale(4_250), now()).unwrap();
        assert_eq!((s.occurred_at, s.amount.get()), (now(), 4_250));
    }

    #[test]
    fn amounts_ids_and_currency_are_checked() {
        assert!(matches!(check_sale(&sale(0), now()), Err(SaleError::Input(e)) if e.out_of_range));
        assert!(matches!(
            check_sale(&sale(AMOUNT_MINOR_MAX + 1), now()),
            Err(SaleError::Input(_))
        ));
        let mut bad_id = sale(1);
        bad_id.order_id = "o 1".into();
        assert!(
            matches!(check_sale(&bad_id, now()), Err(SaleError::Input(e)) if e.field == "order_id")
        );
        let mut euro = sale(1);
        euro.currency = "EURO".into();
        assert_eq!(check_sale(&euro, now()), Err(SaleError::UnknownCurrency));
    }

    #[test]
    fn lines_are_checked_one_by_one_and_may_not_exceed_the_sale() {
        let mut s = sale(100);
        s.lines = Some(vec![line(60, Some("a")), line(40, None)]);
        assert!(check_sale(&s, now()).is_ok());
        s.lines = Some(vec![line(60, Some("a")), line(41, None)]);
        assert_eq!(check_sale(&s, now()), Err(SaleError::LinesExceedAmount));
        s.lines = Some(vec![line(10, Some("bad\u{7}"))]);
        assert!(
            matches!(check_sale(&s, now()), Err(SaleError::Input(e)) if e.field == "lines[0].sku")
        );
        s.lines = Some(vec![line(-1, None)]);
        assert!(
            matches!(check_sale(&s, now()), Err(SaleError::Input(e)) if e.field == "lines[0].amount_minor")
        );
        s.lines = Some(vec![line(0, None); SALE_LINES_MAX + 1]);
        assert_eq!(check_sale(&s, now()), Err(SaleError::TooManyLines));
    }

    #[test]
    fn a_sale_is_dated_within_the_backdating_window_and_the_clock_skew() {
        let at = |offset: Duration| {
            let mut s = sale(1);
            s.occurred_at = Some((now() + offset).and_utc());
            check_sale(&s, now())
        };
        assert_eq!(
            at(Duration::minutes(4)).unwrap().occurred_at,
            now(),
            "a till slightly ahead is now"
        );
        assert_eq!(
            at(Duration::minutes(6)),
            Err(SaleError::OccurredAtOutOfWindow)
        );
        assert!(at(-Duration::days(SALE_BACKDATE_DAYS_MAX) + Duration::seconds(1)).is_ok());
        assert_eq!(
            at(-Duration::days(SALE_BACKDATE_DAYS_MAX) - Duration::seconds(1)),
            Err(SaleError::OccurredAtOutOfWindow)
        );
    }

    #[test]
    fn a_return_names_its_order_and_refund_and_a_positive_amount() {
        let ret = RefundRequest {
            order_id: "o-1".into(),
            refund_id: "r-1".into(),
            amount_minor: 500,
            currency: "EUR".into(),
            lines: None,
        };
        assert_eq!(check_return(&ret).unwrap().get(), 500);
        let bad = RefundRequest {
            refund_id: String::new(),
            ..ret.clone()
        };
        let SaleError::Input(e) = check_return(&bad).unwrap_err() else {
            panic!("an input error")
        };
        assert_eq!(e.field, "refund_id");
        let zero = RefundRequest {
            amount_minor: 0,
            ..ret
        };
        let SaleError::Input(e) = check_return(&zero).unwrap_err() else {
            panic!("an input error")
        };
        assert!(e.out_of_range);
    }
}
