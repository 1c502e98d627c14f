//! A partner's own tiers on its local program, and a member's local points earned there.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Timestamp};

use crate::db::schema::{local_tier_windows, local_tiers};
use crate::db::DbConn;
use crate::domain::ids::{MemberId, PartnerId};

/// A local tier as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = local_tiers)]
pub struct LocalTierRow {
    pub partner_id: PartnerId,
    pub code: String,
    pub tier_rank: i64,
    pub name_fr: String,
    pub name_en: String,
    pub threshold_points: i64,
    pub multiplier_bp: i64,
}

/// The partner's local tiers by rank (none: it has none) and their window in months.
pub fn table(
    conn: &mut DbConn,
    partner_id: PartnerId,
) -> QueryResult<(Vec<LocalTierRow>, Option<i64>)> {
    let tiers = local_tiers::table
        .filter(local_tiers::partner_id.eq(partner_id))
        .order(local_tiers::tier_rank.asc())
        .select(LocalTierRow::as_select())
        .load(conn)?;
    let window = local_tier_windows::table
        .find(partner_id)
        .select(local_tier_windows::window_months)
        .first(conn)
        .optional()?;
    Ok((tiers, window))
}

/// Replaces the partner's local tiers (an empty table removes them).
pub fn replace(
    conn: &mut DbConn,
    partner_id: PartnerId,
    rows: &[LocalTierRow],
    window_months: i64,
) -> QueryResult<()> {
    diesel::delete(local_tiers::table.filter(local_tiers::partner_id.eq(partner_id)))
        .execute(conn)?;
    diesel::delete(local_tier_windows::table.find(partner_id)).execute(conn)?;
    if rows.is_empty() {
        return Ok(());
    }
    diesel::insert_into(local_tier_windows::table)
        .values((
            local_tier_windows::partner_id.eq(partner_id),
            local_tier_windows::window_months.eq(window_months),
        ))
        .execute(conn)?;
    for row in rows {
        diesel::insert_into(local_tiers::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

/// Local points the member earned at the partner since `since`, net of claw-backs.
pub fn local_points_since(
    conn: &mut DbConn,
    partner_id: PartnerId,
    member_id: MemberId,
    since: NaiveDateTime,
) -> QueryResult<i64> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = BigInt)]
        points: i64,
    }
    let row: Row = diesel::sql_query(
        "SELECT CAST(COALESCE(SUM(l.points - l.clawed), 0) AS BIGINT) AS points \
         FROM local_earns l JOIN earns e ON e.id = l.earn_id \
         WHERE e.partner_id = $1 AND e.member_id = $2 AND e.occurred_at >= $3",
    )
    .bind::<BigInt, _>(partner_id)
    .bind::<BigInt, _>(member_id)
    .bind::<Timestamp, _>(since)
    .get_result(conn)?;
    Ok(row.points)
}
