//! The reference for the earn benchmark: a naive durable earn written in plain SQL, on tables of
//! its own in the same database (one idempotency row, one journal entry with two postings, one
//! wallet update, one lot, one commit), and the same earns set-based, many per transaction.
//! Nothing of the server's code runs here.

use diesel::pg::PgConnection;
use diesel::sql_types::{Array, BigInt, Text};
use diesel::{Connection, QueryableByName, RunQueryDsl};

/// Creates the reference's tables and one wallet per member (ids 1..=members).
pub fn create_tables(conn: &mut PgConnection, members: i64) -> anyhow::Result<()> {
    for sql in [
        "CREATE TABLE raw_idempotency (partner_id BIGINT NOT NULL, key TEXT NOT NULL, \
         created_at TIMESTAMP NOT NULL DEFAULT now(), PRIMARY KEY (partner_id, key))",
        "CREATE TABLE raw_entries (id BIGSERIAL PRIMARY KEY, member_id BIGINT NOT NULL, \
         kind TEXT NOT NULL, reference TEXT NOT NULL, posted_at TIMESTAMP NOT NULL DEFAULT now())",
        "CREATE TABLE raw_postings (id BIGSERIAL PRIMARY KEY, entry_id BIGINT NOT NULL \
         REFERENCES raw_entries (id), account TEXT NOT NULL, owner_id BIGINT NOT NULL, \
         amount BIGINT NOT NULL)",
        "CREATE TABLE raw_wallets (member_id BIGINT PRIMARY KEY, pending BIGINT NOT NULL)",
        "CREATE TABLE raw_lots (id BIGSERIAL PRIMARY KEY, member_id BIGINT NOT NULL, \
         points BIGINT NOT NULL, remaining BIGINT NOT NULL, available_at TIMESTAMP NOT NULL, \
         entry_id BIGINT NOT NULL REFERENCES raw_entries (id))",
        "CREATE INDEX raw_lots_member ON raw_lots (member_id, remaining)",
    ] {
        diesel::sql_query(sql).execute(conn)?;
    }
    diesel::sql_query(format!(
        "INSERT INTO raw_wallets (member_id, pending) SELECT m, 0 FROM generate_series(1::bigint, {members}) AS m"
    ))
    .execute(conn)?;
    Ok(())
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

#[derive(QueryableByName)]
struct EntryOf {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = BigInt)]
    member_id: i64,
}

/// One naive earn: its own transaction, one commit.
pub fn earn_one(conn: &mut PgConnection, member: i64, key: &str) -> anyhow::Result<()> {
    conn.transaction(|c| {
        diesel::sql_query("INSERT INTO raw_idempotency (partner_id, key) VALUES (1, $1)")
            .bind::<Text, _>(key)
            .execute(c)?;
        let entry: Id = diesel::sql_query(
            "INSERT INTO raw_entries (member_id, kind, reference) VALUES ($1, 'earn', $2) RETURNING id",
        )
        .bind::<BigInt, _>(member)
        .bind::<Text, _>(key)
        .get_result(c)?;
        diesel::sql_query(
            "INSERT INTO raw_postings (entry_id, account, owner_id, amount) \
             VALUES ($1, 'partner_issuance', 1, -42), ($1, 'member_pending', $2, 42)",
        )
        .bind::<BigInt, _>(entry.id)
        .bind::<BigInt, _>(member)
        .execute(c)?;
        diesel::sql_query("UPDATE raw_wallets SET pending = pending + 42 WHERE member_id = $1")
            .bind::<BigInt, _>(member)
            .execute(c)?;
        diesel::sql_query(
            "INSERT INTO raw_lots (member_id, points, remaining, available_at, entry_id) \
             VALUES ($1, 42, 42, now() + INTERVAL '14 days', $2)",
        )
        .bind::<BigInt, _>(member)
        .bind::<BigInt, _>(entry.id)
        .execute(c)?;
        Ok::<(), diesel::result::Error>(())
    })?;
    Ok(())
}

/// The same earns set-based: one transaction for all of `batch` ((member, key) pairs, members
/// distinct), five statements whatever its size.
pub fn earn_batch(conn: &mut PgConnection, batch: &[(i64, String)]) -> anyhow::Result<()> {
    let members: Vec<i64> = batch.iter().map(|(m, _)| *m).collect();
    let keys: Vec<String> = batch.iter().map(|(_, k)| k.clone()).collect();
    conn.transaction(|c| {
        diesel::sql_query(
            "INSERT INTO raw_idempotency (partner_id, key) SELECT 1, k FROM unnest($1::text[]) AS k",
        )
        .bind::<Array<Text>, _>(&keys)
        .execute(c)?;
        let rows: Vec<EntryOf> = diesel::sql_query(
            "INSERT INTO raw_entries (member_id, kind, reference) \
             SELECT m, 'earn', k FROM unnest($1::bigint[], $2::text[]) AS t(m, k) \
             RETURNING id, member_id",
        )
        .bind::<Array<BigInt>, _>(&members)
        .bind::<Array<Text>, _>(&keys)
        .load(c)?;
        let entry_ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let members: Vec<i64> = rows.iter().map(|r| r.member_id).collect();
        diesel::sql_query(
            "INSERT INTO raw_postings (entry_id, account, owner_id, amount) \
             SELECT e, 'partner_issuance', 1, -42 FROM unnest($1::bigint[]) AS e \
             UNION ALL SELECT e, 'member_pending', m, 42 FROM unnest($1::bigint[], $2::bigint[]) AS t(e, m)",
        )
        .bind::<Array<BigInt>, _>(&entry_ids)
        .bind::<Array<BigInt>, _>(&members)
        .execute(c)?;
        diesel::sql_query(
            "UPDATE raw_wallets w SET pending = w.pending + 42 FROM unnest($1::bigint[]) AS m \
             WHERE w.member_id = m",
        )
        .bind::<Array<BigInt>, _>(&members)
        .execute(c)?;
        diesel::sql_query(
            "INSERT INTO raw_lots (member_id, points, remaining, available_at, entry_id) \
             SELECT m, 42, 42, now() + INTERVAL '14 days', e FROM unnest($1::bigint[], $2::bigint[]) AS t(m, e)",
        )
        .bind::<Array<BigInt>, _>(&members)
        .bind::<Array<BigInt>, _>(&entry_ids)
        .execute(c)?;
        Ok::<(), diesel::result::Error>(())
    })?;
    Ok(())
}
