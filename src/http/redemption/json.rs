//! The JSON the redemption routes read and write: request and response bodies, documented in the
//! OpenAPI document. Plain data (serde and utoipa, no actix): the services build these answers,
//! and a layering test lets them reach `http/` for these `json` modules only.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A one-time redemption code, shown to the member once.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OneTimeCode {
    /// Six digits to give the cashier.
    pub code: String,
    /// When it stops working.
    pub expires_at: chrono::DateTime<chrono::Utc>,
}
