//! Closing a settlement period: one grouped scan of the period's clearing events gives every
//! partner's statement (signed with the network's Ed25519 key), the flow matrix, breakage and
//! the operator's margin; the money nets are posted to the ledger in the settlement currency.

use partner_sdk::types::EntryKind;
use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use partner_sdk::statement::{
    canonical_json, FlowLine, NetDirection, Statement, StatementAdjustment, StatementParty,
    STATEMENT_FORMAT,
};

use super::tally::{add_to, matrix, overflow, tally, Figures, PeriodFigures};
use super::{network_key, BreakageLine, PartnerNet, Run, RunSummary, GRACE_S};
use crate::crypto::MasterKey;
use crate::db::queries::partners::{self as partner_rows, PartnerRow};
use crate::db::queries::settlement::{self as rows, NewRun, NewStatement};
use crate::db::{is_unique_violation, write_tx, DbConn};
use crate::domain::clock::utc;
use crate::domain::earn_rules::currency_exponent;
use crate::domain::settlement::{micros_per_minor, round_to_minor};
use crate::error::{fail, ApiError, ApiResult, Code};
use crate::service::ledger::{self, money, NetworkDraft};
use crate::service::platform::settings;

/// Closes the period ending at `until`; returns the run and whether this call created it.
pub fn close(
    conn: &mut DbConn,
    master_key: &MasterKey,
    now: NaiveDateTime,
    until: NaiveDateTime,
) -> ApiResult<(Run, bool)> {
    if until > now - Duration::seconds(GRACE_S) {
        return fail(
            Code::CutoffTooRecent,
            format!(
                "the cut-off must be at least {GRACE_S} s before the network's clock ({})",
                utc(now).to_rfc3339()
            ),
        );
    }
    let outcome = write_tx(conn, |conn| close_in_tx(conn, master_key, now, until));
    match outcome {
        // Another instance closed the same cut-off at the same moment: its run stands.
        Err(ApiError::Database(e)) if is_unique_violation(&e) => {
            let run = rows::run_ending_at(conn, until)?
                .ok_or_else(|| ApiError::internal("a concurrent close vanished"))?;
            Ok((Run::try_from(run)?, false))
        }
        other => other,
    }
}

fn close_in_tx(
    conn: &mut DbConn,
    master_key: &MasterKey,
    now: NaiveDateTime,
    until: NaiveDateTime,
) -> ApiResult<(Run, bool)> {
    // Closes and payments queue on the network chain's head row: statement ids and the
    // period boundaries are decided by one close at a time.
    rows::lock_chain_head(conn, ledger::NETWORK_CHAIN)?;
    if let Some(existing) = rows::run_ending_at(conn, until)? {
        return Ok((Run::try_from(existing)?, false));
    }
    let start = period_start(conn, until)?;
    let currency = settings::load(conn)?.currency;
    let figures = tally(&rows::event_totals(conn, start, until)?)?;
    let partners = partners_before(conn, until)?;
    // The run row first: statements carry its id.
    let run_id = rows::insert_run(
        conn,
        &NewRun {
            period_start: start,
            period_end: until,
            currency: &currency,
            closed_at: now,
            events_count: figures.events,
            summary: "{}",
            entry_id: None,
        },
    )?;
    let period = Period::new(run_id, start, until, now, currency)?;
    let names: BTreeMap<i64, String> = partners.iter().map(|p| (p.id, p.slug.clone())).collect();
    let party = |id: Option<i64>| match id {
        Some(id) => names
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("partner:{id}")),
        None => "operator".to_owned(),
    };
    let issued = issue_statements(conn, master_key, &period, &partners, &figures, &party)?;
    let (margin, entry_id) = post_nets(conn, &period, &issued.nets)?;
    let summary = RunSummary {
        partners: issued.nets,
        operator_margin_minor: margin,
        fees_minor: issued.fees_minor,
        adjustments_minor: issued.adjustments_minor,
        rounding_micros: i64::try_from(issued.rounding_micros).map_err(|_| overflow())?,
        operator_funded_redeemed: figures.operator_redeemed.line()?,
        breakage: breakage_lines(&figures, &party)?,
        matrix: matrix(&figures.matrix, &party),
    };
    let summary_json = serde_json::to_string(&summary).map_err(ApiError::internal)?;
    rows::finish_run(conn, run_id, &summary_json, entry_id)?;
    tracing::info!(
        run.id = run_id,
        events = figures.events,
        margin_minor = margin,
        "settlement period closed"
    );
    let run = rows::run(conn, run_id)?.ok_or_else(|| ApiError::internal("run vanished"))?;
    Ok((Run::try_from(run)?, true))
}

/// Where the period ending at `until` starts: the last cut-off, or the epoch for the first.
fn period_start(conn: &mut DbConn, until: NaiveDateTime) -> ApiResult<NaiveDateTime> {
    let start = match rows::last_run(conn)? {
        Some(last) if last.period_end > until => {
            return fail(
                Code::PeriodAlreadyClosed,
                format!(
                    "the period up to {} is closed; a cut-off must be later",
                    utc(last.period_end).to_rfc3339()
                ),
            )
        }
        Some(last) => last.period_end,
        None => DateTime::<Utc>::UNIX_EPOCH.naive_utc(),
    };
    if until <= start {
        return fail(
            Code::InvalidRequest,
            "the cut-off must be after 1970-01-01T00:00:00Z",
        );
    }
    Ok(start)
}

/// What the statements of a run add up to.
struct Issued {
    nets: Vec<PartnerNet>,
    fees_minor: i64,
    adjustments_minor: i64,
    rounding_micros: i128,
}

/// Signs and stores one statement per partner admitted before the cut-off, applying the
/// dispute adjustments resolved since the last close.
fn issue_statements(
    conn: &mut DbConn,
    master_key: &MasterKey,
    period: &Period,
    partners: &[PartnerRow],
    figures: &PeriodFigures,
    party: &dyn Fn(Option<i64>) -> String,
) -> ApiResult<Issued> {
    let adjustments = rows::pending_adjustments(conn, period.until)?;
    let key = network_key::current_or_create(conn, master_key, period.now)?;
    let first_id = rows::next_statement_id(conn)?;
    let mut issued = Issued {
        nets: Vec::new(),
        fees_minor: 0,
        adjustments_minor: 0,
        rounding_micros: 0,
    };
    let empty = Figures::default();
    for (statement_id, partner) in (first_id..).zip(partners) {
        let fee =
            partner_rows::contract_at(conn, partner.id, period.until - Duration::microseconds(1))?
                .map_or(0, |c| c.period_fee_minor);
        let adjusted: Vec<StatementAdjustment> = adjustments
            .iter()
            .filter(|d| d.partner_id == partner.id)
            .map(|d| StatementAdjustment {
                dispute_id: d.id,
                disputed_statement_id: d.statement_id,
                amount_minor: d.adjustment_minor.unwrap_or(0),
                resolution: d.resolution.clone().unwrap_or_default(),
            })
            .collect();
        let f = figures.by_partner.get(&partner.id).unwrap_or(&empty);
        let (statement, rounding) =
            build_statement(period, statement_id, partner, f, fee, adjusted, party)?;
        let document =
            canonical_json(&serde_json::to_value(&statement).map_err(ApiError::internal)?);
        rows::insert_statement(
            conn,
            &NewStatement {
                id: statement_id,
                run_id: period.run_id,
                partner_id: partner.id,
                net_minor: statement.net_minor,
                document: &document,
                signature: &key.sign_hex(document.as_bytes()),
                key_id: &key.key_id,
            },
        )?;
        add_to(&mut issued.fees_minor, fee)?;
        let adjusted_minor = sum_minor(statement.adjustments.iter().map(|a| a.amount_minor))?;
        add_to(&mut issued.adjustments_minor, adjusted_minor)?;
        issued.rounding_micros += rounding;
        issued.nets.push(PartnerNet {
            partner_id: partner.id,
            slug: partner.slug.clone(),
            statement_id,
            net_minor: statement.net_minor,
        });
    }
    let applied: Vec<i64> = adjustments
        .iter()
        .filter(|d| partners.iter().any(|p| p.id == d.partner_id))
        .map(|d| d.id)
        .collect();
    rows::mark_adjustments_applied(conn, &applied, period.run_id)?;
    Ok(issued)
}

/// Posts the money nets (each partner's settlement account against the network's margin) on
/// the network's chain; returns the margin and the entry.
fn post_nets(
    conn: &mut DbConn,
    period: &Period,
    nets: &[PartnerNet],
) -> ApiResult<(i64, Option<i64>)> {
    let margin = i64::try_from(nets.iter().map(|n| i128::from(n.net_minor)).sum::<i128>())
        .map_err(|_| overflow())?;
    let currency = &period.currency;
    let mut postings: Vec<(&str, i64, String, i64)> = nets
        .iter()
        .map(|n| {
            (
                money::PARTNER_SETTLEMENT,
                n.partner_id,
                currency.clone(),
                n.net_minor,
            )
        })
        .collect();
    postings.push((money::NETWORK_MARGIN, 0, currency.clone(), -margin));
    let reference = period.run_id.to_string();
    let entry_id = ledger::post_network_entry(
        conn,
        NetworkDraft {
            kind: EntryKind::Settlement,
            partner_id: None,
            reference: &reference,
            memo: None,
            posted_at: period.now,
            postings,
        },
    )?;
    Ok((margin, entry_id))
}

fn breakage_lines(
    figures: &PeriodFigures,
    party: &dyn Fn(Option<i64>) -> String,
) -> ApiResult<Vec<BreakageLine>> {
    figures
        .breakage
        .iter()
        .map(|(issuer, acc)| {
            Ok(BreakageLine {
                issuer_partner_id: *issuer,
                party: party(*issuer),
                line: acc.line()?,
            })
        })
        .collect()
}

/// What every statement of a run shares.
struct Period {
    run_id: i64,
    start: NaiveDateTime,
    until: NaiveDateTime,
    now: NaiveDateTime,
    currency: String,
    exponent: u32,
    /// Micros per minor unit.
    unit: i128,
}

impl Period {
    fn new(
        run_id: i64,
        start: NaiveDateTime,
        until: NaiveDateTime,
        now: NaiveDateTime,
        currency: String,
    ) -> ApiResult<Period> {
        let exponent = currency_exponent(&currency)
            .ok_or_else(|| ApiError::internal(format!("unknown currency {currency}")))?;
        let unit = micros_per_minor(exponent)
            .ok_or_else(|| ApiError::internal("currency with more than 6 decimals"))?;
        Ok(Period {
            run_id,
            start,
            until,
            now,
            currency,
            exponent,
            unit,
        })
    }
}

/// One partner's statement from its figures, and its rounding remainder in micros.
fn build_statement(
    period: &Period,
    statement_id: i64,
    partner: &PartnerRow,
    f: &Figures,
    fee_minor: i64,
    adjustments: Vec<StatementAdjustment>,
    party: &dyn Fn(Option<i64>) -> String,
) -> ApiResult<(Statement, i128)> {
    let adjustment_minor = sum_minor(adjustments.iter().map(|a| a.amount_minor))?;
    let net_micros = f.issued.micros - f.clawed_back.micros - f.redeemed.micros
        + f.reversed.micros
        + (i128::from(fee_minor) + i128::from(adjustment_minor)) * period.unit;
    let (net_minor, rounding) = round_to_minor(net_micros, period.exponent).ok_or_else(overflow)?;
    let flow_lines = |flows: Vec<(Option<i64>, i64)>| -> Vec<FlowLine> {
        flows
            .into_iter()
            .filter(|(_, n)| *n != 0)
            .map(|(id, points)| FlowLine {
                partner_id: id,
                party: party(id),
                points,
            })
            .collect()
    };
    let statement = Statement {
        format: STATEMENT_FORMAT.into(),
        statement_id,
        run_id: period.run_id,
        partner: StatementParty {
            id: partner.id,
            slug: partner.slug.clone(),
            name: partner.name.clone(),
        },
        period_start: utc(period.start),
        period_end: utc(period.until),
        closed_at: utc(period.now),
        currency: period.currency.clone(),
        currency_exponent: period.exponent,
        issued: f.issued.line()?,
        clawed_back: f.clawed_back.line()?,
        redeemed: f.redeemed.line()?,
        reversed: f.reversed.line()?,
        breakage: f.breakage.line()?,
        fees_minor: fee_minor,
        adjustments,
        net_micros: i64::try_from(net_micros).map_err(|_| overflow())?,
        net_minor,
        rounding_micros: i64::try_from(rounding).map_err(|_| overflow())?,
        direction: NetDirection::of_net(net_minor),
        my_points_redeemed_at: flow_lines(
            f.out_flows
                .iter()
                .map(|(shop, n)| (Some(*shop), *n))
                .collect(),
        ),
        redeemed_here_by_issuer: flow_lines(f.in_flows.iter().map(|(i, n)| (*i, *n)).collect()),
    };
    Ok((statement, rounding))
}

fn partners_before(conn: &mut DbConn, until: NaiveDateTime) -> ApiResult<Vec<PartnerRow>> {
    let mut all = partner_rows::all_partners(conn)?;
    all.retain(|p| p.created_at < until);
    Ok(all)
}

/// A sum of minor amounts, refusing overflow.
fn sum_minor(mut amounts: impl Iterator<Item = i64>) -> ApiResult<i64> {
    amounts
        .try_fold(0_i64, i64::checked_add)
        .ok_or_else(overflow)
}
