//! Network tiers as a member and a partner's site see them: the member's tier, its multiplier
//! at earn, the qualifying spend and what the next tier needs.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::branding::PointsLabel;

/// The next tier up and what it needs.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NextTier {
    /// Its code.
    pub tier: String,
    /// Its name in each locale.
    pub name: PointsLabel,
    /// The qualifying spend it needs, in minor units.
    pub threshold_minor: i64,
    /// What is missing, in minor units.
    pub missing_minor: i64,
}

/// A change of tier.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TierChange {
    /// The tier before.
    pub from_tier: String,
    /// The tier after.
    pub to_tier: String,
    /// The qualifying spend that decided it, in minor units.
    pub qualifying_minor: i64,
    /// When.
    pub changed_at: DateTime<Utc>,
}

/// A member's tier.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TierStatus {
    /// The tier's code, such as `gold`.
    pub tier: String,
    /// Its name in each locale.
    pub name: PointsLabel,
    /// Its multiplier at earn, in basis points (10,000 = x1), from the member's next sale.
    pub multiplier_bp: i64,
    /// The member's spend at every partner, net of refunds, over the window, in minor units.
    pub qualifying_minor: i64,
    /// The rolling window, in months.
    pub window_months: i64,
    /// The next tier up, if any.
    pub next: Option<NextTier>,
    /// When the member drops to the tier their spend reaches, unless it climbs back before
    /// (absent when their spend keeps the tier).
    pub downgrade_at: Option<DateTime<Utc>>,
    /// The latest changes (at most 10), newest first.
    pub history: Vec<TierChange>,
    /// What `qualifying_minor` and the thresholds count: `spend` (minor units, the default) or
    /// `points` (earned), as the network's table says.
    #[serde(default = "spend")]
    pub qualify_on: String,
    /// Until when the member's paid tier runs, when they bought one that is above the tier their
    /// spend reaches (the tier shown is then the paid one).
    #[serde(default)]
    pub paid_until: Option<DateTime<Utc>>,
}

fn spend() -> String {
    "spend".into()
}

/// Who a paid tier's fee is owed to.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FeeTo {
    /// The operator: the seller's next statement bills it.
    Operator,
    /// The partner that sold it keeps it.
    Seller,
}

/// A member buys a paid tier at the partner's till or site; the partner collected the price.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PaidTierRequest {
    /// The member, linked to the partner.
    pub member_number: String,
    /// The tier bought: one with a price.
    pub tier: String,
    /// The partner's order id (1 to 64 characters): one order buys once.
    pub order_id: String,
    /// What the member paid, in minor units: the tier's price.
    pub amount_minor: i64,
    /// The settlement currency.
    pub currency: String,
}

/// A paid tier bought.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaidTier {
    /// The member.
    pub member_number: String,
    /// The tier.
    pub tier: String,
    /// Until when it runs (a purchase before the end extends it).
    pub paid_until: DateTime<Utc>,
    /// What the member paid, minor units.
    pub amount_minor: i64,
    /// Who the fee is owed to.
    pub fee_to: FeeTo,
    /// The network's journal entry recording the money.
    pub entry_id: i64,
}

/// A member's tier as a partner sees it: the tier and its multiplier, never the member's spend
/// (which counts their purchases at every partner).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TierBadge {
    /// The tier's code, such as `gold`.
    pub tier: String,
    /// Its name in each locale.
    pub name: PointsLabel,
    /// Its multiplier at earn, in basis points.
    pub multiplier_bp: i64,
}
