//! Prices as the feeds write them: Merchant Center's `15.00 EUR`, or minor units and a
//! currency.

use crate::domain::earning::rules::currency_exponent;
use crate::domain::limits::AMOUNT_MINOR_MAX;
use crate::domain::money::MoneyMinor;

/// Merchant Center's price: `15.00 EUR` (a non-negative decimal with at most the currency's
/// decimals, one space, an ISO 4217 code), in minor units.
pub fn parse_price(text: &str) -> Result<(MoneyMinor, String), String> {
    let malformed = || format!("{text:?} is not a price such as \"15.00 EUR\"");
    let (number, currency) = text.split_once(' ').ok_or_else(malformed)?;
    let exponent =
        currency_exponent(currency).ok_or_else(|| format!("unknown currency {currency:?}"))?;
    if number.starts_with('-') {
        return Err(format!("{text:?} is negative"));
    }
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty()
        || !digits(whole)
        || !digits(fraction)
        || (number.contains('.') && fraction.is_empty())
    {
        return Err(malformed());
    }
    let decimals = u32::try_from(fraction.len()).map_err(|_| malformed())?;
    if decimals > exponent {
        return Err(format!("{text:?} has more decimals than {currency} has"));
    }
    let too_large = || format!("{text:?} is above the largest amount");
    let whole: i64 = whole.parse().map_err(|_| too_large())?;
    let fraction: i64 = if fraction.is_empty() {
        0
    } else {
        fraction.parse().map_err(|_| malformed())?
    };
    let minor = 10_i64
        .checked_pow(exponent)
        .and_then(|unit| whole.checked_mul(unit))
        .and_then(|w| {
            w.checked_add(fraction.checked_mul(10_i64.checked_pow(exponent - decimals)?)?)
        })
        .filter(|m| *m <= AMOUNT_MINOR_MAX)
        .ok_or_else(too_large)?;
    Ok((MoneyMinor::from(minor), currency.to_owned()))
}

/// The CSV and JSON price: an integer count of minor units and a currency.
pub(super) fn parse_price_minor(
    minor: &str,
    currency: Option<&str>,
) -> Result<(MoneyMinor, String), (&'static str, String)> {
    if minor.starts_with('+') {
        return Err((
            "price_minor",
            format!("{minor:?} is not a whole number of minor units"),
        ));
    }
    let value: i64 = minor.parse().map_err(|_| {
        (
            "price_minor",
            format!("{minor:?} is not a whole number of minor units"),
        )
    })?;
    if !(0..=AMOUNT_MINOR_MAX).contains(&value) {
        return Err(("price_minor", format!("must be 0 to {AMOUNT_MINOR_MAX}")));
    }
    let currency = currency.unwrap_or_default();
    if currency.is_empty() {
        return Err(("currency", "is missing".into()));
    }
    if currency_exponent(currency).is_none() {
        return Err(("currency", format!("unknown currency {currency:?}")));
    }
    Ok((MoneyMinor::from(value), currency.to_owned()))
}
