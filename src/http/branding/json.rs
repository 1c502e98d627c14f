//! The JSON the operator's branding routes read. What a partner sends and reads is in
//! `partner_sdk::branding`, re-exported here.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use partner_sdk::branding::{Brand, BrandRequest, PointsLabel};

/// Suspends a brand: members see the network's own pages instead of it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BrandSuspensionRequest {
    /// Why (1 to 500 characters), kept with the suspension.
    pub reason: String,
}

/// Every version of a brand, newest first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BrandVersions {
    /// The versions.
    pub items: Vec<Brand>,
}

/// The network's directory: where members can earn and spend.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Directory {
    /// Active partners' brands, in partner order.
    pub items: Vec<Brand>,
    /// Pass as `cursor` for the next page; absent on the last.
    pub next_cursor: Option<String>,
}
