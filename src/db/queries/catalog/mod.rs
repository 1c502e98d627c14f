//! Catalogs and compatibility: the category tree and its restrictions ([`taxonomy`]), partner
//! catalogs and their profiles ([`catalogs`]), compatibility reports, alerts, thresholds and
//! contract category rules ([`reports`]).

pub mod catalogs;
pub mod reports;
pub mod sales;
pub mod taxonomy;
