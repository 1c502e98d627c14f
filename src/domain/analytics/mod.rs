//! Program analytics, the pure part: recency, frequency and monetary scores and the named
//! segments promotions target ([`rfm`]).

pub mod rfm;
