//! A partner's own program on top of the shared points: a local currency (such as "stars")
//! earned alongside network points at the partner's own rate, spent only at that partner
//! (authorize with `currency: local`), never settled between partners, and optionally
//! converted into network points that the partner issues and pays for at its issuance price.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::branding::PointsLabel;

/// The partner's local program, as it sets it (`PUT /v1/partner/local-program`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LocalProgramRequest {
    /// The name of the local currency in each locale, such as `étoiles` / `stars`.
    pub label: PointsLabel,
    /// Local points per unit of the sale's currency, in thousandths (1,000 = one per euro;
    /// 0 to 1,000,000). Applied to the sale's amount weighted by the contract's category
    /// multipliers (a restricted line earns nothing), rounded down.
    pub earn_rate_millipoints: i64,
    /// Months after which local points expire (1 to 120), or 0 for never.
    #[serde(default)]
    pub expiry_months: i64,
    /// Local points per network point when the partner converts (1 to 1,000,000), or absent
    /// when it does not.
    #[serde(default)]
    pub conversion_local_per_point: Option<i64>,
}

/// The partner's local program.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LocalProgram {
    /// The partner.
    pub partner_id: i64,
    /// The currency's code in the ledger (`LOCAL-<partner id>`), as entries and `verify` show it.
    pub currency_code: String,
    /// Its name in each locale.
    pub label: PointsLabel,
    /// Local points per unit of the sale's currency, in thousandths.
    pub earn_rate_millipoints: i64,
    /// Months until local points expire, 0 for never.
    pub expiry_months: i64,
    /// Local points per network point, if the partner converts.
    pub conversion_local_per_point: Option<i64>,
    /// When the program started.
    pub created_at: DateTime<Utc>,
    /// When it last changed (points already earned keep their expiry).
    pub updated_at: DateTime<Utc>,
}

/// Converts a member's local points into network points (`POST
/// /v1/partner/local-program/conversions`, with an `Idempotency-Key`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ConversionRequest {
    /// A member linked to the partner.
    pub member_number: String,
    /// The partner's id for this conversion (1 to 53 characters, printable ASCII), unique per
    /// partner; its statement names it `conversion:<reference>`.
    pub reference: String,
    /// Local points to convert (1 to 1,000,000,000): a whole multiple of the program's rate.
    pub local_points: i64,
}

/// A conversion: the partner took back local points and issued network points for them,
/// billed on its statement as issuance.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Conversion {
    /// The network's id for it.
    pub conversion_id: i64,
    /// The member.
    pub member_number: String,
    /// The partner's reference.
    pub reference: String,
    /// Local points taken.
    pub local_points: i64,
    /// Network points issued (available at once).
    pub points: i64,
    /// The issuance price each network point is billed at, in micros.
    pub price_micros: i64,
    /// The journal entry that recorded it.
    pub entry_id: i64,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// A member's points in one partner's local currency.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LocalBalance {
    /// The partner whose currency it is (the only one where it can be spent).
    pub partner_id: i64,
    /// `LOCAL-<partner id>`.
    pub currency_code: String,
    /// Its name in each locale.
    pub label: PointsLabel,
    /// Points the member can spend at that partner now.
    pub available_points: i64,
    /// Points held by authorized redemptions there.
    pub held_points: i64,
    /// Available points that expire within the next 30 days.
    pub expiring_30d_points: i64,
}

crate::wire_enum! {
    /// What a redemption spends: the shared network points (any partner) or the partner's own
    /// local currency (only at that partner, never settled).
    SpendCurrency {
        /// Network points.
        Network => "network",
        /// The authorizing partner's local currency.
        Local => "local",
    }
}

#[expect(
    clippy::derivable_impls,
    reason = "wire_enum! derives its fixed set of traits; the default is written here"
)]
impl Default for SpendCurrency {
    fn default() -> Self {
        SpendCurrency::Network
    }
}

impl SpendCurrency {
    /// Whether this is the default (left out of requests).
    pub fn is_network(&self) -> bool {
        *self == SpendCurrency::Network
    }
}

/// One of a partner's own tiers on its local program.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LocalTierDefinition {
    /// Its code: 2 to 40 of `a-z`, `0-9` and `-`.
    pub code: String,
    /// Its name in each locale (1 to 30 characters).
    pub name: crate::branding::PointsLabel,
    /// The local points a member must have earned here over the window (net of refunds): 0 for
    /// the first (base) tier, increasing.
    pub threshold_points: i64,
    /// Its multiplier on the local points of a sale, in basis points: 10,000 (x1) for the base
    /// tier, never decreasing, at most 100,000 (x10).
    pub multiplier_bp: i64,
}

/// A partner's own tiers on its local program (an empty list removes them).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LocalTierTable {
    /// The rolling window of local points earned, in months (1 to 36).
    pub window_months: i64,
    /// The tiers, base first (0 to 10).
    pub tiers: Vec<LocalTierDefinition>,
}
