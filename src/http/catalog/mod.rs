//! Catalogs and compatibility: the category tree, catalog uploads and products, compatibility
//! reports, thresholds and alerts.

pub mod json;
