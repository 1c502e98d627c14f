//! Lots and their movements. A lot's `remaining` changes only together with a journal entry.

use crate::domain::ids::{EntryId, LotId, MemberId, PartnerId, RedemptionId};
use crate::domain::money::{Points, PriceMicros};
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{lot_movements, lots};
use crate::db::DbConn;

/// A lot: points earned in one go, with their issuer and price.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = lots)]
pub struct Lot {
    pub id: LotId,
    pub member_id: MemberId,
    pub asset: String,
    pub issuer_kind: String,
    pub issuer_partner_id: Option<PartnerId>,
    pub price_micros: PriceMicros,
    pub points: Points,
    pub remaining: Points,
    pub earned_at: NaiveDateTime,
    pub available_at: NaiveDateTime,
    pub expires_at: Option<NaiveDateTime>,
    pub matured: bool,
    pub entry_id: EntryId,
}

/// A lot to create.
#[derive(Debug, Insertable)]
#[diesel(table_name = lots)]
pub struct NewLot<'a> {
    pub member_id: MemberId,
    pub asset: &'a str,
    pub issuer_kind: &'a str,
    pub issuer_partner_id: Option<PartnerId>,
    pub price_micros: PriceMicros,
    pub points: Points,
    pub remaining: Points,
    pub earned_at: NaiveDateTime,
    pub available_at: NaiveDateTime,
    pub expires_at: Option<NaiveDateTime>,
    pub matured: bool,
    pub entry_id: EntryId,
}

/// Inserts a lot.
pub fn insert_lot(conn: &mut DbConn, lot: &NewLot<'_>) -> QueryResult<LotId> {
    diesel::insert_into(lots::table)
        .values(lot)
        .returning(lots::id)
        .get_result(conn)
}

/// A lot by id.
pub fn lot(conn: &mut DbConn, id: LotId) -> QueryResult<Lot> {
    lots::table.find(id).select(Lot::as_select()).first(conn)
}

/// The member's lots of `asset` holding points, in spending order: earliest expiry first, lots
/// without an expiry date last, then oldest first. (`IS NULL` first, because PostgreSQL and
/// SQLite sort NULLs differently.)
pub fn member_lots_in_spending_order(
    conn: &mut DbConn,
    member_id: MemberId,
    asset: &str,
) -> QueryResult<Vec<Lot>> {
    lots::table
        .filter(lots::member_id.eq(member_id))
        .filter(lots::asset.eq(asset))
        .filter(lots::remaining.gt(0))
        .order((
            lots::expires_at.is_null().asc(),
            lots::expires_at.asc(),
            lots::id.asc(),
        ))
        .select(Lot::as_select())
        .load(conn)
}

/// Whether any of the member's lots is due to mature (a network lot whose return window ended)
/// or to expire (points left past the lot's expiry date), in any asset: one indexed look-up
/// (`lots_pending`, `lots_expiring`) instead of reading every open lot.
pub fn any_lot_due(
    conn: &mut DbConn,
    member_id: MemberId,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let maturing = diesel::dsl::not(lots::matured)
        .and(lots::asset.eq(crate::domain::ledger::PTS))
        .and(lots::available_at.le(now));
    let expiring = lots::remaining.gt(0).and(lots::expires_at.le(now));
    diesel::select(diesel::dsl::exists(
        lots::table
            .filter(lots::member_id.eq(member_id))
            .filter(maturing.or(expiring.assume_not_null())),
    ))
    .get_result(conn)
}

/// The member's network lots not yet matured whose return window ended (local points have no
/// return window: their lots are matured from the start).
pub fn lots_due_to_mature(
    conn: &mut DbConn,
    member_id: MemberId,
    now: NaiveDateTime,
) -> QueryResult<Vec<Lot>> {
    lots::table
        .filter(lots::member_id.eq(member_id))
        .filter(lots::matured.eq(false))
        .filter(lots::asset.eq(crate::domain::ledger::PTS))
        .filter(lots::available_at.le(now))
        .order(lots::id.asc())
        .select(Lot::as_select())
        .load(conn)
}

/// The member's lots of local currencies holding points whose expiry date passed.
pub fn local_lots_expired(
    conn: &mut DbConn,
    member_id: MemberId,
    now: NaiveDateTime,
) -> QueryResult<Vec<Lot>> {
    lots::table
        .filter(lots::member_id.eq(member_id))
        .filter(lots::asset.ne(crate::domain::ledger::PTS))
        .filter(lots::remaining.gt(0))
        .filter(lots::expires_at.le(now))
        .order(lots::id.asc())
        .select(Lot::as_select())
        .load(conn)
}

/// Every lot of a member, of every asset (verification).
pub fn member_lots(conn: &mut DbConn, member_id: MemberId) -> QueryResult<Vec<Lot>> {
    lots::table
        .filter(lots::member_id.eq(member_id))
        .order(lots::id.asc())
        .select(Lot::as_select())
        .load(conn)
}

/// Changes a lot's remaining points by `delta`; the filter keeps it within 0..=points, so an
/// update based on a wrong computation changes nothing.
pub fn adjust_lot_remaining(conn: &mut DbConn, id: LotId, delta: Points) -> QueryResult<usize> {
    diesel::update(
        lots::table
            .find(id)
            .filter((lots::remaining + delta).ge(0))
            .filter((lots::remaining + delta).le(lots::points)),
    )
    .set(lots::remaining.eq(lots::remaining + delta))
    .execute(conn)
}

/// Marks lots as matured.
pub fn mark_matured(conn: &mut DbConn, ids: &[LotId]) -> QueryResult<usize> {
    diesel::update(lots::table.filter(lots::id.eq_any(ids)))
        .set(lots::matured.eq(true))
        .execute(conn)
}

/// Records a movement on a lot: positive takes points from it, negative gives them back.
pub fn insert_movement(
    conn: &mut DbConn,
    lot_id: LotId,
    entry_id: EntryId,
    redemption_id: Option<RedemptionId>,
    kind: &str,
    points: Points,
) -> QueryResult<usize> {
    diesel::insert_into(lot_movements::table)
        .values((
            lot_movements::lot_id.eq(lot_id),
            lot_movements::entry_id.eq(entry_id),
            lot_movements::redemption_id.eq(redemption_id),
            lot_movements::kind.eq(kind),
            lot_movements::points.eq(points),
        ))
        .execute(conn)
}

/// Net points a redemption holds per lot, with the lot's expiry, latest expiry first (the order
/// in which points go back).
pub fn redemption_lot_holdings(
    conn: &mut DbConn,
    redemption_id: RedemptionId,
) -> QueryResult<Vec<(Lot, Points)>> {
    let moves: Vec<(LotId, i64)> = lot_movements::table
        .filter(lot_movements::redemption_id.eq(redemption_id))
        .select((lot_movements::lot_id, lot_movements::points))
        .load(conn)?;
    let mut net: std::collections::BTreeMap<LotId, i64> = std::collections::BTreeMap::new();
    for (lot_id, points) in moves {
        // Saturating: a sum past i64 is a corrupt ledger, which `verify` reports as a mismatch.
        let sum = net.entry(lot_id).or_insert(0);
        *sum = sum.saturating_add(points);
    }
    let ids: Vec<LotId> = net
        .iter()
        .filter(|(_, p)| **p > 0)
        .map(|(id, _)| *id)
        .collect();
    let mut found: Vec<Lot> = lots::table
        .filter(lots::id.eq_any(&ids))
        .select(Lot::as_select())
        .load(conn)?;
    // Reverse spending order: lots without expiry first, then latest expiry, then newest.
    found.sort_by(|a, b| {
        (b.expires_at.is_none(), b.expires_at, b.id).cmp(&(
            a.expires_at.is_none(),
            a.expires_at,
            a.id,
        ))
    });
    Ok(found
        .into_iter()
        .map(|lot| {
            let held = net.get(&lot.id).copied().unwrap_or(0);
            (lot, Points::from(held))
        })
        .collect())
}

/// Sum of movements per lot (verification): (lot id, net points taken).
pub fn movement_sums(conn: &mut DbConn, lot_ids: &[LotId]) -> QueryResult<Vec<(LotId, Points)>> {
    let moves: Vec<(LotId, i64)> = lot_movements::table
        .filter(lot_movements::lot_id.eq_any(lot_ids))
        .select((lot_movements::lot_id, lot_movements::points))
        .load(conn)?;
    let mut net: std::collections::BTreeMap<LotId, i64> = std::collections::BTreeMap::new();
    for (lot_id, points) in moves {
        // Saturating: a sum past i64 is a corrupt ledger, which `verify` reports as a mismatch.
        let sum = net.entry(lot_id).or_insert(0);
        *sum = sum.saturating_add(points);
    }
    Ok(net
        .into_iter()
        .map(|(id, sum)| (id, Points::from(sum)))
        .collect())
}
