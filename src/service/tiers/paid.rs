//! Paid tiers: a tier with a price, bought by a member at a partner (who collected the price),
//! runs for its months from the purchase (or from the end of the one running). The fee is money
//! in the ledger: an entry of the network's chain records what the member paid and what the
//! seller sold; a fee owed to the operator is billed on the seller's next statement.

use chrono::{Months, NaiveDateTime};
use diesel::Connection;
use partner_sdk::tiers::{FeeTo, PaidTier, PaidTierRequest};
use partner_sdk::types::EntryKind;

use crate::db::queries::members as member_rows;
use crate::db::queries::tiers::{self as rows, NewPurchase, TierRow};
use crate::db::{is_unique_violation, write_tx, DbConn};
use crate::domain::clock::utc;
use crate::domain::ids::{MemberId, PartnerId};
use crate::domain::input::{check_range, check_text, TextKind};
use crate::error::{fail, ApiError, ApiResult, Code};
use crate::http::tiers::json::TierDefinition;
use crate::service::ledger::{self, NetworkDraft};
use crate::service::members;
use crate::service::platform::settings;

/// Money account: what members paid for paid tiers (owner: the member).
pub const MEMBER_TIER_FEES: &str = "tier_fees_paid";
/// Money account: paid tiers a partner sold (owner: the partner).
pub const PARTNER_TIER_SALES: &str = "partner_tier_sales";
/// Highest price of a paid tier, minor units.
const PRICE_MAX: i64 = 100_000_000;

/// The stored name of who a fee is owed to.
pub fn fee_to_str(f: FeeTo) -> &'static str {
    match f {
        FeeTo::Operator => "operator",
        FeeTo::Seller => "seller",
    }
}

/// Who a stored fee is owed to.
pub fn fee_to(stored: &str) -> FeeTo {
    if stored == "seller" {
        FeeTo::Seller
    } else {
        FeeTo::Operator
    }
}

/// Checks a tier definition's price: not on the base tier, within bounds.
pub(super) fn check_price(field: &str, rank: usize, t: &TierDefinition) -> ApiResult<()> {
    if let Some(price) = t.price_minor {
        if rank == 0 {
            return fail(
                Code::InvalidRequest,
                format!("{field}.price_minor: the base tier cannot be sold"),
            );
        }
        check_range(&format!("{field}.price_minor"), price, 1, PRICE_MAX)?;
    }
    if let Some(months) = t.paid_months {
        check_range(&format!("{field}.paid_months"), months, 1, 36)?;
    }
    if t.price_minor.is_none() && (t.paid_months.is_some() || t.fee_to.is_some()) {
        return fail(
            Code::InvalidRequest,
            format!("{field}: paid_months and fee_to need a price_minor"),
        );
    }
    Ok(())
}

/// The best paid tier running for a member at `now` (by rank in `table`), and its end.
pub(super) fn best_running(
    conn: &mut DbConn,
    member_id: MemberId,
    now: NaiveDateTime,
    table: &[TierRow],
) -> ApiResult<Option<(TierRow, NaiveDateTime)>> {
    let mut best: Option<(TierRow, NaiveDateTime)> = None;
    for (code, until) in rows::paid_tiers(conn, member_id, now)? {
        let Some(t) = table.iter().find(|t| t.code == code) else {
            continue;
        };
        if best.as_ref().is_none_or(|(b, _)| t.tier_rank > b.tier_rank) {
            best = Some((t.clone(), until));
        }
    }
    Ok(best)
}

/// A partner sells a member a paid tier.
pub fn buy(
    conn: &mut DbConn,
    now: NaiveDateTime,
    partner_id: PartnerId,
    req: &PaidTierRequest,
) -> ApiResult<PaidTier> {
    check_text("order_id", &req.order_id, TextKind::Identifier)?;
    check_range("amount_minor", req.amount_minor, 1, PRICE_MAX)?;
    write_tx(conn, |conn| {
        let member = members::find_linked(conn, partner_id, &req.member_number)?;
        let currency = settings::load(conn)?.currency;
        if req.currency != currency {
            return fail(
                Code::CurrencyMismatch,
                format!("paid tiers are sold in {currency}"),
            );
        }
        let tier = rows::table(conn)?
            .into_iter()
            .find(|t| t.code == req.tier)
            .ok_or_else(|| ApiError::new(Code::InvalidRequest, "tier: no such tier"))?;
        let Some(price) = tier.price_minor else {
            return fail(Code::InvalidRequest, "tier: this tier is not for sale");
        };
        if req.amount_minor != price {
            return fail(
                Code::InvalidAmount,
                format!("amount_minor: the tier's price is {price}"),
            );
        }
        member_rows::lock(conn, member.id)?;
        // A purchase while the same tier bought from this seller runs extends it from its end
        // (a purchase elsewhere is not this seller's to see: it runs beside it).
        let from = rows::paid_tiers_from(conn, member.id, partner_id, now)?
            .into_iter()
            .filter(|(code, _)| *code == tier.code)
            .map(|(_, until)| until)
            .max()
            .unwrap_or(now)
            .max(now);
        let months = u32::try_from(tier.paid_months.unwrap_or(12)).unwrap_or(12);
        let paid_until = from
            .checked_add_months(Months::new(months))
            .ok_or_else(|| ApiError::internal("paid tier end out of range"))?;
        let owed = fee_to(tier.fee_to.as_deref().unwrap_or("operator"));
        let entry_id = ledger::post_network_entry(
            conn,
            NetworkDraft {
                kind: EntryKind::TierPurchase,
                partner_id: Some(partner_id),
                reference: &req.order_id,
                memo: Some(&tier.code),
                posted_at: now,
                postings: vec![
                    (MEMBER_TIER_FEES, member.id.get(), currency.clone(), price),
                    (PARTNER_TIER_SALES, partner_id.get(), currency, -price),
                ],
            },
        )?
        .ok_or_else(|| ApiError::internal("a paid tier posted nothing"))?;
        let new = NewPurchase {
            member_id: member.id,
            partner_id,
            tier_code: &tier.code,
            order_id: &req.order_id,
            amount_minor: price,
            fee_to: fee_to_str(owed),
            purchased_at: now,
            paid_until,
            entry_id,
        };
        match conn.transaction(|conn| rows::insert_purchase(conn, &new)) {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => {
                return fail(Code::Conflict, "this order_id already bought a paid tier")
            }
            Err(e) => return Err(e.into()),
        }
        super::evaluate(conn, member.id, now)?;
        Ok(PaidTier {
            member_number: member.member_number,
            tier: tier.code,
            paid_until: utc(paid_until),
            amount_minor: price,
            fee_to: owed,
            entry_id: entry_id.get(),
        })
    })
}
