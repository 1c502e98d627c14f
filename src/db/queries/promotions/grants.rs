//! The bonuses given, and the members whose points expire soon.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use crate::db::schema::promotion_grants;
use crate::db::DbConn;
use crate::domain::ids::{EarnId, EntryId, LotId, MemberId, PartnerId, PromotionId};

/// A bonus given.
#[derive(Debug, Insertable)]
#[diesel(table_name = promotion_grants)]
pub struct NewGrant {
    pub promotion_id: PromotionId,
    pub member_id: MemberId,
    pub partner_id: Option<PartnerId>,
    pub earn_id: Option<EarnId>,
    pub lot_id: LotId,
    pub entry_id: EntryId,
    pub points: i64,
    pub granted_at: NaiveDateTime,
}

/// Records a bonus given.
pub fn insert_grant(conn: &mut DbConn, grant: &NewGrant) -> QueryResult<()> {
    diesel::insert_into(promotion_grants::table)
        .values(grant)
        .execute(conn)
        .map(|_| ())
}

/// A bonus given on an earn, as a refund reads it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = promotion_grants)]
pub struct GrantRow {
    pub id: i64,
    pub promotion_id: PromotionId,
    pub lot_id: LotId,
    pub points: i64,
    pub clawed_points: i64,
    pub refunded_basis_bp: i64,
}

/// The bonuses given on an earn, oldest first.
pub fn grants_of_earn(conn: &mut DbConn, earn_id: EarnId) -> QueryResult<Vec<GrantRow>> {
    promotion_grants::table
        .filter(promotion_grants::earn_id.eq(earn_id))
        .order(promotion_grants::id.asc())
        .select(GrantRow::as_select())
        .load(conn)
}

/// Adds a claw-back to a bonus, and records the category weight returned so far.
pub fn add_clawed(
    conn: &mut DbConn,
    grant_id: i64,
    points: i64,
    refunded_basis_bp: i64,
) -> QueryResult<usize> {
    diesel::update(
        promotion_grants::table
            .find(grant_id)
            .filter(promotion_grants::clawed_points.le(promotion_grants::points - points)),
    )
    .set((
        promotion_grants::clawed_points.eq(promotion_grants::clawed_points + points),
        promotion_grants::refunded_basis_bp.eq(refunded_basis_bp),
    ))
    .execute(conn)
}

/// A linked member's points expiring in a window.
#[derive(Debug, Clone, QueryableByName)]
pub struct ExpiringRow {
    #[diesel(sql_type = BigInt)]
    pub member_id: MemberId,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub member_number: String,
    #[diesel(sql_type = BigInt)]
    pub points: i64,
    #[diesel(sql_type = diesel::sql_types::Timestamp)]
    pub first_expires_at: NaiveDateTime,
}

/// The partner's linked members (after member id `after`, by id) whose network points expire
/// in `(from, until]`: their points in that window and the first date.
pub fn expiring(
    conn: &mut DbConn,
    partner_id: PartnerId,
    (from, until): (NaiveDateTime, NaiveDateTime),
    after: i64,
    limit: i64,
) -> QueryResult<Vec<ExpiringRow>> {
    diesel::sql_query(
        "SELECT m.id AS member_id, m.member_number, \
                CAST(SUM(l.remaining) AS BIGINT) AS points, MIN(l.expires_at) AS first_expires_at \
         FROM member_links k \
         JOIN members m ON m.id = k.member_id \
         JOIN lots l ON l.member_id = k.member_id \
         WHERE k.partner_id = $1 AND k.member_id > $2 AND l.asset = 'PTS' AND l.remaining > 0 \
           AND l.expires_at > $3 AND l.expires_at <= $4 \
         GROUP BY m.id, m.member_number ORDER BY m.id LIMIT $5",
    )
    .bind::<BigInt, _>(partner_id)
    .bind::<BigInt, _>(after)
    .bind::<diesel::sql_types::Timestamp, _>(from)
    .bind::<diesel::sql_types::Timestamp, _>(until)
    .bind::<BigInt, _>(limit)
    .load(conn)
}
