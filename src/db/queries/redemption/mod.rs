//! Redemptions: holds, captures and reversals at a partner.

use crate::domain::ids::{MemberId, PartnerId, RedemptionId};
use crate::domain::money::{Points, PriceMicros};
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::redemptions;
use crate::db::DbConn;

/// A redemption (hold, capture, reversal) at a partner.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = redemptions)]
pub struct RedemptionRow {
    pub id: RedemptionId,
    pub partner_id: PartnerId,
    pub member_id: MemberId,
    pub status: String,
    pub points_authorized: Points,
    pub points_captured: Points,
    pub points_reversed: Points,
    pub order_id: Option<String>,
    pub price_micros: PriceMicros,
    pub expires_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// `PTS`, or the partner's local currency.
    pub asset: String,
}

/// Creates an authorized redemption.
#[expect(
    clippy::too_many_arguments,
    reason = "one argument per column of the insert"
)]
pub fn insert_redemption(
    conn: &mut DbConn,
    asset: &str,
    partner_id: PartnerId,
    member_id: MemberId,
    points: Points,
    order_id: Option<&str>,
    price_micros: PriceMicros,
    expires_at: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<RedemptionId> {
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
            redemptions::asset.eq(asset),
        ))
        .returning(redemptions::id)
        .get_result(conn)
}

/// A redemption by id.
pub fn redemption(conn: &mut DbConn, id: RedemptionId) -> QueryResult<Option<RedemptionRow>> {
    redemptions::table
        .find(id)
        .select(RedemptionRow::as_select())
        .first(conn)
        .optional()
}

/// The member's authorized holds that timed out at `now`.
pub fn expired_holds(
    conn: &mut DbConn,
    member_id: MemberId,
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

/// Sum of the member's open holds of `asset` (verification).
pub fn open_hold_total(conn: &mut DbConn, member_id: MemberId, asset: &str) -> QueryResult<Points> {
    let held: Vec<i64> = redemptions::table
        .filter(redemptions::member_id.eq(member_id))
        .filter(redemptions::asset.eq(asset))
        .filter(redemptions::status.eq("authorized"))
        .select(redemptions::points_authorized)
        .load(conn)?;
    // Saturating: a sum past i64 is a corrupt ledger, which `verify` reports as a mismatch.
    Ok(Points::from(
        held.into_iter().fold(0_i64, i64::saturating_add),
    ))
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
