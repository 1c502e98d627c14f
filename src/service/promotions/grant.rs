//! Giving bonuses: each its own lot (repaying a negative balance first when available at
//! once), the grant recorded, and for a partner's promotion its clearing event.

use chrono::NaiveDateTime;

use crate::db::queries::ledger::lots::{self as lot_rows, NewLot};
use crate::db::queries::members::Member;
use crate::db::queries::promotions::{self as rows, NewGrant};
use crate::db::DbConn;
use crate::domain::ids::{EarnId, EntryId, PartnerId};
use crate::domain::money::PriceMicros;
use crate::error::ApiResult;
use crate::service::ledger::clearing::{self, ClearingKind, EntryAt};
use crate::service::ledger::{lots, points_overflow, PTS};

use super::sale::Planned;

/// Where bonuses go: the sale's order (or the welcome's reference), entry and lot terms.
pub struct Issue<'a> {
    /// The earn they ride on (none: a welcome bonus).
    pub earn_id: Option<EarnId>,
    /// Its entry, which holds their postings.
    pub entry_id: EntryId,
    /// Where the sale happened (none: the operator's welcome at joining).
    pub partner_id: Option<PartnerId>,
    /// The sale's order id (or `promotion:<id>` for a welcome bonus): the clearing event's
    /// reference.
    pub order_id: &'a str,
    /// The partner's issuance price in force.
    pub price_micros: PriceMicros,
    /// When the sale happened.
    pub earned_at: NaiveDateTime,
    /// When its points become available.
    pub available_at: NaiveDateTime,
    /// When they expire.
    pub expires_at: Option<NaiveDateTime>,
    /// Whether they are available already.
    pub matured: bool,
    /// The posting time.
    pub now: NaiveDateTime,
}

/// Creates each bonus's lot (repaying a negative balance first when available at once),
/// records the grant and, for a partner's promotion, its clearing event.
pub fn issue(
    conn: &mut DbConn,
    member: &Member,
    at: &Issue<'_>,
    planned: &[Planned],
) -> ApiResult<()> {
    let bonus_total = super::sale::total(planned)?;
    // The member's available balance before the bonuses (after the sale's own points).
    let mut available = if at.matured {
        member
            .available_points
            .checked_sub(bonus_total)
            .ok_or_else(points_overflow)?
    } else {
        member.available_points
    };
    for p in planned {
        let lot_id = lot_rows::insert_lot(
            conn,
            &NewLot {
                member_id: member.id,
                asset: PTS,
                issuer_kind: if p.funder.is_some() {
                    "partner"
                } else {
                    "operator"
                },
                issuer_partner_id: p.funder,
                price_micros: if p.funder.is_some() {
                    at.price_micros
                } else {
                    PriceMicros::ZERO
                },
                points: p.points,
                remaining: p.points,
                earned_at: at.earned_at,
                available_at: at.available_at,
                expires_at: at.expires_at,
                matured: at.matured,
                entry_id: at.entry_id,
            },
        )?;
        if at.matured {
            let repay = lots::debt_repaid(available, p.points);
            if repay.is_positive() {
                lots::apply_plan(
                    conn,
                    &[(lot_id, repay)],
                    at.entry_id,
                    None,
                    "debt_repayment",
                )?;
            }
            available = available
                .checked_add(p.points)
                .ok_or_else(points_overflow)?;
        }
        rows::insert_grant(
            conn,
            &NewGrant {
                promotion_id: p.promotion_id,
                member_id: member.id,
                partner_id: at.partner_id,
                earn_id: at.earn_id,
                lot_id,
                entry_id: at.entry_id,
                points: p.points.get(),
                granted_at: at.now,
            },
        )?;
        if let Some(funder) = p.funder {
            clearing::record_promotion(
                conn,
                ClearingKind::Issue,
                EntryAt {
                    entry_id: at.entry_id,
                    posted_at: at.now,
                },
                (funder, p.points, at.price_micros),
                at.order_id,
                p.promotion_id,
            )?;
        }
    }
    Ok(())
}
