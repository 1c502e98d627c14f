//! Promotions: a partner's own ([`partner`]: create, read, end, dry run, and the urgency lists
//! for its site) and the operator's network-wide ones ([`operator`]). The bodies are
//! `partner_sdk::promotions`.

pub(crate) mod operator;
pub(crate) mod partner;
