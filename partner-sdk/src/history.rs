//! A member's history of journal entries, as the member reads it and as a partner's branded
//! view shows the member's activity at that partner.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::types::EntryKind;

/// One entry of a member's history.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryEntry {
    /// The journal entry.
    pub entry_id: i64,
    /// What happened.
    pub kind: EntryKind,
    /// Order id, refund id or redemption id.
    pub reference: String,
    /// Change of the available balance.
    pub available_change: i64,
    /// Change of the pending balance.
    pub pending_change: i64,
    /// Change of the held balance.
    pub held_change: i64,
    /// When it was posted.
    pub posted_at: DateTime<Utc>,
    /// The partner concerned, if any.
    #[serde(default)]
    pub partner_id: Option<i64>,
    /// The partner's local currency the entry moved (`LOCAL-<partner id>`), if any; the
    /// changes above are network points only.
    #[serde(default)]
    pub local_currency: Option<String>,
    /// Change of the available balance in that local currency.
    #[serde(default)]
    pub local_available_change: i64,
    /// Change of the held balance in that local currency.
    #[serde(default)]
    pub local_held_change: i64,
}

/// A page of history, newest first.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryPage {
    /// The entries.
    pub items: Vec<HistoryEntry>,
    /// Pass as `cursor` for older entries; absent on the last page.
    pub next_cursor: Option<String>,
}
