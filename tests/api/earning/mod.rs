//! Earning points and refunds.

mod bad_input;
mod refund_property;
mod refunds;
