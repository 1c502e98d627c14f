//! The JSON the ledger routes read and write: request and response bodies, documented in the
//! OpenAPI document. Plain data (serde and utoipa, no actix): the services build these answers,
//! and a layering test lets them reach `http/` for these `json` modules only.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What the verification found.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
pub struct VerifyReport {
    /// Journal entries checked.
    pub entries_checked: u64,
    /// Members checked.
    pub members_checked: u64,
    /// Lots checked.
    pub lots_checked: u64,
    /// Every break found, one sentence each; empty for a clean ledger.
    pub problems: Vec<String>,
}
