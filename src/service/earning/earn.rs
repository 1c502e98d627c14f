//! Credits the points of a sale: one order earns once; the points are a new lot, pending until
//! the partner's return window ends, paid for by the partner at its contract's issuance price.

use chrono::{Duration, NaiveDateTime};
use partner_sdk::types::EntryKind;
use partner_sdk::types::{EarnRequest, EarnResponse, PointsStatus};

use crate::db::queries::earning::{self as earn_rows, NewEarn};
use crate::db::queries::ledger::lots::{self as lot_rows, NewLot};
use crate::db::queries::partners::{self, ContractRow};
use crate::db::{write_tx, DbConn};
use crate::domain::clock::utc;

use super::lines::{record_categories, treated_lines};
use super::quote::{points_of_sale, rates_of, sale_context};
use crate::db::queries::members::Member;
use crate::domain::earning::rules::EarnOutcome;
use crate::domain::earning::sale::check_sale;
use crate::domain::ids::{EarnId, EntryId, LotId, MemberId, PartnerId};
use crate::domain::money::{MoneyMinor, Points, PriceMicros};
use crate::error::{fail, ApiError, ApiResult, Code};
use crate::service::catalog::taxonomy::TreeCache;
use crate::service::ledger::clearing::{self, EntryAt};
use crate::service::ledger::{self, account, local, lots, minus, Asset, Draft, Posting, PTS};
use crate::service::promotions::sale::Planned;
use crate::service::{local_programs, members, promotions, tiers};

/// Credits the points of a sale to a linked member, in its own transaction (a savepoint
/// inside another). One order earns once.
pub fn earn(
    conn: &mut DbConn,
    categories: &TreeCache,
    now: NaiveDateTime,
    partner_id: PartnerId,
    req: &EarnRequest,
) -> ApiResult<EarnResponse> {
    write_tx(conn, |conn| {
        earn_within(conn, categories, now, partner_id, req)
    })
}

/// [`earn`] inside a transaction the caller opened and rolls back on any error (as an
/// idempotent request's does): no savepoint of its own.
pub fn earn_within(
    conn: &mut DbConn,
    categories: &TreeCache,
    now: NaiveDateTime,
    partner_id: PartnerId,
    req: &EarnRequest,
) -> ApiResult<EarnResponse> {
    let occurred_at = check_sale(req, now)?.occurred_at;
    let member = members::find_linked(conn, partner_id, &req.member_number)?;
    let contract = contract_for_sale(conn, partner_id, now, &req.currency)?;
    // The member is locked from here: their tier, balances and chain move together.
    let (mut member, settings) = members::lock_and_sync(conn, member.id, now)?;
    let tier = tiers::evaluate(conn, member.id, now)?;
    let lines = treated_lines(conn, categories, partner_id, &contract, req)?;
    let rates = rates_of(&settings, &contract, &tier);
    let mut outcome = points_of_sale(rates, req, &lines, &tier)?;
    // The partner's own currency, at the member's tier in its program if it has tiers.
    let local = local_programs::points_of_sale(
        conn,
        (partner_id, member.id, now),
        &req.currency,
        outcome.weighted_bp,
    )?;
    if let Some((_, _, Some(t))) = &local {
        if t.multiplier_bp != 10_000 {
            outcome.rules.push(local_programs::tiers::applied_rule(t));
        }
    }
    let local_points = local.as_ref().map_or(Points::ZERO, |(_, p, _)| *p);
    let earn_id = claim_order(conn, partner_id, member.id, req, occurred_at, &outcome, now)?;
    record_categories(conn, earn_id, partner_id, member.id, occurred_at, &lines)?;
    let who = (partner_id, member.id, occurred_at);
    let amounts = (req.amount_minor, &outcome);
    let sale = sale_context(&lines, who, &tier, (rates, now), amounts, true);
    let bonuses = promotions::sale::plan(conn, &sale, true)?;
    let lot = NewLotTerms {
        available_at: occurred_at + Duration::days(contract.return_window_days),
        expires_at: settings
            .expiry_policy
            .lot_expires_at(settings.expiry_months, occurred_at),
    };
    let credits = outcome.points.is_positive() || local_points.is_positive();
    let entry_id = if credits || !bonuses.is_empty() {
        let credit = Credit {
            partner_id,
            member_id: member.id,
            order_id: &req.order_id,
            points: outcome.points,
            price_micros: contract.issuance_price_micros,
            occurred_at,
            lot: &lot,
            local: local.map(|(program, points, _)| (points, program.expiry_months)),
            bonuses: &bonuses,
        };
        let (entry_id, lot_id, local_lot_id) = credit_points(conn, &mut member, &credit, now)?;
        earn_rows::set_earn_entry(conn, earn_id, entry_id, lot_id)?;
        let issue = promotions::grant::Issue {
            earn_id: Some(earn_id),
            entry_id,
            partner_id: Some(partner_id),
            order_id: &req.order_id,
            price_micros: contract.issuance_price_micros,
            earned_at: occurred_at,
            available_at: lot.available_at,
            expires_at: lot.expires_at,
            matured: lot.available_at <= now,
            now,
        };
        promotions::grant::issue(conn, &member, &issue, &bonuses)?;
        // A referral is paid once the return window, counted from now, has passed too: a
        // sale backdated past its window is not paid at once.
        let payable_at = lot
            .available_at
            .max(now + Duration::days(contract.return_window_days));
        promotions::referrals::on_earn(
            conn,
            member.id,
            partner_id,
            (earn_id, sale.eligible_minor),
            (occurred_at, now, payable_at),
            &tier.tier.code,
        )?;
        if let Some(lot_id) = local_lot_id {
            local_programs::record_earn(conn, earn_id, local_points, lot_id)?;
        }
        Some(entry_id)
    } else {
        None
    };
    // The sale counts towards the member's tier at once; a new tier's multiplier applies
    // from the next sale. A sale that crosses no threshold (and ends no grace) moves
    // nothing: no second evaluation then.
    if tier.may_move_with(req.amount_minor, outcome.points.get()) {
        tiers::evaluate(conn, member.id, now)?;
    }
    tracing::info!(
        partner.id = %partner_id,
        member.id = %member.id,
        points = outcome.points.get(),
        "earn"
    );
    Ok(EarnResponse {
        earn_id: earn_id.get(),
        member_number: member.member_number.clone(),
        order_id: req.order_id.clone(),
        points: outcome.points.get(),
        status: if lot.available_at <= now {
            PointsStatus::Available
        } else {
            PointsStatus::Pending
        },
        available_at: utc(lot.available_at),
        expires_at: lot.expires_at.map(utc),
        rules: outcome.rules,
        entry_id: entry_id.map(EntryId::get),
        local_points: local_points.get(),
        bonus_points: promotions::sale::total(&bonuses)?.get(),
        bonuses: bonuses.iter().map(Planned::bonus).collect(),
    })
}

/// The partner's contract in force, which must be in the sale's currency.
pub(super) fn contract_for_sale(
    conn: &mut DbConn,
    partner_id: PartnerId,
    now: NaiveDateTime,
    currency: &str,
) -> ApiResult<ContractRow> {
    let contract = partners::contract_at(conn, partner_id, now)?.ok_or_else(|| {
        ApiError::new(
            Code::PartnerSuspended,
            "the partner has no contract in force",
        )
    })?;
    if contract.currency != currency {
        return fail(
            Code::CurrencyMismatch,
            format!("this partner's sales are in {}", contract.currency),
        );
    }
    Ok(contract)
}

/// Records the order; a second earn of the same order id is refused here, whatever its key.
fn claim_order(
    conn: &mut DbConn,
    partner_id: PartnerId,
    member_id: MemberId,
    req: &EarnRequest,
    occurred_at: NaiveDateTime,
    outcome: &EarnOutcome,
    now: NaiveDateTime,
) -> ApiResult<EarnId> {
    let new = NewEarn {
        partner_id,
        member_id,
        order_id: &req.order_id,
        occurred_at,
        amount_minor: MoneyMinor::from(req.amount_minor),
        currency: &req.currency,
        points: outcome.points,
        lot_id: None,
        entry_id: None,
        refunded_minor: MoneyMinor::ZERO,
        clawed_points: Points::ZERO,
        created_at: now,
        weighted_bp: Some(outcome.weighted_bp),
    };
    match earn_rows::insert_earn(conn, &new)? {
        Some(id) => Ok(id),
        None => fail(
            Code::OrderAlreadyEarned,
            format!("order {} has already earned points", req.order_id),
        ),
    }
}

/// When a new lot's points become available and when they expire.
struct NewLotTerms {
    available_at: NaiveDateTime,
    expires_at: Option<NaiveDateTime>,
}

/// Points a partner issues to a member for one order.
struct Credit<'a> {
    partner_id: PartnerId,
    member_id: MemberId,
    order_id: &'a str,
    points: Points,
    price_micros: PriceMicros,
    occurred_at: NaiveDateTime,
    lot: &'a NewLotTerms,
    /// Local points of the partner's program and their expiry in months, if it runs one.
    local: Option<(Points, i64)>,
    /// Promotions' bonuses, posted in the same entry (their lots come after).
    bonuses: &'a [Planned],
}

/// Posts the earn entry (network points and, in the same entry, the partner's local points),
/// creates their lots (repaying a negative balance first when the network points are
/// available at once) and writes the clearing event of the network points. Returns (entry id,
/// network lot id, local lot id).
fn credit_points(
    conn: &mut DbConn,
    member: &mut Member,
    c: &Credit<'_>,
    now: NaiveDateTime,
) -> ApiResult<(EntryId, Option<LotId>, Option<LotId>)> {
    let matured = c.lot.available_at <= now;
    let wallet = if matured {
        account::MEMBER_AVAILABLE
    } else {
        account::MEMBER_PENDING
    };
    let available_before = member.available_points;
    // Read only when local points arrive (most partners run no program of their own).
    let local_before = match c.local {
        Some((points, _)) if points.is_positive() => {
            lots::available_of(conn, member, Asset::Local(c.partner_id))?
        }
        _ => Points::ZERO,
    };
    let entry_id = ledger::post_entry(
        conn,
        member,
        Draft {
            kind: EntryKind::Earn,
            partner_id: Some(c.partner_id),
            reference: c.order_id,
            memo: None,
            posted_at: now,
            postings: credit_postings(c, wallet)?,
            allow_negative_available: false,
            activity: true,
        },
    )?;
    let local_lot_id = match c.local {
        Some((points, expiry_months)) if points.is_positive() => {
            let lot_id = local::insert_local_lot(
                conn,
                c.member_id,
                c.partner_id,
                points,
                (c.occurred_at, expiry_months),
                entry_id,
            )?;
            // Local points arriving on a negative local balance repay it first.
            let repay = lots::debt_repaid(local_before, points);
            if repay.is_positive() {
                lots::apply_plan(conn, &[(lot_id, repay)], entry_id, None, "debt_repayment")?;
            }
            Some(lot_id)
        }
        _ => None,
    };
    if !c.points.is_positive() {
        return Ok((entry_id, None, local_lot_id));
    }
    let lot_id = lot_rows::insert_lot(
        conn,
        &NewLot {
            member_id: c.member_id,
            asset: PTS,
            issuer_kind: "partner",
            issuer_partner_id: Some(c.partner_id),
            price_micros: c.price_micros,
            points: c.points,
            remaining: c.points,
            earned_at: c.occurred_at,
            available_at: c.lot.available_at,
            expires_at: c.lot.expires_at,
            matured,
            entry_id,
        },
    )?;
    let repay = if matured {
        lots::debt_repaid(available_before, c.points)
    } else {
        Points::ZERO
    };
    if repay.is_positive() {
        lots::apply_plan(conn, &[(lot_id, repay)], entry_id, None, "debt_repayment")?;
    }
    let at = EntryAt {
        entry_id,
        posted_at: now,
    };
    clearing::record_order(
        conn,
        clearing::ClearingKind::Issue,
        at,
        c.partner_id,
        c.points,
        c.price_micros,
        c.order_id,
    )?;
    Ok((entry_id, Some(lot_id), local_lot_id))
}

/// The earn entry's lines: the partner issues network points to the member's `wallet`, and
/// its local points (available at once) in the same entry.
fn credit_postings(c: &Credit<'_>, wallet: &'static str) -> ApiResult<Vec<Posting>> {
    let mut postings = vec![
        Posting::partner(account::PARTNER_ISSUANCE, c.partner_id, minus(c.points)?),
        Posting::member(wallet, c.member_id, c.points),
    ];
    if let Some((local, _)) = c.local {
        let asset = Asset::Local(c.partner_id);
        postings.push(
            Posting::partner(account::PARTNER_ISSUANCE, c.partner_id, minus(local)?)
                .in_asset(asset),
        );
        postings
            .push(Posting::member(account::MEMBER_AVAILABLE, c.member_id, local).in_asset(asset));
    }
    for bonus in c.bonuses {
        postings.extend(bonus.postings(c.member_id, wallet)?);
    }
    Ok(postings)
}
