//! Journal entries and postings: insert (append-only) and read. No update or delete exists.

use crate::domain::ids::{EntryId, MemberId, PartnerId};
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{journal_entries, members, postings};
use crate::db::DbConn;

/// A journal entry as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = journal_entries)]
pub struct Entry {
    pub id: EntryId,
    pub kind: String,
    pub member_id: Option<MemberId>,
    pub partner_id: Option<PartnerId>,
    pub reference: String,
    pub memo: Option<String>,
    pub posted_at: NaiveDateTime,
    pub chain: String,
    pub prev_hash: String,
    pub hash: String,
}

/// A journal entry to append.
#[derive(Debug, Insertable)]
#[diesel(table_name = journal_entries)]
pub struct NewEntry<'a> {
    pub kind: &'a str,
    pub member_id: Option<MemberId>,
    pub partner_id: Option<PartnerId>,
    pub reference: &'a str,
    pub memo: Option<&'a str>,
    pub posted_at: NaiveDateTime,
    pub chain: &'a str,
    pub prev_hash: &'a str,
    pub hash: &'a str,
}

/// A posting as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = postings)]
pub struct PostingRow {
    pub id: i64,
    pub entry_id: EntryId,
    pub account: String,
    pub owner_id: i64,
    pub asset: String,
    pub amount: i64,
}

/// Appends an entry and its postings; returns the entry id.
pub fn insert_entry(
    conn: &mut DbConn,
    entry: &NewEntry<'_>,
    lines: &[(&str, i64, &str, i64)],
) -> QueryResult<EntryId> {
    let id: EntryId = diesel::insert_into(journal_entries::table)
        .values(entry)
        .returning(journal_entries::id)
        .get_result(conn)?;
    let rows: Vec<_> = lines
        .iter()
        .map(|(account, owner_id, asset, amount)| {
            (
                postings::entry_id.eq(id),
                postings::account.eq(*account),
                postings::owner_id.eq(*owner_id),
                postings::asset.eq(*asset),
                postings::amount.eq(*amount),
            )
        })
        .collect();
    // The postings in one statement, written for each backend: the multi-backend connection
    // has no multi-row insert.
    let insert = diesel::insert_into(postings::table).values(rows);
    match conn {
        DbConn::Pg(pg) => insert.execute(pg)?,
        DbConn::Sqlite(lite) => insert.execute(lite)?,
    };
    Ok(id)
}

/// Entries of a chain in order, after `after_id`, at most `limit`.
pub fn chain_page(
    conn: &mut DbConn,
    chain: &str,
    after_id: EntryId,
    limit: i64,
) -> QueryResult<Vec<Entry>> {
    journal_entries::table
        .filter(journal_entries::chain.eq(chain))
        .filter(journal_entries::id.gt(after_id))
        .order(journal_entries::id.asc())
        .limit(limit)
        .select(Entry::as_select())
        .load(conn)
}

/// The postings of these entries.
pub fn postings_of(conn: &mut DbConn, entry_ids: &[EntryId]) -> QueryResult<Vec<PostingRow>> {
    postings::table
        .filter(postings::entry_id.eq_any(entry_ids))
        .order((postings::entry_id.asc(), postings::id.asc()))
        .select(PostingRow::as_select())
        .load(conn)
}

/// A member's entries, newest first, before `before_id`.
pub fn member_page(
    conn: &mut DbConn,
    member_id: MemberId,
    at_partner: Option<PartnerId>,
    before_id: EntryId,
    limit: i64,
) -> QueryResult<Vec<Entry>> {
    let mut query = journal_entries::table
        .filter(journal_entries::member_id.eq(member_id))
        .filter(journal_entries::id.lt(before_id))
        .into_boxed();
    if let Some(partner_id) = at_partner {
        query = query.filter(journal_entries::partner_id.eq(partner_id));
    }
    query
        .order(journal_entries::id.desc())
        .limit(limit)
        .select(Entry::as_select())
        .load(conn)
}

/// A partner's entries with the member number, oldest first, after `after_id`.
pub fn partner_page(
    conn: &mut DbConn,
    partner_id: PartnerId,
    after_id: EntryId,
    limit: i64,
) -> QueryResult<Vec<(Entry, String)>> {
    journal_entries::table
        .inner_join(members::table)
        .filter(journal_entries::partner_id.eq(partner_id))
        .filter(journal_entries::id.gt(after_id))
        .order(journal_entries::id.asc())
        .limit(limit)
        .select((Entry::as_select(), members::member_number))
        .load(conn)
}

/// A sum over postings, as returned by the verification queries.
#[derive(Debug, QueryableByName)]
pub struct GroupSum {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub group_id: i64,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub asset: String,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub total: i64,
}

/// Entries whose postings do not sum to zero per asset. The CAST keeps PostgreSQL's NUMERIC sum
/// a BIGINT, as SQLite's already is.
pub fn unbalanced_entries(conn: &mut DbConn) -> QueryResult<Vec<GroupSum>> {
    diesel::sql_query(
        "SELECT entry_id AS group_id, asset, CAST(SUM(amount) AS BIGINT) AS total \
         FROM postings GROUP BY entry_id, asset HAVING SUM(amount) <> 0 ORDER BY entry_id",
    )
    .load(conn)
}

/// Entries with fewer than two postings (an entry moves something from somewhere to somewhere).
pub fn entries_with_too_few_postings(conn: &mut DbConn) -> QueryResult<Vec<EntryId>> {
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        id: EntryId,
    }
    let rows: Vec<Id> = diesel::sql_query(
        "SELECT e.id AS id FROM journal_entries e LEFT JOIN postings p ON p.entry_id = e.id \
         GROUP BY e.id HAVING COUNT(p.id) < 2 ORDER BY e.id",
    )
    .load(conn)?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// Per member, the sum of postings of each member account: (member id, account, total).
pub fn member_account_sums(conn: &mut DbConn) -> QueryResult<Vec<(i64, String, i64)>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        owner_id: i64,
        #[diesel(sql_type = diesel::sql_types::Text)]
        account: String,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        total: i64,
    }
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT owner_id, account, CAST(SUM(amount) AS BIGINT) AS total FROM postings \
         WHERE account LIKE 'member_%' GROUP BY owner_id, account",
    )
    .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| (r.owner_id, r.account, r.total))
        .collect())
}

/// Distinct chains, in order.
pub fn chains(conn: &mut DbConn) -> QueryResult<Vec<String>> {
    journal_entries::table
        .select(journal_entries::chain)
        .distinct()
        .order(journal_entries::chain.asc())
        .load(conn)
}
