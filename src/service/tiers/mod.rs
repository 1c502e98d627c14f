//! Network tiers: the operator sets the table; each member's tier follows their qualifying
//! spend (every partner, net of refunds, over a rolling window), up at once, down after the
//! grace period; at earn, the tier in force before the sale multiplies its points, so a member
//! who crosses a threshold earns the new multiplier from the next sale.

use chrono::{Duration, Months, NaiveDateTime};
use partner_sdk::branding::PointsLabel;
use partner_sdk::tiers::{NextTier, TierChange, TierStatus};

use crate::db::queries::members as member_rows;
use crate::db::queries::tiers::{self as rows, MemberTierRow, TierRow};
use crate::db::{write_tx, DbConn};
use crate::domain::clock::utc;
use crate::domain::ids::MemberId;
use crate::domain::input::{check_range, check_slug};
use crate::domain::tiers::{check_table, next_move, reached, threshold_for_share, Move, Tier};
use crate::error::{ApiError, ApiResult, Code};
use crate::http::tiers::json::{TierDefinition, TierSuggestion, TierTable};
use crate::service::branding::check_label;
use crate::service::platform::memo;

pub mod paid;

/// Most tier changes a status lists.
const HISTORY_MAX: i64 = 10;

fn name_of(row: &TierRow) -> PointsLabel {
    PointsLabel {
        fr_fr: row.name_fr.clone(),
        en_gb: row.name_en.clone(),
    }
}

/// The network's tier table.
pub fn table(conn: &mut DbConn) -> ApiResult<TierTable> {
    let (window_months, grace_days) = rows::settings(conn)?;
    Ok(TierTable {
        window_months,
        grace_days,
        qualify_on: rows::qualify_on(conn)?,
        tiers: rows::table(conn)?
            .iter()
            .map(|t| TierDefinition {
                code: t.code.clone(),
                name: name_of(t),
                threshold_minor: t.threshold_minor,
                multiplier_bp: t.multiplier_bp,
                price_minor: t.price_minor,
                paid_months: t.price_minor.map(|_| t.paid_months.unwrap_or(12)),
                fee_to: t.fee_to.as_deref().map(paid::fee_to),
            })
            .collect(),
    })
}

/// Replaces the tier table. Members keep their tier until their next evaluation, which places
/// them by the new table (a member whose tier no longer exists counts as in the base tier).
pub fn set_table(conn: &mut DbConn, now: NaiveDateTime, req: &TierTable) -> ApiResult<TierTable> {
    check_range("window_months", req.window_months, 1, 36)?;
    check_range("grace_days", req.grace_days, 0, 365)?;
    if !["spend", "points"].contains(&req.qualify_on.as_str()) {
        return Err(ApiError::new(
            Code::InvalidRequest,
            "qualify_on: spend or points",
        ));
    }
    let mut stored = Vec::with_capacity(req.tiers.len());
    let names = check_names(req.tiers.iter().map(|t| (t.code.as_str(), &t.name)))?;
    for ((rank, t), (name_fr, name_en)) in req.tiers.iter().enumerate().zip(names) {
        let field = format!("tiers[{rank}]");
        stored.push(TierRow {
            code: t.code.clone(),
            tier_rank: i64::try_from(rank).unwrap_or(i64::MAX),
            name_fr,
            name_en,
            threshold_minor: t.threshold_minor,
            multiplier_bp: t.multiplier_bp,
            price_minor: t.price_minor,
            paid_months: t.price_minor.map(|_| t.paid_months.unwrap_or(12)),
            fee_to: t.price_minor.map(|_| {
                paid::fee_to_str(t.fee_to.unwrap_or(partner_sdk::tiers::FeeTo::Operator)).to_owned()
            }),
        });
        paid::check_price(&field, rank, t)?;
    }
    check_table(&domain_tiers(&stored)).map_err(|e| ApiError::new(Code::InvalidRequest, e))?;
    write_tx(conn, |conn| {
        crate::db::queries::platform::system::serialize_on(conn, "tiers")?;
        // Members who paid for a tier keep it: a table without it is refused while any runs.
        for code in rows::codes_with_running_purchases(conn, now)? {
            if !stored.iter().any(|t| t.code == code) {
                return Err(ApiError::new(
                    Code::Conflict,
                    format!("tiers: members paid for {code}, which runs until their purchase ends"),
                ));
            }
        }
        let settings = (req.window_months, req.grace_days, req.qualify_on.as_str());
        rows::replace(conn, &stored, settings, now)?;
        // Members of a tier that no longer exists start again from the base tier: their next
        // evaluation places them by their spend (a re-added code does not bring them back).
        rows::forget_removed_tiers(conn)?;
        table(conn)
    })
}

/// Checks a tier table's codes (slugs, all different) and names; returns each tier's names
/// (French, English), base first. The network's table and a partner's own share it.
pub(crate) fn check_names<'a>(
    tiers: impl Iterator<Item = (&'a str, &'a PointsLabel)>,
) -> ApiResult<Vec<(String, String)>> {
    let mut codes = std::collections::BTreeSet::new();
    let mut names = Vec::new();
    for (rank, (code, name)) in tiers.enumerate() {
        let field = format!("tiers[{rank}]");
        check_slug(&format!("{field}.code"), code)?;
        if !codes.insert(code) {
            return Err(ApiError::new(
                Code::InvalidRequest,
                "tiers: codes must differ",
            ));
        }
        names.push((
            check_label(&format!("{field}.name.fr-FR"), &name.fr_fr)?,
            check_label(&format!("{field}.name.en-GB"), &name.en_gb)?,
        ));
    }
    Ok(names)
}

fn domain_tiers(rows: &[TierRow]) -> Vec<Tier> {
    rows.iter()
        .map(|t| Tier {
            code: t.code.clone(),
            rank: t.tier_rank,
            threshold_minor: t.threshold_minor,
            multiplier_bp: t.multiplier_bp,
        })
        .collect()
}

/// A member's tier after evaluation, with what decided it.
#[derive(Debug, Clone)]
pub struct Evaluated {
    /// The tier in force.
    pub tier: TierRow,
    /// The member's qualifying spend.
    pub qualifying_minor: i64,
    /// Since when the spend is below the tier, if it is.
    pub below_since: Option<NaiveDateTime>,
    /// Until when the tier in force is a paid one, if it is (above the tier the spend keeps).
    pub paid_until: Option<NaiveDateTime>,
    /// Whether the table qualifies on points earned rather than spend.
    pub on_points: bool,
    /// The table, by rank, and the window (months) and grace (days).
    table: (Vec<TierRow>, i64, i64),
}

impl Evaluated {
    /// Whether a sale adding `spend` (minor units) and `points` can move the member's tier: it
    /// crosses a threshold, or the member is in a grace period the sale may end. Otherwise an
    /// evaluation after the sale would change nothing (a sale never lowers the figure).
    pub fn may_move_with(&self, spend: i64, points: i64) -> bool {
        let added = if self.on_points { points } else { spend };
        let after = self.qualifying_minor.saturating_add(added.max(0));
        self.below_since.is_some()
            || self
                .table
                .0
                .iter()
                .any(|t| t.threshold_minor > self.qualifying_minor && t.threshold_minor <= after)
    }

    /// The tier's multiplier at earn.
    pub fn multiplier_bp(&self) -> i64 {
        self.tier.multiplier_bp
    }

    /// How an earn's explanation names the tier's multiplier, such as `x1.25 (Gold tier)`.
    pub fn applied_rule(&self) -> partner_sdk::types::AppliedRule {
        let factor = crate::domain::tiers::factor(self.tier.multiplier_bp);
        partner_sdk::types::AppliedRule {
            rule: "tier".into(),
            description: format!("{factor} ({} tier)", self.tier.name_en),
        }
    }
}

/// Brings a member's tier up to `now` (the member's row must be locked): up at once when the
/// spend reaches a better tier, the grace period started or ended, down when it ran out. Every
/// change is recorded.
pub fn evaluate(
    conn: &mut DbConn,
    member_id: MemberId,
    now: NaiveDateTime,
) -> ApiResult<Evaluated> {
    // Read once per writer batch: operators change them, never a request of the batch.
    let table = memo::read("tiers", || rows::table(conn))?;
    let (window_months, grace_days, qualify_on) =
        memo::read("tier_settings", || rows::all_settings(conn))?;
    let since = now
        .checked_sub_months(Months::new(u32::try_from(window_months).unwrap_or(12)))
        .unwrap_or(now);
    let on_points = qualify_on == "points";
    let spend = rows::qualifying_spend(conn, member_id, since, on_points)?;
    let base = table
        .first()
        .cloned()
        .ok_or_else(|| ApiError::internal("the tier table is empty"))?;
    let stored = rows::member_tier(conn, member_id)?;
    let current = stored
        .as_ref()
        .and_then(|s| table.iter().find(|t| t.code == s.tier_code))
        .unwrap_or(&base)
        .clone();
    let target_code =
        reached(&domain_tiers(&table), spend).map_or(base.code.clone(), |t| t.code.clone());
    let target = table
        .iter()
        .find(|t| t.code == target_code)
        .unwrap_or(&base)
        .clone();
    let below_since = stored.as_ref().and_then(|s| s.below_since);
    let step = next_move(
        current.tier_rank,
        target.tier_rank,
        below_since,
        now,
        grace_days,
    );
    let (tier, below) = match step {
        Move::Stay => (current.clone(), below_since),
        Move::EndGrace => (current.clone(), None),
        Move::StartGrace => (current.clone(), Some(now)),
        Move::Up | Move::Down => (target.clone(), None),
    };
    if step != Move::Stay || stored.is_none() {
        let row = MemberTierRow {
            member_id,
            tier_code: tier.code.clone(),
            since: if tier.code == current.code {
                stored.as_ref().map_or(now, |s| s.since)
            } else {
                now
            },
            below_since: below,
        };
        rows::write_member_tier(conn, &row)?;
    }
    if tier.code != current.code {
        rows::insert_change(conn, member_id, (&current.code, &tier.code), spend, now)?;
        tracing::info!(member.id = %member_id, tier = %tier.code, "tier changed");
    }
    // A paid tier above the one the spend keeps is the tier in force while it runs; the
    // earned tier, its grace and its history go on underneath.
    let paid = paid::best_running(conn, member_id, now, &table)?
        .filter(|(t, _)| t.tier_rank > tier.tier_rank);
    let (tier, paid_until) = match paid {
        Some((t, until)) => (t, Some(until)),
        None => (tier, None),
    };
    Ok(Evaluated {
        tier,
        qualifying_minor: spend,
        below_since: below,
        paid_until,
        on_points,
        table: (table, window_months, grace_days),
    })
}

/// A member's tier, brought up to `now`, with the next tier and the latest changes.
pub fn status(conn: &mut DbConn, now: NaiveDateTime, member_id: MemberId) -> ApiResult<TierStatus> {
    write_tx(conn, |conn| {
        member_rows::lock(conn, member_id)?;
        let e = evaluate(conn, member_id, now)?;
        status_of(conn, member_id, &e)
    })
}

/// The status a member reads after an evaluation.
pub fn status_of(conn: &mut DbConn, member_id: MemberId, e: &Evaluated) -> ApiResult<TierStatus> {
    let (table, window_months, grace_days) = &e.table;
    let next = table
        .iter()
        .find(|t| t.tier_rank > e.tier.tier_rank)
        .map(|t| NextTier {
            tier: t.code.clone(),
            name: name_of(t),
            threshold_minor: t.threshold_minor,
            missing_minor: t.threshold_minor.saturating_sub(e.qualifying_minor).max(0),
        });
    let history = rows::changes(conn, member_id, HISTORY_MAX)?
        .into_iter()
        .map(|(from_tier, to_tier, qualifying_minor, at)| TierChange {
            from_tier,
            to_tier,
            qualifying_minor,
            changed_at: utc(at),
        })
        .collect();
    Ok(TierStatus {
        tier: e.tier.code.clone(),
        name: name_of(&e.tier),
        multiplier_bp: e.tier.multiplier_bp,
        qualifying_minor: e.qualifying_minor,
        window_months: *window_months,
        next,
        downgrade_at: e
            .below_since
            .filter(|_| e.paid_until.is_none())
            .map(|at| utc(at + Duration::days(*grace_days))),
        history,
        qualify_on: rows::qualify_on(conn)?,
        paid_until: e.paid_until.map(utc),
    })
}

/// Evaluates every member above the base tier, each in their own transaction under their lock:
/// spend that left the window starts their grace period now rather than at their next sale
/// (which would otherwise still earn the higher multiplier). Returns the members evaluated.
pub fn sweep(conn: &mut DbConn, now: NaiveDateTime) -> ApiResult<u64> {
    let Some(base) = rows::table(conn)?.into_iter().next() else {
        return Ok(0);
    };
    let mut after = MemberId::default();
    let mut done = 0_u64;
    loop {
        let ids = rows::members_above(conn, &base.code, after, 500)?;
        for id in &ids {
            write_tx(conn, |conn| {
                member_rows::lock(conn, *id)?;
                evaluate(conn, *id, now).map(|_| ())
            })?;
            done += 1;
        }
        match ids.last() {
            Some(last) => after = *last,
            None => return Ok(done),
        }
    }
}

/// Where to set a threshold so that its members bring `share_percent` of the revenue (or of
/// the points earned, as the table qualifies) over the window: the smallest set of best
/// members, as the program figures' revenue concentration shows it.
pub fn suggest(
    conn: &mut DbConn,
    now: NaiveDateTime,
    share_percent: i64,
) -> ApiResult<TierSuggestion> {
    check_range("share_percent", share_percent, 1, 100)?;
    let (window_months, _) = rows::settings(conn)?;
    let qualify_on = rows::qualify_on(conn)?;
    let since = now
        .checked_sub_months(Months::new(u32::try_from(window_months).unwrap_or(12)))
        .unwrap_or(now);
    let figures = rows::all_qualifying(conn, since, qualify_on == "points")?;
    let (threshold, members, share_ppm) =
        threshold_for_share(&figures, share_percent.saturating_mul(10_000)).unwrap_or((0, 0, 0));
    Ok(TierSuggestion {
        qualify_on,
        window_months,
        share_percent,
        threshold,
        members: i64::try_from(members).unwrap_or(i64::MAX),
        qualifying_members: i64::try_from(figures.len()).unwrap_or(i64::MAX),
        share_ppm,
    })
}
