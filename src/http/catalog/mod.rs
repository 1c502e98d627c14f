//! Catalogs and compatibility: the category tree ([`categories`]), catalog uploads and products
//! ([`catalogs`]), compatibility reports, thresholds and alerts ([`reports`]).

pub(crate) mod catalogs;
pub(crate) mod categories;
pub mod json;
pub(crate) mod reports;
