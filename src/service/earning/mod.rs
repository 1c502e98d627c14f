//! Earning points on a sale, and clawing them back when the sale is returned.

use chrono::{Duration, NaiveDateTime};
use partner_sdk::types::{EarnRequest, EarnResponse, PointsStatus, RefundRequest, RefundResponse};

use diesel::Connection;

use crate::db::queries::earning::{self as earn_rows, NewEarn};
use crate::db::queries::ledger::lots::{self as lot_rows, NewLot};
use crate::db::queries::partners;
use crate::db::{is_unique_violation, write_tx, DbConn};
use crate::domain::clock::utc;
use crate::domain::earn_rules::{
    compute_points, cumulative_clawback, currency_exponent, EarnRates,
};
use crate::domain::input::{check_range, check_text, TextKind};
use crate::domain::limits::{AMOUNT_MINOR_MAX, SALE_BACKDATE_DAYS_MAX, SALE_LINES_MAX};
use crate::error::{fail, ApiError, ApiResult, Code};
use crate::service::ledger::clearing::{self, EntryAt};
use crate::service::ledger::{self, account, Draft, Posting, PTS};
use crate::service::{ledger::lots, members};

fn check_amount(amount_minor: i64, what: &str) -> ApiResult<()> {
    check_range(what, amount_minor, 1, AMOUNT_MINOR_MAX)?;
    Ok(())
}

fn check_ref(value: &str, field: &str) -> ApiResult<()> {
    check_text(field, value, TextKind::Identifier)?;
    Ok(())
}

fn validate_earn(req: &EarnRequest, now: NaiveDateTime) -> ApiResult<NaiveDateTime> {
    check_ref(&req.order_id, "order_id")?;
    check_amount(req.amount_minor, "amount_minor")?;
    if currency_exponent(&req.currency).is_none() {
        return fail(
            Code::InvalidRequest,
            "currency must be an ISO 4217 code such as EUR",
        );
    }
    if let Some(lines) = &req.lines {
        if lines.len() > SALE_LINES_MAX {
            return fail(
                Code::InvalidRequest,
                format!("at most {SALE_LINES_MAX} lines"),
            );
        }
        let mut total: i64 = 0;
        for (i, line) in lines.iter().enumerate() {
            check_range(
                &format!("lines[{i}].amount_minor"),
                line.amount_minor,
                0,
                AMOUNT_MINOR_MAX,
            )?;
            if let Some(sku) = &line.sku {
                check_text(&format!("lines[{i}].sku"), sku, TextKind::Label)?;
            }
            if let Some(category) = &line.category {
                check_text(&format!("lines[{i}].category"), category, TextKind::Label)?;
            }
            total = total.saturating_add(line.amount_minor);
        }
        if total > req.amount_minor {
            return fail(
                Code::InvalidAmount,
                "the lines add up to more than the sale amount",
            );
        }
    }
    let occurred_at = req.occurred_at.map(|t| t.naive_utc()).unwrap_or(now);
    // A few minutes of clock difference between the till and the network is normal.
    if occurred_at > now + Duration::minutes(5)
        || occurred_at < now - Duration::days(SALE_BACKDATE_DAYS_MAX)
    {
        return fail(
            Code::InvalidOccurredAt,
            format!("occurred_at must be within the last {SALE_BACKDATE_DAYS_MAX} days and not in the future"),
        );
    }
    Ok(occurred_at.min(now))
}

/// Credits the points of a sale to a linked member. One order earns once.
pub fn earn(
    conn: &mut DbConn,
    now: NaiveDateTime,
    partner_id: i64,
    req: &EarnRequest,
) -> ApiResult<EarnResponse> {
    let occurred_at = validate_earn(req, now)?;
    write_tx(conn, |conn| {
        let member = members::find_linked(conn, partner_id, &req.member_number)?;
        let contract = partners::contract_at(conn, partner_id, now)?.ok_or_else(|| {
            ApiError::new(
                Code::PartnerSuspended,
                "the partner has no contract in force",
            )
        })?;
        if contract.currency != req.currency {
            return fail(
                Code::CurrencyMismatch,
                format!("this partner's sales are in {}", contract.currency),
            );
        }
        let settings = crate::service::platform::settings::load(conn)?;
        let rates = EarnRates {
            base_rate_millipoints: settings.base_rate_millipoints,
            partner_rate_bp: contract.earn_rate_bp,
            currency_exponent: currency_exponent(&contract.currency).unwrap_or(2),
        };
        let outcome = compute_points(req.amount_minor, &req.currency, rates).ok_or_else(|| {
            ApiError::new(
                Code::InvalidAmount,
                "the sale would earn more points than the maximum",
            )
        })?;
        let earn_id = claim_order(
            conn,
            partner_id,
            member.id,
            req,
            occurred_at,
            outcome.points,
            now,
        )?;

        let available_at = occurred_at + Duration::days(contract.return_window_days);
        let expires_at = settings
            .expiry_policy
            .lot_expires_at(settings.expiry_months, occurred_at);
        let mut entry_id = None;
        if outcome.points > 0 {
            let (mut member, _) = members::lock_and_sync(conn, member.id, now)?;
            let matured = available_at <= now;
            let wallet = if matured {
                account::MEMBER_AVAILABLE
            } else {
                account::MEMBER_PENDING
            };
            let available_before = member.available_points;
            let member_id = member.id;
            let id = ledger::post_entry(
                conn,
                &mut member,
                Draft {
                    kind: "earn",
                    partner_id: Some(partner_id),
                    reference: &req.order_id,
                    memo: None,
                    posted_at: now,
                    postings: vec![
                        Posting::pts(account::PARTNER_ISSUANCE, partner_id, -outcome.points),
                        Posting::pts(wallet, member_id, outcome.points),
                    ],
                    allow_negative_available: false,
                    activity: true,
                },
            )?;
            let lot_id = lot_rows::insert_lot(
                conn,
                &NewLot {
                    member_id: member.id,
                    asset: PTS,
                    issuer_kind: "partner",
                    issuer_partner_id: Some(partner_id),
                    price_micros: contract.issuance_price_micros,
                    points: outcome.points,
                    remaining: outcome.points,
                    earned_at: occurred_at,
                    available_at,
                    expires_at,
                    matured,
                    entry_id: id,
                },
            )?;
            if matured {
                let repay = lots::debt_repaid(available_before, outcome.points);
                if repay > 0 {
                    lots::apply_plan(conn, &[(lot_id, repay)], id, None, "debt_repayment", 1)?;
                }
            }
            clearing::record_order(
                conn,
                clearing::kind::ISSUE,
                EntryAt {
                    entry_id: id,
                    posted_at: now,
                },
                partner_id,
                outcome.points,
                contract.issuance_price_micros,
                &req.order_id,
            )?;
            earn_rows::set_earn_entry(conn, earn_id, id, lot_id)?;
            entry_id = Some(id);
        }
        tracing::info!(
            partner.id = partner_id,
            member.id = member.id,
            points = outcome.points,
            "earn"
        );
        Ok(EarnResponse {
            earn_id,
            member_number: member.member_number.clone(),
            order_id: req.order_id.clone(),
            points: outcome.points,
            status: if available_at <= now {
                PointsStatus::Available
            } else {
                PointsStatus::Pending
            },
            available_at: utc(available_at),
            expires_at: expires_at.map(utc),
            rules: outcome.rules,
            entry_id,
        })
    })
}

fn claim_order(
    conn: &mut DbConn,
    partner_id: i64,
    member_id: i64,
    req: &EarnRequest,
    occurred_at: NaiveDateTime,
    points: i64,
    now: NaiveDateTime,
) -> ApiResult<i64> {
    let new = NewEarn {
        partner_id,
        member_id,
        order_id: &req.order_id,
        occurred_at,
        amount_minor: req.amount_minor,
        currency: &req.currency,
        points,
        lot_id: None,
        entry_id: None,
        refunded_minor: 0,
        clawed_points: 0,
        created_at: now,
    };
    // In a savepoint: on PostgreSQL a failed statement aborts the whole transaction otherwise.
    match conn.transaction(|conn| earn_rows::insert_earn(conn, &new)) {
        Ok(id) => Ok(id),
        Err(e) if is_unique_violation(&e) => fail(
            Code::OrderAlreadyEarned,
            format!("order {} has already earned points", req.order_id),
        ),
        Err(e) => Err(e.into()),
    }
}

/// Claws back the points of a returned sale, in proportion to the amount returned: from the
/// order's own lot first, then from the member's other available points; what the member cannot
/// cover leaves a negative balance. The partner is credited back every point clawed.
pub fn refund(
    conn: &mut DbConn,
    now: NaiveDateTime,
    partner_id: i64,
    req: &RefundRequest,
) -> ApiResult<RefundResponse> {
    check_ref(&req.order_id, "order_id")?;
    check_ref(&req.refund_id, "refund_id")?;
    check_amount(req.amount_minor, "amount_minor")?;
    write_tx(conn, |conn| {
        let order_not_found = || ApiError::new(Code::OrderNotFound, "no earn for this order id");
        let member_id = earn_rows::earn_by_order(conn, partner_id, &req.order_id)?
            .ok_or_else(order_not_found)?
            .member_id;
        // Refunds of one order serialise on its member's lock, taken before the order's totals
        // are read: read first, two concurrent refunds would both start from the same totals
        // (PostgreSQL's READ COMMITTED reads what was committed when each statement began).
        let (mut member, _) = members::lock_and_sync(conn, member_id, now)?;
        let earn = earn_rows::earn_by_order(conn, partner_id, &req.order_id)?
            .ok_or_else(order_not_found)?;
        if earn.currency != req.currency {
            return fail(
                Code::CurrencyMismatch,
                format!("the order was paid in {}", earn.currency),
            );
        }
        if earn_rows::refund_ref_exists(conn, partner_id, &req.refund_id)? {
            return fail(Code::RefundIdReused, "this refund_id was already used");
        }
        let refunded_after = earn.refunded_minor + req.amount_minor;
        if refunded_after > earn.amount_minor {
            return fail(
                Code::RefundExceedsOrder,
                format!(
                    "the order was {} minor units and {} are already refunded",
                    earn.amount_minor, earn.refunded_minor
                ),
            );
        }
        let claw = cumulative_clawback(earn.points, earn.amount_minor, refunded_after)
            - earn.clawed_points;
        let mut split = (0_i64, 0_i64, 0_i64);
        let mut entry_id = None;
        if claw > 0 {
            let all = lot_rows::member_lots_in_spending_order(conn, member.id)?;
            let order_lot = all.iter().find(|l| Some(l.id) == earn.lot_id);
            let from_order = order_lot.map_or(0, |l| l.remaining.min(claw));
            let order_lot_matured = order_lot.is_some_and(|l| l.matured);
            let others_available: i64 = all
                .iter()
                .filter(|l| l.matured && Some(l.id) != earn.lot_id)
                .map(|l| l.remaining)
                .sum();
            let from_others = (claw - from_order).min(others_available);
            let uncovered = claw - from_order - from_others;
            split = (from_order, from_others, uncovered);
            let (from_pending, from_available) = if order_lot_matured {
                (0, claw)
            } else {
                (from_order, claw - from_order)
            };
            let member_id = member.id;
            let id = ledger::post_entry(
                conn,
                &mut member,
                Draft {
                    kind: "refund",
                    partner_id: Some(partner_id),
                    reference: &req.refund_id,
                    memo: Some(&req.order_id),
                    posted_at: now,
                    postings: vec![
                        Posting::pts(account::MEMBER_PENDING, member_id, -from_pending),
                        Posting::pts(account::MEMBER_AVAILABLE, member_id, -from_available),
                        Posting::pts(account::PARTNER_ISSUANCE, partner_id, claw),
                    ],
                    allow_negative_available: true,
                    activity: false,
                },
            )?;
            let mut plan: Vec<(i64, i64)> = Vec::new();
            if let (Some(lot), true) = (order_lot, from_order > 0) {
                plan.push((lot.id, from_order));
            }
            if from_others > 0 {
                plan.extend(lots::plan_take(&all, from_others, |l| {
                    l.matured && Some(l.id) != earn.lot_id
                })?);
            }
            lots::apply_plan(conn, &plan, id, None, "clawback", 1)?;
            // Credited at the price the order's points were bought at, whatever the contract now.
            let order_price = match earn.lot_id {
                Some(lot_id) => lot_rows::lot(conn, lot_id)?.price_micros,
                None => 0,
            };
            clearing::record_order(
                conn,
                clearing::kind::CLAWBACK,
                EntryAt {
                    entry_id: id,
                    posted_at: now,
                },
                partner_id,
                claw,
                order_price,
                &req.order_id,
            )?;
            entry_id = Some(id);
            if uncovered > 0 {
                tracing::warn!(
                    member.id = member.id,
                    points = uncovered,
                    "refund left a negative balance"
                );
            }
        }
        if earn_rows::add_earn_refund(conn, earn.id, req.amount_minor, claw)? != 1 {
            return Err(ApiError::internal("earn totals out of range"));
        }
        match conn.transaction(|conn| {
            earn_rows::insert_refund(
                conn,
                earn.id,
                partner_id,
                &req.refund_id,
                req.amount_minor,
                claw,
                entry_id,
                now,
            )
        }) {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => {
                return fail(Code::RefundIdReused, "this refund_id was already used")
            }
            Err(e) => return Err(e.into()),
        }
        Ok(RefundResponse {
            refund_id: req.refund_id.clone(),
            order_id: req.order_id.clone(),
            amount_minor: req.amount_minor,
            points_clawed_back: claw,
            from_order_points: split.0,
            from_other_points: split.1,
            uncovered_points: split.2,
            order_refunded_minor: refunded_after,
            entry_id,
        })
    })
}
