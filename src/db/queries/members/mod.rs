//! Members, their links to partners, sessions and one-time codes.

use crate::domain::ids::{MemberId, PartnerId};
use crate::domain::money::Points;
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{member_links, member_sessions, members, redemption_codes};
use crate::db::DbConn;

/// A member row. The balances are the member's wallet accounts, kept equal to the sum of their
/// postings by `service::ledger::post_entry`, the only writer.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = members)]
pub struct Member {
    pub id: MemberId,
    pub member_number: String,
    pub email: Option<String>,
    pub password_hash: Option<String>,
    pub display_name: Option<String>,
    pub created_at: NaiveDateTime,
    pub last_activity_at: NaiveDateTime,
    pub available_points: Points,
    pub pending_points: Points,
    pub held_points: Points,
    pub chain_head: String,
    pub lock_version: i64,
    pub code_failures: i64,
    pub code_locked_until: Option<NaiveDateTime>,
}

/// A member to create.
#[derive(Debug, Insertable)]
#[diesel(table_name = members)]
pub struct NewMember<'a> {
    pub member_number: &'a str,
    pub email: Option<&'a str>,
    pub password_hash: Option<&'a str>,
    pub display_name: Option<&'a str>,
    pub created_at: NaiveDateTime,
    pub last_activity_at: NaiveDateTime,
    pub available_points: Points,
    pub pending_points: Points,
    pub held_points: Points,
    pub chain_head: &'a str,
    pub lock_version: i64,
    pub code_failures: i64,
}

/// Inserts a member; a unique violation (number or email taken) is returned as is.
pub fn insert(conn: &mut DbConn, new: &NewMember<'_>) -> QueryResult<MemberId> {
    diesel::insert_into(members::table)
        .values(new)
        .returning(members::id)
        .get_result(conn)
}

/// The member with this number.
pub fn by_number(conn: &mut DbConn, number: &str) -> QueryResult<Option<Member>> {
    members::table
        .filter(members::member_number.eq(number))
        .select(Member::as_select())
        .first(conn)
        .optional()
}

/// The member with this number, if linked to this partner (one query for both).
pub fn linked_by_number(
    conn: &mut DbConn,
    partner_id: PartnerId,
    number: &str,
) -> QueryResult<Option<Member>> {
    members::table
        .inner_join(member_links::table)
        .filter(members::member_number.eq(number))
        .filter(member_links::partner_id.eq(partner_id))
        .select(Member::as_select())
        .first(conn)
        .optional()
}

/// The member with this email.
pub fn by_email(conn: &mut DbConn, email: &str) -> QueryResult<Option<Member>> {
    members::table
        .filter(members::email.eq(email))
        .select(Member::as_select())
        .first(conn)
        .optional()
}

/// The member with this id.
pub fn by_id(conn: &mut DbConn, id: MemberId) -> QueryResult<Member> {
    members::table
        .find(id)
        .select(Member::as_select())
        .first(conn)
}

/// Locks the member row for the rest of the transaction (an update of its lock version: `SELECT ... FOR UPDATE`
/// does not exist on SQLite, where the write transaction is the lock) and returns it fresh.
pub fn lock(conn: &mut DbConn, id: MemberId) -> QueryResult<Member> {
    let update = diesel::update(members::table.find(id))
        .set(members::lock_version.eq(members::lock_version + 1));
    // One round trip (RETURNING), written for each backend: the multi-backend connection has
    // no RETURNING.
    match conn {
        DbConn::Pg(pg) => update.returning(Member::as_returning()).get_result(pg),
        DbConn::Sqlite(lite) => update.returning(Member::as_returning()).get_result(lite),
    }
}

/// Writes the balances and chain head computed by a journal entry. The filter repeats the
/// expected lock version, so a write based on a stale read changes nothing (and fails loudly).
pub fn write_balances(conn: &mut DbConn, m: &Member) -> QueryResult<usize> {
    diesel::update(
        members::table
            .find(m.id)
            .filter(members::lock_version.eq(m.lock_version)),
    )
    .set((
        members::available_points.eq(m.available_points),
        members::pending_points.eq(m.pending_points),
        members::held_points.eq(m.held_points),
        members::chain_head.eq(&m.chain_head),
        members::last_activity_at.eq(m.last_activity_at),
    ))
    .execute(conn)
}

/// Records the outcome of a one-time code check.
pub fn set_code_failures(
    conn: &mut DbConn,
    id: MemberId,
    failures: i64,
    locked_until: Option<NaiveDateTime>,
) -> QueryResult<usize> {
    diesel::update(members::table.find(id))
        .set((
            members::code_failures.eq(failures),
            members::code_locked_until.eq(locked_until),
        ))
        .execute(conn)
}

/// Ids of members that have lots or holds due for maturation, expiry or release at `now`
/// (or, under the inactivity policy, points left after `inactive_before`), after `after_id`,
/// at most `limit`, in increasing order: the background job's work list.
pub fn ids_with_due_work(
    conn: &mut DbConn,
    now: NaiveDateTime,
    inactive_before: Option<NaiveDateTime>,
    after_id: MemberId,
    limit: i64,
) -> QueryResult<Vec<MemberId>> {
    use crate::db::schema::{lots, redemptions};
    let mut ids: Vec<MemberId> = lots::table
        .filter(lots::member_id.gt(after_id))
        .filter(lots::remaining.gt(0))
        .filter(
            lots::matured
                .eq(false)
                .and(lots::available_at.le(now))
                .or(lots::expires_at.le(now)),
        )
        .select(lots::member_id)
        .distinct()
        .order(lots::member_id.asc())
        .limit(limit)
        .load(conn)?;
    let holds: Vec<MemberId> = redemptions::table
        .filter(redemptions::member_id.gt(after_id))
        .filter(redemptions::status.eq("authorized"))
        .filter(redemptions::expires_at.le(now))
        .select(redemptions::member_id)
        .distinct()
        .order(redemptions::member_id.asc())
        .limit(limit)
        .load(conn)?;
    ids.extend(holds);
    if let Some(before) = inactive_before {
        let inactive: Vec<MemberId> = members::table
            .filter(members::id.gt(after_id))
            .filter(members::last_activity_at.le(before))
            .filter(
                members::id.eq_any(
                    lots::table
                        .filter(lots::remaining.gt(0))
                        .filter(lots::asset.eq(crate::domain::ledger::PTS))
                        .select(lots::member_id),
                ),
            )
            .select(members::id)
            .order(members::id.asc())
            .limit(limit)
            .load(conn)?;
        ids.extend(inactive);
    }
    ids.sort_unstable();
    ids.dedup();
    ids.truncate(usize::try_from(limit).unwrap_or(0));
    Ok(ids)
}

/// A link between a partner and a member.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = member_links)]
pub struct Link {
    pub id: i64,
    pub partner_id: PartnerId,
    pub member_id: MemberId,
    pub customer_ref: Option<String>,
    pub linked_at: NaiveDateTime,
}

/// Links a member to a partner; a unique violation means the link or the reference exists.
pub fn insert_link(
    conn: &mut DbConn,
    partner_id: PartnerId,
    member_id: MemberId,
    customer_ref: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(member_links::table)
        .values((
            member_links::partner_id.eq(partner_id),
            member_links::member_id.eq(member_id),
            member_links::customer_ref.eq(customer_ref),
            member_links::linked_at.eq(now),
        ))
        .execute(conn)
}

/// The link of this member to this partner, if any.
pub fn link(
    conn: &mut DbConn,
    partner_id: PartnerId,
    member_id: MemberId,
) -> QueryResult<Option<Link>> {
    member_links::table
        .filter(member_links::partner_id.eq(partner_id))
        .filter(member_links::member_id.eq(member_id))
        .select(Link::as_select())
        .first(conn)
        .optional()
}

/// Stores a member session (only the token's hash).
pub fn insert_session(
    conn: &mut DbConn,
    member_id: MemberId,
    token_sha256: &str,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(member_sessions::table)
        .values((
            member_sessions::member_id.eq(member_id),
            member_sessions::token_sha256.eq(token_sha256),
            member_sessions::created_at.eq(now),
            member_sessions::expires_at.eq(expires_at),
        ))
        .execute(conn)
}

/// The member of a live session token hash.
pub fn session_member(
    conn: &mut DbConn,
    token_sha256: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<MemberId>> {
    member_sessions::table
        .filter(member_sessions::token_sha256.eq(token_sha256))
        .filter(member_sessions::expires_at.gt(now))
        .select(member_sessions::member_id)
        .first(conn)
        .optional()
}

/// Deletes a session (signing out); the number of sessions deleted.
pub fn delete_session(conn: &mut DbConn, token_sha256: &str) -> QueryResult<usize> {
    diesel::delete(member_sessions::table.filter(member_sessions::token_sha256.eq(token_sha256)))
        .execute(conn)
}

/// Stores a one-time code (only its hash).
pub fn insert_code(
    conn: &mut DbConn,
    member_id: MemberId,
    code_sha256: &str,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(redemption_codes::table)
        .values((
            redemption_codes::member_id.eq(member_id),
            redemption_codes::code_sha256.eq(code_sha256),
            redemption_codes::created_at.eq(now),
            redemption_codes::expires_at.eq(expires_at),
        ))
        .execute(conn)
}

/// How many unused, unexpired codes the member holds.
pub fn active_code_count(
    conn: &mut DbConn,
    member_id: MemberId,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    redemption_codes::table
        .filter(redemption_codes::member_id.eq(member_id))
        .filter(redemption_codes::used_at.is_null())
        .filter(redemption_codes::expires_at.gt(now))
        .count()
        .get_result(conn)
}

/// Marks the member's live code with this hash as used; false when there is none.
pub fn use_code(
    conn: &mut DbConn,
    member_id: MemberId,
    code_sha256: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let id: Option<i64> = redemption_codes::table
        .filter(redemption_codes::member_id.eq(member_id))
        .filter(redemption_codes::code_sha256.eq(code_sha256))
        .filter(redemption_codes::used_at.is_null())
        .filter(redemption_codes::expires_at.gt(now))
        .select(redemption_codes::id)
        .first(conn)
        .optional()?;
    let Some(id) = id else { return Ok(false) };
    let updated = diesel::update(
        redemption_codes::table
            .find(id)
            .filter(redemption_codes::used_at.is_null()),
    )
    .set(redemption_codes::used_at.eq(now))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Member ids after `after_id`, at most `limit` (verification walks every member).
pub fn id_page(conn: &mut DbConn, after_id: MemberId, limit: i64) -> QueryResult<Vec<MemberId>> {
    members::table
        .filter(members::id.gt(after_id))
        .order(members::id.asc())
        .limit(limit)
        .select(members::id)
        .load(conn)
}
