//! Catalogs and compatibility: the category tree ([`taxonomy`]), the feeds merchants upload
//! ([`feed`]), and how well a candidate's catalog fits the network's active partners
//! ([`compatibility`]).

pub mod compatibility;
pub mod feed;
pub mod taxonomy;
