//! Partners, their contracts (append-only: a change is a new row in force from a date), and their
//! API keys.

use crate::domain::ids::PartnerId;
use crate::domain::money::{MoneyMinor, PriceMicros};
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{partner_contracts, partner_keys, partners};
use crate::db::DbConn;

/// A partner.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = partners)]
pub struct PartnerRow {
    pub id: PartnerId,
    pub slug: String,
    pub name: String,
    pub universe: String,
    pub status: String,
    pub created_at: NaiveDateTime,
}

/// A contract version.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = partner_contracts)]
pub struct ContractRow {
    pub id: i64,
    pub partner_id: PartnerId,
    pub effective_from: NaiveDateTime,
    pub currency: String,
    pub earn_rate_bp: i64,
    pub issuance_price_micros: PriceMicros,
    pub redemption_price_micros: PriceMicros,
    pub return_window_days: i64,
    pub created_at: NaiveDateTime,
    pub period_fee_minor: MoneyMinor,
}

/// A contract version to add.
#[derive(Debug, Insertable)]
#[diesel(table_name = partner_contracts)]
pub struct NewContract<'a> {
    pub partner_id: PartnerId,
    pub effective_from: NaiveDateTime,
    pub currency: &'a str,
    pub earn_rate_bp: i64,
    pub issuance_price_micros: PriceMicros,
    pub redemption_price_micros: PriceMicros,
    pub return_window_days: i64,
    pub period_fee_minor: MoneyMinor,
    pub created_at: NaiveDateTime,
}

/// Creates a partner; a unique violation means the slug is taken.
pub fn insert_partner(
    conn: &mut DbConn,
    slug: &str,
    name: &str,
    universe: &str,
    status: &str,
    now: NaiveDateTime,
) -> QueryResult<PartnerId> {
    diesel::insert_into(partners::table)
        .values((
            partners::slug.eq(slug),
            partners::name.eq(name),
            partners::universe.eq(universe),
            partners::status.eq(status),
            partners::created_at.eq(now),
        ))
        .returning(partners::id)
        .get_result(conn)
}

/// A partner by id.
pub fn partner(conn: &mut DbConn, id: PartnerId) -> QueryResult<Option<PartnerRow>> {
    partners::table
        .find(id)
        .select(PartnerRow::as_select())
        .first(conn)
        .optional()
}

/// Partners after `after_id`, at most `limit`.
pub fn partner_page(
    conn: &mut DbConn,
    after_id: PartnerId,
    limit: i64,
) -> QueryResult<Vec<PartnerRow>> {
    partners::table
        .filter(partners::id.gt(after_id))
        .order(partners::id.asc())
        .limit(limit)
        .select(PartnerRow::as_select())
        .load(conn)
}

/// Every partner in id order, read page by page (settlement and the liability view need them
/// all; a network has hundreds, not millions).
pub fn all_partners(conn: &mut DbConn) -> QueryResult<Vec<PartnerRow>> {
    let mut all = Vec::new();
    loop {
        let after = all
            .last()
            .map_or(PartnerId::default(), |p: &PartnerRow| p.id);
        let page = partner_page(conn, after, 500)?;
        if page.is_empty() {
            return Ok(all);
        }
        all.extend(page);
    }
}

/// Locks a partner's row for the rest of the transaction (an update of its own status, the
/// portable row lock on both backends), so that checks on its keys and their change queue.
pub fn lock_partner(conn: &mut DbConn, id: PartnerId) -> QueryResult<usize> {
    diesel::update(partners::table.find(id))
        .set(partners::status.eq(partners::status))
        .execute(conn)
}

/// Sets a partner's status.
pub fn set_partner_status(conn: &mut DbConn, id: PartnerId, status: &str) -> QueryResult<usize> {
    diesel::update(partners::table.find(id))
        .set(partners::status.eq(status))
        .execute(conn)
}

/// Adds a contract version.
pub fn insert_contract(conn: &mut DbConn, c: &NewContract<'_>) -> QueryResult<i64> {
    diesel::insert_into(partner_contracts::table)
        .values(c)
        .returning(partner_contracts::id)
        .get_result(conn)
}

/// The contract in force at `at`: the latest version effective at or before it.
pub fn contract_at(
    conn: &mut DbConn,
    partner_id: PartnerId,
    at: NaiveDateTime,
) -> QueryResult<Option<ContractRow>> {
    partner_contracts::table
        .filter(partner_contracts::partner_id.eq(partner_id))
        .filter(partner_contracts::effective_from.le(at))
        .order((
            partner_contracts::effective_from.desc(),
            partner_contracts::id.desc(),
        ))
        .select(ContractRow::as_select())
        .first(conn)
        .optional()
}

/// Every contract version of a partner, oldest first.
pub fn contracts(conn: &mut DbConn, partner_id: PartnerId) -> QueryResult<Vec<ContractRow>> {
    partner_contracts::table
        .filter(partner_contracts::partner_id.eq(partner_id))
        .order((
            partner_contracts::effective_from.asc(),
            partner_contracts::id.asc(),
        ))
        .select(ContractRow::as_select())
        .load(conn)
}

/// An API key of a partner (the secret stays sealed).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = partner_keys)]
pub struct KeyRow {
    pub id: i64,
    pub partner_id: PartnerId,
    pub key_id: String,
    pub secret_sealed: String,
    pub created_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

/// Stores a new key.
pub fn insert_key(
    conn: &mut DbConn,
    partner_id: PartnerId,
    key_id: &str,
    secret_sealed: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(partner_keys::table)
        .values((
            partner_keys::partner_id.eq(partner_id),
            partner_keys::key_id.eq(key_id),
            partner_keys::secret_sealed.eq(secret_sealed),
            partner_keys::created_at.eq(now),
        ))
        .execute(conn)
}

/// A partner's keys, oldest first.
pub fn keys(conn: &mut DbConn, partner_id: PartnerId) -> QueryResult<Vec<KeyRow>> {
    partner_keys::table
        .filter(partner_keys::partner_id.eq(partner_id))
        .order(partner_keys::id.asc())
        .select(KeyRow::as_select())
        .load(conn)
}

/// An active (not revoked) key by its public id.
pub fn active_key(conn: &mut DbConn, key_id: &str) -> QueryResult<Option<KeyRow>> {
    partner_keys::table
        .filter(partner_keys::key_id.eq(key_id))
        .filter(partner_keys::revoked_at.is_null())
        .select(KeyRow::as_select())
        .first(conn)
        .optional()
}

/// An active key with its partner's status, in one query.
pub fn active_key_and_status(
    conn: &mut DbConn,
    key_id: &str,
) -> QueryResult<Option<(KeyRow, String)>> {
    partner_keys::table
        .inner_join(partners::table.on(partners::id.eq(partner_keys::partner_id)))
        .filter(partner_keys::key_id.eq(key_id))
        .filter(partner_keys::revoked_at.is_null())
        .select((KeyRow::as_select(), partners::status))
        .first(conn)
        .optional()
}

/// Revokes a partner's key; returns the rows changed (0 when unknown or already revoked).
pub fn revoke_key(
    conn: &mut DbConn,
    partner_id: PartnerId,
    key_id: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        partner_keys::table
            .filter(partner_keys::partner_id.eq(partner_id))
            .filter(partner_keys::key_id.eq(key_id))
            .filter(partner_keys::revoked_at.is_null()),
    )
    .set(partner_keys::revoked_at.eq(now))
    .execute(conn)
}
