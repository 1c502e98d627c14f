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
