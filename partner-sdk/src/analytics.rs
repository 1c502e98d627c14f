//! Program analytics a partner reads about its own members: recency, frequency and monetary
//! (RFM) scores and the named segments promotions target (champions, loyal, new, potential,
//! at risk, hibernating, lost).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A member of a segment, with the figures behind it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SegmentMember {
    /// The network-wide member number.
    pub member_number: String,
    /// The segment: `champions`, `loyal`, `new`, `potential`, `at_risk`, `hibernating` or `lost`.
    pub segment: String,
    /// Whole days since the member's latest purchase (in this scope).
    pub recency_days: i64,
    /// Orders in the last two years, not counting wholly refunded ones.
    pub frequency: i64,
    /// Spent in the last two years, net of refunds, in minor units.
    pub monetary_minor: i64,
    /// Recency score, 1 to 5 (5: bought most recently).
    pub r: i64,
    /// Frequency score, 1 to 5 (5: most orders).
    pub f: i64,
    /// Monetary score, 1 to 5 (5: spent most).
    pub m: i64,
}

/// A page of one segment's members, by member.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SegmentPage {
    /// The members.
    pub items: Vec<SegmentMember>,
    /// Pass as `cursor` for the next page; absent on the last.
    pub next_cursor: Option<String>,
    /// When the scores were computed (absent before the first computation).
    pub computed_at: Option<DateTime<Utc>>,
}

/// How many members one segment holds.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SegmentCount {
    /// The segment.
    pub segment: String,
    /// Its members.
    pub members: i64,
}

/// Every segment with its size, best first.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SegmentSummary {
    /// The seven segments, each with its size (0 included).
    pub segments: Vec<SegmentCount>,
    /// When the scores were computed (absent before the first computation).
    pub computed_at: Option<DateTime<Utc>>,
}

/// The share of revenue the top members bring.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Concentration {
    /// The top share of members, in percent (1, 5, 10, 20).
    pub top_percent: i64,
    /// Their share of the revenue, in parts per million.
    pub revenue_share_ppm: i64,
}

/// Points that crossed between partners: issued by one, redeemed at another.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CrossShopping {
    /// Points issued elsewhere (another partner or the operator) redeemed here, net of
    /// reversals; network-wide, every point redeemed away from its issuer.
    pub redeemed_here_issued_elsewhere: i64,
    /// Points issued here redeemed at another partner, net of reversals (network-wide, the same
    /// figure).
    pub issued_here_redeemed_elsewhere: i64,
}

/// The program's figures over the last 365 days, network-wide or for one partner (its own
/// customers and the points it issued), consistent with settlement: points and money come from
/// the same clearing events as the statements.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgramSummary {
    /// Start of the window.
    pub from: DateTime<Utc>,
    /// End of the window (the network's clock).
    pub to: DateTime<Utc>,
    /// Members who bought in the last 90 days.
    pub active_members_90d: i64,
    /// Members who bought in the window (orders not wholly refunded).
    pub buying_members: i64,
    /// Of them, the share with two orders or more, in parts per million.
    pub repeat_purchase_rate_ppm: i64,
    /// Revenue in the window, net of refunds, in minor units.
    pub revenue_minor: i64,
    /// Points issued in the window, net of claw-backs.
    pub points_issued: i64,
    /// Of the points issued (whenever), points redeemed in the window, net of reversals.
    pub points_redeemed: i64,
    /// Redeemed over issued, in parts per million.
    pub redemption_rate_ppm: i64,
    /// Points that expired in the window.
    pub breakage_points: i64,
    /// Points outstanding now (available, pending and held).
    pub outstanding_points: i64,
    /// Their value, in micros: network-wide at the highest redemption price in force, for a
    /// partner at its own redemption price.
    pub outstanding_micros: i64,
    /// What the issuer paid for the points issued in the window, net of claw-backs, in micros
    /// (points at their issuance price, as the statements bill them).
    pub program_cost_micros: i64,
    /// Promotions' bonus points, apart (they are included in `points_issued` and
    /// `program_cost_micros` above).
    #[serde(default)]
    pub promotions: PromotionFigures,
    /// Points between partners.
    pub cross_shopping: CrossShopping,
    /// Revenue from the top 1, 5, 10 and 20 % of buying members.
    pub revenue_concentration: Vec<Concentration>,
    /// Retention by monthly cohort, for the last 12 months and the current one.
    pub retention: Vec<Cohort>,
}

/// Promotions' bonus points in the window, net of claw-backs.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PromotionFigures {
    /// Bonus points of partners' own promotions (for a partner: its own).
    pub partner_funded_points: i64,
    /// What the partners paid for them, in micros (their issuance price).
    pub partner_funded_cost_micros: i64,
    /// Bonus points the operator funded (network-wide only; a partner's figures show 0): no
    /// partner pays for them, the operator reimburses them where they are redeemed.
    pub operator_funded_points: i64,
}

/// The members whose first purchase (in the last two years) fell in one month, and how many of
/// them bought again in each following month.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Cohort {
    /// The month, `YYYY-MM`.
    pub month: String,
    /// Members in the cohort.
    pub members: i64,
    /// For each following month up to now (at most 12), the share who bought, in ppm.
    pub retained_ppm: Vec<i64>,
}
