//! What authentication stores: the nonces seen (replays are refused across instances) and
//! operator tokens (only their hashes).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{operator_tokens, request_nonces};
use crate::db::DbConn;

/// Records a nonce; a unique violation means it was seen before (a replay).
pub fn insert_nonce(
    conn: &mut DbConn,
    key_id: &str,
    nonce: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(request_nonces::table)
        .values((
            request_nonces::key_id.eq(key_id),
            request_nonces::nonce.eq(nonce),
            request_nonces::seen_at.eq(now),
        ))
        .execute(conn)
}

/// Records nonces (key id, nonce) in one statement and returns those it recorded: a nonce
/// missing from the answer was seen before (a replay), by this batch or by any instance.
pub fn insert_new_nonces(
    conn: &mut DbConn,
    nonces: &[(&str, &str)],
    now: NaiveDateTime,
) -> QueryResult<Vec<(String, String)>> {
    let rows: Vec<_> = nonces
        .iter()
        .map(|(key_id, nonce)| {
            (
                request_nonces::key_id.eq(*key_id),
                request_nonces::nonce.eq(*nonce),
                request_nonces::seen_at.eq(now),
            )
        })
        .collect();
    let insert = diesel::insert_into(request_nonces::table).values(rows);
    let returned = (request_nonces::key_id, request_nonces::nonce);
    // Written for each backend: the multi-backend connection has no ON CONFLICT.
    match conn {
        DbConn::Pg(pg) => insert
            .on_conflict(returned)
            .do_nothing()
            .returning(returned)
            .get_results(pg),
        DbConn::Sqlite(lite) => insert
            .on_conflict(returned)
            .do_nothing()
            .returning(returned)
            .get_results(lite),
    }
}

/// Forgets nonces seen before `before` (they are outside the signature window anyway).
pub fn purge_nonces(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(request_nonces::table.filter(request_nonces::seen_at.lt(before))).execute(conn)
}

/// Stores an operator token (only its hash).
pub fn insert_operator_token(
    conn: &mut DbConn,
    name: &str,
    token_sha256: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(operator_tokens::table)
        .values((
            operator_tokens::name.eq(name),
            operator_tokens::token_sha256.eq(token_sha256),
            operator_tokens::created_at.eq(now),
        ))
        .execute(conn)
}

/// The name of a live operator token.
pub fn operator_token(conn: &mut DbConn, token_sha256: &str) -> QueryResult<Option<String>> {
    operator_tokens::table
        .filter(operator_tokens::token_sha256.eq(token_sha256))
        .filter(operator_tokens::revoked_at.is_null())
        .select(operator_tokens::name)
        .first(conn)
        .optional()
}
