//! Partners' local programs: their settings, each member's local wallets (written under the
//! member's row lock, like the network balances on `members`) and conversions into network
//! points.

pub mod tiers;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{local_conversions, local_earns, local_programs, local_wallets};
use crate::db::DbConn;
use crate::domain::ids::{EarnId, EntryId, LotId, MemberId, PartnerId};
use crate::domain::money::{Points, PriceMicros};

/// A partner's local program.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = local_programs)]
pub struct ProgramRow {
    pub partner_id: PartnerId,
    pub asset: String,
    pub label_fr: String,
    pub label_en: String,
    pub earn_rate_millipoints: i64,
    pub expiry_months: i64,
    pub conversion_local_per_point: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The partner's program, if it runs one.
pub fn program(conn: &mut DbConn, partner_id: PartnerId) -> QueryResult<Option<ProgramRow>> {
    local_programs::table
        .find(partner_id)
        .select(ProgramRow::as_select())
        .first(conn)
        .optional()
}

/// Creates the partner's program (the caller checked there is none: the primary key refuses a
/// second one written concurrently).
pub fn insert_program(conn: &mut DbConn, row: &ProgramRow) -> QueryResult<usize> {
    diesel::insert_into(local_programs::table)
        .values(row)
        .execute(conn)
}

/// Changes the partner's program (its asset and creation time stay).
pub fn update_program(conn: &mut DbConn, row: &ProgramRow) -> QueryResult<usize> {
    diesel::update(local_programs::table.find(row.partner_id))
        .set((
            local_programs::label_fr.eq(&row.label_fr),
            local_programs::label_en.eq(&row.label_en),
            local_programs::earn_rate_millipoints.eq(row.earn_rate_millipoints),
            local_programs::expiry_months.eq(row.expiry_months),
            local_programs::conversion_local_per_point.eq(row.conversion_local_per_point),
            local_programs::updated_at.eq(row.updated_at),
        ))
        .execute(conn)
}

/// A member's local balances at one partner.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = local_wallets)]
pub struct WalletRow {
    pub member_id: MemberId,
    pub partner_id: PartnerId,
    pub asset: String,
    pub available: Points,
    pub held: Points,
}

/// The member's wallet at a partner, if the member ever held its local points.
pub fn wallet(
    conn: &mut DbConn,
    member_id: MemberId,
    partner_id: PartnerId,
) -> QueryResult<Option<WalletRow>> {
    local_wallets::table
        .find((member_id, partner_id))
        .select(WalletRow::as_select())
        .first(conn)
        .optional()
}

/// Every local wallet of a member, by partner.
pub fn wallets_of(conn: &mut DbConn, member_id: MemberId) -> QueryResult<Vec<WalletRow>> {
    local_wallets::table
        .filter(local_wallets::member_id.eq(member_id))
        .order(local_wallets::partner_id.asc())
        .select(WalletRow::as_select())
        .load(conn)
}

/// Writes a wallet's balances, creating it on first use. Only called with the member's row
/// locked, so the read-then-write cannot race another transaction of the same member.
pub fn write_wallet(conn: &mut DbConn, row: &WalletRow) -> QueryResult<usize> {
    let updated = diesel::update(local_wallets::table.find((row.member_id, row.partner_id)))
        .set((
            local_wallets::available.eq(row.available),
            local_wallets::held.eq(row.held),
        ))
        .execute(conn)?;
    if updated == 1 {
        return Ok(1);
    }
    diesel::insert_into(local_wallets::table)
        .values(row)
        .execute(conn)
}

/// A conversion of local points into network points.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = local_conversions)]
pub struct ConversionRow {
    pub id: i64,
    pub partner_id: PartnerId,
    pub member_id: MemberId,
    pub reference: String,
    pub local_points: Points,
    pub points: Points,
    pub price_micros: PriceMicros,
    pub entry_id: EntryId,
    pub created_at: NaiveDateTime,
}

/// A conversion to record.
#[derive(Debug, Insertable)]
#[diesel(table_name = local_conversions)]
pub struct NewConversion<'a> {
    pub partner_id: PartnerId,
    pub member_id: MemberId,
    pub reference: &'a str,
    pub local_points: Points,
    pub points: Points,
    pub price_micros: PriceMicros,
    pub entry_id: EntryId,
    pub created_at: NaiveDateTime,
}

/// Records a conversion; a reference the partner already used is a unique violation.
pub fn insert_conversion(conn: &mut DbConn, row: &NewConversion<'_>) -> QueryResult<i64> {
    diesel::insert_into(local_conversions::table)
        .values(row)
        .returning(local_conversions::id)
        .get_result(conn)
}

/// The local points one order earned.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = local_earns)]
pub struct LocalEarnRow {
    pub earn_id: EarnId,
    pub points: Points,
    pub lot_id: LotId,
    pub clawed: Points,
}

/// Records the local points of an order.
pub fn insert_local_earn(conn: &mut DbConn, row: &LocalEarnRow) -> QueryResult<usize> {
    diesel::insert_into(local_earns::table)
        .values(row)
        .execute(conn)
}

/// The local points of an order, if it earned any.
pub fn local_earn(conn: &mut DbConn, earn_id: EarnId) -> QueryResult<Option<LocalEarnRow>> {
    local_earns::table
        .find(earn_id)
        .select(LocalEarnRow::as_select())
        .first(conn)
        .optional()
}

/// Adds local points a refund took back (or forgave) to the order's total, never past what it
/// earned.
pub fn add_local_clawed(conn: &mut DbConn, earn_id: EarnId, points: Points) -> QueryResult<usize> {
    diesel::update(
        local_earns::table
            .find(earn_id)
            .filter((local_earns::clawed + points).le(local_earns::points)),
    )
    .set(local_earns::clawed.eq(local_earns::clawed + points))
    .execute(conn)
}
