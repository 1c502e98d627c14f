//! Earning points on a sale ([`earn`]), and clawing them back when the sale is returned
//! ([`refund`]).

pub mod batch;
mod earn;
mod lines;
mod quote;
mod refund;

pub use earn::{earn, earn_within};
pub use quote::dry_run;
pub use refund::refund;
