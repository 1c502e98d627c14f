//! Catalogs and compatibility: the category tree and its restrictions ([`taxonomy`]), catalog
//! uploads and products ([`catalogs`]), compatibility reports, thresholds and drift alerts
//! ([`compatibility`]).

pub mod catalogs;
pub mod compatibility;
mod import;
mod report;
pub mod taxonomy;
pub mod tree;
