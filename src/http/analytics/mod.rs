//! Program analytics: RFM segments ([`segments`]), network-wide and per partner for the
//! operator, and each partner's own for itself.

pub mod json;
pub(crate) mod segments;
pub(crate) mod summary;
