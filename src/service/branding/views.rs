//! The branded view of a member for the partner's own website: the network balance under the
//! partner's label, its local currency, the next expiries and the member's recent activity at
//! this partner. The partner sees only members linked to it, and nothing of their activity
//! elsewhere.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use partner_sdk::branding::{ExpiringPoints, MemberView, PointsLabel};

use crate::db::queries::ledger::lots as lot_rows;
use crate::db::DbConn;
use crate::domain::clock::utc;
use crate::domain::ids::PartnerId;
use crate::error::{ApiResult, Code};
use crate::service::ledger::{Asset, PTS};
use crate::service::members;

/// How many expiry dates and entries the view lists.
const VIEW_ITEMS_MAX: usize = 10;

/// The view of a member linked to the partner.
pub fn member_view(
    conn: &mut DbConn,
    now: NaiveDateTime,
    partner_id: PartnerId,
    member_number: &str,
) -> ApiResult<MemberView> {
    let member = members::find_linked(conn, partner_id, member_number)?;
    let balance = members::balance(conn, now, member.id, Some(partner_id))?;
    let status = crate::service::tiers::status(conn, now, member.id)?;
    let tier = partner_sdk::tiers::TierBadge {
        tier: status.tier,
        name: status.name,
        multiplier_bp: status.multiplier_bp,
    };
    let (points_label, default_locale) = match super::get(conn, partner_id) {
        Ok(brand) => (brand.points_label, brand.default_locale),
        Err(e) if e.code() == Code::BrandNotFound => (
            PointsLabel {
                fr_fr: "points".into(),
                en_gb: "points".into(),
            },
            "fr-FR".into(),
        ),
        Err(e) => return Err(e),
    };
    let mut expiring: BTreeMap<(NaiveDateTime, String), i64> = BTreeMap::new();
    for asset in [PTS.to_owned(), Asset::Local(partner_id).code()] {
        for lot in lot_rows::member_lots_in_spending_order(conn, member.id, &asset)? {
            if let Some(at) = lot.expires_at {
                let sum = expiring.entry((at, asset.clone())).or_default();
                *sum = sum.saturating_add(lot.remaining.get());
            }
        }
    }
    let recent = members::history(
        conn,
        member.id,
        Some(partner_id),
        None,
        i64::try_from(VIEW_ITEMS_MAX).unwrap_or(10),
    )?;
    Ok(MemberView {
        member_number: member.member_number,
        points_label,
        default_locale,
        balance,
        expiring: expiring
            .into_iter()
            .take(VIEW_ITEMS_MAX)
            .map(|((at, currency_code), points)| ExpiringPoints {
                currency_code,
                points,
                expires_at: utc(at),
            })
            .collect(),
        recent_activity: recent.items,
        tier,
        local_tier: crate::service::local_programs::tiers::of_member(
            conn, partner_id, member.id, now,
        )?
        .as_ref()
        .map(crate::service::local_programs::tiers::badge),
    })
}
