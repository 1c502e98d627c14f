//! Clearing events written beside journal entries, their sums for a close and for a
//! partner's reconciliation, and the outstanding liability.

use crate::domain::ids::{EntryId, PartnerId, PromotionId};
use crate::domain::money::{Points, PriceMicros};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};

use crate::db::schema::clearing_events;
use crate::db::DbConn;

/// A clearing event to write beside its journal entry.
#[derive(Debug, Insertable)]
#[diesel(table_name = clearing_events)]
pub struct NewEvent<'a> {
    pub entry_id: EntryId,
    pub posted_at: NaiveDateTime,
    pub kind: &'a str,
    pub partner_id: Option<PartnerId>,
    pub issuer_partner_id: Option<PartnerId>,
    pub points: Points,
    pub price_micros: PriceMicros,
    pub order_ref: &'a str,
    /// The promotion whose bonus points these are, if any.
    pub promotion_id: Option<PromotionId>,
}

/// Writes clearing events (one insert each: the portable form through the connection enum).
pub fn insert_events(conn: &mut DbConn, events: &[NewEvent<'_>]) -> QueryResult<()> {
    for e in events {
        diesel::insert_into(clearing_events::table)
            .values(e)
            .execute(conn)?;
    }
    Ok(())
}

/// The period's events summed by (kind, partner, issuer, price): everything a close needs, in
/// one scan of the posting-time index.
#[derive(Debug, Clone, QueryableByName)]
pub struct EventTotal {
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub partner_id: Option<PartnerId>,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub issuer_partner_id: Option<PartnerId>,
    #[diesel(sql_type = BigInt)]
    pub price_micros: PriceMicros,
    #[diesel(sql_type = BigInt)]
    pub points: Points,
    #[diesel(sql_type = BigInt)]
    pub events: i64,
    /// 1 for a promotion's bonus points, else 0.
    #[diesel(sql_type = BigInt)]
    pub promotion: i64,
}

/// Sums of the events posted in `[start, end)`.
pub fn event_totals(
    conn: &mut DbConn,
    start: NaiveDateTime,
    end: NaiveDateTime,
) -> QueryResult<Vec<EventTotal>> {
    diesel::sql_query(
        "SELECT kind, partner_id, issuer_partner_id, price_micros, \
                CAST(SUM(points) AS BIGINT) AS points, CAST(COUNT(*) AS BIGINT) AS events, \
                CAST(CASE WHEN promotion_id IS NULL THEN 0 ELSE 1 END AS BIGINT) AS promotion \
         FROM clearing_events WHERE posted_at >= $1 AND posted_at < $2 \
         GROUP BY kind, partner_id, issuer_partner_id, price_micros, \
                  CASE WHEN promotion_id IS NULL THEN 0 ELSE 1 END \
         ORDER BY kind, partner_id, issuer_partner_id, price_micros, promotion",
    )
    .bind::<Timestamp, _>(start)
    .bind::<Timestamp, _>(end)
    .load(conn)
}

/// A partner's events of a period summed per (kind, order reference) as the partner sees
/// them: `earn` (points issued), `refund` (points clawed back), `redemption` (points redeemed
/// net of reversals). Promotions' bonus points are left out: a partner's record of an order
/// holds the sale's points, and the statement shows the promotions apart.
#[derive(Debug, Clone, QueryableByName)]
pub struct OrderTotal {
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Text)]
    pub order_ref: String,
    #[diesel(sql_type = BigInt)]
    pub points: Points,
}

/// One page of a partner's per-order totals in `[start, end)`, strictly after `after` in the
/// database's own order of (kind, order_ref): keyset pagination, so the ledger is never loaded
/// whole. The page filter applies to the rows before they are grouped (a group's key is the
/// rows' key), so each page reads only what is left.
pub fn order_totals_page(
    conn: &mut DbConn,
    partner_id: PartnerId,
    start: NaiveDateTime,
    end: NaiveDateTime,
    after: (&str, &str),
    limit: i64,
) -> QueryResult<Vec<OrderTotal>> {
    diesel::sql_query(
        "SELECT CASE kind WHEN 'issue' THEN 'earn' WHEN 'clawback' THEN 'refund' \
                ELSE 'redemption' END AS kind, order_ref, \
                CAST(SUM(CASE WHEN kind = 'reverse' THEN -points ELSE points END) AS BIGINT) AS points \
         FROM clearing_events \
         WHERE partner_id = $1 AND posted_at >= $2 AND posted_at < $3 \
           AND kind IN ('issue', 'clawback', 'redeem', 'reverse') AND promotion_id IS NULL \
           AND (CASE kind WHEN 'issue' THEN 'earn' WHEN 'clawback' THEN 'refund' ELSE 'redemption' END > $4 \
                OR (CASE kind WHEN 'issue' THEN 'earn' WHEN 'clawback' THEN 'refund' ELSE 'redemption' END = $4 \
                    AND order_ref > $5)) \
         GROUP BY 1, 2 ORDER BY 1, 2 LIMIT $6",
    )
    .bind::<BigInt, _>(partner_id)
    .bind::<Timestamp, _>(start)
    .bind::<Timestamp, _>(end)
    .bind::<Text, _>(after.0)
    .bind::<Text, _>(after.1)
    .bind::<BigInt, _>(limit)
    .load(conn)
}

/// Points still owed to members, per funding partner (none: the operator): lots' remaining
/// points plus the points of open holds, which are not spent yet.
#[derive(Debug, Clone, QueryableByName)]
pub struct Liability {
    #[diesel(sql_type = Nullable<BigInt>)]
    pub issuer_partner_id: Option<PartnerId>,
    #[diesel(sql_type = BigInt)]
    pub points: Points,
}

/// Outstanding points by funding partner.
pub fn liability(conn: &mut DbConn) -> QueryResult<Vec<Liability>> {
    diesel::sql_query(
        "SELECT issuer_partner_id, CAST(SUM(points) AS BIGINT) AS points FROM ( \
           SELECT issuer_partner_id, remaining AS points FROM lots WHERE remaining > 0 AND asset = 'PTS' \
           UNION ALL \
           SELECT l.issuer_partner_id, m.points FROM lot_movements m \
             JOIN redemptions r ON r.id = m.redemption_id AND r.status = 'authorized' \
             JOIN lots l ON l.id = m.lot_id AND l.asset = 'PTS' \
         ) owed GROUP BY issuer_partner_id ORDER BY issuer_partner_id",
    )
    .load(conn)
}

/// Points members owe back after refunds of points they had spent (negative balances).
pub fn negative_balances(conn: &mut DbConn) -> QueryResult<i64> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = BigInt)]
        points: i64,
    }
    let row: Row = diesel::sql_query(
        "SELECT CAST(COALESCE(SUM(-available_points), 0) AS BIGINT) AS points FROM members \
         WHERE available_points < 0",
    )
    .get_result(conn)?;
    Ok(row.points)
}
