//! The JSON the settlement routes read and write: request and response bodies, documented in the
//! OpenAPI document. Plain data (serde and utoipa, no actix): the services build these answers,
//! and a layering test lets them reach `http/` for these `json` modules only.

use chrono::{DateTime, Utc};
use partner_sdk::statement::{PaymentDirection, StatementLine};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Asks to close the period ending at `until`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseRequest {
    /// The cut-off (exclusive, by posting time); at least 60 s in the past.
    pub until: DateTime<Utc>,
}

/// One partner's net in a run.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PartnerNet {
    /// The partner.
    pub partner_id: i64,
    /// Its slug.
    pub slug: String,
    /// Its statement.
    pub statement_id: i64,
    /// Minor units; positive: the partner owes the network.
    pub net_minor: i64,
}

/// Points of a funding party that expired in the period.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BreakageLine {
    /// The funding partner, or absent for the operator.
    pub issuer_partner_id: Option<i64>,
    /// Its slug, or `operator`.
    pub party: String,
    /// Points and their value at the price the issuer paid.
    pub line: StatementLine,
}

/// A column of the flow matrix: a shop where points were redeemed.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MatrixColumn {
    /// The partner.
    pub partner_id: i64,
    /// Its slug.
    pub party: String,
}

/// A row of the flow matrix: the party that funded the points.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MatrixRow {
    /// The funding partner, or absent for the operator.
    pub issuer_partner_id: Option<i64>,
    /// Its slug, or `operator`.
    pub party: String,
    /// Points redeemed at each column's shop, net of reversals.
    pub cells: Vec<i64>,
    /// The row's sum.
    pub total: i64,
}

/// Points issued by A (row) redeemed at B (column) in the period, net of reversals.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct FlowMatrix {
    /// The shops.
    pub columns: Vec<MatrixColumn>,
    /// The funding parties.
    pub rows: Vec<MatrixRow>,
    /// Each column's sum: the points redeemed at that shop net of reversals.
    pub column_totals: Vec<i64>,
    /// Everything redeemed, net.
    pub total: i64,
}

/// The network's view of a closed period.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RunSummary {
    /// Each partner's net.
    pub partners: Vec<PartnerNet>,
    /// The operator's margin, minor units: the sum of the nets (what the network keeps).
    pub operator_margin_minor: i64,
    /// Of which fees, minor units.
    pub fees_minor: i64,
    /// Of which dispute adjustments, minor units.
    pub adjustments_minor: i64,
    /// Of which rounding: the exact nets less the rounded ones, micros.
    pub rounding_micros: i64,
    /// Points the operator funded (bonuses, goodwill) redeemed at shops: its cost.
    pub operator_funded_redeemed: StatementLine,
    /// Breakage by funding party.
    pub breakage: Vec<BreakageLine>,
    /// The flow matrix.
    pub matrix: FlowMatrix,
}

/// A closed period.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Run {
    /// The run's id.
    pub run_id: i64,
    /// Start (inclusive).
    pub period_start: DateTime<Utc>,
    /// Cut-off (exclusive).
    pub period_end: DateTime<Utc>,
    /// When it was closed.
    pub closed_at: DateTime<Utc>,
    /// Settlement currency.
    pub currency: String,
    /// Clearing events in the period.
    pub events_count: i64,
    /// The ledger entry of the money nets (absent when every net was zero).
    pub entry_id: Option<i64>,
    /// The figures.
    pub summary: RunSummary,
}

/// Points the network still owes members, by the party that funded them.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LiabilityLine {
    /// The funding partner, or absent for the operator.
    pub issuer_partner_id: Option<i64>,
    /// Its slug, or `operator`.
    pub party: String,
    /// Points outstanding (available, pending and held).
    pub points: i64,
    /// Their cost if redeemed, at the highest redemption price in force, micros.
    pub amount_micros: i64,
}

/// The outstanding liability now.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Liability {
    /// As of.
    pub as_of: DateTime<Utc>,
    /// The price used to value points: the highest redemption price in force, micros per point.
    pub valued_at_price_micros: i64,
    /// By funding party.
    pub lines: Vec<LiabilityLine>,
    /// All points outstanding.
    pub total_points: i64,
    /// Their value, micros.
    pub total_micros: i64,
    /// Points members owe back (negative balances after refunds): at risk, carried by the network.
    pub at_risk_points: i64,
}

/// A payment to record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentRequest {
    /// `received` (the partner paid the network) or `sent` (the network paid the partner).
    pub direction: PaymentDirection,
    /// Minor units, 1 to 1,000,000,000,000.
    pub amount_minor: i64,
    /// The bank's reference (1 to 64 printable characters), unique per partner: recording the
    /// same transfer twice is refused.
    pub bank_reference: String,
    /// When the money moved; defaults to now.
    #[serde(default)]
    pub paid_at: Option<DateTime<Utc>>,
}

/// The operator's resolution of a dispute.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolutionRequest {
    /// What was decided (1 to 500 characters).
    pub resolution: String,
    /// Carried into the partner's next statement, minor units: positive, the partner owes more;
    /// negative, it is owed more; 0 when the statement stands.
    pub adjustment_minor: i64,
}
