//! The statements of a close: one per partner admitted before the cut-off, each from its
//! tallied figures, flat fee and dispute adjustments, rounded once, signed and stored.

use chrono::{Duration, NaiveDateTime};
use partner_sdk::statement::{
    canonical_json, FlowLine, NetDirection, Statement, StatementAdjustment, StatementParty,
    STATEMENT_FORMAT,
};

use super::close::{overflow, refused};
use super::{network_key, PartnerNet};
use crate::crypto::MasterKey;
use crate::db::queries::partners::{self as partner_rows, PartnerRow};
use crate::db::queries::settlement::{self as rows, NewStatement};
use crate::db::DbConn;
use crate::domain::clock::utc;
use crate::domain::earning::rules::currency_exponent;
use crate::domain::ids::{DisputeId, PartnerId, RunId, StatementId};
use crate::domain::money::{MoneyMicros, MoneyMinor};
use crate::domain::settlement::statement_net;
use crate::domain::settlement::tally::{self, Figures, PeriodFigures};
use crate::error::{ApiError, ApiResult};

/// What the statements of a run add up to.
pub(super) struct Issued {
    pub(super) nets: Vec<PartnerNet>,
    pub(super) fees: MoneyMinor,
    pub(super) adjustments: MoneyMinor,
    pub(super) rounding: MoneyMicros,
}

/// Signs and stores one statement per partner admitted before the cut-off, applying the
/// dispute adjustments resolved since the last close.
pub(super) fn issue_statements(
    conn: &mut DbConn,
    master_key: &MasterKey,
    period: &Period,
    partners: &[PartnerRow],
    figures: &PeriodFigures,
    party: &dyn Fn(Option<PartnerId>) -> String,
) -> ApiResult<Issued> {
    let adjustments = rows::pending_adjustments(conn, period.until)?;
    let key = network_key::current_or_create(conn, master_key, period.now)?;
    let first_id = rows::next_statement_id(conn)?;
    let mut issued = Issued {
        nets: Vec::new(),
        fees: MoneyMinor::ZERO,
        adjustments: MoneyMinor::ZERO,
        rounding: MoneyMicros::ZERO,
    };
    let empty = Figures::default();
    let tier_fees: std::collections::BTreeMap<PartnerId, i64> =
        crate::db::queries::tiers::fees_owed(conn, period.start, period.until)?
            .into_iter()
            .collect();
    for (n, partner) in (0..).zip(partners) {
        let statement_id = StatementId::from(first_id.get().checked_add(n).ok_or_else(overflow)?);
        let fee =
            partner_rows::contract_at(conn, partner.id, period.until - Duration::microseconds(1))?
                .map_or(MoneyMinor::ZERO, |c| c.period_fee_minor);
        let adjusted: Vec<StatementAdjustment> = adjustments
            .iter()
            .filter(|d| d.partner_id == partner.id)
            .map(|d| StatementAdjustment {
                dispute_id: d.id.get(),
                disputed_statement_id: d.statement_id.get(),
                amount_minor: d.adjustment_minor.unwrap_or_default().get(),
                resolution: d.resolution.clone().unwrap_or_default(),
            })
            .collect();
        let f = figures.by_partner.get(&partner.id).unwrap_or(&empty);
        // Paid tiers it sold whose fee is the operator's.
        let tier_fee = MoneyMinor::from(tier_fees.get(&partner.id).copied().unwrap_or(0));
        let fees = (fee, tier_fee);
        let (statement, rounding) =
            build_statement(period, statement_id, partner, f, fees, adjusted, party)?;
        let fee = fee.checked_add(tier_fee).ok_or_else(overflow)?;
        let document =
            canonical_json(&serde_json::to_value(&statement).map_err(ApiError::internal)?);
        rows::insert_statement(
            conn,
            &NewStatement {
                id: statement_id,
                run_id: period.run_id,
                partner_id: partner.id,
                net_minor: MoneyMinor::from(statement.net_minor),
                document: &document,
                signature: &key.sign_hex(document.as_bytes()),
                key_id: &key.key_id,
            },
        )?;
        issued.fees = issued.fees.checked_add(fee).ok_or_else(overflow)?;
        issued.adjustments = issued
            .adjustments
            .checked_add(sum_minor(&statement.adjustments)?)
            .ok_or_else(overflow)?;
        issued.rounding = issued.rounding.checked_add(rounding).ok_or_else(overflow)?;
        issued.nets.push(PartnerNet {
            partner_id: partner.id.get(),
            slug: partner.slug.clone(),
            statement_id: statement_id.get(),
            net_minor: statement.net_minor,
        });
    }
    let applied: Vec<DisputeId> = adjustments
        .iter()
        .filter(|d| partners.iter().any(|p| p.id == d.partner_id))
        .map(|d| d.id)
        .collect();
    rows::mark_adjustments_applied(conn, &applied, period.run_id)?;
    Ok(issued)
}

/// What every statement of a run shares.
pub(super) struct Period {
    pub(super) run_id: RunId,
    pub(super) start: NaiveDateTime,
    pub(super) until: NaiveDateTime,
    pub(super) now: NaiveDateTime,
    pub(super) currency: String,
    pub(super) exponent: u32,
}

impl Period {
    pub(super) fn new(
        run_id: RunId,
        start: NaiveDateTime,
        until: NaiveDateTime,
        now: NaiveDateTime,
        currency: String,
    ) -> ApiResult<Period> {
        let exponent = currency_exponent(&currency)
            .filter(|e| *e <= 6)
            .ok_or_else(|| ApiError::internal(format!("unusable currency {currency}")))?;
        Ok(Period {
            run_id,
            start,
            until,
            now,
            currency,
            exponent,
        })
    }
}

/// One partner's statement from its figures, and its rounding remainder in micros.
fn build_statement(
    period: &Period,
    statement_id: StatementId,
    partner: &PartnerRow,
    f: &Figures,
    (fee, tier_fees): (MoneyMinor, MoneyMinor),
    adjustments: Vec<StatementAdjustment>,
    party: &dyn Fn(Option<PartnerId>) -> String,
) -> ApiResult<(Statement, MoneyMicros)> {
    let figures_value = f.net_value().ok_or_else(overflow)?;
    let (net, net_minor, rounding) = statement_net(
        figures_value,
        fee.checked_add(tier_fees).ok_or_else(overflow)?,
        sum_minor(&adjustments)?,
        period.exponent,
    )
    .ok_or_else(overflow)?;
    let flow_lines = |flows: Vec<(Option<PartnerId>, i64)>| -> Vec<FlowLine> {
        flows
            .into_iter()
            .filter(|(_, n)| *n != 0)
            .map(|(id, points)| FlowLine {
                partner_id: id.map(PartnerId::get),
                party: party(id),
                points,
            })
            .collect()
    };
    let line = |acc: tally::Acc| acc.line().map_err(refused);
    let statement = Statement {
        format: STATEMENT_FORMAT.into(),
        statement_id: statement_id.get(),
        run_id: period.run_id.get(),
        partner: StatementParty {
            id: partner.id.get(),
            slug: partner.slug.clone(),
            name: partner.name.clone(),
        },
        period_start: utc(period.start),
        period_end: utc(period.until),
        closed_at: utc(period.now),
        currency: period.currency.clone(),
        currency_exponent: period.exponent,
        issued: line(f.issued)?,
        clawed_back: line(f.clawed_back)?,
        promotions_issued: line(f.promotions_issued)?,
        promotions_clawed_back: line(f.promotions_clawed_back)?,
        redeemed: line(f.redeemed)?,
        reversed: line(f.reversed)?,
        breakage: line(f.breakage)?,
        fees_minor: fee.get(),
        paid_tier_fees_minor: tier_fees.get(),
        adjustments,
        net_micros: i64::try_from(net.get()).map_err(|_| overflow())?,
        net_minor: net_minor.get(),
        rounding_micros: i64::try_from(rounding.get()).map_err(|_| overflow())?,
        direction: NetDirection::of_net(net_minor.get()),
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

pub(super) fn partners_before(
    conn: &mut DbConn,
    until: NaiveDateTime,
) -> ApiResult<Vec<PartnerRow>> {
    let mut all = partner_rows::all_partners(conn)?;
    all.retain(|p| p.created_at < until);
    Ok(all)
}

/// The sum of a statement's dispute adjustments, refusing overflow.
fn sum_minor(adjustments: &[StatementAdjustment]) -> ApiResult<MoneyMinor> {
    MoneyMinor::checked_sum(adjustments.iter().map(|a| MoneyMinor::from(a.amount_minor)))
        .ok_or_else(overflow)
}
