//! The program's figures over the last 365 days, network-wide or for one partner: members and
//! revenue from the earns, points and money from the clearing events (the statements' own
//! source, so the figures agree with settlement to the micro), outstanding points from the lots.

use chrono::{Duration, NaiveDateTime};
use partner_sdk::analytics::{Concentration, CrossShopping, ProgramSummary, PromotionFigures};

use crate::db::queries::analytics::{self as rows, ClearingSum};
use crate::db::DbConn;
use crate::domain::analytics::figures::{cohorts, concentration, ppm, TOP_PERCENTS};
use crate::domain::clock::utc;
use crate::domain::ids::PartnerId;
use crate::error::{ApiError, ApiResult};
use crate::service::settlement::liability::liability;

/// The window the figures cover, in days.
pub const WINDOW_DAYS: i64 = 365;
/// The window of "active" members, in days.
pub const ACTIVE_DAYS: i64 = 90;

/// The figures of the whole network (`scope` None) or of one partner.
pub fn summary(
    conn: &mut DbConn,
    now: NaiveDateTime,
    scope: Option<PartnerId>,
) -> ApiResult<ProgramSummary> {
    let from = now - Duration::days(WINDOW_DAYS);
    let activity = rows::activity(conn, scope.unwrap_or_default(), from)?;
    let active_since = now - Duration::days(ACTIVE_DAYS);
    let spends: Vec<i64> = activity.iter().map(|a| a.monetary_minor).collect();
    let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    let buying = count(activity.len());
    let repeat = count(activity.iter().filter(|a| a.orders >= 2).count());
    let sums = rows::clearing_sums(conn, from)?;
    let mut points = PointFigures::of(&sums, scope);
    // The operator's bonuses count as issued network-wide (their redemptions and breakage do).
    let operator_funded = match scope {
        None => rows::operator_bonus_points(conn, from)?,
        Some(_) => 0,
    };
    points.issued = points.issued.saturating_add(operator_funded);
    let outstanding = liability(conn, now)?;
    let (outstanding_points, outstanding_micros) = match scope {
        None => (outstanding.total_points, outstanding.total_micros),
        // A partner's own points, valued at its own redemption price: the network's valuation
        // (the highest price of any contract) would tell it another partner's terms.
        Some(p) => {
            let points = outstanding
                .lines
                .iter()
                .filter(|l| l.issuer_partner_id == Some(p.get()))
                .fold(0_i64, |pts, l| pts.saturating_add(l.points));
            let price = crate::db::queries::partners::contract_at(conn, p, now)?
                .map_or(0, |c| c.redemption_price_micros.get());
            let value = i128::from(points) * i128::from(price);
            (points, i64::try_from(value).unwrap_or(i64::MAX))
        }
    };
    Ok(ProgramSummary {
        from: utc(from),
        to: utc(now),
        active_members_90d: count(
            activity
                .iter()
                .filter(|a| a.last_purchase_at >= active_since)
                .count(),
        ),
        buying_members: buying,
        repeat_purchase_rate_ppm: ppm(repeat, buying),
        revenue_minor: spends.iter().fold(0_i64, |a, s| a.saturating_add(*s)),
        points_issued: points.issued,
        points_redeemed: points.redeemed,
        redemption_rate_ppm: ppm(points.redeemed, points.issued),
        breakage_points: points.breakage,
        outstanding_points,
        outstanding_micros,
        program_cost_micros: i64::try_from(points.cost_micros)
            .map_err(|_| ApiError::internal("program cost beyond i64 micros"))?,
        promotions: PromotionFigures {
            partner_funded_points: points.promo_issued,
            partner_funded_cost_micros: i64::try_from(points.promo_cost_micros)
                .map_err(|_| ApiError::internal("promotion cost beyond i64 micros"))?,
            operator_funded_points: operator_funded,
        },
        cross_shopping: points.cross,
        revenue_concentration: concentration(&spends, &TOP_PERCENTS)
            .into_iter()
            .map(|(top_percent, revenue_share_ppm)| Concentration {
                top_percent,
                revenue_share_ppm,
            })
            .collect(),
        retention: retention(conn, now, scope)?,
    })
}

/// Retention by monthly cohort: members by the month of their first purchase in the last two
/// years, for the cohorts of the last 12 months and the current one.
fn retention(
    conn: &mut DbConn,
    now: NaiveDateTime,
    scope: Option<PartnerId>,
) -> ApiResult<Vec<partner_sdk::analytics::Cohort>> {
    use chrono::Datelike;
    let index = |at: NaiveDateTime| i64::from(at.year()) * 12 + i64::from(at.month0());
    let since = now - Duration::days(2 * WINDOW_DAYS);
    let purchases: Vec<(i64, i64)> = rows::purchases(conn, scope.unwrap_or_default(), since)?
        .into_iter()
        .map(|(member, at)| (member.get(), index(at)))
        .collect();
    let current = index(now);
    Ok(cohorts(&purchases, current - 12, current)
        .into_iter()
        .map(|c| partner_sdk::analytics::Cohort {
            month: format!(
                "{:04}-{:02}",
                c.month.div_euclid(12),
                c.month.rem_euclid(12) + 1
            ),
            members: c.members,
            retained_ppm: c.retained_ppm,
        })
        .collect())
}

/// The points figures of a scope, from the clearing events.
struct PointFigures {
    issued: i64,
    redeemed: i64,
    breakage: i64,
    cost_micros: i128,
    promo_issued: i64,
    promo_cost_micros: i128,
    cross: CrossShopping,
}

impl PointFigures {
    fn of(sums: &[ClearingSum], scope: Option<PartnerId>) -> PointFigures {
        let scope_id = scope.map(PartnerId::get);
        // Issued by the scope: every issuer network-wide, else the partner.
        let issued_by_scope =
            |s: &ClearingSum| scope_id.is_none() || s.issuer_partner_id == scope_id;
        let signed = |s: &ClearingSum, plus: &str, minus: &str| -> i64 {
            if s.kind == plus {
                s.points
            } else if s.kind == minus {
                s.points.saturating_neg()
            } else {
                0
            }
        };
        let mut p = PointFigures {
            issued: 0,
            redeemed: 0,
            breakage: 0,
            cost_micros: 0,
            promo_issued: 0,
            promo_cost_micros: 0,
            cross: CrossShopping {
                redeemed_here_issued_elsewhere: 0,
                issued_here_redeemed_elsewhere: 0,
            },
        };
        for s in sums {
            let issue = signed(s, "issue", "clawback");
            let redeem = signed(s, "redeem", "reverse");
            if issued_by_scope(s) {
                p.issued = p.issued.saturating_add(issue);
                p.cost_micros += i128::from(issue) * i128::from(s.price_micros);
                if s.promotion != 0 {
                    p.promo_issued = p.promo_issued.saturating_add(issue);
                    p.promo_cost_micros += i128::from(issue) * i128::from(s.price_micros);
                }
                p.redeemed = p.redeemed.saturating_add(redeem);
                if s.kind == "breakage" {
                    p.breakage = p.breakage.saturating_add(s.points);
                }
            }
            let away = s.partner_id != s.issuer_partner_id;
            let (here, mine) = match scope_id {
                None => (away, away),
                Some(id) => (
                    s.partner_id == Some(id) && away,
                    s.issuer_partner_id == Some(id) && away,
                ),
            };
            if here {
                p.cross.redeemed_here_issued_elsewhere = p
                    .cross
                    .redeemed_here_issued_elsewhere
                    .saturating_add(redeem);
            }
            if mine {
                p.cross.issued_here_redeemed_elsewhere = p
                    .cross
                    .issued_here_redeemed_elsewhere
                    .saturating_add(redeem);
            }
        }
        p
    }
}
