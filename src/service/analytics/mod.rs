//! Program analytics: RFM scores and segments ([`segments`]), the program's figures ([`summary`]).

pub mod segments;
pub mod summary;
