//! Clearing events, the network's signing key, non-member chain heads, settlement runs,
//! statements, payments and disputes.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};

use crate::db::schema::{
    chain_heads, clearing_events, disputes, network_keys, payments, settlement_runs, statements,
};
use crate::db::DbConn;

/// A clearing event to write beside its journal entry.
#[derive(Debug, Insertable)]
#[diesel(table_name = clearing_events)]
pub struct NewEvent<'a> {
    pub entry_id: i64,
    pub posted_at: NaiveDateTime,
    pub kind: &'a str,
    pub partner_id: Option<i64>,
    pub issuer_partner_id: Option<i64>,
    pub points: i64,
    pub price_micros: i64,
    pub order_ref: &'a str,
}

/// Writes clearing events (one insert each: the portable form through the connection enum).
pub fn insert_events(conn: &mut DbConn, events: &[NewEvent<'_>]) -> QueryResult<()> {
    for e in events {
        diesel::insert_into(clearing_events::table)
            .values(e)
            .execute(conn)?;
    }
    Ok(())
}

/// The period's events summed by (kind, partner, issuer, price): everything a close needs, in
/// one scan of the posting-time index.
#[derive(Debug, Clone, QueryableByName)]
pub struct EventTotal {
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub partner_id: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub issuer_partner_id: Option<i64>,
    #[diesel(sql_type = BigInt)]
    pub price_micros: i64,
    #[diesel(sql_type = BigInt)]
    pub points: i64,
    #[diesel(sql_type = BigInt)]
    pub events: i64,
}

/// Sums of the events posted in `[start, end)`.
pub fn event_totals(
    conn: &mut DbConn,
    start: NaiveDateTime,
    end: NaiveDateTime,
) -> QueryResult<Vec<EventTotal>> {
    diesel::sql_query(
        "SELECT kind, partner_id, issuer_partner_id, price_micros, \
                CAST(SUM(points) AS BIGINT) AS points, CAST(COUNT(*) AS BIGINT) AS events \
         FROM clearing_events WHERE posted_at >= $1 AND posted_at < $2 \
         GROUP BY kind, partner_id, issuer_partner_id, price_micros \
         ORDER BY kind, partner_id, issuer_partner_id, price_micros",
    )
    .bind::<Timestamp, _>(start)
    .bind::<Timestamp, _>(end)
    .load(conn)
}

/// A partner's events of a period summed per (kind, order reference) as the partner sees
/// them: `earn` (points issued), `refund` (points clawed back), `redemption` (points redeemed
/// net of reversals).
#[derive(Debug, Clone, QueryableByName)]
pub struct OrderTotal {
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Text)]
    pub order_ref: String,
    #[diesel(sql_type = BigInt)]
    pub points: i64,
}

/// One page of a partner's per-order totals in `[start, end)`, strictly after `after` in the
/// database's own order of (kind, order_ref): keyset pagination, so the ledger is never loaded
/// whole. The page filter applies to the rows before they are grouped (a group's key is the
/// rows' key), so each page reads only what is left.
pub fn order_totals_page(
    conn: &mut DbConn,
    partner_id: i64,
    start: NaiveDateTime,
    end: NaiveDateTime,
    after: (&str, &str),
    limit: i64,
) -> QueryResult<Vec<OrderTotal>> {
    diesel::sql_query(
        "SELECT CASE kind WHEN 'issue' THEN 'earn' WHEN 'clawback' THEN 'refund' \
                ELSE 'redemption' END AS kind, order_ref, \
                CAST(SUM(CASE WHEN kind = 'reverse' THEN -points ELSE points END) AS BIGINT) AS points \
         FROM clearing_events \
         WHERE partner_id = $1 AND posted_at >= $2 AND posted_at < $3 \
           AND kind IN ('issue', 'clawback', 'redeem', 'reverse') \
           AND (CASE kind WHEN 'issue' THEN 'earn' WHEN 'clawback' THEN 'refund' ELSE 'redemption' END > $4 \
                OR (CASE kind WHEN 'issue' THEN 'earn' WHEN 'clawback' THEN 'refund' ELSE 'redemption' END = $4 \
                    AND order_ref > $5)) \
         GROUP BY 1, 2 ORDER BY 1, 2 LIMIT $6",
    )
    .bind::<BigInt, _>(partner_id)
    .bind::<Timestamp, _>(start)
    .bind::<Timestamp, _>(end)
    .bind::<Text, _>(after.0)
    .bind::<Text, _>(after.1)
    .bind::<BigInt, _>(limit)
    .load(conn)
}

/// Points still owed to members, per funding partner (none: the operator): lots' remaining
/// points plus the points of open holds, which are not spent yet.
#[derive(Debug, Clone, QueryableByName)]
pub struct Liability {
    #[diesel(sql_type = Nullable<BigInt>)]
    pub issuer_partner_id: Option<i64>,
    #[diesel(sql_type = BigInt)]
    pub points: i64,
}

/// Outstanding points by funding partner.
pub fn liability(conn: &mut DbConn) -> QueryResult<Vec<Liability>> {
    diesel::sql_query(
        "SELECT issuer_partner_id, CAST(SUM(points) AS BIGINT) AS points FROM ( \
           SELECT issuer_partner_id, remaining AS points FROM lots WHERE remaining > 0 \
           UNION ALL \
           SELECT l.issuer_partner_id, m.points FROM lot_movements m \
             JOIN redemptions r ON r.id = m.redemption_id AND r.status = 'authorized' \
             JOIN lots l ON l.id = m.lot_id \
         ) owed GROUP BY issuer_partner_id ORDER BY issuer_partner_id",
    )
    .load(conn)
}

/// Points members owe back after refunds of points they had spent (negative balances).
pub fn negative_balances(conn: &mut DbConn) -> QueryResult<i64> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = BigInt)]
        points: i64,
    }
    let row: Row = diesel::sql_query(
        "SELECT CAST(COALESCE(SUM(-available_points), 0) AS BIGINT) AS points FROM members \
         WHERE available_points < 0",
    )
    .get_result(conn)?;
    Ok(row.points)
}

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

/// A settlement run.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = settlement_runs)]
pub struct RunRow {
    pub id: i64,
    pub period_start: NaiveDateTime,
    pub period_end: NaiveDateTime,
    pub currency: String,
    pub closed_at: NaiveDateTime,
    pub events_count: i64,
    pub summary: String,
    pub entry_id: Option<i64>,
}

/// A run to store.
#[derive(Debug, Insertable)]
#[diesel(table_name = settlement_runs)]
pub struct NewRun<'a> {
    pub period_start: NaiveDateTime,
    pub period_end: NaiveDateTime,
    pub currency: &'a str,
    pub closed_at: NaiveDateTime,
    pub events_count: i64,
    pub summary: &'a str,
    pub entry_id: Option<i64>,
}

/// Stores a run; a unique violation means another close of the same cut-off won.
pub fn insert_run(conn: &mut DbConn, run: &NewRun<'_>) -> QueryResult<i64> {
    diesel::insert_into(settlement_runs::table)
        .values(run)
        .returning(settlement_runs::id)
        .get_result(conn)
}

/// The run with the latest cut-off.
pub fn last_run(conn: &mut DbConn) -> QueryResult<Option<RunRow>> {
    settlement_runs::table
        .order(settlement_runs::period_end.desc())
        .select(RunRow::as_select())
        .first(conn)
        .optional()
}

/// The run closed at exactly this cut-off.
pub fn run_ending_at(conn: &mut DbConn, end: NaiveDateTime) -> QueryResult<Option<RunRow>> {
    settlement_runs::table
        .filter(settlement_runs::period_end.eq(end))
        .select(RunRow::as_select())
        .first(conn)
        .optional()
}

/// A run by id.
pub fn run(conn: &mut DbConn, id: i64) -> QueryResult<Option<RunRow>> {
    settlement_runs::table
        .find(id)
        .select(RunRow::as_select())
        .first(conn)
        .optional()
}

/// A page of runs, newest first, before `before` (an id).
pub fn runs_page(conn: &mut DbConn, before: i64, limit: i64) -> QueryResult<Vec<RunRow>> {
    settlement_runs::table
        .filter(settlement_runs::id.lt(before))
        .order(settlement_runs::id.desc())
        .limit(limit)
        .select(RunRow::as_select())
        .load(conn)
}

/// Every run in order of cut-off (for the verification).
pub fn all_runs(conn: &mut DbConn) -> QueryResult<Vec<RunRow>> {
    settlement_runs::table
        .order(settlement_runs::period_end.asc())
        .select(RunRow::as_select())
        .load(conn)
}

/// How many clearing events `[start, end)` holds (the verification compares it with the run).
pub fn event_count(
    conn: &mut DbConn,
    start: NaiveDateTime,
    end: NaiveDateTime,
) -> QueryResult<i64> {
    clearing_events::table
        .filter(clearing_events::posted_at.ge(start))
        .filter(clearing_events::posted_at.lt(end))
        .count()
        .get_result(conn)
}

/// A signed statement.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = statements)]
pub struct StatementRow {
    pub id: i64,
    pub run_id: i64,
    pub partner_id: i64,
    pub net_minor: i64,
    pub document: String,
    pub signature: String,
    pub key_id: String,
}

/// A statement to store.
#[derive(Debug, Insertable)]
#[diesel(table_name = statements)]
pub struct NewStatement<'a> {
    pub id: i64,
    pub run_id: i64,
    pub partner_id: i64,
    pub net_minor: i64,
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
pub fn next_statement_id(conn: &mut DbConn) -> QueryResult<i64> {
    let max: Option<i64> = statements::table
        .select(diesel::dsl::max(statements::id))
        .first(conn)?;
    Ok(max.unwrap_or(0) + 1)
}

/// A statement by id.
pub fn statement(conn: &mut DbConn, id: i64) -> QueryResult<Option<StatementRow>> {
    statements::table
        .find(id)
        .select(StatementRow::as_select())
        .first(conn)
        .optional()
}

/// The statements of a run, by partner.
pub fn run_statements(conn: &mut DbConn, run_id: i64) -> QueryResult<Vec<StatementRow>> {
    statements::table
        .filter(statements::run_id.eq(run_id))
        .order(statements::partner_id.asc())
        .select(StatementRow::as_select())
        .load(conn)
}

/// A page of one partner's statements, newest first, before `before` (an id).
pub fn partner_statements(
    conn: &mut DbConn,
    partner_id: i64,
    before: i64,
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

/// A recorded payment.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = payments)]
pub struct PaymentRow {
    pub id: i64,
    pub statement_id: i64,
    pub partner_id: i64,
    pub direction: String,
    pub amount_minor: i64,
    pub bank_reference: String,
    pub paid_at: NaiveDateTime,
    pub entry_id: i64,
    pub created_at: NaiveDateTime,
}

/// A payment to record.
#[derive(Debug, Insertable)]
#[diesel(table_name = payments)]
pub struct NewPayment<'a> {
    pub statement_id: i64,
    pub partner_id: i64,
    pub direction: &'a str,
    pub amount_minor: i64,
    pub bank_reference: &'a str,
    pub paid_at: NaiveDateTime,
    pub entry_id: i64,
    pub created_at: NaiveDateTime,
}

/// Records a payment; a unique violation means the bank reference is already recorded.
pub fn insert_payment(conn: &mut DbConn, p: &NewPayment<'_>) -> QueryResult<i64> {
    diesel::insert_into(payments::table)
        .values(p)
        .returning(payments::id)
        .get_result(conn)
}

/// The payments of some statements.
pub fn payments_of(conn: &mut DbConn, statement_ids: &[i64]) -> QueryResult<Vec<PaymentRow>> {
    payments::table
        .filter(payments::statement_id.eq_any(statement_ids))
        .order(payments::id.asc())
        .select(PaymentRow::as_select())
        .load(conn)
}

/// A dispute.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = disputes)]
pub struct DisputeRow {
    pub id: i64,
    pub statement_id: i64,
    pub partner_id: i64,
    pub reason: String,
    pub status: String,
    pub opened_at: NaiveDateTime,
    pub resolution: Option<String>,
    pub adjustment_minor: Option<i64>,
    pub resolved_at: Option<NaiveDateTime>,
    pub applied_run_id: Option<i64>,
}

/// Opens a dispute.
pub fn insert_dispute(
    conn: &mut DbConn,
    statement_id: i64,
    partner_id: i64,
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(disputes::table)
        .values((
            disputes::statement_id.eq(statement_id),
            disputes::partner_id.eq(partner_id),
            disputes::reason.eq(reason),
            disputes::status.eq("open"),
            disputes::opened_at.eq(now),
        ))
        .returning(disputes::id)
        .get_result(conn)
}

/// A dispute by id.
pub fn dispute(conn: &mut DbConn, id: i64) -> QueryResult<Option<DisputeRow>> {
    disputes::table
        .find(id)
        .select(DisputeRow::as_select())
        .first(conn)
        .optional()
}

/// The disputes of some statements.
pub fn disputes_of(conn: &mut DbConn, statement_ids: &[i64]) -> QueryResult<Vec<DisputeRow>> {
    disputes::table
        .filter(disputes::statement_id.eq_any(statement_ids))
        .order(disputes::id.asc())
        .select(DisputeRow::as_select())
        .load(conn)
}

/// Resolves an open dispute; 0 rows when it was not open.
pub fn resolve_dispute(
    conn: &mut DbConn,
    id: i64,
    resolution: &str,
    adjustment_minor: i64,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        disputes::table
            .filter(disputes::id.eq(id))
            .filter(disputes::status.eq("open")),
    )
    .set((
        disputes::status.eq("resolved"),
        disputes::resolution.eq(resolution),
        disputes::adjustment_minor.eq(adjustment_minor),
        disputes::resolved_at.eq(now),
    ))
    .execute(conn)
}

/// Resolved disputes whose adjustment no run has applied yet, resolved before `end`.
pub fn pending_adjustments(conn: &mut DbConn, end: NaiveDateTime) -> QueryResult<Vec<DisputeRow>> {
    disputes::table
        .filter(disputes::status.eq("resolved"))
        .filter(disputes::applied_run_id.is_null())
        .filter(disputes::resolved_at.lt(end))
        .order(disputes::id.asc())
        .select(DisputeRow::as_select())
        .load(conn)
}

/// Marks dispute adjustments as applied by a run.
pub fn mark_adjustments_applied(conn: &mut DbConn, ids: &[i64], run_id: i64) -> QueryResult<usize> {
    diesel::update(
        disputes::table
            .filter(disputes::id.eq_any(ids))
            .filter(disputes::applied_run_id.is_null()),
    )
    .set(disputes::applied_run_id.eq(run_id))
    .execute(conn)
}

/// Completes a run with its summary and money entry (in the transaction that created it).
pub fn finish_run(
    conn: &mut DbConn,
    id: i64,
    summary: &str,
    entry_id: Option<i64>,
) -> QueryResult<usize> {
    diesel::update(settlement_runs::table.find(id))
        .set((
            settlement_runs::summary.eq(summary),
            settlement_runs::entry_id.eq(entry_id),
        ))
        .execute(conn)
}
