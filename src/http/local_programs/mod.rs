//! A partner's local program: its settings ([`programs`]) and conversions of its local points
//! into network points ([`conversions`]), its own tiers ([`tiers`]). The bodies are `partner_sdk::local_program`.

pub(crate) mod conversions;
pub(crate) mod programs;
pub(crate) mod tiers;
