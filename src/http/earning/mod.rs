//! Earning points and refunds.

pub(crate) mod earns;
pub(crate) mod refunds;
