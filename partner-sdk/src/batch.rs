//! A day's sales in one request (`POST /v1/partner/earns/batch`): up to 1,000 sales, each
//! earning once by its order id, one result per sale.

use serde::{Deserialize, Serialize};

use crate::types::{EarnRequest, EarnResponse, Problem};

/// Most sales in one batch.
pub const BATCH_SALES_MAX: usize = 1_000;

/// Sales to earn, in the order given. The request is signed once and needs no
/// `Idempotency-Key`: each sale earns once by its order id, so sending the batch again earns
/// only the sales that did not earn the first time.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EarnBatchRequest {
    /// 1 to 1,000 sales, each as `POST /v1/partner/earns` takes it.
    pub sales: Vec<EarnRequest>,
}

crate::wire_enum! {
    /// What became of one sale of a batch.
    SaleOutcome {
        /// Its points were credited now (`earn`).
        Earned => "earned",
        /// Its order had earned before (by an earlier request or earlier in this batch):
        /// nothing was credited again (`earn_id` and `points` are the first earn's).
        AlreadyEarned => "already_earned",
        /// Refused, with the problem a single earn of it would have had (`problem`). A sale
        /// refused with status 503 was not kept and can be sent again.
        Refused => "refused",
    }
}

/// The result of one sale of a batch.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SaleResult {
    /// The sale's position in the request, from 0.
    pub index: usize,
    /// Its order id, when the sale had one that could be read.
    #[serde(default)]
    pub order_id: Option<String>,
    /// What became of it.
    pub outcome: SaleOutcome,
    /// The earn, when `earned`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub earn: Option<EarnResponse>,
    /// The first earn of the order, when `already_earned`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub earn_id: Option<i64>,
    /// The points of the first earn, when `already_earned`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<i64>,
    /// Why it was refused, when `refused`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<Problem>,
}

/// The results of a batch, one per sale in the request's order, and their counts.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EarnBatchResponse {
    /// Sales credited now.
    pub earned: u64,
    /// Sales whose order had earned before.
    pub already_earned: u64,
    /// Sales refused.
    pub refused: u64,
    /// One result per sale.
    pub results: Vec<SaleResult>,
}
