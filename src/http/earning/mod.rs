//! Earning points and refunds.

pub(crate) mod batches;
pub(crate) mod earns;
pub(crate) mod refunds;
