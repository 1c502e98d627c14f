//! Catalogs and compatibility: the category tree ([`taxonomy`]) and how well a candidate's
//! catalog fits the network's active partners ([`compatibility`]).

pub mod compatibility;
pub mod taxonomy;
