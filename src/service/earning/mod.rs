//! Earning points on a sale ([`earn`]), and clawing them back when the sale is returned
//! ([`refund`]).

mod earn;
mod refund;

pub use earn::earn;
pub use refund::refund;

use crate::domain::input::{check_range, check_text, TextKind};
use crate::domain::limits::AMOUNT_MINOR_MAX;
use crate::error::ApiResult;

fn check_amount(amount_minor: i64, what: &str) -> ApiResult<()> {
    check_range(what, amount_minor, 1, AMOUNT_MINOR_MAX)?;
    Ok(())
}

fn check_ref(value: &str, field: &str) -> ApiResult<()> {
    check_text(field, value, TextKind::Identifier)?;
    Ok(())
}
