//! Settlement statements: the signed document, its canonical form and its offline verification.
//!
//! A statement is served as an envelope `{"signature": {...}, "statement": {...}}`. The
//! signature is Ed25519 over the statement's **canonical JSON**: object keys sorted by their
//! UTF-8 bytes, no insignificant whitespace, strings escaped as `serde_json` escapes them,
//! integers only. Verification re-derives the canonical bytes from the statement as received,
//! so any change to any field (or a different key) fails it. The network publishes its public
//! keys at `GET /v1/network/keys`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The format tag inside every statement.
pub const STATEMENT_FORMAT: &str = "loyalty-statement/v1";

/// A signing key the network publishes.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NetworkKey {
    /// Names the key in statement signatures.
    pub key_id: String,
    /// Always `ed25519`.
    pub algorithm: String,
    /// The 32-byte public key, lowercase hex.
    pub public_key_hex: String,
    /// When the key was created.
    pub created_at: DateTime<Utc>,
}

/// Who a statement is for.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatementParty {
    /// The partner's network id.
    pub id: i64,
    /// Its slug.
    pub slug: String,
    /// Its name.
    pub name: String,
}

/// Points and their money, exact in micros of the settlement currency.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatementLine {
    /// Points.
    pub points: i64,
    /// Their money at the prices that apply (the lot's issuance price, or the redemption's
    /// price), in micros (millionths of the currency unit).
    pub amount_micros: i64,
}

/// Points that moved between this partner and another party in the period.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FlowLine {
    /// The other partner, or absent for the network operator (points it funded).
    pub partner_id: Option<i64>,
    /// Its slug, or `operator`.
    pub party: String,
    /// Points redeemed, net of reversals in the period (may be negative when reversals of
    /// earlier periods' redemptions exceed this period's).
    pub points: i64,
}

/// An adjustment carried into this statement from a resolved dispute.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatementAdjustment {
    /// The dispute it resolves.
    pub dispute_id: i64,
    /// The statement that was disputed.
    pub disputed_statement_id: i64,
    /// Signed minor units: positive, the partner owes more; negative, the partner is owed more.
    pub amount_minor: i64,
    /// The operator's resolution.
    pub resolution: String,
}

/// A partner's statement for one settlement period: the signed content.
///
/// `net_micros = issued - clawed_back - redeemed + reversed + (fees + adjustments) in micros`;
/// positive means the partner owes the network. `net_minor` is `net_micros` rounded once to the
/// nearest minor unit, halves away from zero; `rounding_micros = net_micros - net_minor` (in
/// micros) is kept by the operator.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Statement {
    /// Always [`STATEMENT_FORMAT`].
    pub format: String,
    /// The statement's id.
    pub statement_id: i64,
    /// The settlement run (period) it belongs to.
    pub run_id: i64,
    /// The partner.
    pub partner: StatementParty,
    /// Start of the period (inclusive, by posting time).
    pub period_start: DateTime<Utc>,
    /// End of the period, the cut-off (exclusive).
    pub period_end: DateTime<Utc>,
    /// When the period was closed.
    pub closed_at: DateTime<Utc>,
    /// Settlement currency (ISO 4217).
    pub currency: String,
    /// Its decimals (EUR: 2): one minor unit is `10^(6 - exponent)` micros.
    pub currency_exponent: u32,
    /// Points the partner issued, at each lot's issuance price (it owes this).
    pub issued: StatementLine,
    /// Points its refunds clawed back, at the price of the order's points (credited).
    pub clawed_back: StatementLine,
    /// Bonus points of its own promotions, at each lot's issuance price (it owes this).
    #[serde(default)]
    pub promotions_issued: StatementLine,
    /// Bonus points of its promotions clawed back by refunds (credited).
    #[serde(default)]
    pub promotions_clawed_back: StatementLine,
    /// Points redeemed at its shops, at the redemption price (it is owed this).
    pub redeemed: StatementLine,
    /// Redemptions at its shops given back to members (it repays this).
    pub reversed: StatementLine,
    /// Its points that expired unused this period (breakage, the operator's; for information).
    pub breakage: StatementLine,
    /// The contract's flat fee for the period, minor units.
    pub fees_minor: i64,
    /// Fees of paid tiers it sold in the period that are owed to the operator, minor units.
    #[serde(default)]
    pub paid_tier_fees_minor: i64,
    /// Adjustments from resolved disputes, minor units.
    pub adjustments: Vec<StatementAdjustment>,
    /// The exact net, micros; positive: the partner owes the network.
    pub net_micros: i64,
    /// The net rounded to minor units: what is paid.
    pub net_minor: i64,
    /// `net_micros - net_minor` in micros, absorbed by the operator.
    pub rounding_micros: i64,
    /// Who pays the net.
    pub direction: NetDirection,
    /// Where this partner's points were redeemed (by shop, net of reversals).
    pub my_points_redeemed_at: Vec<FlowLine>,
    /// Whose points were redeemed at this partner's shops (by funding party, net of reversals).
    pub redeemed_here_by_issuer: Vec<FlowLine>,
}

/// The signature of a statement.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatementSignature {
    /// Always `ed25519`.
    pub algorithm: String,
    /// The network key that signed (see `GET /v1/network/keys`).
    pub key_id: String,
    /// The 64-byte signature over the statement's canonical JSON, lowercase hex.
    pub value_hex: String,
}

/// A statement as served: the content and its signature.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignedStatement {
    /// The signature.
    pub signature: StatementSignature,
    /// The signed content.
    pub statement: Statement,
}

/// A payment recorded against a statement.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Payment {
    /// Its id.
    pub payment_id: i64,
    /// The statement it settles.
    pub statement_id: i64,
    /// `received` (from the partner) or `sent` (to the partner).
    pub direction: PaymentDirection,
    /// Minor units, positive.
    pub amount_minor: i64,
    /// The bank's reference, unique per partner.
    pub bank_reference: String,
    /// When the money moved.
    pub paid_at: DateTime<Utc>,
    /// The ledger entry.
    pub entry_id: i64,
}

/// A partner's dispute of a statement.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Dispute {
    /// Its id.
    pub dispute_id: i64,
    /// The disputed statement.
    pub statement_id: i64,
    /// The partner's reason.
    pub reason: String,
    /// `open` or `resolved`.
    pub status: DisputeStatus,
    /// When it was opened.
    pub opened_at: DateTime<Utc>,
    /// The operator's resolution.
    pub resolution: Option<String>,
    /// The adjustment carried into the partner's next statement, minor units (positive: the
    /// partner owes more).
    pub adjustment_minor: Option<i64>,
    /// When it was resolved.
    pub resolved_at: Option<DateTime<Utc>>,
    /// The run whose statement carries the adjustment, once closed.
    pub applied_in_run_id: Option<i64>,
}

/// A statement with where it stands.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatementStatus {
    /// The statement.
    pub statement_id: i64,
    /// Its run.
    pub run_id: i64,
    /// The partner.
    pub partner_id: i64,
    /// Period start.
    pub period_start: DateTime<Utc>,
    /// Period end.
    pub period_end: DateTime<Utc>,
    /// Minor units; positive: the partner owes the network.
    pub net_minor: i64,
    /// Received from the partner, minor units.
    pub received_minor: i64,
    /// Sent to the partner, minor units.
    pub sent_minor: i64,
    /// Still to move in the net's direction (negative once overpaid), minor units.
    pub outstanding_minor: i64,
    /// `open`, `partially_paid`, `paid`, `overpaid` or `disputed`.
    pub status: StatementPaymentStatus,
    /// Payments, oldest first.
    pub payments: Vec<Payment>,
    /// Disputes, oldest first.
    pub disputes: Vec<Dispute>,
}

/// A partner disputes a statement.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DisputeRequest {
    /// Why (1 to 500 characters).
    pub reason: String,
}

/// One record of the partner's file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReconciliationRow {
    /// The order id (for a redemption without an order id: `redemption:<id>`).
    pub order_id: String,
    /// `earn` (points issued), `refund` (points clawed back) or `redemption` (points redeemed,
    /// net of reversals).
    pub kind: String,
    /// Points.
    pub points: i64,
}

/// A record found on one side only.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReconciliationItem {
    /// `earn`, `refund` or `redemption`.
    pub kind: String,
    /// The order id.
    pub order_id: String,
    /// Points.
    pub points: i64,
}

/// A record on both sides with different points.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReconciliationMismatch {
    /// `earn`, `refund` or `redemption`.
    pub kind: String,
    /// The order id.
    pub order_id: String,
    /// Points in the partner's file.
    pub file_points: i64,
    /// Points in the network's ledger.
    pub network_points: i64,
}

/// Counts and points of one outcome.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReconciliationTotal {
    /// Records.
    pub count: i64,
    /// Their points (the file's for `missing_in_network`, the network's otherwise; for
    /// mismatches, network minus file).
    pub points: i64,
}

/// The answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReconciliationReport {
    /// The statement whose period was reconciled.
    pub statement_id: i64,
    /// Records read from the file (after summing duplicates: distinct (kind, order)).
    pub file_records: i64,
    /// Records in the network's ledger for the period.
    pub network_records: i64,
    /// Same points on both sides.
    pub matched: ReconciliationTotal,
    /// In the file, not in the network.
    pub missing_in_network_total: ReconciliationTotal,
    /// In the network, not in the file.
    pub missing_in_file_total: ReconciliationTotal,
    /// On both sides with different points.
    pub mismatched_total: ReconciliationTotal,
    /// The first 10,000 of each list, ordered by kind and order id.
    pub missing_in_network: Vec<ReconciliationItem>,
    /// See `missing_in_network`.
    pub missing_in_file: Vec<ReconciliationItem>,
    /// See `missing_in_network`.
    pub mismatched: Vec<ReconciliationMismatch>,
    /// Whether a list was cut at 10,000 (the totals count everything).
    pub truncated: bool,
}

mod enums;
mod verify;

pub use enums::{DisputeStatus, NetDirection, PaymentDirection, StatementPaymentStatus};

pub use verify::{canonical_json, verify_statement, StatementError};
