//! Promotions: bonus points on top of a sale's points, funded by the partner that runs them
//! (at its issuance price) or by the operator (network-wide). A promotion has a time window, a
//! target, one rule, a place in the stacking order, and optionally a budget and a per-member
//! cap. Each bonus is its own lot, so settlement bills its funder.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What a promotion gives.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum PromotionRule {
    /// The sale's points multiplied: `multiplier_bp` 20,000 (x2) gives as many bonus points
    /// again as the sale earned (rounded down).
    Multiplier {
        /// 10,001 to 100,000 basis points (x1.0001 to x10).
        multiplier_bp: i64,
    },
    /// A fixed bonus on every qualifying sale.
    FixedBonus {
        /// 1 to 1,000,000 points.
        points: i64,
    },
    /// The points of the lines in a category (and its subcategories) multiplied.
    CategoryBonus {
        /// The category: a Google product category id or path.
        category: String,
        /// 10,001 to 100,000 basis points.
        multiplier_bp: i64,
    },
    /// A bonus on every Nth purchase of the member at the partner where the sale happens,
    /// counted from the promotion's start (the 10th, 20th...), refunded orders included.
    NthPurchase {
        /// 2 to 1,000.
        n: i64,
        /// 1 to 1,000,000 points.
        points: i64,
    },
    /// A bonus on the member's first purchase ever at the partner where the sale happens.
    FirstPurchase {
        /// 1 to 1,000,000 points.
        points: i64,
    },
    /// A bonus at enrolment: for a partner's promotion, when the member enrols or is first
    /// linked at that partner; for the operator's, when the member joins the network.
    Welcome {
        /// 1 to 1,000,000 points.
        points: i64,
    },
    /// A referral reward: `points` to the member who referred and to the member referred, once
    /// the referred member's first purchase of at least `min_amount_minor` (at this partner, for
    /// a partner's promotion) is past its return window.
    Referral {
        /// 1 to 1,000,000 points, to each side.
        points: i64,
        /// The smallest qualifying purchase, in minor units.
        min_amount_minor: i64,
    },
    /// A bonus on a sale of at least `min_amount_minor`.
    MinimumBasket {
        /// The smallest qualifying sale, in minor units.
        min_amount_minor: i64,
        /// 1 to 1,000,000 points.
        points: i64,
    },
}

/// Which members a promotion is for.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum PromotionTarget {
    /// Every member.
    All,
    /// Members in a network tier (its code, such as `gold`), at the time of the sale.
    Tier {
        /// The tier's code.
        tier: String,
    },
    /// Members in an RFM segment (such as `hibernating` or `lost` for lapsed members) at the
    /// last recompute: the partner's own segments for a partner's promotion, the network's for
    /// the operator's.
    Segment {
        /// `champions`, `loyal`, `potential`, `new`, `at_risk`, `hibernating` or `lost`.
        segment: String,
    },
    /// A list of members (1 to 10,000 member numbers; a partner's, linked to it).
    Members {
        /// Their member numbers.
        member_numbers: Vec<String>,
    },
}

/// A new promotion.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PromotionRequest {
    /// Its name as members see it in the explanation of their points (1 to 100 characters).
    pub name: String,
    /// When it starts (inclusive), by the sale's time.
    pub starts_at: DateTime<Utc>,
    /// When it ends (exclusive); after `starts_at`, at most 2 years later.
    pub ends_at: DateTime<Utc>,
    /// Who it is for.
    pub target: PromotionTarget,
    /// What it gives.
    pub rule: PromotionRule,
    /// Its place in the stacking order: lower first (0 to 1,000; default 100).
    #[serde(default = "default_priority")]
    pub priority: i64,
    /// An exclusive promotion applies only when no promotion before it in the stacking order
    /// applied to the sale, and then no later one applies.
    #[serde(default)]
    pub exclusive: bool,
    /// Its budget in points (1 to 1,000,000,000); none: unlimited. The last bonus is cut to
    /// what is left; the budget never goes below zero.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget_points: Option<i64>,
    /// The most bonus points one member may receive from it (1 to 1,000,000,000); none: no
    /// cap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_member_cap_points: Option<i64>,
}

fn default_priority() -> i64 {
    100
}

/// Who pays a promotion's points.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Funder {
    /// The partner that runs it, at its issuance price: billed on its statement.
    Partner,
    /// The operator (a network-wide promotion).
    Operator,
}

/// A promotion as stored, with what it has given.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Promotion {
    /// Its id.
    pub promotion_id: i64,
    /// Who pays its points.
    pub funder: Funder,
    /// The partner that runs it (absent: the operator's, at every partner).
    pub partner_id: Option<i64>,
    /// Its name.
    pub name: String,
    /// When it starts.
    pub starts_at: DateTime<Utc>,
    /// When it ends (earlier than asked if it was ended early).
    pub ends_at: DateTime<Utc>,
    /// Who it is for (a member list is shown by its size only).
    pub target: PromotionTargetSummary,
    /// What it gives.
    pub rule: PromotionRule,
    /// Its place in the stacking order.
    pub priority: i64,
    /// Whether it excludes the promotions after it.
    pub exclusive: bool,
    /// Its budget in points, if any.
    pub budget_points: Option<i64>,
    /// What is left of the budget, if it has one.
    pub budget_remaining_points: Option<i64>,
    /// The per-member cap, if any.
    pub per_member_cap_points: Option<i64>,
    /// Bonus points given, net of those clawed back by refunds.
    pub granted_points: i64,
    /// How many bonuses it has given.
    pub grants: i64,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// A promotion's target as a listing shows it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PromotionTargetSummary {
    /// `all`, `tier`, `segment` or `members`.
    pub kind: String,
    /// The tier or segment, for those kinds.
    pub value: Option<String>,
    /// How many members the list holds, for `members`.
    pub members: Option<i64>,
}

/// A page of promotions.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PromotionList {
    /// The promotions, newest first.
    pub items: Vec<Promotion>,
}

/// A bonus a promotion gave (or would give) on a sale.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Bonus {
    /// The promotion.
    pub promotion_id: i64,
    /// Its name.
    pub name: String,
    /// Who pays for the points.
    pub funder: Funder,
    /// Bonus points.
    pub points: i64,
    /// Why, in words (the rule, and a cut by the budget or the member's cap).
    pub description: String,
}

/// What a sale would earn now, without earning it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DryRunRequest {
    /// The member, linked to the partner.
    pub member_number: String,
    /// When the sale would happen; defaults to now (at most 30 days back, 1 year ahead).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occurred_at: Option<DateTime<Utc>>,
    /// Sale amount in minor units.
    pub amount_minor: i64,
    /// ISO 4217 code; the partner's contract currency.
    pub currency: String,
    /// Optional sale lines, as for an earn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lines: Option<Vec<crate::types::SaleLine>>,
}

/// The answer of a dry run.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DryRunResponse {
    /// The sale's own points.
    pub points: i64,
    /// The bonuses on top, in the stacking order.
    pub bonuses: Vec<Bonus>,
    /// Sale points plus bonuses.
    pub total_points: i64,
    /// The rules that produced the sale's points.
    pub rules: Vec<crate::types::AppliedRule>,
}

/// Promotions ending soon, for the partner's site to show (urgency).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EndingPromotions {
    /// Those running now that end within the asked number of days, soonest first: the
    /// partner's own and the operator's.
    pub items: Vec<EndingPromotion>,
}

/// A promotion ending soon.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EndingPromotion {
    /// Its id.
    pub promotion_id: i64,
    /// Its name.
    pub name: String,
    /// When it ends.
    pub ends_at: DateTime<Utc>,
    /// Who pays for it.
    pub funder: Funder,
}

/// Members whose points expire soon, for the partner's reminders.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExpiringPoints {
    /// The partner's linked members with points expiring within the asked number of days, in
    /// the network's order of members (stable across pages).
    pub items: Vec<ExpiringMember>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// A member's points expiring soon.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExpiringMember {
    /// The member.
    pub member_number: String,
    /// Network points expiring within the window.
    pub points: i64,
    /// The earliest of those expiry dates.
    pub first_expires_at: DateTime<Utc>,
}

/// A member's referral code and what it brought.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReferralStatus {
    /// The member's code, to give to friends (8 characters, case does not matter).
    pub code: String,
    /// Members who joined with it.
    pub referred: i64,
    /// Of those, the ones whose first purchase is past its return window: both sides were paid.
    pub rewarded: i64,
    /// Who referred this member, if anyone (their code).
    pub referred_by: Option<String>,
}

/// Names the member who referred the caller: before their first purchase only, once.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReferrerRequest {
    /// The referrer's code.
    pub code: String,
}
