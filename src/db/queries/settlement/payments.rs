//! Payments recorded against statements.

use crate::domain::ids::{EntryId, PartnerId, PaymentId, StatementId};
use crate::domain::money::MoneyMinor;
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::payments;
use crate::db::DbConn;

/// A recorded payment.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = payments)]
pub struct PaymentRow {
    pub id: PaymentId,
    pub statement_id: StatementId,
    pub partner_id: PartnerId,
    pub direction: String,
    pub amount_minor: MoneyMinor,
    pub bank_reference: String,
    pub paid_at: NaiveDateTime,
    pub entry_id: EntryId,
    pub created_at: NaiveDateTime,
}

/// A payment to record.
#[derive(Debug, Insertable)]
#[diesel(table_name = payments)]
pub struct NewPayment<'a> {
    pub statement_id: StatementId,
    pub partner_id: PartnerId,
    pub direction: &'a str,
    pub amount_minor: MoneyMinor,
    pub bank_reference: &'a str,
    pub paid_at: NaiveDateTime,
    pub entry_id: EntryId,
    pub created_at: NaiveDateTime,
}

/// Records a payment; a unique violation means the bank reference is already recorded.
pub fn insert_payment(conn: &mut DbConn, p: &NewPayment<'_>) -> QueryResult<PaymentId> {
    diesel::insert_into(payments::table)
        .values(p)
        .returning(payments::id)
        .get_result(conn)
}

/// The payments of some statements.
pub fn payments_of(
    conn: &mut DbConn,
    statement_ids: &[StatementId],
) -> QueryResult<Vec<PaymentRow>> {
    payments::table
        .filter(payments::statement_id.eq_any(statement_ids))
        .order(payments::id.asc())
        .select(PaymentRow::as_select())
        .load(conn)
}
