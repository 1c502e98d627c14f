//! Program analytics, the pure part: recency, frequency and monetary scores and the named
//! segments promotions target ([`rfm`]); rates and revenue concentration ([`figures`]).

pub mod figures;
pub mod rfm;
