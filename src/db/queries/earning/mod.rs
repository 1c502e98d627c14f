//! Earns (one per partner order) and their refunds.

use crate::domain::ids::{EarnId, EntryId, LotId, MemberId, PartnerId};
use crate::domain::money::{MoneyMinor, Points};
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{earns, refunds};
use crate::db::DbConn;

/// An earn: one order of one partner.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = earns)]
pub struct EarnRow {
    pub id: EarnId,
    pub partner_id: PartnerId,
    pub member_id: MemberId,
    pub order_id: String,
    pub occurred_at: NaiveDateTime,
    pub amount_minor: MoneyMinor,
    pub currency: String,
    pub points: Points,
    pub lot_id: Option<LotId>,
    pub entry_id: Option<EntryId>,
    pub refunded_minor: MoneyMinor,
    pub clawed_points: Points,
    pub created_at: NaiveDateTime,
    /// The amount weighted by each line's multiplier, minor units x basis points (None for
    /// earns recorded before weights were).
    pub weighted_bp: Option<i64>,
    /// The weight refunds have taken back so far.
    pub refunded_weighted_bp: i64,
}

/// An earn to record.
#[derive(Debug, Insertable)]
#[diesel(table_name = earns)]
pub struct NewEarn<'a> {
    pub partner_id: PartnerId,
    pub member_id: MemberId,
    pub order_id: &'a str,
    pub occurred_at: NaiveDateTime,
    pub amount_minor: MoneyMinor,
    pub currency: &'a str,
    pub points: Points,
    pub lot_id: Option<LotId>,
    pub entry_id: Option<EntryId>,
    pub refunded_minor: MoneyMinor,
    pub clawed_points: Points,
    pub created_at: NaiveDateTime,
    pub weighted_bp: Option<i64>,
}

/// Records an earn and returns its id; None when the partner's order earned already.
pub fn insert_earn(conn: &mut DbConn, earn: &NewEarn<'_>) -> QueryResult<Option<EarnId>> {
    let insert = diesel::insert_into(earns::table).values(earn);
    // None when the order has earned already: ON CONFLICT DO NOTHING, so no savepoint is
    // needed around it. Written for each backend: the multi-backend connection has no
    // ON CONFLICT.
    match conn {
        DbConn::Pg(pg) => insert
            .on_conflict((earns::partner_id, earns::order_id))
            .do_nothing()
            .returning(earns::id)
            .get_result(pg)
            .optional(),
        DbConn::Sqlite(lite) => insert
            .on_conflict((earns::partner_id, earns::order_id))
            .do_nothing()
            .returning(earns::id)
            .get_result(lite)
            .optional(),
    }
}

/// Links the earn to its entry and lot once they exist.
pub fn set_earn_entry(
    conn: &mut DbConn,
    id: EarnId,
    entry_id: EntryId,
    lot_id: Option<LotId>,
) -> QueryResult<usize> {
    diesel::update(earns::table.find(id))
        .set((earns::entry_id.eq(entry_id), earns::lot_id.eq(lot_id)))
        .execute(conn)
}

/// The earn of a partner's order.
pub fn earn_by_order(
    conn: &mut DbConn,
    partner_id: PartnerId,
    order_id: &str,
) -> QueryResult<Option<EarnRow>> {
    earns::table
        .filter(earns::partner_id.eq(partner_id))
        .filter(earns::order_id.eq(order_id))
        .select(EarnRow::as_select())
        .first(conn)
        .optional()
}

/// An earn by id.
pub fn earn_by_id(conn: &mut DbConn, id: EarnId) -> QueryResult<EarnRow> {
    earns::table
        .find(id)
        .select(EarnRow::as_select())
        .first(conn)
}

/// Adds a refund to an earn's running totals, within the order's amount and points.
pub fn add_earn_refund(
    conn: &mut DbConn,
    id: EarnId,
    amount_minor: MoneyMinor,
    points: Points,
    weighted_bp: i64,
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
        earns::refunded_weighted_bp.eq(earns::refunded_weighted_bp + weighted_bp),
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
    earn_id: EarnId,
    partner_id: PartnerId,
    refund_ref: &str,
    amount_minor: MoneyMinor,
    points: Points,
    entry_id: Option<EntryId>,
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
    partner_id: PartnerId,
    refund_ref: &str,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        refunds::table
            .filter(refunds::partner_id.eq(partner_id))
            .filter(refunds::refund_ref.eq(refund_ref)),
    ))
    .get_result(conn)
}
