//! Welcome bonuses: the operator's when a member joins the network, a partner's when a member
//! is first linked to it (enrolled at its till, or linked later). Available at once; each its
//! own lot paid by its funder, within the promotion's target, cap and budget.

use chrono::NaiveDateTime;
use partner_sdk::types::EntryKind;

use crate::db::queries::members::Member;
use crate::db::queries::partners;
use crate::db::queries::promotions::{self as rows, PromotionRow};
use crate::db::DbConn;
use crate::domain::ids::{MemberId, PartnerId};
use crate::domain::money::PriceMicros;
use crate::domain::promotions::{stack, Rule, Stackable};
use crate::error::ApiResult;
use crate::service::ledger::{self, account, Draft};
use crate::service::platform::settings::NetworkSettings;
use crate::service::{members, tiers};

use super::grant::{issue, Issue};
use super::sale::{available, settle, Planned};
use super::{rule_of, targets};

/// Gives the running welcome bonuses of `partner_id` (None: the operator's, at joining) to a
/// member, inside the caller's transaction. Returns the points given.
pub fn give(
    conn: &mut DbConn,
    member_id: MemberId,
    partner_id: Option<PartnerId>,
    now: NaiveDateTime,
) -> ApiResult<i64> {
    let running: Vec<PromotionRow> = rows::running(conn, partner_id, now, Some("welcome"))?
        .into_iter()
        .filter(|r| r.partner_id == partner_id)
        .collect();
    if running.is_empty() {
        return Ok(0);
    }
    // A partner without a contract in force has no issuance price to pay its bonus at.
    if let Some(p) = partner_id {
        if partners::contract_at(conn, p, now)?.is_none() {
            return Ok(0);
        }
    }
    let (mut member, settings) = members::lock_and_sync(conn, member_id, now)?;
    let tier = tiers::evaluate(conn, member_id, now)?;
    let mut offers = Vec::new();
    let mut candidates = Vec::new();
    for row in running {
        let offer = match rule_of(&row)? {
            Rule::Welcome { points } if targets(conn, &row, member_id, &tier.tier.code)? => Some(
                available(conn, &row, member_id, points, "welcome bonus".to_owned())?,
            ),
            _ => None,
        };
        candidates.push(Stackable {
            priority: row.priority,
            id: row.id.get(),
            exclusive: row.exclusive,
            points: offer.as_ref().map(|(p, _)| *p),
        });
        if let Some((p, why)) = offer {
            offers.push((row, p, why));
        }
    }
    let planned = settle(conn, member_id, &offers, stack(candidates), true)?;
    let Some(first) = planned.first() else {
        return Ok(0);
    };
    let reference = format!("promotion:{}", first.promotion_id);
    credit(
        conn,
        &mut member,
        &settings,
        (partner_id, &reference),
        &planned,
        now,
    )?;
    Ok(super::sale::total(&planned)?.get())
}

/// Credits bonuses given outside a sale (welcome, referral) to a locked member: one entry, each
/// bonus its own lot available at once, paid by its funder (a partner at its issuance price in
/// force, on its statement under `reference`).
pub(super) fn credit(
    conn: &mut DbConn,
    member: &mut Member,
    settings: &NetworkSettings,
    (partner_id, reference): (Option<PartnerId>, &str),
    planned: &[Planned],
    now: NaiveDateTime,
) -> ApiResult<()> {
    let Some(first) = planned.first() else {
        return Ok(());
    };
    let price = match first.funder {
        Some(p) => partners::contract_at(conn, p, now)?
            .map_or(PriceMicros::ZERO, |c| c.issuance_price_micros),
        None => PriceMicros::ZERO,
    };
    let mut postings = Vec::new();
    for p in planned {
        postings.extend(p.postings(member.id, account::MEMBER_AVAILABLE)?);
    }
    let entry_id = ledger::post_entry(
        conn,
        member,
        Draft {
            kind: EntryKind::PromotionBonus,
            partner_id,
            reference,
            memo: Some(&first.name),
            posted_at: now,
            postings,
            allow_negative_available: false,
            activity: false,
        },
    )?;
    issue(
        conn,
        member,
        &Issue {
            earn_id: None,
            entry_id,
            partner_id,
            order_id: reference,
            price_micros: price,
            earned_at: now,
            available_at: now,
            expires_at: settings
                .expiry_policy
                .lot_expires_at(settings.expiry_months, now),
            matured: true,
            now,
        },
        planned,
    )
}
