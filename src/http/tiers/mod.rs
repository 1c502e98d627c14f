//! Network tiers: the operator's table ([`table`]), a member's own tier.

pub mod json;
pub(crate) mod table;
