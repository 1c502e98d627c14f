//! What a sale earns, before it is earned: the rates, the sale's own points and their
//! explanation, the context the promotions read; and the dry run a partner asks for.

use chrono::{Duration, NaiveDateTime};
use partner_sdk::promotions::{DryRunRequest, DryRunResponse};
use partner_sdk::types::EarnRequest;

use crate::db::queries::partners::ContractRow;
use crate::db::{write_tx, DbConn};
use crate::domain::earning::categories::LineTreatment;
use crate::domain::earning::rules::{
    compute_points_with_lines, currency_exponent, EarnOutcome, EarnRates,
};
use crate::domain::earning::sale::check_sale;
use crate::domain::ids::{CategoryId, MemberId, PartnerId};
use crate::domain::limits::SALE_BACKDATE_DAYS_MAX;
use crate::domain::money::MoneyMinor;
use crate::error::{fail, ApiError, ApiResult, Code};
use crate::service::catalog::taxonomy::TreeCache;
use crate::service::platform::settings::NetworkSettings;
use crate::service::promotions::sale::{plan, Planned, SaleContext};
use crate::service::{members, tiers};

use super::earn::contract_for_sale;
use super::lines::{treated_lines, Lines};

/// The rates a sale earns at: the network's base rate, the partner's, the member's tier.
pub(super) fn rates_of(
    settings: &NetworkSettings,
    contract: &ContractRow,
    tier: &tiers::Evaluated,
) -> EarnRates {
    EarnRates {
        base_rate_millipoints: settings.base_rate_millipoints,
        partner_rate_bp: contract.earn_rate_bp,
        tier_bp: tier.multiplier_bp(),
        currency_exponent: currency_exponent(&contract.currency).unwrap_or(2),
    }
}

/// The sale as the promotions see it: where, who and when; the member's tier and the rates;
/// (amount, weighted amount); whether its earn is recorded already.
pub(super) fn sale_context<'a>(
    lines: &'a Lines,
    (partner_id, member_id, occurred_at): (PartnerId, MemberId, NaiveDateTime),
    tier: &'a tiers::Evaluated,
    (rates, now): (EarnRates, NaiveDateTime),
    (amount_minor, outcome): (i64, &EarnOutcome),
    recorded: bool,
) -> SaleContext<'a> {
    let restricted: i64 = lines
        .treated
        .iter()
        .filter(|l| matches!(l.treatment, LineTreatment::Restricted { .. }))
        .map(|l| l.amount.get())
        .sum();
    SaleContext {
        partner_id,
        member_id,
        occurred_at,
        now,
        points: outcome.points.get(),
        eligible_minor: amount_minor.saturating_sub(restricted),
        tier: &tier.tier.code,
        rates,
        weighted_bp: outcome.weighted_bp,
        lines: &lines.treated,
        line_categories: &lines.categories,
        taxonomy: lines.tree.as_deref().map(|t| &t.taxonomy),
        recorded,
    }
}

pub(super) fn points_of_sale(
    rates: EarnRates,
    req: &EarnRequest,
    lines: &Lines,
    tier: &tiers::Evaluated,
) -> ApiResult<EarnOutcome> {
    let tree = &lines.tree;
    let name = |c: CategoryId| tree.as_ref().map_or_else(|| c.to_string(), |t| t.path(c));
    compute_points_with_lines(
        MoneyMinor::from(req.amount_minor),
        &req.currency,
        rates,
        &lines.treated,
        &name,
    )
    .map(|mut outcome| {
        if tier.multiplier_bp() != 10_000 {
            let at = outcome.rules.len().min(2);
            outcome.rules.insert(at, tier.applied_rule());
        }
        outcome
    })
    .ok_or_else(|| {
        ApiError::new(
            Code::InvalidAmount,
            "the sale would earn more points than the maximum",
        )
    })
}

/// Furthest ahead a dry run may place a sale.
const DRY_RUN_DAYS_AHEAD: i64 = 366;

/// What a sale would earn, its bonuses included, without earning it: nothing is written but
/// the member's tier, which reading it may move as reading the tier does; budgets are read,
/// not taken. The sale may be placed up to a year ahead, to try a promotion before it starts
/// (the member's tier and segment are today's).
pub fn dry_run(
    conn: &mut DbConn,
    categories: &TreeCache,
    now: NaiveDateTime,
    partner_id: PartnerId,
    req: &DryRunRequest,
) -> ApiResult<DryRunResponse> {
    let sale = EarnRequest {
        member_number: req.member_number.clone(),
        order_id: "dry-run".into(),
        occurred_at: None,
        amount_minor: req.amount_minor,
        currency: req.currency.clone(),
        lines: req.lines.clone(),
    };
    check_sale(&sale, now)?;
    let at = req.occurred_at.map_or(now, |t| t.naive_utc());
    if at < now - Duration::days(SALE_BACKDATE_DAYS_MAX)
        || at > now + Duration::days(DRY_RUN_DAYS_AHEAD)
    {
        return fail(
            Code::InvalidOccurredAt,
            "occurred_at: at most 30 days back and a year ahead",
        );
    }
    write_tx(conn, |conn| {
        let member = members::find_linked(conn, partner_id, &req.member_number)?;
        let contract = contract_for_sale(conn, partner_id, now, &req.currency)?;
        let (member, settings) = members::lock_and_sync(conn, member.id, now)?;
        let tier = tiers::evaluate(conn, member.id, now)?;
        let lines = treated_lines(conn, categories, partner_id, &contract, &sale)?;
        let rates = rates_of(&settings, &contract, &tier);
        let outcome = points_of_sale(rates, &sale, &lines, &tier)?;
        let context = sale_context(
            &lines,
            (partner_id, member.id, at),
            &tier,
            (rates, now),
            (req.amount_minor, &outcome),
            false,
        );
        let bonuses = plan(conn, &context, false)?;
        let bonus_points = crate::service::promotions::sale::total(&bonuses)?.get();
        Ok(DryRunResponse {
            points: outcome.points.get(),
            total_points: outcome.points.get().saturating_add(bonus_points),
            bonuses: bonuses.iter().map(Planned::bonus).collect(),
            rules: outcome.rules,
        })
    })
}
