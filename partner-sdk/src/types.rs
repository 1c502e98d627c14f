//! The wire types of the partner API: what a partner sends and what it gets back.
//!
//! The server uses these very types for its partner endpoints, so the SDK and the server cannot
//! disagree on a field. Points are integers; money is an integer count of minor units with an
//! ISO 4217 currency code; times are RFC 3339 in UTC.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use crate::history::{HistoryEntry, HistoryPage};
pub use crate::local_program::SpendCurrency;

/// Enrols a new member at the partner's till with minimal data, and links them to the partner.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EnrolMemberRequest {
    /// The partner's own customer reference (1 to 64 characters), unique per partner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_ref: Option<String>,
    /// Name the member wants to be greeted with (at most 100 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
}

/// Links an existing network member (who showed their card or app) to the partner.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LinkMemberRequest {
    /// The network-wide member number (10 digits, the last one a Luhn check digit).
    pub member_number: String,
    /// The partner's own customer reference (1 to 64 characters), unique per partner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_ref: Option<String>,
}

/// A member as a partner sees them: only what the link gives it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberLink {
    /// The network-wide member number.
    pub member_number: String,
    /// The partner's own customer reference, if it gave one.
    pub customer_ref: Option<String>,
    /// When the member was linked to this partner.
    pub linked_at: DateTime<Utc>,
}

/// A member's network points balance.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Balance {
    /// The network-wide member number.
    pub member_number: String,
    /// Points the member can spend now. Negative when a refund clawed back points that had
    /// already been spent: later earns repay it first.
    pub available_points: i64,
    /// Points earned whose return window has not ended yet.
    pub pending_points: i64,
    /// Points reserved by authorized, not yet captured, redemptions.
    pub held_points: i64,
    /// Points (available or pending) that expire within the next 30 days.
    pub expiring_30d_points: i64,
    /// When the next pending points become available, if any are pending.
    pub next_available_at: Option<DateTime<Utc>>,
    /// The time the balance was computed at (the network's clock).
    pub as_of: DateTime<Utc>,
    /// Local currencies of partners' own programs the member holds: on a partner's route only
    /// that partner's (never another's), on the member's and the operator's routes all.
    #[serde(default)]
    pub local: Vec<crate::local_program::LocalBalance>,
}

/// One line of a sale, for the explanation of the points (optional).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SaleLine {
    /// The partner's SKU (at most 64 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    /// The category code of the product (at most 64 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Line amount in minor units of the sale's currency.
    pub amount_minor: i64,
}

/// A sale at the partner, on which the member earns points.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EarnRequest {
    /// The network-wide member number; the member must be linked to the partner.
    pub member_number: String,
    /// The partner's order id (1 to 64 characters). One order earns once.
    pub order_id: String,
    /// When the sale happened; defaults to now. At most 30 days in the past and 5 minutes
    /// ahead of the network's clock (a time ahead counts as now).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occurred_at: Option<DateTime<Utc>>,
    /// Sale amount in minor units (1 to 100,000,000,000).
    pub amount_minor: i64,
    /// ISO 4217 code; must be the partner's contract currency.
    pub currency: String,
    /// Optional sale lines (at most 500); their amounts may not exceed the sale amount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lines: Option<Vec<SaleLine>>,
}

/// Whether earned points can be spent yet.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PointsStatus {
    /// Within the partner's return window.
    Pending,
    /// Spendable.
    Available,
}

/// One rule that contributed to the points of an earn, in the order applied.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppliedRule {
    /// Stable rule code, such as `network_base_rate`, `partner_rate` or `round_down`.
    pub rule: String,
    /// Human-readable explanation.
    pub description: String,
}

/// The points an earn produced, and why.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EarnResponse {
    /// The network's id for this earn.
    pub earn_id: i64,
    /// The member who earned.
    pub member_number: String,
    /// The partner's order id.
    pub order_id: String,
    /// Points credited (zero is possible for a small sale).
    pub points: i64,
    /// Pending until the return window ends.
    pub status: PointsStatus,
    /// When the points become spendable.
    pub available_at: DateTime<Utc>,
    /// When the points expire, if the network's policy gives a fixed date.
    pub expires_at: Option<DateTime<Utc>>,
    /// The rules that produced the points.
    pub rules: Vec<AppliedRule>,
    /// The journal entry that recorded it (absent when the sale earned zero points).
    pub entry_id: Option<i64>,
    /// Points of the partner's local currency credited alongside (0 without a local program);
    /// available at once, spendable only at this partner.
    #[serde(default)]
    pub local_points: i64,
    /// Bonus points of promotions on top of `points`, each its own lot paid by its funder.
    #[serde(default)]
    pub bonus_points: i64,
    /// The promotions' bonuses, in the stacking order.
    #[serde(default)]
    pub bonuses: Vec<crate::promotions::Bonus>,
}

/// A return of all or part of an order: the points are clawed back in proportion.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RefundRequest {
    /// The order id of the original earn.
    pub order_id: String,
    /// The partner's id for this return (1 to 64 characters), unique per partner.
    pub refund_id: String,
    /// Amount returned, in minor units; all refunds of an order together may not exceed it.
    pub amount_minor: i64,
    /// ISO 4217 code; must be the currency of the original sale.
    pub currency: String,
    /// The returned lines (SKU or category, amount), adding up to at most `amount_minor`: the
    /// claw-back follows what those lines earned (a line at x2 takes back twice what a plain
    /// one does, a restricted line nothing). The rest of the amount, or the whole without
    /// lines, claws back at the order's average.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lines: Option<Vec<SaleLine>>,
}

/// What a refund clawed back.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RefundResponse {
    /// The partner's id for this return.
    pub refund_id: String,
    /// The order id of the original earn.
    pub order_id: String,
    /// Amount returned by this refund, in minor units.
    pub amount_minor: i64,
    /// Points taken back by this refund (the partner is not billed for them).
    pub points_clawed_back: i64,
    /// Of which taken from the order's own points.
    pub from_order_points: i64,
    /// Of which taken from the member's other available points.
    pub from_other_points: i64,
    /// Of which the member could not cover: their available balance went negative by this much.
    pub uncovered_points: i64,
    /// All refunds of this order so far, in minor units.
    pub order_refunded_minor: i64,
    /// The journal entry that recorded it (absent when no point was clawed back).
    pub entry_id: Option<i64>,
    /// Local points taken back, in proportion to what the returned part earned (as for network
    /// points): from the order's own local points, then the member's others at this partner;
    /// what the member already spent leaves a negative local balance that the next local points
    /// repay first.
    #[serde(default)]
    pub local_points_clawed_back: i64,
    /// Promotion bonus points of the order clawed back in the same proportion (from each
    /// bonus's own lot first); each funder is credited what its bonus gave back.
    #[serde(default)]
    pub bonus_points_clawed_back: i64,
}

/// Authorizes a redemption: holds points with the member's one-time code.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AuthorizeRequest {
    /// The network-wide member number. The member need not be linked to this partner.
    pub member_number: String,
    /// The one-time code the member generated in their app (single use, short-lived).
    pub code: String,
    /// Points to hold (1 to 1,000,000,000).
    pub points: i64,
    /// The partner's order id, for its own records (at most 64 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    /// `network` (the default) or `local`: the partner's own currency, which only it accepts.
    #[serde(default, skip_serializing_if = "SpendCurrency::is_network")]
    pub currency: SpendCurrency,
}

/// Captures an authorized redemption, all of it or part.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CaptureRequest {
    /// Points to capture; defaults to the whole hold. The rest is released.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<i64>,
}

/// Reverses (part of) a captured redemption, when goods bought with points come back.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReverseRequest {
    /// Points to give back to the member; all reversals together may not exceed the capture.
    pub points: i64,
}

/// Where a redemption stands.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RedemptionStatus {
    /// Points are held, waiting for capture or void.
    Authorized,
    /// Points were spent (possibly partly reversed since).
    Captured,
    /// The partner released the hold.
    Voided,
    /// The hold timed out and was released.
    Expired,
}

/// A redemption at the partner.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Redemption {
    /// The network's id for this redemption.
    pub redemption_id: i64,
    /// The member who spends.
    pub member_number: String,
    /// Where it stands.
    pub status: RedemptionStatus,
    /// Points held at authorization.
    pub points_authorized: i64,
    /// Points captured (spent).
    pub points_captured: i64,
    /// Points given back by reversals.
    pub points_reversed: i64,
    /// When an uncaptured hold is released.
    pub expires_at: DateTime<Utc>,
    /// The partner's order id, if given.
    pub order_id: Option<String>,
    /// When it was authorized.
    pub created_at: DateTime<Utc>,
    /// What it spends: network points or the partner's local currency.
    #[serde(default)]
    pub currency: SpendCurrency,
}

/// One journal entry in the partner's list of entries.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartnerEntry {
    /// The journal entry id; the list is in increasing order of it.
    pub entry_id: i64,
    /// What the entry records.
    pub kind: EntryKind,
    /// The member concerned.
    pub member_number: String,
    /// Change of the member's total balance (available + pending + held): positive for points
    /// credited, negative for points taken. A hold or its release only moves points between
    /// available and held, so it shows 0 here; summing this column gives the member's net.
    pub points: i64,
    /// Change of the member's held points: positive when a hold is placed, negative when it is
    /// captured, voided or expires.
    pub held_points: i64,
    /// The partner's order id, refund id or the redemption id the entry belongs to.
    pub reference: String,
    /// When it was posted (the network's clock).
    pub posted_at: DateTime<Utc>,
}

/// A page of a list; pass `next_cursor` back as `cursor` for the next page.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartnerEntryPage {
    /// The items of this page.
    pub items: Vec<PartnerEntry>,
    /// Absent on the last page.
    pub next_cursor: Option<String>,
}

/// An RFC 9457 problem: every error the network answers.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    /// A URI naming the problem type (`urn:loyalty:problem:<code>`).
    #[serde(rename = "type")]
    pub type_uri: String,
    /// Short summary of the problem type.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong with this request.
    #[serde(default)]
    pub detail: Option<String>,
    /// The stable machine-readable code, such as `insufficient_points`.
    pub code: String,
    /// The error id to quote to the operator (on 500 answers only; the server logs it).
    #[serde(default)]
    pub request_id: Option<String>,
}

crate::wire_enum! {
    /// What a journal entry records.
    EntryKind {
        /// Points credited for a sale.
        Earn => "earn",
        /// Points clawed back by a refund.
        Refund => "refund",
        /// Pending points that became available at the end of the return window.
        Maturation => "maturation",
        /// Points that expired unused.
        Expiry => "expiry",
        /// Points held for a redemption.
        RedemptionHold => "redemption_hold",
        /// Held points spent at the shop.
        RedemptionCapture => "redemption_capture",
        /// Held points given back (void, partial capture, expired hold).
        RedemptionRelease => "redemption_release",
        /// Spent points given back when the goods came back.
        RedemptionReversal => "redemption_reversal",
        /// An operator's goodwill credit or correction.
        Adjustment => "adjustment",
        /// The money nets of a closed settlement period.
        Settlement => "settlement",
        /// A payment recorded against a statement.
        Payment => "payment",
        /// A partner's local points converted into network points it issues and pays for.
        LocalConversion => "local_conversion",
        /// Bonus points of a promotion given outside a sale (a welcome bonus).
        PromotionBonus => "promotion_bonus",
        /// A paid tier bought (money: what the member paid, what the seller sold).
        TierPurchase => "tier_purchase",
    }
}
