//! A promotion's budget, split into rows that concurrent earns take from.

use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::Sum;
use crate::db::schema::promotion_budgets;
use crate::db::DbConn;
use crate::domain::ids::PromotionId;

/// What is left of a promotion's budget, over all its rows.
pub fn budget_left(conn: &mut DbConn, id: PromotionId) -> QueryResult<i64> {
    diesel::sql_query(
        "SELECT CAST(COALESCE(SUM(remaining), 0) AS BIGINT) AS total \
         FROM promotion_budgets WHERE promotion_id = $1",
    )
    .bind::<BigInt, _>(id)
    .get_result::<Sum>(conn)
    .map(|s| s.total)
}

/// Takes `points` from one budget row if it holds that many (the update locks the row until
/// the transaction ends); whether it did.
pub fn take_whole(
    conn: &mut DbConn,
    id: PromotionId,
    shard: i64,
    points: i64,
) -> QueryResult<bool> {
    let changed = diesel::update(
        promotion_budgets::table
            .filter(promotion_budgets::promotion_id.eq(id))
            .filter(promotion_budgets::shard.eq(shard))
            .filter(promotion_budgets::remaining.ge(points)),
    )
    .set(promotion_budgets::remaining.eq(promotion_budgets::remaining - points))
    .execute(conn)?;
    Ok(changed == 1)
}

/// The budget rows that still hold points, by shard (read without locking).
pub fn shards_left(conn: &mut DbConn, id: PromotionId) -> QueryResult<Vec<i64>> {
    promotion_budgets::table
        .filter(promotion_budgets::promotion_id.eq(id))
        .filter(promotion_budgets::remaining.gt(0))
        .order(promotion_budgets::shard.asc())
        .select(promotion_budgets::shard)
        .load(conn)
}

/// Locks one budget row (a no-op update: `SELECT ... FOR UPDATE` does not exist on SQLite)
/// and returns what it holds then.
pub fn lock_shard(conn: &mut DbConn, id: PromotionId, shard: i64) -> QueryResult<i64> {
    let row = promotion_budgets::table
        .filter(promotion_budgets::promotion_id.eq(id))
        .filter(promotion_budgets::shard.eq(shard));
    diesel::update(row)
        .set(promotion_budgets::remaining.eq(promotion_budgets::remaining))
        .execute(conn)?;
    row.select(promotion_budgets::remaining).first(conn)
}

/// Gives `points` clawed back by a refund back to a budget row.
pub fn give_back(
    conn: &mut DbConn,
    id: PromotionId,
    shard: i64,
    points: i64,
) -> QueryResult<usize> {
    diesel::update(
        promotion_budgets::table
            .filter(promotion_budgets::promotion_id.eq(id))
            .filter(promotion_budgets::shard.eq(shard)),
    )
    .set(promotion_budgets::remaining.eq(promotion_budgets::remaining + points))
    .execute(conn)
}

/// Takes `points` from a locked budget row.
pub fn take_locked(
    conn: &mut DbConn,
    id: PromotionId,
    shard: i64,
    points: i64,
) -> QueryResult<usize> {
    diesel::update(
        promotion_budgets::table
            .filter(promotion_budgets::promotion_id.eq(id))
            .filter(promotion_budgets::shard.eq(shard)),
    )
    .set(promotion_budgets::remaining.eq(promotion_budgets::remaining - points))
    .execute(conn)
}
