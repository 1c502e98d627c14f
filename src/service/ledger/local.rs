//! Members' local balances: the postings of an entry in a partner's local currency move the
//! member's wallet at that partner (available and held; local points have no return window),
//! checked like the network balances: held never below zero, available only by a refund's
//! claw-back (repaid first by the next local points), never past the 64-bit range.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use partner_sdk::types::EntryKind;

use crate::db::queries::ledger::lots::{self as lot_rows, Lot, NewLot};
use crate::db::queries::local_programs::{self as local_rows, WalletRow};
use crate::db::queries::members::Member;
use crate::db::DbConn;
use crate::domain::ids::{EntryId, LotId, MemberId, PartnerId};
use crate::domain::ledger::expiry::ExpiryPolicy;
use crate::domain::money::{Points, PriceMicros};
use crate::error::{fail, ApiError, ApiResult, Code};
use crate::service::ledger::{self, account, minus, points_overflow, Asset, Draft, Owner, Posting};

/// The member's local wallets after the entry's local postings (only those it moves).
pub fn wallets_after(
    conn: &mut DbConn,
    member_id: MemberId,
    postings: &[Posting],
    allow_negative_available: bool,
) -> ApiResult<Vec<WalletRow>> {
    let mut moved: BTreeMap<PartnerId, (Points, Points)> = BTreeMap::new();
    for p in postings.iter().filter(|p| p.account.starts_with("member_")) {
        let Asset::Local(partner_id) = p.asset else {
            continue;
        };
        if p.owner != Owner::Member(member_id) {
            return Err(ApiError::internal("an entry posts to another member"));
        }
        let (available, held) = moved.entry(partner_id).or_default();
        let slot = match p.account {
            account::MEMBER_AVAILABLE => available,
            account::MEMBER_HELD => held,
            other => {
                return Err(ApiError::internal(format!(
                    "local points cannot be on {other}"
                )))
            }
        };
        *slot = slot
            .checked_add(p.amount)
            .ok_or_else(|| ApiError::internal("posting overflow"))?;
    }
    let mut after = Vec::with_capacity(moved.len());
    for (partner_id, (d_available, d_held)) in moved {
        let before = local_rows::wallet(conn, member_id, partner_id)?.unwrap_or(WalletRow {
            member_id,
            partner_id,
            asset: Asset::Local(partner_id).code(),
            available: Points::ZERO,
            held: Points::ZERO,
        });
        let overflow = || ApiError::new(Code::InvalidAmount, "the balance would overflow");
        let available = before
            .available
            .checked_add(d_available)
            .ok_or_else(overflow)?;
        let held = before.held.checked_add(d_held).ok_or_else(overflow)?;
        if d_available.is_negative() && available.is_negative() && !allow_negative_available {
            return fail(
                Code::InsufficientPoints,
                format!(
                    "the member has {} local points available",
                    before.available.at_least_zero()
                ),
            );
        }
        if held.is_negative() {
            return Err(ApiError::internal("local held balance would go negative"));
        }
        after.push(WalletRow {
            available,
            held,
            ..before
        });
    }
    Ok(after)
}

/// Writes the wallets computed by [`wallets_after`].
pub fn write_wallets(conn: &mut DbConn, wallets: &[WalletRow]) -> ApiResult<()> {
    for wallet in wallets {
        if local_rows::write_wallet(conn, wallet)? != 1 {
            return Err(ApiError::internal("local wallet not written"));
        }
    }
    Ok(())
}

/// Creates the lot of local points an entry credited: matured at once (local points have no
/// return window), issued by the partner at no price (never settled), expiring after the
/// program's months (0: never).
pub fn insert_local_lot(
    conn: &mut DbConn,
    member_id: MemberId,
    partner_id: PartnerId,
    points: Points,
    (earned_at, expiry_months): (NaiveDateTime, i64),
    entry_id: EntryId,
) -> ApiResult<LotId> {
    let expires_at = if expiry_months > 0 {
        ExpiryPolicy::MonthsAfterEarn.lot_expires_at(expiry_months, earned_at)
    } else {
        None
    };
    Ok(lot_rows::insert_lot(
        conn,
        &NewLot {
            member_id,
            asset: &Asset::Local(partner_id).code(),
            issuer_kind: "partner",
            issuer_partner_id: Some(partner_id),
            price_micros: PriceMicros::ZERO,
            points,
            remaining: points,
            earned_at,
            available_at: earned_at,
            expires_at,
            matured: true,
            entry_id,
        },
    )?)
}

/// Expires the member's local lots whose date passed: their points go back to the partner
/// whose currency they are (its breakage, not the network's), one entry per partner.
pub fn expire_local_lots(
    conn: &mut DbConn,
    member: &mut Member,
    now: NaiveDateTime,
) -> ApiResult<()> {
    let expired = lot_rows::local_lots_expired(conn, member.id, now)?;
    let mut by_partner: BTreeMap<PartnerId, Vec<&Lot>> = BTreeMap::new();
    for lot in &expired {
        if let Some(Asset::Local(partner_id)) = Asset::parse(&lot.asset) {
            by_partner.entry(partner_id).or_default().push(lot);
        }
    }
    for (partner_id, lots) in by_partner {
        let total =
            Points::checked_sum(lots.iter().map(|l| l.remaining)).ok_or_else(points_overflow)?;
        let asset = Asset::Local(partner_id);
        let member_id = member.id;
        let entry_id = ledger::post_entry(
            conn,
            member,
            Draft {
                kind: EntryKind::Expiry,
                partner_id: Some(partner_id),
                reference: "local_lot_expired",
                memo: None,
                posted_at: now,
                postings: vec![
                    Posting::member(account::MEMBER_AVAILABLE, member_id, minus(total)?)
                        .in_asset(asset),
                    Posting::partner(account::PARTNER_ISSUANCE, partner_id, total).in_asset(asset),
                ],
                allow_negative_available: false,
                activity: false,
            },
        )?;
        let plan: Vec<(LotId, Points)> = lots.iter().map(|l| (l.id, l.remaining)).collect();
        super::lots::apply_plan(conn, &plan, entry_id, None, "expiry")?;
    }
    Ok(())
}
