//! The JSON of the operator's tier table (what members and partners see is
//! `partner_sdk::tiers`).

use partner_sdk::branding::PointsLabel;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One tier of the table.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TierDefinition {
    /// Its code: 2 to 40 of `a-z`, `0-9` and `-`.
    pub code: String,
    /// Its name in each locale (1 to 30 characters).
    pub name: PointsLabel,
    /// The qualifying spend it needs, in minor units of the settlement currency; 0 for the
    /// first (base) tier, increasing.
    pub threshold_minor: i64,
    /// Its multiplier at earn, in basis points: 10,000 (x1) for the base tier, then never
    /// decreasing, at most 100,000 (x10).
    pub multiplier_bp: i64,
    /// Its price if members may buy it (a paid tier), in minor units (1 to 100,000,000); none:
    /// it is earned only. Not the base tier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_minor: Option<i64>,
    /// How long a purchase lasts, in months (1 to 36; default 12).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid_months: Option<i64>,
    /// Who the fee is owed to (default `operator`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee_to: Option<partner_sdk::tiers::FeeTo>,
}

/// The network's tiers and how members qualify.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TierTable {
    /// The rolling window of qualifying spend, in months (1 to 36).
    pub window_months: i64,
    /// Days a member keeps a tier after their spend falls below it (0 to 365).
    pub grace_days: i64,
    /// The tiers, base first (1 to 10).
    pub tiers: Vec<TierDefinition>,
}
