//! Chain heads that belong to no member (the network's chain) and the network's signing keys.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{chain_heads, network_keys};
use crate::db::DbConn;

/// The head of a chain that belongs to no member, locking it for the transaction (an update
/// of the row to itself: the portable row lock), or None for a chain not started.
pub fn lock_chain_head(conn: &mut DbConn, name: &str) -> QueryResult<Option<String>> {
    diesel::update(chain_heads::table.find(name))
        .set(chain_heads::head.eq(chain_heads::head))
        .execute(conn)?;
    chain_heads::table
        .find(name)
        .select(chain_heads::head)
        .first(conn)
        .optional()
}

/// Moves a chain's head; inserts it the first time.
pub fn set_chain_head(conn: &mut DbConn, name: &str, head: &str) -> QueryResult<()> {
    let updated = diesel::update(chain_heads::table.find(name))
        .set(chain_heads::head.eq(head))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(chain_heads::table)
            .values((chain_heads::name.eq(name), chain_heads::head.eq(head)))
            .execute(conn)?;
    }
    Ok(())
}

/// Every non-member chain head.
pub fn chain_heads(conn: &mut DbConn) -> QueryResult<Vec<(String, String)>> {
    chain_heads::table
        .select((chain_heads::name, chain_heads::head))
        .order(chain_heads::name.asc())
        .load(conn)
}

/// The network's signing key.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = network_keys)]
pub struct NetworkKeyRow {
    pub id: i64,
    pub key_id: String,
    pub public_key: String,
    pub private_sealed: String,
    pub created_at: NaiveDateTime,
}

/// The newest signing key, if any.
pub fn current_network_key(conn: &mut DbConn) -> QueryResult<Option<NetworkKeyRow>> {
    network_keys::table
        .order(network_keys::id.desc())
        .select(NetworkKeyRow::as_select())
        .first(conn)
        .optional()
}

/// Every signing key, oldest first (statements name the key that signed them).
pub fn network_keys(conn: &mut DbConn) -> QueryResult<Vec<NetworkKeyRow>> {
    network_keys::table
        .order(network_keys::id.asc())
        .select(NetworkKeyRow::as_select())
        .load(conn)
}

/// Stores a new signing key.
pub fn insert_network_key(
    conn: &mut DbConn,
    key_id: &str,
    public_key: &str,
    private_sealed: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(network_keys::table)
        .values((
            network_keys::key_id.eq(key_id),
            network_keys::public_key.eq(public_key),
            network_keys::private_sealed.eq(private_sealed),
            network_keys::created_at.eq(now),
        ))
        .execute(conn)
}
