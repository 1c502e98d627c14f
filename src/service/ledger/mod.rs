//! Posting journal entries: the only way balances change.
//!
//! An entry has two or more postings whose amounts sum to zero per asset; that is checked here
//! before anything is written. Each member's entries form a SHA-256 hash chain whose head is
//! stored on the member row (already locked by the transaction), so chaining adds no hot row.
//! The member's stored balances are updated from the same postings, in the same transaction.

pub mod clearing;
pub mod local;
pub mod lots;
pub mod verify;

use crate::db::queries::ledger::journal::{self, NewEntry};
use crate::db::queries::members::{self, Member};
use crate::db::DbConn;
use crate::domain::ids::{EntryId, MemberId, PartnerId};
use crate::domain::money::Points;
use crate::error::{fail, ApiError, ApiResult, Code};
use crate::service::platform::metrics;
use chrono::NaiveDateTime;
use partner_sdk::types::EntryKind;

/// Account names. Member accounts are owned by a member, partner accounts by a partner, others by 0.
pub mod account {
    /// Member points that can be spent.
    pub const MEMBER_AVAILABLE: &str = "member_available";
    /// Member points within a return window.
    pub const MEMBER_PENDING: &str = "member_pending";
    /// Member points held by authorized redemptions.
    pub const MEMBER_HELD: &str = "member_held";
    /// Points a partner issued (debited at issue, credited back by claw-backs).
    pub const PARTNER_ISSUANCE: &str = "partner_issuance";
    /// Points redeemed at a partner's shop.
    pub const PARTNER_REDEMPTION: &str = "partner_redemption";
    /// Points that expired unused: the operator's breakage.
    pub const NETWORK_BREAKAGE: &str = "network_breakage";
    /// Points the operator issued or withdrew by adjustment.
    pub const NETWORK_ADJUSTMENT: &str = "network_adjustment";
    /// Bonus points of the operator's promotions (issued, or credited back by claw-backs).
    pub const NETWORK_PROMOTION: &str = "network_promotion";
}

/// Whose account a posting moves: the account name says which kind of owner it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// A member's wallet.
    Member(MemberId),
    /// A partner's issuance or redemption account.
    Partner(PartnerId),
    /// The network's own accounts.
    Network,
}

impl Owner {
    /// The owner as stored in `postings.owner_id` (0 for the network).
    pub fn stored_id(self) -> i64 {
        match self {
            Owner::Member(id) => id.get(),
            Owner::Partner(id) => id.get(),
            Owner::Network => 0,
        }
    }
}

/// One line of an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posting {
    /// One of [`account`].
    pub account: &'static str,
    /// Whose account.
    pub owner: Owner,
    /// Network points or a partner's local currency.
    pub asset: Asset,
    /// Signed amount, never zero.
    pub amount: Points,
}

impl Posting {
    /// Network points on a member's wallet account.
    pub fn member(account: &'static str, member: MemberId, amount: Points) -> Posting {
        Posting::pts(account, Owner::Member(member), amount)
    }

    /// Network points on a partner's account.
    pub fn partner(account: &'static str, partner: PartnerId, amount: Points) -> Posting {
        Posting::pts(account, Owner::Partner(partner), amount)
    }

    /// Network points on one of the network's accounts.
    pub fn network(account: &'static str, amount: Points) -> Posting {
        Posting::pts(account, Owner::Network, amount)
    }

    fn pts(account: &'static str, owner: Owner, amount: Points) -> Posting {
        Posting {
            account,
            owner,
            asset: Asset::Points,
            amount,
        }
    }

    /// This posting in another asset (a partner's local currency).
    pub fn in_asset(self, asset: Asset) -> Posting {
        Posting { asset, ..self }
    }
}

/// An entry about to be posted for a member.
#[derive(Debug)]
pub struct Draft<'a> {
    /// What the entry records.
    pub kind: EntryKind,
    /// The partner concerned, if any.
    pub partner_id: Option<PartnerId>,
    /// The business reference (order id, refund id, redemption id).
    pub reference: &'a str,
    /// Free text, such as an adjustment's reason.
    pub memo: Option<&'a str>,
    /// Posting time (the network's clock).
    pub posted_at: NaiveDateTime,
    /// The lines; zero amounts are dropped.
    pub postings: Vec<Posting>,
    /// A refund claw-back may take the available balance below zero; nothing else may.
    pub allow_negative_available: bool,
    /// Whether this counts as member activity (earn, spend) for the inactivity policy.
    pub activity: bool,
}

/// `points` taken away: the opposite amount, for the debit side of a posting.
pub fn minus(points: Points) -> ApiResult<Points> {
    points.checked_neg().ok_or_else(points_overflow)
}

/// Points arithmetic that left the 64-bit range (only reachable past the documented limits).
pub fn points_overflow() -> ApiError {
    ApiError::new(Code::InvalidAmount, "points beyond the 64-bit range")
}

/// The chain of a member's entries.
pub fn member_chain(member_id: MemberId) -> String {
    format!("member:{member_id}")
}

/// Checks that postings balance per asset and have no zero amount.
pub fn check_balanced(postings: &[Posting]) -> Result<(), String> {
    let codes: Vec<(String, i64)> = postings
        .iter()
        .map(|p| (p.asset.code(), p.amount.get()))
        .collect();
    check_lines_balanced(
        codes
            .iter()
            .map(|(asset, amount)| (asset.as_str(), *amount)),
    )
}

pub use crate::domain::ledger::{
    check_lines_balanced, entry_hash, Asset, EntryContent, GENESIS_HASH, PTS,
};

/// The chain of the network's own entries (settlement and payments), which name no member.
pub const NETWORK_CHAIN: &str = "network";

/// Money accounts, in the settlement currency's minor units (asset = the currency code).
pub mod money {
    /// What a partner owes the network (positive) or is owed (negative) after settlements and
    /// payments.
    pub const PARTNER_SETTLEMENT: &str = "partner_settlement";
    /// The operator's margin: spread, fees, breakage value and rounding, net of the cost of
    /// points it funded (credited, so negative when the operator earns).
    pub const NETWORK_MARGIN: &str = "network_margin";
    /// Money the network received (positive) or paid out (negative) at the bank.
    pub const NETWORK_BANK: &str = "network_bank";
}

/// An entry of the network's own chain.
#[derive(Debug)]
pub struct NetworkDraft<'a> {
    /// `settlement` or `payment`.
    pub kind: EntryKind,
    /// The partner concerned, if one.
    pub partner_id: Option<PartnerId>,
    /// The business reference (run id, bank reference).
    pub reference: &'a str,
    /// Free text.
    pub memo: Option<&'a str>,
    /// Posting time.
    pub posted_at: NaiveDateTime,
    /// (account, owner, asset, amount); zero amounts are dropped.
    pub postings: Vec<(&'a str, i64, String, i64)>,
}

/// Posts an entry on the network's chain (whose head row it locks: these entries are rare,
/// never on a member's path). Returns None when every amount was zero (nothing to post).
pub fn post_network_entry(
    conn: &mut DbConn,
    draft: NetworkDraft<'_>,
) -> ApiResult<Option<EntryId>> {
    use crate::db::queries::settlement as heads;
    let lines: Vec<(String, i64, String, i64)> = draft
        .postings
        .into_iter()
        .filter(|p| p.3 != 0)
        .map(|(account, owner, asset, amount)| (account.to_owned(), owner, asset, amount))
        .collect();
    if lines.is_empty() {
        return Ok(None);
    }
    check_lines_balanced(lines.iter().map(|l| (l.2.as_str(), l.3)))
        .map_err(|e| ApiError::internal(format!("unbalanced entry: {e}")))?;
    let prev =
        heads::lock_chain_head(conn, NETWORK_CHAIN)?.unwrap_or_else(|| GENESIS_HASH.to_owned());
    let (entry_id, hash) = append_entry(
        conn,
        NETWORK_CHAIN,
        &prev,
        &EntryContent {
            kind: draft.kind.as_str(),
            member_id: None,
            partner_id: draft.partner_id,
            reference: draft.reference,
            memo: draft.memo,
            posted_at: draft.posted_at,
            postings: &lines,
        },
    )?;
    heads::set_chain_head(conn, NETWORK_CHAIN, &hash)?;
    Ok(Some(entry_id))
}

/// Appends an entry to `chain` after `prev_hash`: hashes its content, writes it and its
/// postings, and returns its id and hash (the chain's new head, which the caller stores).
fn append_entry(
    conn: &mut DbConn,
    chain: &str,
    prev_hash: &str,
    content: &EntryContent<'_>,
) -> ApiResult<(EntryId, String)> {
    let hash = entry_hash(prev_hash, content);
    let rows: Vec<(&str, i64, &str, i64)> = content
        .postings
        .iter()
        .map(|(account, owner, asset, amount)| (account.as_str(), *owner, asset.as_str(), *amount))
        .collect();
    let entry_id = journal::insert_entry(
        conn,
        &NewEntry {
            kind: content.kind,
            member_id: content.member_id,
            partner_id: content.partner_id,
            reference: content.reference,
            memo: content.memo,
            posted_at: content.posted_at,
            chain,
            prev_hash,
            hash: &hash,
        },
        &rows,
    )?;
    metrics::entry_posted(content.kind);
    Ok((entry_id, hash))
}

/// The member's (available, pending, held) balances after the postings: every member posting
/// must be this member's, nothing may overflow, pending and held never go below zero, and
/// available only when a claw-back allows it.
fn balances_after(
    member: &Member,
    postings: &[Posting],
    allow_negative_available: bool,
) -> ApiResult<(Points, Points, Points)> {
    let (mut d_available, mut d_pending, mut d_held) = (Points::ZERO, Points::ZERO, Points::ZERO);
    let network = |p: &&Posting| p.account.starts_with("member_") && p.asset == Asset::Points;
    for p in postings.iter().filter(network) {
        if p.owner != Owner::Member(member.id) {
            return Err(ApiError::internal("an entry posts to another member"));
        }
        let slot = match p.account {
            account::MEMBER_AVAILABLE => &mut d_available,
            account::MEMBER_PENDING => &mut d_pending,
            account::MEMBER_HELD => &mut d_held,
            other => return Err(ApiError::internal(format!("unknown account {other}"))),
        };
        *slot = slot
            .checked_add(p.amount)
            .ok_or_else(|| ApiError::internal("posting overflow"))?;
    }
    let overflow = || ApiError::new(Code::InvalidAmount, "the balance would overflow");
    let available = member
        .available_points
        .checked_add(d_available)
        .ok_or_else(overflow)?;
    let pending = member
        .pending_points
        .checked_add(d_pending)
        .ok_or_else(overflow)?;
    let held = member
        .held_points
        .checked_add(d_held)
        .ok_or_else(overflow)?;
    if d_available.is_negative() && available.is_negative() && !allow_negative_available {
        return fail(
            Code::InsufficientPoints,
            format!(
                "the member has {} available points",
                member.available_points.at_least_zero()
            ),
        );
    }
    if pending.is_negative() || held.is_negative() {
        return Err(ApiError::internal(
            "pending or held balance would go negative",
        ));
    }
    Ok((available, pending, held))
}

/// Posts an entry for a locked member, updates the member's balances and chain head (in
/// `member` and in the database) and returns the entry id.
pub fn post_entry(conn: &mut DbConn, member: &mut Member, draft: Draft<'_>) -> ApiResult<EntryId> {
    let postings: Vec<Posting> = draft
        .postings
        .into_iter()
        .filter(|p| p.amount != Points::ZERO)
        .collect();
    check_balanced(&postings).map_err(|e| ApiError::internal(format!("unbalanced entry: {e}")))?;

    let (available, pending, held) =
        balances_after(member, &postings, draft.allow_negative_available)?;
    let local = local::wallets_after(conn, member.id, &postings, draft.allow_negative_available)?;

    let chain = member_chain(member.id);
    let lines: Vec<(String, i64, String, i64)> = postings
        .iter()
        .map(|p| {
            (
                p.account.to_owned(),
                p.owner.stored_id(),
                p.asset.code(),
                p.amount.get(),
            )
        })
        .collect();
    let (entry_id, hash) = append_entry(
        conn,
        &chain,
        &member.chain_head,
        &EntryContent {
            kind: draft.kind.as_str(),
            member_id: Some(member.id),
            partner_id: draft.partner_id,
            reference: draft.reference,
            memo: draft.memo,
            posted_at: draft.posted_at,
            postings: &lines,
        },
    )?;

    member.available_points = available;
    member.pending_points = pending;
    member.held_points = held;
    member.chain_head = hash;
    if draft.activity {
        member.last_activity_at = draft.posted_at;
    }
    if members::write_balances(conn, member)? != 1 {
        return Err(ApiError::internal("member row changed under its lock"));
    }
    local::write_wallets(conn, &local)?;
    Ok(entry_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balance_check_refuses_unbalanced_and_zero() {
        let ok = vec![
            Posting::partner(
                account::PARTNER_ISSUANCE,
                PartnerId::from(1),
                Points::from(-10),
            ),
            Posting::member(account::MEMBER_PENDING, MemberId::from(2), Points::from(10)),
        ];
        assert!(check_balanced(&ok).is_ok());
        let bad = vec![
            Posting::partner(
                account::PARTNER_ISSUANCE,
                PartnerId::from(1),
                Points::from(-10),
            ),
            Posting::member(account::MEMBER_PENDING, MemberId::from(2), Points::from(9)),
        ];
        assert!(check_balanced(&bad).is_err());
        assert!(check_balanced(&ok[..1]).is_err());
    }
}
