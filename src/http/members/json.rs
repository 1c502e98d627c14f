//! The JSON the members routes read and write: request and response bodies, documented in the
//! OpenAPI document. Plain data (serde and utoipa, no actix): the services build these answers,
//! and a layering test lets them reach `http/` for these `json` modules only.

use partner_sdk::types::Balance;
pub use partner_sdk::types::{HistoryEntry, HistoryPage};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Self sign-up.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignUpRequest {
    /// Email address, the sign-in name (at most 254 characters).
    pub email: String,
    /// Password, 10 to 128 characters.
    pub password: String,
    /// Name to greet the member with.
    #[serde(default)]
    pub display_name: Option<String>,
    /// The referral code of the member who invited them, if any.
    #[serde(default)]
    pub referral_code: Option<String>,
}

/// Sign-in with email and password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignInRequest {
    /// Email address.
    pub email: String,
    /// Password.
    pub password: String,
}

/// A member session.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Session {
    /// The member's network-wide number.
    pub member_number: String,
    /// Bearer token for the member API.
    pub token: String,
    /// When the token stops working.
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// An operator's goodwill credit or correction.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdjustmentRequest {
    /// Points to credit (positive) or withdraw (negative), never zero; at most 1,000,000,000 either way.
    pub points: i64,
    /// Why, for the audit trail (1 to 500 characters, mandatory).
    pub reason: String,
}

/// The adjustment posted.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AdjustmentResponse {
    /// The journal entry.
    pub entry_id: i64,
    /// The member's balance after it.
    pub balance: Balance,
}
