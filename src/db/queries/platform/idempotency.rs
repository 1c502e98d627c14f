//! Idempotency records: the answer stored under each partner's key.

use crate::domain::ids::PartnerId;
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::idempotency_keys;
use crate::db::DbConn;

/// A stored idempotent answer.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = idempotency_keys)]
pub struct IdempotencyRow {
    pub partner_id: PartnerId,
    pub idem_key: String,
    pub request_sha256: String,
    pub status_code: i32,
    pub response_body: String,
    pub created_at: NaiveDateTime,
}

/// Claims an idempotency key; false when it was claimed before.
pub fn claim_idempotency_key(
    conn: &mut DbConn,
    partner_id: PartnerId,
    key: &str,
    request_sha256: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let insert = diesel::insert_into(idempotency_keys::table).values((
        idempotency_keys::partner_id.eq(partner_id),
        idempotency_keys::idem_key.eq(key),
        idempotency_keys::request_sha256.eq(request_sha256),
        idempotency_keys::status_code.eq(0),
        idempotency_keys::response_body.eq(""),
        idempotency_keys::created_at.eq(now),
    ));
    // ON CONFLICT DO NOTHING: a key taken is an answer, not an error, so no savepoint is
    // needed around it (on PostgreSQL it waits for a concurrent claim to commit or roll back).
    // Written for each backend: the multi-backend connection has no ON CONFLICT.
    let target = (idempotency_keys::partner_id, idempotency_keys::idem_key);
    let inserted = match conn {
        DbConn::Pg(pg) => insert.on_conflict(target).do_nothing().execute(pg)?,
        DbConn::Sqlite(lite) => insert.on_conflict(target).do_nothing().execute(lite)?,
    };
    Ok(inserted == 1)
}

/// The stored record of a key.
pub fn idempotency_record(
    conn: &mut DbConn,
    partner_id: PartnerId,
    key: &str,
) -> QueryResult<Option<IdempotencyRow>> {
    idempotency_keys::table
        .filter(idempotency_keys::partner_id.eq(partner_id))
        .filter(idempotency_keys::idem_key.eq(key))
        .select(IdempotencyRow::as_select())
        .first(conn)
        .optional()
}

/// Stores the answer given under a key.
pub fn store_idempotent_answer(
    conn: &mut DbConn,
    partner_id: PartnerId,
    key: &str,
    status_code: i32,
    body: &str,
) -> QueryResult<usize> {
    diesel::update(
        idempotency_keys::table
            .filter(idempotency_keys::partner_id.eq(partner_id))
            .filter(idempotency_keys::idem_key.eq(key)),
    )
    .set((
        idempotency_keys::status_code.eq(status_code),
        idempotency_keys::response_body.eq(body),
    ))
    .execute(conn)
}
