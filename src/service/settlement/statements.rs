//! Statements after a close: the signed envelope, the CSV export, payments recorded against
//! them and their status, disputes and their resolution, and the outstanding liability.

use chrono::{DateTime, NaiveDateTime, Utc};
use partner_sdk::statement::{
    canonical_json, Dispute, DisputeRequest, Payment, Statement, StatementSignature,
    StatementStatus,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::queries::partners as partner_rows;
use crate::db::queries::settlement::{
    self as rows, DisputeRow, NewPayment, PaymentRow, StatementRow,
};
use crate::db::{is_unique_violation, write_tx, DbConn};
use crate::domain::clock::utc;
use crate::domain::input::{check_range, check_text, TextKind};
use crate::domain::limits::PAYMENT_MINOR_MAX;
use crate::domain::settlement::payment_status;
use crate::error::{fail, ApiError, ApiResult, Code};
use crate::service::ledger::{self, money, NetworkDraft};
use crate::service::platform::settings;

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
pub fn readable(conn: &mut DbConn, id: i64, partner_id: Option<i64>) -> ApiResult<StatementRow> {
    match rows::statement(conn, id)? {
        Some(row) if partner_id.is_none_or(|p| p == row.partner_id) => Ok(row),
        _ => fail(Code::StatementNotFound, format!("no statement {id}")),
    }
}

/// The statement as CSV: one line per figure (`section,party,points,amount_micros,amount_minor`).
pub fn csv(s: &Statement) -> String {
    let mut out = String::from("section,party,points,amount_micros,amount_minor\n");
    let mut row = |section: &str, party: &str, points: String, micros: String, minor: String| {
        out.push_str(&format!(
            "{section},{},{points},{micros},{minor}\n",
            csv_field(party)
        ));
    };
    let none = String::new;
    row(
        "statement_id",
        &s.statement_id.to_string(),
        none(),
        none(),
        none(),
    );
    row("partner", &s.partner.slug, none(), none(), none());
    row(
        "period_start",
        &s.period_start.to_rfc3339(),
        none(),
        none(),
        none(),
    );
    row(
        "period_end",
        &s.period_end.to_rfc3339(),
        none(),
        none(),
        none(),
    );
    row("currency", &s.currency, none(), none(), none());
    for (name, line) in [
        ("issued", &s.issued),
        ("clawed_back", &s.clawed_back),
        ("redeemed", &s.redeemed),
        ("reversed", &s.reversed),
        ("breakage", &s.breakage),
    ] {
        row(
            name,
            "",
            line.points.to_string(),
            line.amount_micros.to_string(),
            none(),
        );
    }
    row("fees", "", none(), none(), s.fees_minor.to_string());
    for a in &s.adjustments {
        row(
            "adjustment",
            &format!("dispute:{}", a.dispute_id),
            none(),
            none(),
            a.amount_minor.to_string(),
        );
    }
    row(
        "net",
        &s.direction,
        none(),
        s.net_micros.to_string(),
        s.net_minor.to_string(),
    );
    row(
        "rounding",
        "operator",
        none(),
        s.rounding_micros.to_string(),
        none(),
    );
    for f in &s.my_points_redeemed_at {
        row(
            "my_points_redeemed_at",
            &f.party,
            f.points.to_string(),
            none(),
            none(),
        );
    }
    for f in &s.redeemed_here_by_issuer {
        row(
            "redeemed_here_by_issuer",
            &f.party,
            f.points.to_string(),
            none(),
            none(),
        );
    }
    out
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

impl From<PaymentRow> for Payment {
    fn from(p: PaymentRow) -> Payment {
        Payment {
            payment_id: p.id,
            statement_id: p.statement_id,
            direction: p.direction,
            amount_minor: p.amount_minor,
            bank_reference: p.bank_reference,
            paid_at: utc(p.paid_at),
            entry_id: p.entry_id,
        }
    }
}

impl From<DisputeRow> for Dispute {
    fn from(d: DisputeRow) -> Dispute {
        Dispute {
            dispute_id: d.id,
            statement_id: d.statement_id,
            reason: d.reason,
            status: d.status,
            opened_at: utc(d.opened_at),
            resolution: d.resolution,
            adjustment_minor: d.adjustment_minor,
            resolved_at: d.resolved_at.map(utc),
            applied_in_run_id: d.applied_run_id,
        }
    }
}

/// The statements of a run, with their payment status.
pub fn run_statuses(conn: &mut DbConn, run_id: i64) -> ApiResult<Vec<StatementStatus>> {
    let list = rows::run_statements(conn, run_id)?;
    statuses(conn, list)
}

/// A partner's statements before the cursor id, newest first, with their payment status.
pub fn partner_statuses(
    conn: &mut DbConn,
    partner_id: i64,
    before_id: Option<i64>,
    limit: i64,
) -> ApiResult<Vec<StatementStatus>> {
    let list = rows::partner_statements(conn, partner_id, before_id.unwrap_or(i64::MAX), limit)?;
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
        statement_id: i64,
        /// The CSV text.
        text: String,
    },
}

/// A statement the caller may read (a partner only its own: another's answers as missing),
/// exported as JSON or CSV.
pub fn export(
    conn: &mut DbConn,
    id: i64,
    partner_id: Option<i64>,
    csv_wanted: bool,
) -> ApiResult<Export> {
    let row = readable(conn, id, partner_id)?;
    Ok(if csv_wanted {
        Export::Csv {
            statement_id: row.id,
            text: csv(&content(&row)?),
        }
    } else {
        Export::Json(envelope(&row)?)
    })
}

/// The status of some statements.
fn statuses(conn: &mut DbConn, statements: Vec<StatementRow>) -> ApiResult<Vec<StatementStatus>> {
    let ids: Vec<i64> = statements.iter().map(|s| s.id).collect();
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
                .map(Payment::from)
                .collect();
            let argued: Vec<Dispute> = disputes
                .iter()
                .filter(|d| d.statement_id == row.id)
                .cloned()
                .map(Dispute::from)
                .collect();
            let sum = |dir: &str| -> i64 {
                mine.iter()
                    .filter(|p| p.direction == dir)
                    .map(|p| p.amount_minor)
                    .sum()
            };
            let (received, sent) = (sum("received"), sum("sent"));
            let open = argued.iter().any(|d| d.status == "open");
            let (outstanding, status) = payment_status(row.net_minor, received, sent, open);
            Ok(StatementStatus {
                statement_id: row.id,
                run_id: row.run_id,
                partner_id: row.partner_id,
                period_start: doc.period_start,
                period_end: doc.period_end,
                net_minor: row.net_minor,
                received_minor: received,
                sent_minor: sent,
                outstanding_minor: i64::try_from(outstanding).unwrap_or(i64::MAX),
                status: status.as_str().into(),
                payments: mine,
                disputes: argued,
            })
        })
        .collect()
}

/// A payment to record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentRequest {
    /// `received` (the partner paid the network) or `sent` (the network paid the partner).
    pub direction: String,
    /// Minor units, 1 to 1,000,000,000,000.
    pub amount_minor: i64,
    /// The bank's reference (1 to 64 printable characters), unique per partner: recording the
    /// same transfer twice is refused.
    pub bank_reference: String,
    /// When the money moved; defaults to now.
    #[serde(default)]
    pub paid_at: Option<DateTime<Utc>>,
}

/// Records a payment against a statement, with its ledger entry (bank against the partner's
/// settlement account).
pub fn record_payment(
    conn: &mut DbConn,
    now: NaiveDateTime,
    statement_id: i64,
    req: &PaymentRequest,
) -> ApiResult<StatementStatus> {
    let sign = match req.direction.as_str() {
        "received" => 1,
        "sent" => -1,
        _ => {
            return fail(
                Code::InvalidRequest,
                "direction must be `received` or `sent`",
            )
        }
    };
    check_range("amount_minor", req.amount_minor, 1, PAYMENT_MINOR_MAX)?;
    check_text("bank_reference", &req.bank_reference, TextKind::Identifier)?;
    let result = write_tx(conn, |conn| {
        let row = readable(conn, statement_id, None)?;
        let currency = settings::load(conn)?.currency;
        let entry_id = ledger::post_network_entry(
            conn,
            NetworkDraft {
                kind: "payment",
                partner_id: Some(row.partner_id),
                reference: &req.bank_reference,
                memo: Some(&req.direction),
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
                        row.partner_id,
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
                direction: &req.direction,
                amount_minor: req.amount_minor,
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
            Code::PaymentReferenceReused,
            "this bank reference is already recorded for the partner",
        ),
        Err(e) => Err(e),
        Ok(mut list) => list.pop().ok_or_else(|| ApiError::internal("no status")),
    }
}

/// Opens a dispute on the partner's own statement (one open dispute at a time).
pub fn open_dispute(
    conn: &mut DbConn,
    now: NaiveDateTime,
    partner_id: i64,
    statement_id: i64,
    req: &DisputeRequest,
) -> ApiResult<Dispute> {
    let reason = check_text("reason", &req.reason, TextKind::FreeText)?;
    let opened = write_tx(conn, |conn| {
        let row = readable(conn, statement_id, Some(partner_id))?;
        if rows::disputes_of(conn, &[row.id])?
            .iter()
            .any(|d| d.status == "open")
        {
            return fail(
                Code::DisputeOpen,
                "this statement already has an open dispute",
            );
        }
        let id = rows::insert_dispute(conn, row.id, partner_id, reason, now)?;
        tracing::info!(
            partner.id = partner_id,
            statement.id = row.id,
            dispute.id = id,
            "statement disputed"
        );
        dispute(conn, id)
    });
    match opened {
        // A concurrent dispute of the same statement won (the partial unique index).
        Err(ApiError::Database(e)) if is_unique_violation(&e) => fail(
            Code::DisputeOpen,
            "this statement already has an open dispute",
        ),
        other => other,
    }
}

fn dispute(conn: &mut DbConn, id: i64) -> ApiResult<Dispute> {
    match rows::dispute(conn, id)? {
        Some(d) => Ok(d.into()),
        None => fail(Code::DisputeNotFound, format!("no dispute {id}")),
    }
}

/// The operator's resolution of a dispute.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolutionRequest {
    /// What was decided (1 to 500 characters).
    pub resolution: String,
    /// Carried into the partner's next statement, minor units: positive, the partner owes more;
    /// negative, it is owed more; 0 when the statement stands.
    pub adjustment_minor: i64,
}

/// Resolves an open dispute; its adjustment lands on the partner's next statement.
pub fn resolve_dispute(
    conn: &mut DbConn,
    now: NaiveDateTime,
    dispute_id: i64,
    req: &ResolutionRequest,
) -> ApiResult<Dispute> {
    let text = check_text("resolution", &req.resolution, TextKind::FreeText)?;
    check_range(
        "adjustment_minor",
        req.adjustment_minor,
        -PAYMENT_MINOR_MAX,
        PAYMENT_MINOR_MAX,
    )?;
    write_tx(conn, |conn| {
        dispute(conn, dispute_id)?;
        if rows::resolve_dispute(conn, dispute_id, text, req.adjustment_minor, now)? != 1 {
            return fail(Code::DisputeNotOpen, "the dispute is already resolved");
        }
        dispute(conn, dispute_id)
    })
}

/// Points the network still owes members, by the party that funded them.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LiabilityLine {
    /// The funding partner, or absent for the operator.
    pub issuer_partner_id: Option<i64>,
    /// Its slug, or `operator`.
    pub party: String,
    /// Points outstanding (available, pending and held).
    pub points: i64,
    /// Their cost if redeemed, at the highest redemption price in force, micros.
    pub amount_micros: i64,
}

/// The outstanding liability now.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Liability {
    /// As of.
    pub as_of: DateTime<Utc>,
    /// The price used to value points: the highest redemption price in force, micros per point.
    pub valued_at_price_micros: i64,
    /// By funding party.
    pub lines: Vec<LiabilityLine>,
    /// All points outstanding.
    pub total_points: i64,
    /// Their value, micros.
    pub total_micros: i64,
    /// Points members owe back (negative balances after refunds): at risk, carried by the network.
    pub at_risk_points: i64,
}

/// Outstanding points by funding party, valued at the highest redemption price in force (the
/// most they can cost the network).
pub fn liability(conn: &mut DbConn, now: NaiveDateTime) -> ApiResult<Liability> {
    let mut price = 0_i64;
    let mut slugs = std::collections::BTreeMap::new();
    for p in partner_rows::all_partners(conn)? {
        if let Some(c) = partner_rows::contract_at(conn, p.id, now)? {
            price = price.max(c.redemption_price_micros);
        }
        slugs.insert(p.id, p.slug);
    }
    let value = |points: i64| -> ApiResult<i64> {
        i64::try_from(i128::from(points) * i128::from(price))
            .map_err(|_| ApiError::internal("liability beyond i64 micros"))
    };
    let mut lines = Vec::new();
    for l in rows::liability(conn)? {
        lines.push(LiabilityLine {
            issuer_partner_id: l.issuer_partner_id,
            party: l
                .issuer_partner_id
                .and_then(|id| slugs.get(&id).cloned())
                .unwrap_or_else(|| "operator".into()),
            points: l.points,
            amount_micros: value(l.points)?,
        });
    }
    // The operator first, then partners by id, whatever order the backend sorts NULL in.
    lines.sort_by_key(|l| l.issuer_partner_id);
    let total_points = lines.iter().map(|l| l.points).sum();
    Ok(Liability {
        as_of: utc(now),
        valued_at_price_micros: price,
        total_micros: value(total_points)?,
        total_points,
        lines,
        at_risk_points: rows::negative_balances(conn)?,
    })
}
