//! Spending points: one-time codes and two-phase redemptions.

pub(crate) mod codes;
pub(crate) mod redemptions;
