//! What members buy, by category: written with each earn that has categorised lines, read for
//! the sales profile of a partner and for the observed affinity between categories and
//! partners.

use chrono::NaiveDateTime;
use diesel::dsl::count;
use diesel::prelude::*;

use crate::db::schema::{earn_categories, earns};
use crate::db::DbConn;
use crate::domain::ids::{CategoryId, EarnId, MemberId, PartnerId};
use crate::domain::money::MoneyMinor;

/// An earn's spending in one category.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = earn_categories)]
pub struct EarnCategoryRow {
    pub earn_id: EarnId,
    pub partner_id: PartnerId,
    pub member_id: MemberId,
    pub category_id: CategoryId,
    pub amount_minor: MoneyMinor,
    pub occurred_at: NaiveDateTime,
    /// What a unit of it earned: the line's multiplier in basis points, 0 when restricted.
    pub weight_bp: i64,
}

/// Records an earn's categorised spending (a sale has at most 500 lines).
pub fn insert(conn: &mut DbConn, rows: &[EarnCategoryRow]) -> QueryResult<()> {
    for row in rows {
        diesel::insert_into(earn_categories::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

/// The weight each category of an earn earned at.
pub fn weights_of(conn: &mut DbConn, earn_id: EarnId) -> QueryResult<Vec<(CategoryId, i64)>> {
    earn_categories::table
        .filter(earn_categories::earn_id.eq(earn_id))
        .select((earn_categories::category_id, earn_categories::weight_bp))
        .load(conn)
}

/// What each category of an order spent and its weight: (category, amount, weight).
pub fn spend_of(conn: &mut DbConn, earn_id: EarnId) -> QueryResult<Vec<(CategoryId, i64, i64)>> {
    earn_categories::table
        .filter(earn_categories::earn_id.eq(earn_id))
        .select((
            earn_categories::category_id,
            earn_categories::amount_minor,
            earn_categories::weight_bp,
        ))
        .load(conn)
}

/// A partner's spending per category since `since`.
pub fn sales_of(
    conn: &mut DbConn,
    partner_id: PartnerId,
    since: NaiveDateTime,
) -> QueryResult<Vec<(CategoryId, i64)>> {
    let rows: Vec<(CategoryId, Option<i64>)> = earn_categories::table
        .filter(earn_categories::partner_id.eq(partner_id))
        .filter(earn_categories::occurred_at.ge(since))
        .group_by(earn_categories::category_id)
        // SUM of a BIGINT is NUMERIC on PostgreSQL: cast back, on both backends.
        .select((
            earn_categories::category_id,
            diesel::dsl::sql::<diesel::sql_types::Nullable<diesel::sql_types::BigInt>>(
                "CAST(SUM(earn_categories.amount_minor) AS BIGINT)",
            ),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(c, amount)| (c, amount.unwrap_or(0)))
        .collect())
}

/// Members who earned anywhere since `since`.
pub fn members_who_shopped(conn: &mut DbConn, since: NaiveDateTime) -> QueryResult<i64> {
    earns::table
        .filter(earns::occurred_at.ge(since))
        .select(count(earns::member_id).aggregate_distinct())
        .first(conn)
}

/// Members who bought in one of `categories` since `since`.
pub fn members_in_categories(
    conn: &mut DbConn,
    categories: &[CategoryId],
    since: NaiveDateTime,
) -> QueryResult<i64> {
    earn_categories::table
        .filter(
            earn_categories::category_id
                .eq_any(categories.iter().map(|c| c.get()).collect::<Vec<i64>>()),
        )
        .filter(earn_categories::occurred_at.ge(since))
        .select(count(earn_categories::member_id).aggregate_distinct())
        .first(conn)
}

/// Per partner: members who earned there since `since`.
pub fn members_per_partner(
    conn: &mut DbConn,
    since: NaiveDateTime,
) -> QueryResult<Vec<(PartnerId, i64)>> {
    earns::table
        .filter(earns::occurred_at.ge(since))
        .group_by(earns::partner_id)
        .select((
            earns::partner_id,
            count(earns::member_id).aggregate_distinct(),
        ))
        .load(conn)
}

/// Per partner: members who earned there since `since` and bought in one of `categories` at
/// another partner since then (what they buy at the partner itself says nothing about
/// shopping across the network).
pub fn members_per_partner_in_categories(
    conn: &mut DbConn,
    categories: &[CategoryId],
    since: NaiveDateTime,
) -> QueryResult<Vec<(PartnerId, i64)>> {
    let ids: Vec<i64> = categories.iter().map(|c| c.get()).collect();
    earns::table
        .inner_join(
            earn_categories::table.on(earn_categories::member_id
                .eq(earns::member_id)
                .and(earn_categories::partner_id.ne(earns::partner_id))),
        )
        .filter(earns::occurred_at.ge(since))
        .filter(earn_categories::occurred_at.ge(since))
        .filter(earn_categories::category_id.eq_any(ids))
        .group_by(earns::partner_id)
        .select((
            earns::partner_id,
            count(earns::member_id).aggregate_distinct(),
        ))
        .load(conn)
}
