//! Payments recorded against statements: each one a ledger entry (bank against the partner's
//! settlement account); a bank reference is recorded once per partner.

use chrono::NaiveDateTime;
use partner_sdk::statement::{Payment, PaymentDirection, StatementStatus};
use partner_sdk::types::EntryKind;

use super::statements::{readable, statuses};
use crate::db::queries::settlement::{self as rows, NewPayment, PaymentRow};
use crate::db::{is_unique_violation, write_tx, DbConn};
use crate::domain::clock::utc;
use crate::domain::ids::StatementId;
use crate::domain::input::{check_range, check_text, TextKind};
use crate::domain::limits::PAYMENT_MINOR_MAX;
use crate::domain::money::MoneyMinor;
use crate::error::{fail, ApiError, ApiResult, Code};
use crate::http::settlement::json::PaymentRequest;
use crate::service::ledger::{self, money, NetworkDraft};
use crate::service::platform::settings;

impl TryFrom<PaymentRow> for Payment {
    type Error = ApiError;
    fn try_from(p: PaymentRow) -> ApiResult<Payment> {
        let direction = PaymentDirection::parse(&p.direction).ok_or_else(|| {
            ApiError::internal(format!("stored payment direction {}", p.direction))
        })?;
        Ok(Payment {
            payment_id: p.id.get(),
            statement_id: p.statement_id.get(),
            direction,
            amount_minor: p.amount_minor.get(),
            bank_reference: p.bank_reference,
            paid_at: utc(p.paid_at),
            entry_id: p.entry_id.get(),
        })
    }
}

/// Records a payment against a statement, with its ledger entry (bank against the partner's
/// settlement account).
pub fn record_payment(
    conn: &mut DbConn,
    now: NaiveDateTime,
    statement_id: StatementId,
    req: &PaymentRequest,
) -> ApiResult<StatementStatus> {
    let sign = match req.direction {
        PaymentDirection::Received => 1,
        PaymentDirection::Sent => -1,
    };
    check_range("amount_minor", req.amount_minor, 1, PAYMENT_MINOR_MAX)?;
    check_text("bank_reference", &req.bank_reference, TextKind::Identifier)?;
    let result = write_tx(conn, |conn| {
        let row = readable(conn, statement_id, None)?;
        let currency = settings::load(conn)?.currency;
        let entry_id = ledger::post_network_entry(
            conn,
            NetworkDraft {
                kind: EntryKind::Payment,
                partner_id: Some(row.partner_id),
                reference: &req.bank_reference,
                memo: Some(req.direction.as_str()),
                posted_at: now,
                postings: vec![
                    (
                        money::NETWORK_BANK,
                        0,
                        currency.clone(),
                        sign * req.amount_minor,
                    ),
                    (
                        money::PARTNER_SETTLEMENT,
                        row.partner_id.get(),
                        currency,
                        -sign * req.amount_minor,
                    ),
                ],
            },
        )?
        .ok_or_else(|| ApiError::internal("a payment posted nothing"))?;
        rows::insert_payment(
            conn,
            &NewPayment {
                statement_id,
                partner_id: row.partner_id,
                direction: req.direction.as_str(),
                amount_minor: MoneyMinor::from(req.amount_minor),
                bank_reference: &req.bank_reference,
                paid_at: req.paid_at.map_or(now, |t| t.naive_utc()),
                entry_id,
                created_at: now,
            },
        )?;
        statuses(conn, vec![row])
    });
    match result {
        Err(ApiError::Database(e)) if is_unique_violation(&e) => fail(
            Code::BankReferenceReused,
            "this bank reference is already recorded for the partner",
        ),
        Err(e) => Err(e),
        Ok(mut list) => list.pop().ok_or_else(|| ApiError::internal("no status")),
    }
}
