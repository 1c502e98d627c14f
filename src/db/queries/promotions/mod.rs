//! Promotions: their definitions and target lists, their budgets split into rows, the bonuses
//! given, and what a rule needs to know of a member (purchases at a partner, segment).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use crate::db::schema::{earns, promotion_budgets, promotion_members, promotions, rfm_scores};
use crate::db::DbConn;

mod budgets;
mod grants;
pub mod referrals;
use crate::domain::ids::{MemberId, PartnerId, PromotionId};

/// A promotion as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = promotions)]
pub struct PromotionRow {
    pub id: PromotionId,
    pub partner_id: Option<PartnerId>,
    pub name: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub target_kind: String,
    pub target_value: Option<String>,
    pub rule_kind: String,
    pub multiplier_bp: Option<i64>,
    pub bonus_points: Option<i64>,
    pub rule_param: Option<i64>,
    pub priority: i64,
    pub exclusive: bool,
    pub budget_points: Option<i64>,
    pub per_member_cap: Option<i64>,
    pub created_at: NaiveDateTime,
}

/// A promotion to create.
#[derive(Debug, Insertable)]
#[diesel(table_name = promotions)]
pub struct NewPromotion<'a> {
    pub partner_id: Option<PartnerId>,
    pub name: &'a str,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub target_kind: &'a str,
    pub target_value: Option<&'a str>,
    pub rule_kind: &'a str,
    pub multiplier_bp: Option<i64>,
    pub bonus_points: Option<i64>,
    pub rule_param: Option<i64>,
    pub priority: i64,
    pub exclusive: bool,
    pub budget_points: Option<i64>,
    pub per_member_cap: Option<i64>,
    pub created_at: NaiveDateTime,
}

/// Creates a promotion with its target list and its budget rows.
pub fn insert(
    conn: &mut DbConn,
    new: &NewPromotion<'_>,
    members: &[MemberId],
    shards: &[i64],
) -> QueryResult<PromotionId> {
    let id: PromotionId = diesel::insert_into(promotions::table)
        .values(new)
        .returning(promotions::id)
        .get_result(conn)?;
    for member_id in members {
        diesel::insert_into(promotion_members::table)
            .values((
                promotion_members::promotion_id.eq(id),
                promotion_members::member_id.eq(member_id),
            ))
            .execute(conn)?;
    }
    for (shard, remaining) in (0_i64..).zip(shards) {
        diesel::insert_into(promotion_budgets::table)
            .values((
                promotion_budgets::promotion_id.eq(id),
                promotion_budgets::shard.eq(shard),
                promotion_budgets::remaining.eq(remaining),
            ))
            .execute(conn)?;
    }
    Ok(id)
}

/// A promotion by id, if `partner_id` runs it (None: the operator's own, or any for the
/// operator's reads with `any`).
pub fn find(
    conn: &mut DbConn,
    id: PromotionId,
    owner: Option<Option<PartnerId>>,
) -> QueryResult<Option<PromotionRow>> {
    let mut q = promotions::table
        .find(id)
        .select(PromotionRow::as_select())
        .into_boxed();
    match owner {
        Some(Some(p)) => q = q.filter(promotions::partner_id.eq(p)),
        Some(None) => q = q.filter(promotions::partner_id.is_null()),
        None => {}
    }
    q.first(conn).optional()
}

/// Promotions newest first: a partner's own (Some(Some)), the operator's (Some(None)) or all
/// (None); at most `limit`.
pub fn list(
    conn: &mut DbConn,
    owner: Option<Option<PartnerId>>,
    limit: i64,
) -> QueryResult<Vec<PromotionRow>> {
    let mut q = promotions::table
        .select(PromotionRow::as_select())
        .order(promotions::id.desc())
        .limit(limit)
        .into_boxed();
    match owner {
        Some(Some(p)) => q = q.filter(promotions::partner_id.eq(p)),
        Some(None) => q = q.filter(promotions::partner_id.is_null()),
        None => {}
    }
    q.load(conn)
}

/// The promotions running at `at` that may apply at `partner_id`: its own and the operator's,
/// of rule kind `kind` (None: the sale rules), in stacking order.
pub fn running(
    conn: &mut DbConn,
    partner_id: Option<PartnerId>,
    at: NaiveDateTime,
    kind: Option<&str>,
) -> QueryResult<Vec<PromotionRow>> {
    let mut q = promotions::table
        .filter(promotions::starts_at.le(at))
        .filter(promotions::ends_at.gt(at))
        .select(PromotionRow::as_select())
        .order((promotions::priority.asc(), promotions::id.asc()))
        .into_boxed();
    q = match partner_id {
        Some(p) => q.filter(
            promotions::partner_id
                .eq(p)
                .or(promotions::partner_id.is_null()),
        ),
        None => q.filter(promotions::partner_id.is_null()),
    };
    q = match kind {
        Some(kind) => q.filter(promotions::rule_kind.eq(kind)),
        None => q.filter(promotions::rule_kind.ne_all(["welcome", "referral"])),
    };
    q.load(conn)
}

/// Promotions running at `now` that end before `until`, for `partner_id` (its own and the
/// operator's), soonest first.
pub fn ending(
    conn: &mut DbConn,
    partner_id: PartnerId,
    now: NaiveDateTime,
    until: NaiveDateTime,
) -> QueryResult<Vec<PromotionRow>> {
    promotions::table
        .filter(promotions::starts_at.le(now))
        .filter(promotions::ends_at.gt(now))
        .filter(promotions::ends_at.le(until))
        .filter(
            promotions::partner_id
                .eq(partner_id)
                .or(promotions::partner_id.is_null()),
        )
        .select(PromotionRow::as_select())
        .order((promotions::ends_at.asc(), promotions::id.asc()))
        .limit(100)
        .load(conn)
}

/// Ends a promotion at `at` if it ends later (a promotion ended before its start keeps an
/// empty window); the rows changed.
pub fn end_at(conn: &mut DbConn, id: PromotionId, at: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        promotions::table
            .find(id)
            .filter(promotions::ends_at.gt(at)),
    )
    .set(promotions::ends_at.eq(at))
    .execute(conn)
}

/// Whether the member is on the promotion's list.
pub fn listed(conn: &mut DbConn, id: PromotionId, member_id: MemberId) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        promotion_members::table
            .filter(promotion_members::promotion_id.eq(id))
            .filter(promotion_members::member_id.eq(member_id)),
    ))
    .get_result(conn)
}

/// How many members the promotion's list holds.
pub fn list_size(conn: &mut DbConn, id: PromotionId) -> QueryResult<i64> {
    promotion_members::table
        .filter(promotion_members::promotion_id.eq(id))
        .count()
        .get_result(conn)
}

/// The member's segment in a scope (partner id, 0 for the network), if scored.
pub fn segment_of(
    conn: &mut DbConn,
    scope: PartnerId,
    member_id: MemberId,
) -> QueryResult<Option<String>> {
    rfm_scores::table
        .filter(rfm_scores::scope_partner_id.eq(scope))
        .filter(rfm_scores::member_id.eq(member_id))
        .select(rfm_scores::segment)
        .first(conn)
        .optional()
}

/// The member's purchases (earns) at a partner from `since` (inclusive).
pub fn purchases_since(
    conn: &mut DbConn,
    member_id: MemberId,
    partner_id: PartnerId,
    since: NaiveDateTime,
) -> QueryResult<i64> {
    earns::table
        .filter(earns::member_id.eq(member_id))
        .filter(earns::partner_id.eq(partner_id))
        .filter(earns::occurred_at.ge(since))
        .count()
        .get_result(conn)
}

#[derive(QueryableByName)]
pub(super) struct Sum {
    #[diesel(sql_type = BigInt)]
    pub(super) total: i64,
}

/// Bonus points the member received from the promotion, net of claw-backs.
pub fn granted_to(conn: &mut DbConn, id: PromotionId, member_id: MemberId) -> QueryResult<i64> {
    diesel::sql_query(
        "SELECT CAST(COALESCE(SUM(points - clawed_points), 0) AS BIGINT) AS total \
         FROM promotion_grants WHERE promotion_id = $1 AND member_id = $2",
    )
    .bind::<BigInt, _>(id)
    .bind::<BigInt, _>(member_id)
    .get_result::<Sum>(conn)
    .map(|s| s.total)
}

/// (bonus points given net of claw-backs, bonuses given) by a promotion.
pub fn granted_total(conn: &mut DbConn, id: PromotionId) -> QueryResult<(i64, i64)> {
    #[derive(QueryableByName)]
    struct Totals {
        #[diesel(sql_type = BigInt)]
        points: i64,
        #[diesel(sql_type = BigInt)]
        grants: i64,
    }
    diesel::sql_query(
        "SELECT CAST(COALESCE(SUM(points - clawed_points), 0) AS BIGINT) AS points, \
                CAST(COUNT(*) AS BIGINT) AS grants \
         FROM promotion_grants WHERE promotion_id = $1",
    )
    .bind::<BigInt, _>(id)
    .get_result::<Totals>(conn)
    .map(|t| (t.points, t.grants))
}

pub use budgets::{budget_left, give_back, lock_shard, shards_left, take_locked, take_whole};
pub use grants::{
    add_clawed, expiring, grants_of_earn, insert_grant, ExpiringRow, GrantRow, NewGrant,
};
