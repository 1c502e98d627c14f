//! Tiers: the network's table and window, each member's tier and its changes, and the
//! qualifying spend.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Timestamp};

use crate::db::schema::{member_tiers, tier_changes, tier_purchases, tier_settings, tiers};
use crate::db::DbConn;
use crate::domain::ids::{EntryId, MemberId, PartnerId};

/// A tier as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = tiers)]
pub struct TierRow {
    pub code: String,
    pub tier_rank: i64,
    pub name_fr: String,
    pub name_en: String,
    pub threshold_minor: i64,
    pub multiplier_bp: i64,
    pub price_minor: Option<i64>,
    pub paid_months: Option<i64>,
    pub fee_to: Option<String>,
}

/// The tier table, by rank.
pub fn table(conn: &mut DbConn) -> QueryResult<Vec<TierRow>> {
    tiers::table
        .order(tiers::tier_rank.asc())
        .select(TierRow::as_select())
        .load(conn)
}

/// (window in months, grace in days).
pub fn settings(conn: &mut DbConn) -> QueryResult<(i64, i64)> {
    tier_settings::table
        .find(1_i64)
        .select((tier_settings::window_months, tier_settings::grace_days))
        .first(conn)
}

/// (window in months, grace in days, what members qualify on) in one query.
pub fn all_settings(conn: &mut DbConn) -> QueryResult<(i64, i64, String)> {
    tier_settings::table
        .find(1_i64)
        .select((
            tier_settings::window_months,
            tier_settings::grace_days,
            tier_settings::qualify_on,
        ))
        .first(conn)
}

/// Whether members qualify on `spend` or on `points` earned.
pub fn qualify_on(conn: &mut DbConn) -> QueryResult<String> {
    tier_settings::table
        .find(1_i64)
        .select(tier_settings::qualify_on)
        .first(conn)
}

/// Replaces the tier table and the window.
pub fn replace(
    conn: &mut DbConn,
    rows: &[TierRow],
    (window_months, grace_days, qualify_on): (i64, i64, &str),
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::delete(tiers::table).execute(conn)?;
    for row in rows {
        diesel::insert_into(tiers::table)
            .values(row)
            .execute(conn)?;
    }
    diesel::update(tier_settings::table.find(1_i64))
        .set((
            tier_settings::window_months.eq(window_months),
            tier_settings::grace_days.eq(grace_days),
            tier_settings::qualify_on.eq(qualify_on),
            tier_settings::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Forgets members' tiers whose code is no longer in the table.
pub fn forget_removed_tiers(conn: &mut DbConn) -> QueryResult<usize> {
    let codes: Vec<String> = tiers::table.select(tiers::code).load(conn)?;
    diesel::delete(member_tiers::table.filter(member_tiers::tier_code.ne_all(codes))).execute(conn)
}

/// A member's tier as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = member_tiers)]
pub struct MemberTierRow {
    pub member_id: MemberId,
    pub tier_code: String,
    pub since: NaiveDateTime,
    pub below_since: Option<NaiveDateTime>,
}

/// The member's stored tier (none: the base tier).
pub fn member_tier(conn: &mut DbConn, member_id: MemberId) -> QueryResult<Option<MemberTierRow>> {
    member_tiers::table
        .find(member_id)
        .select(MemberTierRow::as_select())
        .first(conn)
        .optional()
}

/// Writes the member's tier (called under the member's row lock).
pub fn write_member_tier(conn: &mut DbConn, row: &MemberTierRow) -> QueryResult<usize> {
    let updated = diesel::update(member_tiers::table.find(row.member_id))
        .set((
            member_tiers::tier_code.eq(&row.tier_code),
            member_tiers::since.eq(row.since),
            member_tiers::below_since.eq(row.below_since),
        ))
        .execute(conn)?;
    if updated == 1 {
        return Ok(1);
    }
    diesel::insert_into(member_tiers::table)
        .values(row)
        .execute(conn)
}

/// Records a change of tier.
pub fn insert_change(
    conn: &mut DbConn,
    member_id: MemberId,
    (from, to): (&str, &str),
    qualifying_minor: i64,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(tier_changes::table)
        .values((
            tier_changes::member_id.eq(member_id),
            tier_changes::from_tier.eq(from),
            tier_changes::to_tier.eq(to),
            tier_changes::qualifying_minor.eq(qualifying_minor),
            tier_changes::changed_at.eq(at),
        ))
        .execute(conn)
}

/// The member's latest changes, newest first: (from, to, qualifying spend, when).
pub fn changes(
    conn: &mut DbConn,
    member_id: MemberId,
    limit: i64,
) -> QueryResult<Vec<(String, String, i64, NaiveDateTime)>> {
    tier_changes::table
        .filter(tier_changes::member_id.eq(member_id))
        .order(tier_changes::id.desc())
        .limit(limit)
        .select((
            tier_changes::from_tier,
            tier_changes::to_tier,
            tier_changes::qualifying_minor,
            tier_changes::changed_at,
        ))
        .load(conn)
}

#[derive(QueryableByName)]
struct Spend {
    #[diesel(sql_type = BigInt)]
    spend: i64,
}

/// The member's spend at every partner since `since`, net of refunds, or with `points` the
/// points their sales earned, net of claw-backs (the CAST keeps PostgreSQL's NUMERIC sum a
/// BIGINT).
pub fn qualifying_spend(
    conn: &mut DbConn,
    member_id: MemberId,
    since: NaiveDateTime,
    points: bool,
) -> QueryResult<i64> {
    diesel::sql_query(if points {
        "SELECT CAST(COALESCE(SUM(points - clawed_points), 0) AS BIGINT) AS spend \
         FROM earns WHERE member_id = $1 AND occurred_at >= $2"
    } else {
        "SELECT CAST(COALESCE(SUM(amount_minor - refunded_minor), 0) AS BIGINT) AS spend \
         FROM earns WHERE member_id = $1 AND occurred_at >= $2"
    })
    .bind::<BigInt, _>(member_id)
    .bind::<Timestamp, _>(since)
    .get_result::<Spend>(conn)
    .map(|s| s.spend)
}

/// Members with a stored tier other than `base`, after `after`, by id.
pub fn members_above(
    conn: &mut DbConn,
    base: &str,
    after: MemberId,
    limit: i64,
) -> QueryResult<Vec<MemberId>> {
    member_tiers::table
        .filter(member_tiers::tier_code.ne(base))
        .filter(member_tiers::member_id.gt(after))
        .order(member_tiers::member_id.asc())
        .limit(limit)
        .select(member_tiers::member_id)
        .load(conn)
}

/// Every member's qualifying figure since `since` (spend, or points with `points`), those
/// above zero: what a threshold suggestion reads.
pub fn all_qualifying(
    conn: &mut DbConn,
    since: NaiveDateTime,
    points: bool,
) -> QueryResult<Vec<i64>> {
    let rows: Vec<Spend> = diesel::sql_query(if points {
        "SELECT CAST(SUM(points - clawed_points) AS BIGINT) AS spend FROM earns \
         WHERE occurred_at >= $1 GROUP BY member_id HAVING SUM(points - clawed_points) > 0"
    } else {
        "SELECT CAST(SUM(amount_minor - refunded_minor) AS BIGINT) AS spend FROM earns \
         WHERE occurred_at >= $1 GROUP BY member_id HAVING SUM(amount_minor - refunded_minor) > 0"
    })
    .bind::<Timestamp, _>(since)
    .load(conn)?;
    Ok(rows.into_iter().map(|s| s.spend).collect())
}

/// A paid tier bought.
#[derive(Debug, Insertable)]
#[diesel(table_name = tier_purchases)]
pub struct NewPurchase<'a> {
    pub member_id: MemberId,
    pub partner_id: PartnerId,
    pub tier_code: &'a str,
    pub order_id: &'a str,
    pub amount_minor: i64,
    pub fee_to: &'a str,
    pub purchased_at: NaiveDateTime,
    pub paid_until: NaiveDateTime,
    pub entry_id: EntryId,
}

/// Records a purchase (a unique violation: the order was used).
pub fn insert_purchase(conn: &mut DbConn, p: &NewPurchase<'_>) -> QueryResult<usize> {
    diesel::insert_into(tier_purchases::table)
        .values(p)
        .execute(conn)
}

/// The member's paid tiers running at `now`: (tier code, paid until), latest end first.
pub fn paid_tiers(
    conn: &mut DbConn,
    member_id: MemberId,
    now: NaiveDateTime,
) -> QueryResult<Vec<(String, NaiveDateTime)>> {
    tier_purchases::table
        .filter(tier_purchases::member_id.eq(member_id))
        .filter(tier_purchases::paid_until.gt(now))
        .order(tier_purchases::paid_until.desc())
        .select((tier_purchases::tier_code, tier_purchases::paid_until))
        .load(conn)
}

/// The member's paid tiers bought from `partner_id` running at `now`: (tier code, paid until).
pub fn paid_tiers_from(
    conn: &mut DbConn,
    member_id: MemberId,
    partner_id: PartnerId,
    now: NaiveDateTime,
) -> QueryResult<Vec<(String, NaiveDateTime)>> {
    tier_purchases::table
        .filter(tier_purchases::member_id.eq(member_id))
        .filter(tier_purchases::partner_id.eq(partner_id))
        .filter(tier_purchases::paid_until.gt(now))
        .select((tier_purchases::tier_code, tier_purchases::paid_until))
        .load(conn)
}

/// Tier codes with a paid purchase running at `now`.
pub fn codes_with_running_purchases(
    conn: &mut DbConn,
    now: NaiveDateTime,
) -> QueryResult<Vec<String>> {
    tier_purchases::table
        .filter(tier_purchases::paid_until.gt(now))
        .select(tier_purchases::tier_code)
        .distinct()
        .load(conn)
}

/// The paid-tier fees owed to the operator by each seller for purchases in `[start, end)`.
pub fn fees_owed(
    conn: &mut DbConn,
    start: NaiveDateTime,
    end: NaiveDateTime,
) -> QueryResult<Vec<(PartnerId, i64)>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = BigInt)]
        partner_id: PartnerId,
        #[diesel(sql_type = BigInt)]
        fees: i64,
    }
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT partner_id, CAST(SUM(amount_minor) AS BIGINT) AS fees FROM tier_purchases \
         WHERE fee_to = 'operator' AND purchased_at >= $1 AND purchased_at < $2 \
         GROUP BY partner_id",
    )
    .bind::<Timestamp, _>(start)
    .bind::<Timestamp, _>(end)
    .load(conn)?;
    Ok(rows.into_iter().map(|r| (r.partner_id, r.fees)).collect())
}
