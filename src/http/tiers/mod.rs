//! Network tiers: the operator's table ([`table`]), a member's own tier, and paid tiers a
//! partner sells ([`paid`]).

pub mod json;
pub(crate) mod paid;
pub(crate) mod table;
