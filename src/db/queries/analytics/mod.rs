//! Analytics queries: what each member bought (the input of RFM scores) and the stored scores.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Timestamp};

use crate::db::schema::{members, rfm_scores};
use crate::db::DbConn;
use crate::domain::ids::{MemberId, PartnerId};

/// What one member bought since a date: latest purchase, orders not wholly refunded, net spend.
#[derive(Debug, Clone, QueryableByName)]
pub struct ActivityRow {
    #[diesel(sql_type = BigInt)]
    pub member_id: i64,
    #[diesel(sql_type = Timestamp)]
    pub last_purchase_at: NaiveDateTime,
    #[diesel(sql_type = BigInt)]
    pub orders: i64,
    #[diesel(sql_type = BigInt)]
    pub monetary_minor: i64,
}

/// Members' purchases since `since`, everywhere (`partner_id` 0) or at one partner. The CAST
/// keeps PostgreSQL's NUMERIC sums and counts as BIGINT.
pub fn activity(
    conn: &mut DbConn,
    partner_id: PartnerId,
    since: NaiveDateTime,
) -> QueryResult<Vec<ActivityRow>> {
    diesel::sql_query(
        "SELECT member_id, MAX(occurred_at) AS last_purchase_at, \
                CAST(COUNT(*) AS BIGINT) AS orders, \
                CAST(SUM(amount_minor - refunded_minor) AS BIGINT) AS monetary_minor \
         FROM earns \
         WHERE occurred_at >= $1 AND refunded_minor < amount_minor \
           AND ($2 = 0 OR partner_id = $2) \
         GROUP BY member_id ORDER BY member_id",
    )
    .bind::<Timestamp, _>(since)
    .bind::<BigInt, _>(partner_id)
    .load(conn)
}

/// Members' purchases since `since` at each partner, in one scan: (partner, activity), by
/// partner then member.
#[derive(Debug, Clone, QueryableByName)]
pub struct PartnerActivityRow {
    #[diesel(sql_type = BigInt)]
    pub partner_id: i64,
    #[diesel(embed)]
    pub activity: ActivityRow,
}

/// Every partner's members' purchases since `since`, in one grouped scan.
pub fn activity_by_partner(
    conn: &mut DbConn,
    since: NaiveDateTime,
) -> QueryResult<Vec<PartnerActivityRow>> {
    diesel::sql_query(
        "SELECT partner_id, member_id, MAX(occurred_at) AS last_purchase_at, \
                CAST(COUNT(*) AS BIGINT) AS orders, \
                CAST(SUM(amount_minor - refunded_minor) AS BIGINT) AS monetary_minor \
         FROM earns \
         WHERE occurred_at >= $1 AND refunded_minor < amount_minor \
         GROUP BY partner_id, member_id ORDER BY partner_id, member_id",
    )
    .bind::<Timestamp, _>(since)
    .load(conn)
}

/// A member's stored scores in one scope.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = rfm_scores)]
pub struct ScoreRow {
    pub scope_partner_id: PartnerId,
    pub member_id: MemberId,
    pub recency_days: i64,
    pub frequency: i64,
    pub monetary_minor: i64,
    pub r: i64,
    pub f: i64,
    pub m: i64,
    pub segment: String,
    pub computed_at: NaiveDateTime,
}

/// Replaces a scope's scores.
pub fn replace_scores(
    conn: &mut DbConn,
    scope: PartnerId,
    rows: &[ScoreRow],
) -> QueryResult<usize> {
    diesel::delete(rfm_scores::table.filter(rfm_scores::scope_partner_id.eq(scope)))
        .execute(conn)?;
    match conn {
        // One statement of ten arrays: a scope's hundred thousand rows in one round trip.
        DbConn::Pg(pg) => insert_scores_pg(pg, rows),
        // 2,000 rows of 10 columns: 20,000 parameters, within SQLite's limit.
        DbConn::Sqlite(_) => crate::db::insert_in_chunks!(conn, rfm_scores::table, rows, 2_000),
    }
}

fn insert_scores_pg(pg: &mut diesel::PgConnection, rows: &[ScoreRow]) -> QueryResult<usize> {
    use diesel::sql_types::{Array, Text};
    let col = |f: fn(&ScoreRow) -> i64| rows.iter().map(f).collect::<Vec<i64>>();
    diesel::sql_query(
        "INSERT INTO rfm_scores (scope_partner_id, member_id, recency_days, frequency, \
                                 monetary_minor, r, f, m, segment, computed_at) \
         SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], \
                              $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[], \
                              $9::text[], $10::timestamp[])",
    )
    .bind::<Array<BigInt>, _>(col(|r| r.scope_partner_id.get()))
    .bind::<Array<BigInt>, _>(col(|r| r.member_id.get()))
    .bind::<Array<BigInt>, _>(col(|r| r.recency_days))
    .bind::<Array<BigInt>, _>(col(|r| r.frequency))
    .bind::<Array<BigInt>, _>(col(|r| r.monetary_minor))
    .bind::<Array<BigInt>, _>(col(|r| r.r))
    .bind::<Array<BigInt>, _>(col(|r| r.f))
    .bind::<Array<BigInt>, _>(col(|r| r.m))
    .bind::<Array<Text>, _>(
        rows.iter()
            .map(|r| r.segment.clone())
            .collect::<Vec<String>>(),
    )
    .bind::<Array<Timestamp>, _>(
        rows.iter()
            .map(|r| r.computed_at)
            .collect::<Vec<NaiveDateTime>>(),
    )
    .execute(pg)
}

/// Removes the scores of every scope but these (partners without purchases in the window).
pub fn drop_scopes_except(conn: &mut DbConn, keep: &[PartnerId]) -> QueryResult<usize> {
    diesel::delete(rfm_scores::table.filter(rfm_scores::scope_partner_id.ne_all(keep)))
        .execute(conn)
}

/// A page of a scope's segment, by member id after `after`, with each member's number.
pub fn segment_page(
    conn: &mut DbConn,
    scope: PartnerId,
    segment: &str,
    after: MemberId,
    limit: i64,
) -> QueryResult<Vec<(ScoreRow, String)>> {
    rfm_scores::table
        .inner_join(members::table.on(members::id.eq(rfm_scores::member_id)))
        .filter(rfm_scores::scope_partner_id.eq(scope))
        .filter(rfm_scores::segment.eq(segment))
        .filter(rfm_scores::member_id.gt(after))
        .order(rfm_scores::member_id.asc())
        .limit(limit)
        .select((ScoreRow::as_select(), members::member_number))
        .load(conn)
}

/// Members per segment name.
pub type SegmentSizes = Vec<(String, i64)>;

/// How many members each segment of a scope holds, and when the scope was last computed.
pub fn segment_counts(
    conn: &mut DbConn,
    scope: PartnerId,
) -> QueryResult<(SegmentSizes, Option<NaiveDateTime>)> {
    let counts: Vec<(String, i64)> = rfm_scores::table
        .filter(rfm_scores::scope_partner_id.eq(scope))
        .group_by(rfm_scores::segment)
        .select((
            rfm_scores::segment,
            diesel::dsl::count(rfm_scores::member_id),
        ))
        .load(conn)?;
    let at = rfm_scores::table
        .filter(rfm_scores::scope_partner_id.eq(scope))
        .select(diesel::dsl::max(rfm_scores::computed_at))
        .first(conn)?;
    Ok((counts, at))
}

/// Clearing events summed by kind, price, place and issuer since a date: the source of every
/// points and money figure, the same rows the statements are made of.
#[derive(Debug, Clone, QueryableByName)]
pub struct ClearingSum {
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub kind: String,
    #[diesel(sql_type = BigInt)]
    pub price_micros: i64,
    #[diesel(sql_type = diesel::sql_types::Nullable<BigInt>)]
    pub partner_id: Option<i64>,
    #[diesel(sql_type = diesel::sql_types::Nullable<BigInt>)]
    pub issuer_partner_id: Option<i64>,
    #[diesel(sql_type = BigInt)]
    pub points: i64,
    /// 1 for a promotion's bonus points.
    #[diesel(sql_type = BigInt)]
    pub promotion: i64,
}

/// Clearing events since `since`, summed by kind, price, partner and issuer.
pub fn clearing_sums(conn: &mut DbConn, since: NaiveDateTime) -> QueryResult<Vec<ClearingSum>> {
    diesel::sql_query(
        "SELECT kind, price_micros, partner_id, issuer_partner_id, \
                CAST(SUM(points) AS BIGINT) AS points, \
                CAST(CASE WHEN promotion_id IS NULL THEN 0 ELSE 1 END AS BIGINT) AS promotion \
         FROM clearing_events WHERE posted_at >= $1 \
         GROUP BY kind, price_micros, partner_id, issuer_partner_id, \
                  CASE WHEN promotion_id IS NULL THEN 0 ELSE 1 END",
    )
    .bind::<Timestamp, _>(since)
    .load(conn)
}

/// Operator-funded bonus points given since `since`, net of claw-backs (no clearing event
/// records them: nobody is billed).
pub fn operator_bonus_points(conn: &mut DbConn, since: NaiveDateTime) -> QueryResult<i64> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = BigInt)]
        points: i64,
    }
    let row: Row = diesel::sql_query(
        "SELECT CAST(COALESCE(SUM(g.points - g.clawed_points), 0) AS BIGINT) AS points \
         FROM promotion_grants g JOIN promotions p ON p.id = g.promotion_id \
         WHERE p.partner_id IS NULL AND g.granted_at >= $1",
    )
    .bind::<Timestamp, _>(since)
    .get_result(conn)?;
    Ok(row.points)
}

/// Each purchase since `since` (orders not wholly refunded), everywhere (`partner_id` 0) or at
/// one partner: (member, when).
pub fn purchases(
    conn: &mut DbConn,
    partner_id: PartnerId,
    since: NaiveDateTime,
) -> QueryResult<Vec<(MemberId, NaiveDateTime)>> {
    use crate::db::schema::earns;
    let mut query = earns::table
        .filter(earns::occurred_at.ge(since))
        .filter(earns::refunded_minor.lt(earns::amount_minor))
        .into_boxed();
    if partner_id != PartnerId::default() {
        query = query.filter(earns::partner_id.eq(partner_id));
    }
    query
        .select((earns::member_id, earns::occurred_at))
        .load(conn)
}
