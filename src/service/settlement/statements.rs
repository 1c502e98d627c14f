//! Statements after a close: the signed envelope, the CSV export, and their payment status.

use partner_sdk::statement::{
    canonical_json, Dispute, Payment, Statement, StatementSignature, StatementStatus,
};

use crate::db::queries::settlement::{self as rows, StatementRow};
use crate::db::DbConn;
use crate::domain::ids::{PartnerId, RunId, StatementId};
use crate::domain::settlement::payment_status;
use crate::domain::settlement::statement_csv::statement_csv;
use crate::error::{fail, ApiError, ApiResult, Code};

/// The envelope a partner downloads, byte for byte: canonical JSON of the signature and the
/// stored (signed) document.
pub fn envelope(row: &StatementRow) -> ApiResult<String> {
    let signature = serde_json::to_value(StatementSignature {
        algorithm: "ed25519".into(),
        key_id: row.key_id.clone(),
        value_hex: row.signature.clone(),
    })
    .map_err(ApiError::internal)?;
    Ok(format!(
        "{{\"signature\":{},\"statement\":{}}}",
        canonical_json(&signature),
        row.document
    ))
}

/// The statement content of a row.
pub fn content(row: &StatementRow) -> ApiResult<Statement> {
    serde_json::from_str(&row.document).map_err(ApiError::internal)
}

/// A statement the caller may read: a partner only its own (another's answers as missing).
pub fn readable(
    conn: &mut DbConn,
    id: StatementId,
    partner_id: Option<PartnerId>,
) -> ApiResult<StatementRow> {
    match rows::statement(conn, id)? {
        Some(row) if partner_id.is_none_or(|p| p == row.partner_id) => Ok(row),
        _ => fail(Code::StatementNotFound, format!("no statement {id}")),
    }
}

/// The statements of a run, with their payment status.
pub fn run_statuses(conn: &mut DbConn, run_id: RunId) -> ApiResult<Vec<StatementStatus>> {
    let list = rows::run_statements(conn, run_id)?;
    statuses(conn, list)
}

/// A partner's statements before the cursor id, newest first, with their payment status.
pub fn partner_statuses(
    conn: &mut DbConn,
    partner_id: PartnerId,
    before_id: Option<i64>,
    limit: i64,
) -> ApiResult<Vec<StatementStatus>> {
    let list = rows::partner_statements(
        conn,
        partner_id,
        before_id.map_or(StatementId::from(i64::MAX), StatementId::from),
        limit,
    )?;
    statuses(conn, list)
}

/// A statement as downloaded: the signed JSON envelope, or the CSV export.
#[derive(Debug)]
pub enum Export {
    /// The signed envelope.
    Json(String),
    /// The CSV export (not signed).
    Csv {
        /// The statement, to name the file.
        statement_id: StatementId,
        /// The CSV text.
        text: String,
    },
}

/// A statement the caller may read (a partner only its own: another's answers as missing),
/// exported as JSON or CSV.
pub fn export(
    conn: &mut DbConn,
    id: StatementId,
    partner_id: Option<PartnerId>,
    csv_wanted: bool,
) -> ApiResult<Export> {
    let row = readable(conn, id, partner_id)?;
    Ok(if csv_wanted {
        Export::Csv {
            statement_id: row.id,
            text: statement_csv(&content(&row)?),
        }
    } else {
        Export::Json(envelope(&row)?)
    })
}

/// The status of some statements.
pub(super) fn statuses(
    conn: &mut DbConn,
    statements: Vec<StatementRow>,
) -> ApiResult<Vec<StatementStatus>> {
    let ids: Vec<StatementId> = statements.iter().map(|s| s.id).collect();
    let payments = rows::payments_of(conn, &ids)?;
    let disputes = rows::disputes_of(conn, &ids)?;
    statements
        .into_iter()
        .map(|row| {
            let doc = content(&row)?;
            let mine: Vec<Payment> = payments
                .iter()
                .filter(|p| p.statement_id == row.id)
                .cloned()
                .map(Payment::try_from)
                .collect::<ApiResult<_>>()?;
            let argued: Vec<Dispute> = disputes
                .iter()
                .filter(|d| d.statement_id == row.id)
                .cloned()
                .map(Dispute::try_from)
                .collect::<ApiResult<_>>()?;
            let sum = |dir: &str| -> i64 {
                mine.iter()
                    .filter(|p| p.direction == dir)
                    .map(|p| p.amount_minor)
                    .sum()
            };
            let (received, sent) = (sum("received"), sum("sent"));
            let open = argued.iter().any(|d| d.status == "open");
            let (outstanding, status) = payment_status(row.net_minor.get(), received, sent, open);
            Ok(StatementStatus {
                statement_id: row.id.get(),
                run_id: row.run_id.get(),
                partner_id: row.partner_id.get(),
                period_start: doc.period_start,
                period_end: doc.period_end,
                net_minor: row.net_minor.get(),
                received_minor: received,
                sent_minor: sent,
                outstanding_minor: i64::try_from(outstanding).unwrap_or(i64::MAX),
                status,
                payments: mine,
                disputes: argued,
            })
        })
        .collect()
}
