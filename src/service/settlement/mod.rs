//! Closing settlement periods: one grouped scan of the period's clearing events gives every
//! partner's statement (signed with the network's Ed25519 key), the flow matrix, breakage and
//! the operator's margin; the money nets are posted to the ledger in the settlement currency.
//!
//! A period is `[previous cut-off, cut-off)` by posting time. Closing the same cut-off again
//! returns the stored run; a cut-off before the last closed one is refused; the cut-off must be
//! at least [`GRACE_S`] in the past, so no transaction still in flight can post into a closed
//! period (write transactions are bounded far below that by the statement timeout).

pub mod network_key;
pub mod reconcile;
pub mod statements;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use partner_sdk::statement::{
    canonical_json, FlowLine, Statement, StatementAdjustment, StatementLine, StatementParty,
    STATEMENT_FORMAT,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::crypto::MasterKey;
use crate::db::queries::partners::{self as partner_rows, PartnerRow};
use crate::db::queries::settlement::{self as rows, EventTotal, NewRun, NewStatement, RunRow};
use crate::db::{is_unique_violation, write_tx, DbConn};
use crate::domain::clock::utc;
use crate::domain::earn_rules::currency_exponent;
use crate::domain::settlement::{micros_per_minor, round_to_minor};
use crate::error::{fail, ApiError, ApiResult, Code};
use crate::service::ledger::clearing::kind;
use crate::service::ledger::{self, money, NetworkDraft};
use crate::service::platform::settings;

/// How far in the past a cut-off must be, in seconds.
pub const GRACE_S: i64 = 60;

/// Asks to close the period ending at `until`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseRequest {
    /// The cut-off (exclusive, by posting time); at least 60 s in the past.
    pub until: DateTime<Utc>,
}

/// One partner's net in a run.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PartnerNet {
    /// The partner.
    pub partner_id: i64,
    /// Its slug.
    pub slug: String,
    /// Its statement.
    pub statement_id: i64,
    /// Minor units; positive: the partner owes the network.
    pub net_minor: i64,
}

/// Points of a funding party that expired in the period.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BreakageLine {
    /// The funding partner, or absent for the operator.
    pub issuer_partner_id: Option<i64>,
    /// Its slug, or `operator`.
    pub party: String,
    /// Points and their value at the price the issuer paid.
    pub line: StatementLine,
}

/// A column of the flow matrix: a shop where points were redeemed.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MatrixColumn {
    /// The partner.
    pub partner_id: i64,
    /// Its slug.
    pub party: String,
}

/// A row of the flow matrix: the party that funded the points.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MatrixRow {
    /// The funding partner, or absent for the operator.
    pub issuer_partner_id: Option<i64>,
    /// Its slug, or `operator`.
    pub party: String,
    /// Points redeemed at each column's shop, net of reversals.
    pub cells: Vec<i64>,
    /// The row's sum.
    pub total: i64,
}

/// Points issued by A (row) redeemed at B (column) in the period, net of reversals.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct FlowMatrix {
    /// The shops.
    pub columns: Vec<MatrixColumn>,
    /// The funding parties.
    pub rows: Vec<MatrixRow>,
    /// Each column's sum: the points redeemed at that shop net of reversals.
    pub column_totals: Vec<i64>,
    /// Everything redeemed, net.
    pub total: i64,
}

/// The network's view of a closed period.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RunSummary {
    /// Each partner's net.
    pub partners: Vec<PartnerNet>,
    /// The operator's margin, minor units: the sum of the nets (what the network keeps).
    pub operator_margin_minor: i64,
    /// Of which fees, minor units.
    pub fees_minor: i64,
    /// Of which dispute adjustments, minor units.
    pub adjustments_minor: i64,
    /// Of which rounding: the exact nets less the rounded ones, micros.
    pub rounding_micros: i64,
    /// Points the operator funded (bonuses, goodwill) redeemed at shops: its cost.
    pub operator_funded_redeemed: StatementLine,
    /// Breakage by funding party.
    pub breakage: Vec<BreakageLine>,
    /// The flow matrix.
    pub matrix: FlowMatrix,
}

/// A closed period.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Run {
    /// The run's id.
    pub run_id: i64,
    /// Start (inclusive).
    pub period_start: DateTime<Utc>,
    /// Cut-off (exclusive).
    pub period_end: DateTime<Utc>,
    /// When it was closed.
    pub closed_at: DateTime<Utc>,
    /// Settlement currency.
    pub currency: String,
    /// Clearing events in the period.
    pub events_count: i64,
    /// The ledger entry of the money nets (absent when every net was zero).
    pub entry_id: Option<i64>,
    /// The figures.
    pub summary: RunSummary,
}

impl TryFrom<RunRow> for Run {
    type Error = ApiError;
    fn try_from(r: RunRow) -> ApiResult<Run> {
        Ok(Run {
            run_id: r.id,
            period_start: utc(r.period_start),
            period_end: utc(r.period_end),
            closed_at: utc(r.closed_at),
            currency: r.currency,
            events_count: r.events_count,
            entry_id: r.entry_id,
            summary: serde_json::from_str(&r.summary).map_err(ApiError::internal)?,
        })
    }
}

/// Exact sums of one statement line.
#[derive(Debug, Default, Clone, Copy)]
struct Acc {
    points: i64,
    micros: i128,
}

impl Acc {
    fn add(&mut self, t: &EventTotal) -> ApiResult<()> {
        self.points = self.points.checked_add(t.points).ok_or_else(overflow)?;
        self.micros += i128::from(t.points) * i128::from(t.price_micros);
        Ok(())
    }
    fn line(self) -> ApiResult<StatementLine> {
        Ok(StatementLine {
            points: self.points,
            amount_micros: i64::try_from(self.micros).map_err(|_| overflow())?,
        })
    }
}

fn overflow() -> ApiError {
    ApiError::new(
        Code::SettlementOverflow,
        "an amount of the period exceeds 9.2e18 micros",
    )
}

/// A partner's figures before rounding.
#[derive(Debug, Default)]
struct Figures {
    issued: Acc,
    clawed_back: Acc,
    redeemed: Acc,
    reversed: Acc,
    breakage: Acc,
    /// Shop -> net points of this partner's points redeemed there.
    out_flows: BTreeMap<i64, i64>,
    /// Funding party -> net points redeemed here.
    in_flows: BTreeMap<Option<i64>, i64>,
}

/// Everything a close computes from the events.
#[derive(Debug, Default)]
struct PeriodFigures {
    by_partner: BTreeMap<i64, Figures>,
    /// (funding party, shop) -> net points.
    matrix: BTreeMap<(Option<i64>, i64), i64>,
    breakage: BTreeMap<Option<i64>, Acc>,
    operator_redeemed: Acc,
    events: i64,
}

fn tally(totals: &[EventTotal]) -> ApiResult<PeriodFigures> {
    let mut f = PeriodFigures::default();
    for t in totals {
        f.events += t.events;
        let signed = match t.kind.as_str() {
            kind::REVERSE => -t.points,
            _ => t.points,
        };
        match (t.kind.as_str(), t.partner_id) {
            (kind::BREAKAGE, _) => {
                f.breakage.entry(t.issuer_partner_id).or_default().add(t)?;
                if let Some(issuer) = t.issuer_partner_id {
                    f.by_partner.entry(issuer).or_default().breakage.add(t)?;
                }
            }
            (kind::ISSUE, Some(p)) => f.by_partner.entry(p).or_default().issued.add(t)?,
            (kind::CLAWBACK, Some(p)) => f.by_partner.entry(p).or_default().clawed_back.add(t)?,
            (kind::REDEEM | kind::REVERSE, Some(shop)) => {
                let here = f.by_partner.entry(shop).or_default();
                if t.kind == kind::REDEEM {
                    here.redeemed.add(t)?;
                } else {
                    here.reversed.add(t)?;
                }
                *here.in_flows.entry(t.issuer_partner_id).or_insert(0) += signed;
                if let Some(issuer) = t.issuer_partner_id {
                    *f.by_partner
                        .entry(issuer)
                        .or_default()
                        .out_flows
                        .entry(shop)
                        .or_insert(0) += signed;
                } else if t.kind == kind::REDEEM {
                    f.operator_redeemed.add(t)?;
                } else {
                    f.operator_redeemed.points -= t.points;
                    f.operator_redeemed.micros -= i128::from(t.points) * i128::from(t.price_micros);
                }
                *f.matrix.entry((t.issuer_partner_id, shop)).or_insert(0) += signed;
            }
            (other, partner) => {
                return Err(ApiError::internal(format!(
                    "clearing event {other} without a partner ({partner:?})"
                )))
            }
        }
    }
    Ok(f)
}

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
    let currency = settings::load(conn)?.currency;
    let exponent = currency_exponent(&currency)
        .ok_or_else(|| ApiError::internal(format!("unknown currency {currency}")))?;
    let unit = micros_per_minor(exponent)
        .ok_or_else(|| ApiError::internal("currency with more than 6 decimals"))?;
    let figures = tally(&rows::event_totals(conn, start, until)?)?;
    let partners = partners_before(conn, until)?;
    let adjustments = rows::pending_adjustments(conn, until)?;
    let key = network_key::current_or_create(conn, master_key, now)?;

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
    let names: BTreeMap<i64, String> = partners.iter().map(|p| (p.id, p.slug.clone())).collect();
    let party = |id: Option<i64>| match id {
        Some(id) => names
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("partner:{id}")),
        None => "operator".to_owned(),
    };
    let period = Period {
        run_id,
        start,
        until,
        now,
        currency: currency.clone(),
        exponent,
        unit,
    };
    let first_id = rows::next_statement_id(conn)?;
    let mut nets = Vec::new();
    let mut totals = (0_i64, 0_i64, 0_i128); // fees, adjustments, rounding
    let empty = Figures::default();
    for (statement_id, partner) in (first_id..).zip(&partners) {
        let fee = partner_rows::contract_at(conn, partner.id, until - Duration::microseconds(1))?
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
            build_statement(&period, statement_id, partner, f, fee, adjusted, &party)?;
        let document =
            canonical_json(&serde_json::to_value(&statement).map_err(ApiError::internal)?);
        rows::insert_statement(
            conn,
            &NewStatement {
                id: statement_id,
                run_id,
                partner_id: partner.id,
                net_minor: statement.net_minor,
                document: &document,
                signature: &key.sign_hex(document.as_bytes()),
                key_id: &key.key_id,
            },
        )?;
        totals.0 += fee;
        totals.1 += statement
            .adjustments
            .iter()
            .map(|a| a.amount_minor)
            .sum::<i64>();
        totals.2 += rounding;
        nets.push(PartnerNet {
            partner_id: partner.id,
            slug: partner.slug.clone(),
            statement_id,
            net_minor: statement.net_minor,
        });
    }
    let applied: Vec<i64> = adjustments
        .iter()
        .filter(|d| names.contains_key(&d.partner_id))
        .map(|d| d.id)
        .collect();
    rows::mark_adjustments_applied(conn, &applied, run_id)?;

    let margin = i64::try_from(nets.iter().map(|n| i128::from(n.net_minor)).sum::<i128>())
        .map_err(|_| overflow())?;
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
    let reference = run_id.to_string();
    let entry_id = ledger::post_network_entry(
        conn,
        NetworkDraft {
            kind: "settlement",
            partner_id: None,
            reference: &reference,
            memo: None,
            posted_at: now,
            postings,
        },
    )?;
    let summary = RunSummary {
        partners: nets,
        operator_margin_minor: margin,
        fees_minor: totals.0,
        adjustments_minor: totals.1,
        rounding_micros: i64::try_from(totals.2).map_err(|_| overflow())?,
        operator_funded_redeemed: figures.operator_redeemed.line()?,
        breakage: figures
            .breakage
            .iter()
            .map(|(issuer, acc)| {
                Ok(BreakageLine {
                    issuer_partner_id: *issuer,
                    party: party(*issuer),
                    line: acc.line()?,
                })
            })
            .collect::<ApiResult<Vec<_>>>()?,
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
    let adjustment_minor: i64 = adjustments.iter().map(|a| a.amount_minor).sum();
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
        direction: match net_minor {
            n if n > 0 => "partner_pays",
            n if n < 0 => "network_pays",
            _ => "nothing_due",
        }
        .into(),
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

fn matrix(
    cells: &BTreeMap<(Option<i64>, i64), i64>,
    party: &dyn Fn(Option<i64>) -> String,
) -> FlowMatrix {
    let issuers: BTreeSet<Option<i64>> = cells.keys().map(|(i, _)| *i).collect();
    let shops: BTreeSet<i64> = cells.keys().map(|(_, s)| *s).collect();
    let columns: Vec<MatrixColumn> = shops
        .iter()
        .map(|s| MatrixColumn {
            partner_id: *s,
            party: party(Some(*s)),
        })
        .collect();
    let rows: Vec<MatrixRow> = issuers
        .iter()
        .map(|issuer| {
            let cells: Vec<i64> = shops
                .iter()
                .map(|s| cells.get(&(*issuer, *s)).copied().unwrap_or(0))
                .collect();
            MatrixRow {
                issuer_partner_id: *issuer,
                party: party(*issuer),
                total: cells.iter().sum(),
                cells,
            }
        })
        .collect();
    let column_totals: Vec<i64> = shops
        .iter()
        .map(|s| {
            cells
                .iter()
                .filter(|((_, shop), _)| shop == s)
                .map(|(_, n)| n)
                .sum()
        })
        .collect();
    FlowMatrix {
        total: column_totals.iter().sum(),
        columns,
        rows,
        column_totals,
    }
}

/// A run by id.
pub fn get_run(conn: &mut DbConn, run_id: i64) -> ApiResult<Run> {
    match rows::run(conn, run_id)? {
        Some(r) => Run::try_from(r),
        None => fail(Code::RunNotFound, format!("no settlement run {run_id}")),
    }
}

/// A page of runs, newest first.
pub fn list_runs(conn: &mut DbConn, before: Option<i64>, limit: i64) -> ApiResult<Vec<Run>> {
    rows::runs_page(conn, before.unwrap_or(i64::MAX), limit)?
        .into_iter()
        .map(Run::try_from)
        .collect()
}

/// The most recent cut-off on day `day` of a month (00:00 UTC) that is at least [`GRACE_S`]
/// before `now`.
pub fn due_cutoff(now: NaiveDateTime, day: u32) -> Option<NaiveDateTime> {
    use chrono::Datelike;
    let latest = now - Duration::seconds(GRACE_S);
    let this_month = latest.date().with_day(day)?.and_hms_opt(0, 0, 0)?;
    if this_month <= latest {
        return Some(this_month);
    }
    let previous = latest.date().checked_sub_months(chrono::Months::new(1))?;
    previous.with_day(day)?.and_hms_opt(0, 0, 0)
}

/// The scheduled close: closes up to the due cut-off of day `day` unless a run already
/// reaches it. Safe on several instances (a second close of the same cut-off returns the run).
pub fn close_if_due(
    conn: &mut DbConn,
    master_key: &MasterKey,
    now: NaiveDateTime,
    day: u32,
) -> ApiResult<Option<Run>> {
    let Some(cutoff) = due_cutoff(now, day) else {
        return Ok(None);
    };
    if rows::last_run(conn)?.is_some_and(|r| r.period_end >= cutoff) {
        return Ok(None);
    }
    let (run, created) = close(conn, master_key, now, cutoff)?;
    Ok(created.then_some(run))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    #[test]
    fn the_scheduled_cutoff_is_the_last_day_n_midnight_past_the_grace() {
        assert_eq!(
            due_cutoff(at("2026-11-23 10:00:00"), 1),
            Some(at("2026-11-01 00:00:00"))
        );
        assert_eq!(
            due_cutoff(at("2026-11-01 00:00:30"), 1),
            Some(at("2026-10-01 00:00:00"))
        );
        assert_eq!(
            due_cutoff(at("2026-11-01 00:01:00"), 1),
            Some(at("2026-11-01 00:00:00"))
        );
        assert_eq!(
            due_cutoff(at("2026-03-10 00:00:00"), 28),
            Some(at("2026-02-28 00:00:00"))
        );
    }
}
