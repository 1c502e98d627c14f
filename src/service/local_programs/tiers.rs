//! A partner's own tiers on its local program: qualified on the local points a member earned at
//! the partner over a rolling window (net of refunds), they multiply the local points of the
//! member's next sales there. Evaluated at each sale from the activity before it (no stored
//! state, no grace: the tier follows the window), checked like the network's table.

use chrono::{Months, NaiveDateTime};
use partner_sdk::local_program::{LocalTierDefinition, LocalTierTable};
use partner_sdk::tiers::TierBadge;
use partner_sdk::types::AppliedRule;

use crate::db::queries::local_programs::tiers::{self as rows, LocalTierRow};
use crate::db::{write_tx, DbConn};
use crate::domain::ids::{MemberId, PartnerId};
use crate::domain::input::check_range;
use crate::domain::tiers::{check_table, reached, Tier};
use crate::error::{ApiError, ApiResult, Code};

use super::program_of;

/// The partner's local tiers.
pub fn table(conn: &mut DbConn, partner_id: PartnerId) -> ApiResult<LocalTierTable> {
    program_of(conn, partner_id)?;
    let (tiers, window) = rows::table(conn, partner_id)?;
    Ok(LocalTierTable {
        window_months: window.unwrap_or(12),
        tiers: tiers
            .iter()
            .map(|t| LocalTierDefinition {
                code: t.code.clone(),
                name: partner_sdk::branding::PointsLabel {
                    fr_fr: t.name_fr.clone(),
                    en_gb: t.name_en.clone(),
                },
                threshold_points: t.threshold_points,
                multiplier_bp: t.multiplier_bp,
            })
            .collect(),
    })
}

/// Replaces the partner's local tiers (an empty list removes them); it must run a program.
pub fn set_table(
    conn: &mut DbConn,
    partner_id: PartnerId,
    req: &LocalTierTable,
) -> ApiResult<LocalTierTable> {
    check_range("window_months", req.window_months, 1, 36)?;
    let names =
        crate::service::tiers::check_names(req.tiers.iter().map(|t| (t.code.as_str(), &t.name)))?;
    let stored: Vec<LocalTierRow> = (0_i64..)
        .zip(req.tiers.iter().zip(names))
        .map(|(rank, (t, (name_fr, name_en)))| LocalTierRow {
            partner_id,
            code: t.code.clone(),
            tier_rank: rank,
            name_fr,
            name_en,
            threshold_points: t.threshold_points,
            multiplier_bp: t.multiplier_bp,
        })
        .collect();
    if !stored.is_empty() {
        check_table(&domain(&stored)).map_err(|e| ApiError::new(Code::InvalidRequest, e))?;
    }
    write_tx(conn, |conn| {
        program_of(conn, partner_id)?;
        rows::replace(conn, partner_id, &stored, req.window_months)?;
        table(conn, partner_id)
    })
}

fn domain(rows: &[LocalTierRow]) -> Vec<Tier> {
    rows.iter()
        .map(|t| Tier {
            code: t.code.clone(),
            rank: t.tier_rank,
            threshold_minor: t.threshold_points,
            multiplier_bp: t.multiplier_bp,
        })
        .collect()
}

/// The member's local tier at the partner from their local points earned over the window
/// before `now` (none: the partner has no local tiers).
pub fn of_member(
    conn: &mut DbConn,
    partner_id: PartnerId,
    member_id: MemberId,
    now: NaiveDateTime,
) -> ApiResult<Option<LocalTierRow>> {
    let (tiers, window) = rows::table(conn, partner_id)?;
    if tiers.is_empty() {
        return Ok(None);
    }
    let months = u32::try_from(window.unwrap_or(12)).unwrap_or(12);
    let since = now.checked_sub_months(Months::new(months)).unwrap_or(now);
    let earned = rows::local_points_since(conn, partner_id, member_id, since)?;
    let code = reached(&domain(&tiers), earned).map(|t| t.code.clone());
    Ok(tiers.into_iter().find(|t| Some(&t.code) == code.as_ref()))
}

/// The badge a partner's site shows.
pub fn badge(tier: &LocalTierRow) -> TierBadge {
    TierBadge {
        tier: tier.code.clone(),
        name: partner_sdk::branding::PointsLabel {
            fr_fr: tier.name_fr.clone(),
            en_gb: tier.name_en.clone(),
        },
        multiplier_bp: tier.multiplier_bp,
    }
}

/// How an earn's explanation names the local tier's multiplier.
pub fn applied_rule(tier: &LocalTierRow) -> AppliedRule {
    let factor = crate::domain::tiers::factor(tier.multiplier_bp);
    AppliedRule {
        rule: "local_tier".into(),
        description: format!("{factor} local points ({} tier)", tier.name_en),
    }
}
