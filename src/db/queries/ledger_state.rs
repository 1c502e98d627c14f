//! The state beside the journal: lots and their movements, redemptions, earns and refunds,
//! and idempotency records. Lots' `remaining` changes only together with a journal entry.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{earns, idempotency_keys, lot_movements, lots, redemptions, refunds};
use crate::db::DbConn;

/// A lot: points earned in one go, with their issuer and price.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = lots)]
pub struct Lot {
    pub id: i64,
    pub member_id: i64,
    pub asset: String,
    pub issuer_kind: String,
    pub issuer_partner_id: Option<i64>,
    pub price_micros: i64,
    pub points: i64,
    pub remaining: i64,
    pub earned_at: NaiveDateTime,
    pub available_at: NaiveDateTime,
    pub expires_at: Option<NaiveDateTime>,
    pub matured: bool,
    pub entry_id: i64,
}

/// A lot to create.
#[derive(Debug, Insertable)]
#[diesel(table_name = lots)]
pub struct NewLot<'a> {
    pub member_id: i64,
    pub asset: &'a str,
    pub issuer_kind: &'a str,
    pub issuer_partner_id: Option<i64>,
    pub price_micros: i64,
    pub points: i64,
    pub remaining: i64,
    pub earned_at: NaiveDateTime,
    pub available_at: NaiveDateTime,
    pub expires_at: Option<NaiveDateTime>,
    pub matured: bool,
    pub entry_id: i64,
}

/// Inserts a lot.
pub fn insert_lot(conn: &mut DbConn, lot: &NewLot<'_>) -> QueryResult<i64> {
    diesel::insert_into(lots::table)
        .values(lot)
        .returning(lots::id)
        .get_result(conn)
}

/// A lot by id.
pub fn lot(conn: &mut DbConn, id: i64) -> QueryResult<Lot> {
    lots::table.find(id).select(Lot::as_select()).first(conn)
}

/// The member's lots holding points, in spending order: earliest expiry first, lots without an
/// expiry date last, then oldest first. (`IS NULL` first, because PostgreSQL and SQLite sort
/// NULLs differently.)
pub fn member_lots_in_spending_order(conn: &mut DbConn, member_id: i64) -> QueryResult<Vec<Lot>> {
    lots::table
        .filter(lots::member_id.eq(member_id))
        .filter(lots::remaining.gt(0))
        .order((
            lots::expires_at.is_null().asc(),
            lots::expires_at.asc(),
            lots::id.asc(),
        ))
        .select(Lot::as_select())
        .load(conn)
}

/// The member's lots not yet matured whose return window ended.
pub fn lots_due_to_mature(
    conn: &mut DbConn,
    member_id: i64,
    now: NaiveDateTime,
) -> QueryResult<Vec<Lot>> {
    lots::table
        .filter(lots::member_id.eq(member_id))
        .filter(lots::matured.eq(false))
        .filter(lots::available_at.le(now))
        .order(lots::id.asc())
        .select(Lot::as_select())
        .load(conn)
}

/// Every lot of a member (verification).
pub fn member_lots(conn: &mut DbConn, member_id: i64) -> QueryResult<Vec<Lot>> {
    lots::table
        .filter(lots::member_id.eq(member_id))
        .order(lots::id.asc())
        .select(Lot::as_select())
        .load(conn)
}

/// Changes a lot's remaining points by `delta`; the filter keeps it within 0..=points, so an
/// update based on a wrong computation changes nothing.
pub fn adjust_lot_remaining(conn: &mut DbConn, id: i64, delta: i64) -> QueryResult<usize> {
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
pub fn mark_matured(conn: &mut DbConn, ids: &[i64]) -> QueryResult<usize> {
    diesel::update(lots::table.filter(lots::id.eq_any(ids)))
        .set(lots::matured.eq(true))
        .execute(conn)
}

/// Records a movement on a lot: positive takes points from it, negative gives them back.
pub fn insert_movement(
    conn: &mut DbConn,
    lot_id: i64,
    entry_id: i64,
    redemption_id: Option<i64>,
    kind: &str,
    points: i64,
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
    redemption_id: i64,
) -> QueryResult<Vec<(Lot, i64)>> {
    let moves: Vec<(i64, i64)> = lot_movements::table
        .filter(lot_movements::redemption_id.eq(redemption_id))
        .select((lot_movements::lot_id, lot_movements::points))
        .load(conn)?;
    let mut net: std::collections::BTreeMap<i64, i64> = std::collections::BTreeMap::new();
    for (lot_id, points) in moves {
        *net.entry(lot_id).or_insert(0) += points;
    }
    let ids: Vec<i64> = net
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
            (lot, held)
        })
        .collect())
}

/// Sum of movements per lot (verification): (lot id, net points taken).
pub fn movement_sums(conn: &mut DbConn, lot_ids: &[i64]) -> QueryResult<Vec<(i64, i64)>> {
    let moves: Vec<(i64, i64)> = lot_movements::table
        .filter(lot_movements::lot_id.eq_any(lot_ids))
        .select((lot_movements::lot_id, lot_movements::points))
        .load(conn)?;
    let mut net: std::collections::BTreeMap<i64, i64> = std::collections::BTreeMap::new();
    for (lot_id, points) in moves {
        *net.entry(lot_id).or_insert(0) += points;
    }
    Ok(net.into_iter().collect())
}

/// A redemption (hold, capture, reversal) at a partner.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = redemptions)]
pub struct RedemptionRow {
    pub id: i64,
    pub partner_id: i64,
    pub member_id: i64,
    pub status: String,
    pub points_authorized: i64,
    pub points_captured: i64,
    pub points_reversed: i64,
    pub order_id: Option<String>,
    pub price_micros: i64,
    pub expires_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Creates an authorised redemption.
#[expect(
    clippy::too_many_arguments,
    reason = "one argument per column of the insert"
)]
pub fn insert_redemption(
    conn: &mut DbConn,
    partner_id: i64,
    member_id: i64,
    points: i64,
    order_id: Option<&str>,
    price_micros: i64,
    expires_at: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(redemptions::table)
        .values((
            redemptions::partner_id.eq(partner_id),
            redemptions::member_id.eq(member_id),
            redemptions::status.eq("authorized"),
            redemptions::points_authorized.eq(points),
            redemptions::points_captured.eq(0),
            redemptions::points_reversed.eq(0),
            redemptions::order_id.eq(order_id),
            redemptions::price_micros.eq(price_micros),
            redemptions::expires_at.eq(expires_at),
            redemptions::created_at.eq(now),
            redemptions::updated_at.eq(now),
        ))
        .returning(redemptions::id)
        .get_result(conn)
}

/// A redemption by id.
pub fn redemption(conn: &mut DbConn, id: i64) -> QueryResult<Option<RedemptionRow>> {
    redemptions::table
        .find(id)
        .select(RedemptionRow::as_select())
        .first(conn)
        .optional()
}

/// The member's authorised holds that timed out at `now`.
pub fn expired_holds(
    conn: &mut DbConn,
    member_id: i64,
    now: NaiveDateTime,
) -> QueryResult<Vec<RedemptionRow>> {
    redemptions::table
        .filter(redemptions::member_id.eq(member_id))
        .filter(redemptions::status.eq("authorized"))
        .filter(redemptions::expires_at.le(now))
        .order(redemptions::id.asc())
        .select(RedemptionRow::as_select())
        .load(conn)
}

/// Sum of the member's open holds (verification).
pub fn open_hold_total(conn: &mut DbConn, member_id: i64) -> QueryResult<i64> {
    let held: Vec<i64> = redemptions::table
        .filter(redemptions::member_id.eq(member_id))
        .filter(redemptions::status.eq("authorized"))
        .select(redemptions::points_authorized)
        .load(conn)?;
    Ok(held.into_iter().sum())
}

/// Writes a redemption's new state, only if it is still in `from_status`.
pub fn update_redemption(
    conn: &mut DbConn,
    r: &RedemptionRow,
    from_status: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        redemptions::table
            .find(r.id)
            .filter(redemptions::status.eq(from_status)),
    )
    .set((
        redemptions::status.eq(&r.status),
        redemptions::points_captured.eq(r.points_captured),
        redemptions::points_reversed.eq(r.points_reversed),
        redemptions::updated_at.eq(now),
    ))
    .execute(conn)
}

/// An earn: one order of one partner.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = earns)]
pub struct EarnRow {
    pub id: i64,
    pub partner_id: i64,
    pub member_id: i64,
    pub order_id: String,
    pub occurred_at: NaiveDateTime,
    pub amount_minor: i64,
    pub currency: String,
    pub points: i64,
    pub lot_id: Option<i64>,
    pub entry_id: Option<i64>,
    pub refunded_minor: i64,
    pub clawed_points: i64,
    pub created_at: NaiveDateTime,
}

/// An earn to record.
#[derive(Debug, Insertable)]
#[diesel(table_name = earns)]
pub struct NewEarn<'a> {
    pub partner_id: i64,
    pub member_id: i64,
    pub order_id: &'a str,
    pub occurred_at: NaiveDateTime,
    pub amount_minor: i64,
    pub currency: &'a str,
    pub points: i64,
    pub lot_id: Option<i64>,
    pub entry_id: Option<i64>,
    pub refunded_minor: i64,
    pub clawed_points: i64,
    pub created_at: NaiveDateTime,
}

/// Records an earn; a unique violation means the order already earned.
pub fn insert_earn(conn: &mut DbConn, earn: &NewEarn<'_>) -> QueryResult<i64> {
    diesel::insert_into(earns::table)
        .values(earn)
        .returning(earns::id)
        .get_result(conn)
}

/// Links the earn to its entry and lot once they exist.
pub fn set_earn_entry(
    conn: &mut DbConn,
    id: i64,
    entry_id: i64,
    lot_id: i64,
) -> QueryResult<usize> {
    diesel::update(earns::table.find(id))
        .set((earns::entry_id.eq(entry_id), earns::lot_id.eq(lot_id)))
        .execute(conn)
}

/// The earn of a partner's order.
pub fn earn_by_order(
    conn: &mut DbConn,
    partner_id: i64,
    order_id: &str,
) -> QueryResult<Option<EarnRow>> {
    earns::table
        .filter(earns::partner_id.eq(partner_id))
        .filter(earns::order_id.eq(order_id))
        .select(EarnRow::as_select())
        .first(conn)
        .optional()
}

/// Adds a refund to an earn's running totals, within the order's amount and points.
pub fn add_earn_refund(
    conn: &mut DbConn,
    id: i64,
    amount_minor: i64,
    points: i64,
) -> QueryResult<usize> {
    diesel::update(
        earns::table
            .find(id)
            .filter((earns::refunded_minor + amount_minor).le(earns::amount_minor))
            .filter((earns::clawed_points + points).le(earns::points)),
    )
    .set((
        earns::refunded_minor.eq(earns::refunded_minor + amount_minor),
        earns::clawed_points.eq(earns::clawed_points + points),
    ))
    .execute(conn)
}

/// Records a refund; a unique violation means the refund id was used.
#[expect(
    clippy::too_many_arguments,
    reason = "one argument per column of the insert"
)]
pub fn insert_refund(
    conn: &mut DbConn,
    earn_id: i64,
    partner_id: i64,
    refund_ref: &str,
    amount_minor: i64,
    points: i64,
    entry_id: Option<i64>,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(refunds::table)
        .values((
            refunds::earn_id.eq(earn_id),
            refunds::partner_id.eq(partner_id),
            refunds::refund_ref.eq(refund_ref),
            refunds::amount_minor.eq(amount_minor),
            refunds::points.eq(points),
            refunds::entry_id.eq(entry_id),
            refunds::created_at.eq(now),
        ))
        .returning(refunds::id)
        .get_result(conn)
}

/// Whether a partner already used a refund id.
pub fn refund_ref_exists(
    conn: &mut DbConn,
    partner_id: i64,
    refund_ref: &str,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        refunds::table
            .filter(refunds::partner_id.eq(partner_id))
            .filter(refunds::refund_ref.eq(refund_ref)),
    ))
    .get_result(conn)
}

/// A stored idempotent answer.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = idempotency_keys)]
pub struct IdempotencyRow {
    pub partner_id: i64,
    pub idem_key: String,
    pub request_sha256: String,
    pub status_code: i32,
    pub response_body: String,
    pub created_at: NaiveDateTime,
}

/// Claims an idempotency key; a unique violation means it was claimed before.
pub fn claim_idempotency_key(
    conn: &mut DbConn,
    partner_id: i64,
    key: &str,
    request_sha256: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::partner_id.eq(partner_id),
            idempotency_keys::idem_key.eq(key),
            idempotency_keys::request_sha256.eq(request_sha256),
            idempotency_keys::status_code.eq(0),
            idempotency_keys::response_body.eq(""),
            idempotency_keys::created_at.eq(now),
        ))
        .execute(conn)
}

/// The stored record of a key.
pub fn idempotency_record(
    conn: &mut DbConn,
    partner_id: i64,
    key: &str,
) -> QueryResult<Option<IdempotencyRow>> {
    idempotency_keys::table
        .filter(idempotency_keys::partner_id.eq(partner_id))
        .filter(idempotency_keys::idem_key.eq(key))
        .select(IdempotencyRow::as_select())
        .first(conn)
        .optional()
}

/// Stores the answer given under a key.
pub fn store_idempotent_answer(
    conn: &mut DbConn,
    partner_id: i64,
    key: &str,
    status_code: i32,
    body: &str,
) -> QueryResult<usize> {
    diesel::update(
        idempotency_keys::table
            .filter(idempotency_keys::partner_id.eq(partner_id))
            .filter(idempotency_keys::idem_key.eq(key)),
    )
    .set((
        idempotency_keys::status_code.eq(status_code),
        idempotency_keys::response_body.eq(body),
    ))
    .execute(conn)
}
