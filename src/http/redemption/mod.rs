//! Spending points: one-time codes and two-phase redemptions.

pub(crate) mod codes;
pub mod json;
pub(crate) mod redemptions;
