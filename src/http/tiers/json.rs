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

fn default_qualify_on() -> String {
    "spend".into()
}

/// Where to set a tier's threshold so its members bring a share of the revenue (or of the
/// points earned).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TierSuggestion {
    /// What the figures are: `spend` or `points`, as the table qualifies.
    pub qualify_on: String,
    /// The window the figures cover, in months.
    pub window_months: i64,
    /// The share asked for, in percent.
    pub share_percent: i64,
    /// The threshold: the smallest set of best members bringing that share reach it.
    pub threshold: i64,
    /// Members at or above it.
    pub members: i64,
    /// Members with a figure in the window.
    pub qualifying_members: i64,
    /// The share the members at or above it bring, in ppm.
    pub share_ppm: i64,
}

/// The network's tiers and how members qualify.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TierTable {
    /// The rolling window of qualifying spend, in months (1 to 36).
    pub window_months: i64,
    /// Days a member keeps a tier after their spend falls below it (0 to 365).
    pub grace_days: i64,
    /// What members qualify on: `spend` (minor units of the settlement currency, net of
    /// refunds; the default) or `points` (earned, net of claw-backs). The thresholds are in
    /// that unit.
    #[serde(default = "default_qualify_on")]
    pub qualify_on: String,
    /// The tiers, base first (1 to 10).
    pub tiers: Vec<TierDefinition>,
}
