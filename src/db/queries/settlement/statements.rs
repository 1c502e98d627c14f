//! Signed statements, one per partner per run.

use crate::domain::ids::{PartnerId, RunId, StatementId};
use crate::domain::money::MoneyMinor;
use diesel::prelude::*;

use crate::db::schema::statements;
use crate::db::DbConn;

/// A signed statement.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = statements)]
pub struct StatementRow {
    pub id: StatementId,
    pub run_id: RunId,
    pub partner_id: PartnerId,
    pub net_minor: MoneyMinor,
    pub document: String,
    pub signature: String,
    pub key_id: String,
}

/// A statement to store.
#[derive(Debug, Insertable)]
#[diesel(table_name = statements)]
pub struct NewStatement<'a> {
    pub id: StatementId,
    pub run_id: RunId,
    pub partner_id: PartnerId,
    pub net_minor: MoneyMinor,
    pub document: &'a str,
    pub signature: &'a str,
    pub key_id: &'a str,
}

/// Stores a statement under the id it was signed with.
pub fn insert_statement(conn: &mut DbConn, s: &NewStatement<'_>) -> QueryResult<usize> {
    diesel::insert_into(statements::table)
        .values(s)
        .execute(conn)
}

/// The next statement id (statements carry their id inside the signed document).
pub fn next_statement_id(conn: &mut DbConn) -> QueryResult<StatementId> {
    let max: Option<i64> = statements::table
        .select(diesel::dsl::max(statements::id))
        .first(conn)?;
    Ok(StatementId::from(max.unwrap_or(0) + 1))
}

/// A statement by id.
pub fn statement(conn: &mut DbConn, id: StatementId) -> QueryResult<Option<StatementRow>> {
    statements::table
        .find(id)
        .select(StatementRow::as_select())
        .first(conn)
        .optional()
}

/// The statements of a run, by partner.
pub fn run_statements(conn: &mut DbConn, run_id: RunId) -> QueryResult<Vec<StatementRow>> {
    statements::table
        .filter(statements::run_id.eq(run_id))
        .order(statements::partner_id.asc())
        .select(StatementRow::as_select())
        .load(conn)
}

/// A page of one partner's statements, newest first, before `before` (an id).
pub fn partner_statements(
    conn: &mut DbConn,
    partner_id: PartnerId,
    before: StatementId,
    limit: i64,
) -> QueryResult<Vec<StatementRow>> {
    statements::table
        .filter(statements::partner_id.eq(partner_id))
        .filter(statements::id.lt(before))
        .order(statements::id.desc())
        .limit(limit)
        .select(StatementRow::as_select())
        .load(conn)
}
