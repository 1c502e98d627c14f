//! A member's history of journal entries, newest first.

use partner_sdk::types::EntryKind;

use crate::db::queries::ledger::journal;
use crate::db::DbConn;
use crate::domain::clock::utc;
use crate::domain::ids::{EntryId, MemberId, PartnerId};
use crate::error::{ApiError, ApiResult};
use crate::http::members::json::{HistoryEntry, HistoryPage};
use crate::service::ledger::{account, PTS};

/// A member's history, newest first: everywhere, or only what happened at one partner (its
/// branded view of the member's recent activity).
pub fn history(
    conn: &mut DbConn,
    member_id: MemberId,
    at_partner: Option<PartnerId>,
    cursor: Option<i64>,
    limit: i64,
) -> ApiResult<HistoryPage> {
    let entries = journal::member_page(
        conn,
        member_id,
        at_partner,
        cursor.map_or(EntryId::from(i64::MAX), EntryId::from),
        limit,
    )?;
    let ids: Vec<EntryId> = entries.iter().map(|e| e.id).collect();
    let postings = journal::postings_of(conn, &ids)?;
    let items: Vec<HistoryEntry> = entries
        .into_iter()
        .map(|e| {
            let kind = EntryKind::parse(&e.kind)
                .ok_or_else(|| ApiError::internal(format!("stored entry kind {}", e.kind)))?;
            let mut item = HistoryEntry {
                entry_id: e.id.get(),
                kind,
                reference: e.reference,
                available_change: 0,
                pending_change: 0,
                held_change: 0,
                posted_at: utc(e.posted_at),
                partner_id: e.partner_id.map(PartnerId::get),
                local_currency: None,
                local_available_change: 0,
                local_held_change: 0,
            };
            for p in postings.iter().filter(|p| {
                p.entry_id == e.id
                    && p.owner_id == member_id.get()
                    && p.account.starts_with("member_")
            }) {
                let local = p.asset != PTS;
                if local {
                    item.local_currency = Some(p.asset.clone());
                }
                match (p.account.as_str(), local) {
                    (account::MEMBER_AVAILABLE, false) => item.available_change += p.amount,
                    (account::MEMBER_PENDING, false) => item.pending_change += p.amount,
                    (account::MEMBER_HELD, false) => item.held_change += p.amount,
                    (account::MEMBER_AVAILABLE, true) => item.local_available_change += p.amount,
                    (account::MEMBER_HELD, true) => item.local_held_change += p.amount,
                    _ => {}
                }
            }
            Ok(item)
        })
        .collect::<ApiResult<_>>()?;
    let next_cursor = (items.len() == usize::try_from(limit).unwrap_or(0))
        .then(|| items.last().map(|i| i.entry_id.to_string()))
        .flatten();
    Ok(HistoryPage { items, next_cursor })
}
