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
    /// The network's own program rules, one paragraph each, in each language.
    pub network_rules: NetworkRules,
}

/// The network's program rules in each locale the member pages speak.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NetworkRules {
    /// In French.
    #[serde(rename = "fr-FR")]
    pub fr_fr: Vec<String>,
    /// In English.
    #[serde(rename = "en-GB")]
    pub en_gb: Vec<String>,
}

impl NetworkRules {
    /// The rules the network publishes.
    pub fn published() -> NetworkRules {
        use crate::domain::branding::network_rules::{EN_GB, FR_FR};
        let owned = |rules: &[&str]| rules.iter().map(|r| (*r).to_owned()).collect();
        NetworkRules {
            fr_fr: owned(FR_FR),
            en_gb: owned(EN_GB),
        }
    }
}
