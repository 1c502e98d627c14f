//! The JSON the partners routes read and write: request and response bodies, documented in the
//! OpenAPI document. Plain data (serde and utoipa, no actix): the services build these answers,
//! and a layering test lets them reach `http/` for these `json` modules only.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A new API key, with its secret shown this once.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct IssuedKey {
    /// Public key id, sent as `Loyalty-Key-Id`.
    pub key_id: String,
    /// The signing secret. It is stored encrypted and never shown again.
    pub secret: String,
    /// When it was issued.
    pub created_at: DateTime<Utc>,
}

/// An API key without its secret.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct KeyInfo {
    /// Public key id.
    pub key_id: String,
    /// When it was issued.
    pub created_at: DateTime<Utc>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// The economic terms between the network and a partner. Prices are micros of the settlement
/// currency per point (8,000 = 0.8 cents).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractTerms {
    /// Partner multiplier on the network base rate, in basis points (10,000 = x1; at most 1,000,000).
    pub earn_rate_bp: i64,
    /// What the partner pays the network per point it issues.
    pub issuance_price_micros: i64,
    /// What the network pays the partner per point redeemed at its shop; at most the issuance price.
    pub redemption_price_micros: i64,
    /// Days points stay pending after a sale (0 to 365).
    pub return_window_days: i64,
    /// A flat fee, in minor units of the settlement currency, charged on each settlement
    /// statement (0 to 100,000,000; default 0).
    #[serde(default)]
    pub period_fee_minor: i64,
    /// When this version comes into force; defaults to now, never in the past. A partner's
    /// first contract, given at admission, is in force at once whatever this says.
    #[serde(default)]
    pub effective_from: Option<DateTime<Utc>>,
    /// Category rules: multipliers on subtrees at earn, and subtrees held exclusively (at most
    /// 100 rules, one per category).
    #[serde(default)]
    pub category_rules: Vec<CategoryRule>,
}

/// A contract's rule on a category subtree.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct CategoryRule {
    /// The subtree's root category.
    pub category_id: i64,
    /// Multiplier on the lines of a sale in this subtree, in basis points (15,000 = x1.5; 0 to
    /// 1,000,000). The deepest rule containing a line's category applies.
    #[serde(default)]
    pub multiplier_bp: Option<i64>,
    /// The partner is the only one in this subtree: a candidate selling in it is a conflict.
    #[serde(default)]
    pub exclusive: bool,
}

/// A contract version as stored.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Contract {
    /// When it comes (or came) into force.
    pub effective_from: DateTime<Utc>,
    /// Settlement currency.
    pub currency: String,
    /// Partner multiplier, basis points.
    pub earn_rate_bp: i64,
    /// Price per point issued, micros.
    pub issuance_price_micros: i64,
    /// Price per point redeemed, micros.
    pub redemption_price_micros: i64,
    /// Return window, days.
    pub return_window_days: i64,
    /// Flat fee per settlement period, minor units.
    pub period_fee_minor: i64,
    /// Category multipliers and exclusivity clauses.
    pub category_rules: Vec<CategoryRule>,
}

/// Admits a partner.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePartnerRequest {
    /// Short unique name: 2 to 40 of `a-z`, `0-9` and `-`.
    pub slug: String,
    /// Display name (1 to 100 characters).
    pub name: String,
    /// The partner's universe, such as `books` or `coffee` (1 to 100 characters).
    pub universe: String,
    /// The first contract version.
    pub contract: ContractTerms,
    /// `active` (the default: admitted at once, without a compatibility report) or `applied`
    /// (a candidate: it may upload its catalog, and is admitted or rejected after its report
    /// by a status change).
    #[serde(default)]
    pub status: Option<String>,
}

/// A partner with the contract in force.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Partner {
    /// The network's id.
    pub id: i64,
    /// Short unique name.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// Universe.
    pub universe: String,
    /// `applied`, `active`, `rejected`, `suspended` or `terminated`. Only an active partner
    /// earns and redeems.
    pub status: String,
    /// When it was admitted.
    pub created_at: DateTime<Utc>,
    /// The contract in force now (absent when the first one starts later).
    pub contract: Option<Contract>,
    /// Every contract version, oldest first.
    pub contract_history: Vec<Contract>,
}

/// A page of partners.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PartnerPage {
    /// The partners.
    pub items: Vec<Partner>,
    /// Pass as `cursor` for the next page; absent on the last.
    pub next_cursor: Option<String>,
}

/// Moves a partner along its lifecycle: applied -> active | rejected; active -> suspended ->
/// active | terminated.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChangeRequest {
    /// The new status.
    pub status: String,
    /// Why (1 to 500 characters), kept in the audit trail.
    pub reason: String,
    /// Admit although the compatibility report says `conflict` or `restricted`.
    #[serde(default)]
    pub override_conflict: bool,
}

/// A lifecycle transition, as the audit trail keeps it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PartnerEvent {
    /// The status before (absent at creation).
    pub from_status: Option<String>,
    /// The status after.
    pub to_status: String,
    /// The operator token's name.
    pub actor: String,
    /// Why.
    pub reason: String,
    /// Admitted over a conflicting or restricted report.
    pub override_conflict: bool,
    /// The compatibility report the decision was taken on, if any.
    pub report_id: Option<i64>,
    /// When.
    pub occurred_at: DateTime<Utc>,
}

/// A partner's lifecycle, oldest first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PartnerEventList {
    /// The transitions.
    pub items: Vec<PartnerEvent>,
}
