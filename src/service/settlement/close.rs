//! Closing a settlement period: one grouped scan of the period's clearing events gives every
//! partner's statement (signed with the network's Ed25519 key), the flow matrix, breakage and
//! the operator's margin; the money nets are posted to the ledger in the settlement currency.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use partner_sdk::types::EntryKind;

use super::issue::{issue_statements, partners_before, Period};
use super::{
    BreakageLine, FlowMatrix, MatrixColumn, MatrixRow, PartnerNet, Run, RunSummary, GRACE_S,
};
use crate::crypto::MasterKey;
use crate::db::queries::settlement::{self as rows, NewRun};
use crate::db::{is_unique_violation, write_tx, DbConn};
use crate::domain::clock::utc;
use crate::domain::ids::{EntryId, PartnerId};
use crate::domain::money::MoneyMinor;
use crate::domain::settlement::tally::{
    self, ClearingKind, ClearingTotal, PeriodFigures, TallyError,
};
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
    let figures = period_figures(conn, start, until)?;
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
    let names: BTreeMap<PartnerId, String> =
        partners.iter().map(|p| (p.id, p.slug.clone())).collect();
    let party = |id: Option<PartnerId>| match id {
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
        operator_margin_minor: margin.get(),
        fees_minor: issued.fees.get(),
        adjustments_minor: issued.adjustments.get(),
        rounding_micros: i64::try_from(issued.rounding.get()).map_err(|_| overflow())?,
        operator_funded_redeemed: figures.operator_redeemed.line().map_err(refused)?,
        breakage: breakage_lines(&figures, &party)?,
        matrix: flow_matrix(&figures, &party)?,
    };
    let summary_json = serde_json::to_string(&summary).map_err(ApiError::internal)?;
    rows::finish_run(conn, run_id, &summary_json, entry_id)?;
    tracing::info!(
        run.id = %run_id,
        events = figures.events,
        margin_minor = margin.get(),
        "settlement period closed"
    );
    let run = rows::run(conn, run_id)?.ok_or_else(|| ApiError::internal("run vanished"))?;
    Ok((Run::try_from(run)?, true))
}

/// The period's clearing events, summed by kind, partner, issuer and price, then tallied.
fn period_figures(
    conn: &mut DbConn,
    start: NaiveDateTime,
    until: NaiveDateTime,
) -> ApiResult<PeriodFigures> {
    let totals = rows::event_totals(conn, start, until)?
        .into_iter()
        .map(|t| {
            Ok(ClearingTotal {
                kind: ClearingKind::parse(&t.kind).ok_or_else(|| {
                    ApiError::internal(format!("unknown clearing event kind {}", t.kind))
                })?,
                partner: t.partner_id,
                issuer: t.issuer_partner_id,
                price: t.price_micros,
                points: t.points,
                events: t.events,
                promotion: t.promotion != 0,
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    tally::tally(&totals).map_err(refused)
}

pub(super) fn overflow() -> ApiError {
    ApiError::new(
        Code::SettlementOverflow,
        "an amount of the period exceeds 9.2e18 micros",
    )
}

/// A period the arithmetic refuses: an overflow is the operator's to hear about; an event
/// without its partner is a broken invariant.
pub(super) fn refused(e: TallyError) -> ApiError {
    match e {
        TallyError::Overflow => overflow(),
        TallyError::EventWithoutPartner(kind) => ApiError::internal(format!(
            "clearing event {} without a partner",
            kind.as_str()
        )),
    }
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

/// Posts the money nets (each partner's settlement account against the network's margin) on
/// the network's chain; returns the margin and the entry.
fn post_nets(
    conn: &mut DbConn,
    period: &Period,
    nets: &[PartnerNet],
) -> ApiResult<(MoneyMinor, Option<EntryId>)> {
    let margin = MoneyMinor::checked_sum(nets.iter().map(|n| MoneyMinor::from(n.net_minor)))
        .ok_or_else(overflow)?;
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
    let margin_posting = margin.checked_neg().ok_or_else(overflow)?;
    postings.push((
        money::NETWORK_MARGIN,
        0,
        currency.clone(),
        margin_posting.get(),
    ));
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
    party: &dyn Fn(Option<PartnerId>) -> String,
) -> ApiResult<Vec<BreakageLine>> {
    figures
        .breakage
        .iter()
        .map(|(issuer, acc)| {
            Ok(BreakageLine {
                issuer_partner_id: issuer.map(PartnerId::get),
                party: party(*issuer),
                line: acc.line().map_err(refused)?,
            })
        })
        .collect()
}

/// The period's flow matrix with each party named.
fn flow_matrix(
    figures: &PeriodFigures,
    party: &dyn Fn(Option<PartnerId>) -> String,
) -> ApiResult<FlowMatrix> {
    let m = tally::matrix(&figures.matrix).map_err(refused)?;
    Ok(FlowMatrix {
        columns: m
            .columns
            .iter()
            .map(|shop| MatrixColumn {
                partner_id: shop.get(),
                party: party(Some(*shop)),
            })
            .collect(),
        rows: m
            .rows
            .into_iter()
            .map(|(issuer, cells, total)| MatrixRow {
                issuer_partner_id: issuer.map(PartnerId::get),
                party: party(issuer),
                cells,
                total,
            })
            .collect(),
        column_totals: m.column_totals,
        total: m.total,
    })
}
