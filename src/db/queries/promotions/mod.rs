//! Promotions: their definitions and target lists, their budgets split into rows, the bonuses
//! given, and what a rule needs to know of a member (purchases at a partner, segment).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use crate::db::schema::{
    earns, promotion_budgets, promotion_grants, promotion_members, promotions, rfm_scores,
};
use crate::db::DbConn;
use crate::domain::ids::{EarnId, EntryId, LotId, MemberId, PartnerId, PromotionId};

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
/// of the given rule kinds, in stacking order.
pub fn running(
    conn: &mut DbConn,
    partner_id: Option<PartnerId>,
    at: NaiveDateTime,
    welcome: bool,
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
    q = if welcome {
        q.filter(promotions::rule_kind.eq("welcome"))
    } else {
        q.filter(promotions::rule_kind.ne("welcome"))
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
    diesel::update(promotions::table.find(id).filter(promotions::ends_at.gt(at)))
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
struct Sum {
    #[diesel(sql_type = BigInt)]
    total: i64,
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

/// Takes `points` from a locked budget row.
pub fn take_locked(conn: &mut DbConn, id: PromotionId, shard: i64, points: i64) -> QueryResult<usize> {
    diesel::update(
        promotion_budgets::table
            .filter(promotion_budgets::promotion_id.eq(id))
            .filter(promotion_budgets::shard.eq(shard)),
    )
    .set(promotion_budgets::remaining.eq(promotion_budgets::remaining - points))
    .execute(conn)
}

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
}

/// The bonuses given on an earn, oldest first.
pub fn grants_of_earn(conn: &mut DbConn, earn_id: EarnId) -> QueryResult<Vec<GrantRow>> {
    promotion_grants::table
        .filter(promotion_grants::earn_id.eq(earn_id))
        .order(promotion_grants::id.asc())
        .select(GrantRow::as_select())
        .load(conn)
}

/// Adds a claw-back to a bonus.
pub fn add_clawed(conn: &mut DbConn, grant_id: i64, points: i64) -> QueryResult<usize> {
    diesel::update(
        promotion_grants::table
            .find(grant_id)
            .filter(promotion_grants::clawed_points.le(promotion_grants::points - points)),
    )
    .set(promotion_grants::clawed_points.eq(promotion_grants::clawed_points + points))
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
