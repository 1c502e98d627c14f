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
