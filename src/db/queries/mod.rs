//! Row types and queries, grouped by capability as `service/` is. Services call these;
//! nothing else builds SQL.

pub mod analytics;
pub mod branding;
pub mod catalog;
pub mod earning;
pub mod ledger;
pub mod local_programs;
pub mod members;
pub mod partners;
pub mod platform;
pub mod promotions;
pub mod redemption;
pub mod settlement;
pub mod tiers;
