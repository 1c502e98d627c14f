//! Earning points on a sale ([`earn`]), and clawing them back when the sale is returned
//! ([`refund`]).

mod earn;
mod lines;
mod refund;

pub use earn::earn;
pub use refund::refund;
