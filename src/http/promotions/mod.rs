//! Promotions: a partner's own ([`partner`]: create, read, end, dry run, and the urgency lists
//! for its site), the operator's network-wide ones ([`operator`]), and a member's referral
//! code ([`member`]). The bodies are
//! `partner_sdk::promotions`.

pub(crate) mod member;
pub(crate) mod operator;
pub(crate) mod partner;
