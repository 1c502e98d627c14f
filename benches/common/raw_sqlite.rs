//! The reference for the earn benchmark on SQLite: the naive durable earn of `raw.rs` written
//! for SQLite, in a file of its own opened as the server opens its own (WAL, `synchronous =
//! FULL`, a busy timeout; writers take the write lock at `BEGIN IMMEDIATE`). Nothing of the
//! server's code runs here.

use diesel::connection::SimpleConnection;
use diesel::sql_types::{BigInt, Text};
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, QueryableByName, RunQueryDsl};

/// Opens the reference's file with the server's pragmas.
pub fn open(path: &str) -> anyhow::Result<SqliteConnection> {
    let mut conn = SqliteConnection::establish(path)?;
    conn.batch_execute(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; \
         PRAGMA busy_timeout = 30000;",
    )?;
    Ok(conn)
}

/// Creates the reference's tables and one wallet per member (ids 1..=members).
pub fn create_tables(conn: &mut SqliteConnection, members: i64) -> anyhow::Result<()> {
    conn.batch_execute(&format!(
        "CREATE TABLE raw_idempotency (partner_id INTEGER NOT NULL, key TEXT NOT NULL, \
         created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP, PRIMARY KEY (partner_id, key)); \
         CREATE TABLE raw_entries (id INTEGER PRIMARY KEY, member_id INTEGER NOT NULL, \
         kind TEXT NOT NULL, reference TEXT NOT NULL, \
         posted_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP); \
         CREATE TABLE raw_postings (id INTEGER PRIMARY KEY, entry_id INTEGER NOT NULL \
         REFERENCES raw_entries (id), account TEXT NOT NULL, owner_id INTEGER NOT NULL, \
         amount INTEGER NOT NULL); \
         CREATE TABLE raw_wallets (member_id INTEGER PRIMARY KEY, pending INTEGER NOT NULL); \
         CREATE TABLE raw_lots (id INTEGER PRIMARY KEY, member_id INTEGER NOT NULL, \
         points INTEGER NOT NULL, remaining INTEGER NOT NULL, available_at TEXT NOT NULL, \
         entry_id INTEGER NOT NULL REFERENCES raw_entries (id)); \
         CREATE INDEX raw_lots_member ON raw_lots (member_id, remaining); \
         WITH RECURSIVE m(id) AS (SELECT 1 UNION ALL SELECT id + 1 FROM m WHERE id < {members}) \
         INSERT INTO raw_wallets (member_id, pending) SELECT id, 0 FROM m;"
    ))?;
    Ok(())
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// One naive earn: its own immediate transaction, one commit.
pub fn earn_one(conn: &mut SqliteConnection, member: i64, key: &str) -> anyhow::Result<()> {
    conn.immediate_transaction(|c| {
        diesel::sql_query("INSERT INTO raw_idempotency (partner_id, key) VALUES (1, ?)")
            .bind::<Text, _>(key)
            .execute(c)?;
        let entry: Id = diesel::sql_query(
            "INSERT INTO raw_entries (member_id, kind, reference) VALUES (?, 'earn', ?) RETURNING id",
        )
        .bind::<BigInt, _>(member)
        .bind::<Text, _>(key)
        .get_result(c)?;
        diesel::sql_query(
            "INSERT INTO raw_postings (entry_id, account, owner_id, amount) \
             VALUES (?1, 'partner_issuance', 1, -42), (?1, 'member_pending', ?2, 42)",
        )
        .bind::<BigInt, _>(entry.id)
        .bind::<BigInt, _>(member)
        .execute(c)?;
        diesel::sql_query("UPDATE raw_wallets SET pending = pending + 42 WHERE member_id = ?")
            .bind::<BigInt, _>(member)
            .execute(c)?;
        diesel::sql_query(
            "INSERT INTO raw_lots (member_id, points, remaining, available_at, entry_id) \
             VALUES (?, 42, 42, datetime('now', '+14 days'), ?)",
        )
        .bind::<BigInt, _>(member)
        .bind::<BigInt, _>(entry.id)
        .execute(c)?;
        Ok::<(), diesel::result::Error>(())
    })?;
    Ok(())
}
