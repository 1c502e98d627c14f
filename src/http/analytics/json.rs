//! The JSON of the operator's analytics routes (the partner's are `partner_sdk::analytics`).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a recompute of the RFM scores did.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RecomputeReport {
    /// Scopes computed: the network and each partner with purchases in the last two years.
    pub scopes: i64,
    /// Members scored network-wide.
    pub members: i64,
    /// When (the network's clock).
    pub computed_at: chrono::DateTime<chrono::Utc>,
}
