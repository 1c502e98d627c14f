//! Program analytics: RFM scores and segments ([`segments`]).

pub mod segments;
