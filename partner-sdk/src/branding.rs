//! A partner's brand over the shared points: its name, slug, logo, colours, its label for the
//! network's points and its program rules. The server uses these very types.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The name of the network's points in each locale the member pages speak.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PointsLabel {
    /// In French (1 to 30 characters), such as `étoiles`.
    #[serde(rename = "fr-FR")]
    pub fr_fr: String,
    /// In English (1 to 30 characters), such as `stars`.
    #[serde(rename = "en-GB")]
    pub en_gb: String,
}

/// A brand, as the partner sets it. Every change is a new version; the logo is sent apart
/// (`PUT /v1/partner/brand/logo`) and kept across versions.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BrandRequest {
    /// The address of the partner's member pages, `/p/{slug}/`: 2 to 40 of `a-z`, `0-9` and
    /// `-`, unique in the network.
    pub slug: String,
    /// The name members see (1 to 100 characters).
    pub display_name: String,
    /// Main colour, `#RRGGBB`.
    pub primary_color: String,
    /// Accent colour (buttons, highlights), `#RRGGBB`.
    pub accent_color: String,
    /// Text colour on the primary colour; by default black or white, whichever reads better.
    /// It must reach a WCAG 2.1 AA contrast of 4.5:1 there (text on the accent colour is black
    /// or white, whichever reads better, which always does).
    #[serde(default)]
    pub text_color: Option<String>,
    /// The partner's name for the network's points.
    pub points_label: PointsLabel,
    /// `fr-FR` or `en-GB`.
    pub default_locale: String,
    /// The program's rules in Markdown (at most 10,000 characters; no raw HTML, no images,
    /// links only http(s)).
    #[serde(default)]
    pub rules_markdown: String,
}

/// A brand version.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Brand {
    /// The partner.
    pub partner_id: i64,
    /// 1 for the first version.
    pub version: i64,
    /// The address of its member pages, `/p/{slug}/`.
    pub slug: String,
    /// The name members see.
    pub display_name: String,
    /// `#rrggbb`.
    pub primary_color: String,
    /// `#rrggbb`.
    pub accent_color: String,
    /// `#rrggbb`, text on the primary colour.
    pub text_color: String,
    /// `#000000` or `#ffffff`, text on the accent colour.
    pub accent_text_color: String,
    /// The partner's name for the network's points.
    pub points_label: PointsLabel,
    /// `fr-FR` or `en-GB`.
    pub default_locale: String,
    /// The rules as written.
    pub rules_markdown: String,
    /// The rules as member pages show them (sanitised HTML).
    pub rules_html: String,
    /// Where the logo is served, if there is one.
    pub logo_url: Option<String>,
    /// Suspended by the operator: members see the network's own pages instead.
    pub suspended: bool,
    /// Who made this version: `partner:<key id>`.
    pub created_by: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// Points that expire on one date.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExpiringPoints {
    /// `PTS` for network points, `LOCAL-<partner id>` for the partner's local currency.
    pub currency_code: String,
    /// Points (available or pending) that expire then.
    pub points: i64,
    /// When.
    pub expires_at: DateTime<Utc>,
}

/// What the partner's own website shows a member signed in there
/// (`GET /v1/partner/members/{member_number}/view`): the shared balance under the partner's
/// label, its local currency, what expires soonest and the member's recent activity at this
/// partner (never at another).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberView {
    /// The member.
    pub member_number: String,
    /// The partner's name for the network's points (the network's word, "points", until it
    /// sets a brand).
    pub points_label: PointsLabel,
    /// The brand's locale, `fr-FR` or `en-GB`.
    pub default_locale: String,
    /// The network balance (the same at every partner) and this partner's local currency.
    pub balance: crate::types::Balance,
    /// The next expiry dates (at most 10), network points and this partner's local points.
    pub expiring: Vec<ExpiringPoints>,
    /// The member's latest entries at this partner (at most 10), newest first.
    pub recent_activity: Vec<crate::types::HistoryEntry>,
    /// The member's network tier and its multiplier (not their spend: it counts purchases at
    /// every partner).
    pub tier: crate::tiers::TierBadge,
    /// The member's tier in this partner's own program, if it has tiers.
    #[serde(default)]
    pub local_tier: Option<crate::tiers::TierBadge>,
}
