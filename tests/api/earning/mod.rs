//! Earning points and refunds.

mod bad_input;
mod batches;
mod refund_property;
mod refunds;
