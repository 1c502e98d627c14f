//! Clearing events: beside each journal entry that moves money between the network and a
//! partner, the slices settlement reads (which partner is billed or reimbursed, which partner
//! funded the points, how many, at what price). Written in the entry's own transaction and
//! never changed, so a close is one grouped scan of a period's events.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;

use crate::db::queries::ledger::lots::Lot;
use crate::db::queries::settlement::{self as rows, NewEvent};
use crate::db::DbConn;
use crate::domain::ids::{EntryId, PartnerId, PromotionId, RedemptionId};
use crate::domain::money::{Points, PriceMicros};
use crate::error::ApiResult;
use crate::service::ledger::points_overflow;

pub use crate::domain::settlement::tally::ClearingKind;

/// The journal entry events belong to.
#[derive(Debug, Clone, Copy)]
pub struct EntryAt {
    /// The entry's id.
    pub entry_id: EntryId,
    /// Its posting time, which decides its settlement period.
    pub posted_at: NaiveDateTime,
}

/// The reference a partner knows a redemption by: its order id, or `redemption:<id>`.
pub fn redemption_ref(order_id: Option<&str>, redemption_id: RedemptionId) -> String {
    order_id.map_or_else(|| format!("redemption:{redemption_id}"), str::to_owned)
}

/// A partner's issue or claw-back of an order's points, funded by that partner.
pub fn record_order(
    conn: &mut DbConn,
    kind: ClearingKind,
    at: EntryAt,
    partner_id: PartnerId,
    points: Points,
    price_micros: PriceMicros,
    order_id: &str,
) -> ApiResult<()> {
    record_funded(
        conn,
        kind,
        at,
        (partner_id, points, price_micros),
        order_id,
        None,
    )
}

/// A partner's promotion's bonus points issued or clawed back on an order: billed to the
/// partner like its sales, shown apart on its statement.
pub fn record_promotion(
    conn: &mut DbConn,
    kind: ClearingKind,
    at: EntryAt,
    (partner_id, points, price_micros): (PartnerId, Points, PriceMicros),
    order_ref: &str,
    promotion_id: PromotionId,
) -> ApiResult<()> {
    record_funded(
        conn,
        kind,
        at,
        (partner_id, points, price_micros),
        order_ref,
        Some(promotion_id),
    )
}

fn record_funded(
    conn: &mut DbConn,
    kind: ClearingKind,
    at: EntryAt,
    (partner_id, points, price_micros): (PartnerId, Points, PriceMicros),
    order_ref: &str,
    promotion_id: Option<PromotionId>,
) -> ApiResult<()> {
    if !points.is_positive() {
        return Ok(());
    }
    rows::insert_events(
        conn,
        &[NewEvent {
            entry_id: at.entry_id,
            posted_at: at.posted_at,
            kind: kind.as_str(),
            partner_id: Some(partner_id),
            issuer_partner_id: Some(partner_id),
            points,
            price_micros,
            order_ref,
            promotion_id,
        }],
    )?;
    Ok(())
}

/// A redemption's capture or reversal at `partner_id`, split by the partner that funded each
/// slice of points (`slices`: lot and points), all at the redemption's price.
pub fn record_redemption(
    conn: &mut DbConn,
    kind: ClearingKind,
    at: EntryAt,
    partner_id: PartnerId,
    price_micros: PriceMicros,
    order_ref: &str,
    slices: &[(Lot, Points)],
) -> ApiResult<()> {
    let mut by_issuer: BTreeMap<Option<PartnerId>, Points> = BTreeMap::new();
    for (lot, points) in slices.iter().filter(|(_, p)| p.is_positive()) {
        let total = by_issuer.entry(lot.issuer_partner_id).or_default();
        *total = total.checked_add(*points).ok_or_else(points_overflow)?;
    }
    let events: Vec<NewEvent<'_>> = by_issuer
        .into_iter()
        .map(|(issuer, points)| NewEvent {
            entry_id: at.entry_id,
            posted_at: at.posted_at,
            kind: kind.as_str(),
            partner_id: Some(partner_id),
            issuer_partner_id: issuer,
            points,
            price_micros,
            order_ref,
            promotion_id: None,
        })
        .collect();
    rows::insert_events(conn, &events)?;
    Ok(())
}

/// Points of lots that expired, each at the price its issuer paid.
pub fn record_breakage(
    conn: &mut DbConn,
    at: EntryAt,
    expired: &[(&Lot, Points)],
) -> ApiResult<()> {
    let refs: Vec<String> = expired
        .iter()
        .map(|(l, _)| format!("lot:{}", l.id))
        .collect();
    let events: Vec<NewEvent<'_>> = expired
        .iter()
        .zip(&refs)
        .filter(|((_, points), _)| points.is_positive())
        .map(|((lot, points), order_ref)| NewEvent {
            entry_id: at.entry_id,
            posted_at: at.posted_at,
            kind: ClearingKind::Breakage.as_str(),
            partner_id: None,
            issuer_partner_id: lot.issuer_partner_id,
            points: *points,
            price_micros: lot.price_micros,
            order_ref,
            promotion_id: None,
        })
        .collect();
    rows::insert_events(conn, &events)?;
    Ok(())
}
