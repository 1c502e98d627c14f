//! Spending points at any partner, in two phases: authorize (a hold, with the member's
//! one-time code) then capture all or part, or void; a captured redemption can be reversed.

use chrono::{Duration, NaiveDateTime};
use partner_sdk::types::EntryKind;
use partner_sdk::types::{AuthorizeRequest, Redemption, RedemptionStatus, SpendCurrency};

use crate::db::queries::ledger::lots as lot_rows;
use crate::db::queries::redemption::{self as redemption_rows, RedemptionRow};
use crate::db::queries::{members as member_rows, partners};
use crate::db::{write_tx, DbConn};
use crate::domain::clock::utc;
use crate::domain::ids::{PartnerId, RedemptionId};
use crate::domain::input::{check_range, check_text, TextKind};
use crate::domain::limits::POINTS_MAX;
use crate::domain::money::{Points, PriceMicros};
use crate::error::{fail, ApiError, ApiResult, Code};
use crate::service::ledger::clearing::{self, EntryAt};
use crate::service::ledger::{self, account, minus, points_overflow, Asset, Draft, Posting};
use crate::service::{ledger::lots, local_programs, members};

fn status_of(value: &str) -> ApiResult<RedemptionStatus> {
    Ok(match value {
        "authorized" => RedemptionStatus::Authorized,
        "captured" => RedemptionStatus::Captured,
        "voided" => RedemptionStatus::Voided,
        "expired" => RedemptionStatus::Expired,
        other => {
            return Err(ApiError::internal(format!(
                "unknown redemption status {other}"
            )))
        }
    })
}

fn view(conn: &mut DbConn, r: &RedemptionRow) -> ApiResult<Redemption> {
    let member = member_rows::by_id(conn, r.member_id)?;
    Ok(Redemption {
        redemption_id: r.id.get(),
        member_number: member.member_number,
        status: status_of(&r.status)?,
        points_authorized: r.points_authorized.get(),
        points_captured: r.points_captured.get(),
        points_reversed: r.points_reversed.get(),
        expires_at: utc(r.expires_at),
        order_id: r.order_id.clone(),
        created_at: utc(r.created_at),
        currency: match lots::hold_asset(r)? {
            Asset::Points => SpendCurrency::Network,
            Asset::Local(_) => SpendCurrency::Local,
        },
    })
}

fn points_of(value: i64, what: &str) -> ApiResult<Points> {
    Ok(Points::from(check_range(what, value, 1, POINTS_MAX)?))
}

/// Holds points of a member who gave their one-time code.
pub fn authorize(
    conn: &mut DbConn,
    now: NaiveDateTime,
    partner_id: PartnerId,
    req: &AuthorizeRequest,
) -> ApiResult<Redemption> {
    let points = points_of(req.points, "points")?;
    if let Some(order_id) = &req.order_id {
        check_text("order_id", order_id, TextKind::Identifier)?;
    }
    write_tx(conn, |conn| {
        let contract = partners::contract_at(conn, partner_id, now)?.ok_or_else(|| {
            ApiError::new(
                Code::PartnerSuspended,
                "the partner has no contract in force",
            )
        })?;
        let (asset, price_micros) = match req.currency {
            SpendCurrency::Network => (Asset::Points, contract.redemption_price_micros),
            // Local points are the partner's own: only it accepts them, and no money moves.
            SpendCurrency::Local => {
                local_programs::program_of(conn, partner_id)?;
                (Asset::Local(partner_id), PriceMicros::ZERO)
            }
        };
        let member = spender(conn, &req.member_number)?;
        let (mut member, settings) = members::lock_and_sync(conn, member.id, now)?;
        members::consume_code(conn, &member, &req.code, now)?;
        let available = spendable(conn, &member, asset)?;
        if available < points {
            return fail(
                Code::InsufficientPoints,
                format!("the member has {available} available points"),
            );
        }
        let expires_at = now + Duration::seconds(settings.hold_ttl_s);
        let id = redemption_rows::insert_redemption(
            conn,
            &asset.code(),
            partner_id,
            member.id,
            points,
            req.order_id.as_deref(),
            price_micros,
            expires_at,
            now,
        )?;
        let reference = id.to_string();
        let member_id = member.id;
        let entry_id = ledger::post_entry(
            conn,
            &mut member,
            Draft {
                kind: EntryKind::RedemptionHold,
                partner_id: Some(partner_id),
                reference: &reference,
                memo: None,
                posted_at: now,
                postings: vec![
                    Posting::member(account::MEMBER_AVAILABLE, member_id, minus(points)?)
                        .in_asset(asset),
                    Posting::member(account::MEMBER_HELD, member_id, points).in_asset(asset),
                ],
                allow_negative_available: false,
                activity: true,
            },
        )?;
        let all = lot_rows::member_lots_in_spending_order(conn, member.id, &asset.code())?;
        let plan = lots::plan_take(&all, points, |l| l.matured)?;
        lots::apply_plan(conn, &plan, entry_id, Some(id), "hold")?;
        let row = redemption_rows::redemption(conn, id)?
            .ok_or_else(|| ApiError::internal("hold vanished"))?;
        view(conn, &row)
    })
}

/// What the member can spend of `asset` now.
fn spendable(
    conn: &mut DbConn,
    member: &crate::db::queries::members::Member,
    asset: Asset,
) -> ApiResult<Points> {
    Ok(match asset {
        Asset::Points => member.available_points.at_least_zero(),
        Asset::Local(partner_id) => local_programs::balance(conn, member.id, partner_id)?
            .0
            .at_least_zero(),
    })
}

/// The member spending. Any member may spend at any partner with their code, so an unknown
/// member number answers exactly like a wrong code, stored under the idempotency key as that
/// one is.
fn spender(conn: &mut DbConn, number: &str) -> ApiResult<crate::db::queries::members::Member> {
    match members::find(conn, number) {
        Err(e) if e.code() == Code::MemberNotFound => Err(ApiError::recorded(
            Code::InvalidCode,
            members::WRONG_CODE_DETAIL,
        )),
        other => other,
    }
}

/// Loads a partner's redemption with its member locked and brought up to the clock.
fn load_locked(
    conn: &mut DbConn,
    now: NaiveDateTime,
    partner_id: PartnerId,
    redemption_id: RedemptionId,
) -> ApiResult<(RedemptionRow, crate::db::queries::members::Member)> {
    let not_found = || {
        ApiError::new(
            Code::RedemptionNotFound,
            "no such redemption for this partner",
        )
    };
    // Another partner's redemption answers exactly like a missing one.
    let r = redemption_rows::redemption(conn, redemption_id)?
        .filter(|r| r.partner_id == partner_id)
        .ok_or_else(not_found)?;
    let (member, _) = members::lock_and_sync(conn, r.member_id, now)?;
    let r = redemption_rows::redemption(conn, redemption_id)?.ok_or_else(not_found)?;
    Ok((r, member))
}

fn require_authorized(r: &RedemptionRow) -> ApiResult<()> {
    match r.status.as_str() {
        "authorized" => Ok(()),
        "captured" => fail(
            Code::RedemptionCaptured,
            "the redemption was already captured",
        ),
        "voided" => fail(Code::RedemptionVoided, "the redemption was voided"),
        _ => fail(
            Code::HoldExpired,
            "the hold expired and its points went back to the member",
        ),
    }
}

/// Captures all of a hold, or part of it (the rest goes back to the member).
pub fn capture(
    conn: &mut DbConn,
    now: NaiveDateTime,
    partner_id: PartnerId,
    redemption_id: RedemptionId,
    points: Option<i64>,
) -> ApiResult<Redemption> {
    let points = points.map(|p| points_of(p, "points")).transpose()?;
    write_tx(conn, |conn| {
        let (mut r, mut member) = load_locked(conn, now, partner_id, redemption_id)?;
        require_authorized(&r)?;
        let captured = points.unwrap_or(r.points_authorized);
        if captured > r.points_authorized {
            return fail(
                Code::CaptureExceedsHold,
                format!("the hold is {} points", r.points_authorized),
            );
        }
        let released = r
            .points_authorized
            .checked_sub(captured)
            .ok_or_else(points_overflow)?;
        let asset = lots::hold_asset(&r)?;
        let available_before = lots::available_of(conn, &member, asset)?;
        let reference = r.id.to_string();
        let member_id = member.id;
        let entry_id = ledger::post_entry(
            conn,
            &mut member,
            Draft {
                kind: EntryKind::RedemptionCapture,
                partner_id: Some(partner_id),
                reference: &reference,
                memo: None,
                posted_at: now,
                postings: vec![
                    Posting::member(account::MEMBER_HELD, member_id, minus(r.points_authorized)?)
                        .in_asset(asset),
                    Posting::partner(account::PARTNER_REDEMPTION, partner_id, captured)
                        .in_asset(asset),
                    Posting::member(account::MEMBER_AVAILABLE, member_id, released).in_asset(asset),
                ],
                allow_negative_available: false,
                activity: true,
            },
        )?;
        if released.is_positive() {
            lots::restore_to_lots(conn, r.id, released, available_before, entry_id)?;
        }
        // What the hold still has of each lot is what was spent here, and who funded it
        // (local points are never settled: no clearing event).
        let spent = lot_rows::redemption_lot_holdings(conn, r.id)?;
        (asset == Asset::Points)
            .then(|| {
                clearing::record_redemption(
                    conn,
                    clearing::ClearingKind::Redeem,
                    EntryAt {
                        entry_id,
                        posted_at: now,
                    },
                    partner_id,
                    r.price_micros,
                    &clearing::redemption_ref(r.order_id.as_deref(), r.id),
                    &spent,
                )
            })
            .transpose()?;
        r.status = "captured".into();
        r.points_captured = captured;
        save(conn, &r, "authorized", now)
    })
}

/// Writes a redemption's new state (it must still be in `from_status`: the member's lock is
/// held) and returns its view.
fn save(
    conn: &mut DbConn,
    r: &RedemptionRow,
    from_status: &str,
    now: NaiveDateTime,
) -> ApiResult<Redemption> {
    if redemption_rows::update_redemption(conn, r, from_status, now)? != 1 {
        return Err(ApiError::internal(
            "redemption changed under the member lock",
        ));
    }
    view(conn, r)
}

/// Releases a hold without spending.
pub fn void(
    conn: &mut DbConn,
    now: NaiveDateTime,
    partner_id: PartnerId,
    redemption_id: RedemptionId,
) -> ApiResult<Redemption> {
    write_tx(conn, |conn| {
        let (r, mut member) = load_locked(conn, now, partner_id, redemption_id)?;
        require_authorized(&r)?;
        lots::release_hold(conn, &mut member, r, "voided", now)?;
        let r = redemption_rows::redemption(conn, redemption_id)?
            .ok_or_else(|| ApiError::internal("redemption vanished"))?;
        view(conn, &r)
    })
}

/// Gives back (part of) a captured redemption when the goods bought with points are returned.
pub fn reverse(
    conn: &mut DbConn,
    now: NaiveDateTime,
    partner_id: PartnerId,
    redemption_id: RedemptionId,
    points: i64,
) -> ApiResult<Redemption> {
    let points = points_of(points, "points")?;
    write_tx(conn, |conn| {
        let (mut r, mut member) = load_locked(conn, now, partner_id, redemption_id)?;
        if r.status != "captured" {
            return fail(
                Code::RedemptionNotCaptured,
                "only a captured redemption can be reversed",
            );
        }
        let reversed_after = r
            .points_reversed
            .checked_add(points)
            .ok_or_else(points_overflow)?;
        if reversed_after > r.points_captured {
            return fail(
                Code::ReversalExceedsCapture,
                format!(
                    "{} of {} captured points are already reversed",
                    r.points_reversed, r.points_captured
                ),
            );
        }
        let asset = lots::hold_asset(&r)?;
        let available_before = lots::available_of(conn, &member, asset)?;
        let reference = r.id.to_string();
        let member_id = member.id;
        let entry_id = ledger::post_entry(
            conn,
            &mut member,
            Draft {
                kind: EntryKind::RedemptionReversal,
                partner_id: Some(partner_id),
                reference: &reference,
                memo: None,
                posted_at: now,
                postings: vec![
                    Posting::partner(account::PARTNER_REDEMPTION, partner_id, minus(points)?)
                        .in_asset(asset),
                    Posting::member(account::MEMBER_AVAILABLE, member_id, points).in_asset(asset),
                ],
                allow_negative_available: false,
                activity: false,
            },
        )?;
        let restored = lots::restore_to_lots(conn, r.id, points, available_before, entry_id)?;
        if asset != Asset::Points {
            r.points_reversed = reversed_after;
            return save(conn, &r, "captured", now);
        }
        clearing::record_redemption(
            conn,
            clearing::ClearingKind::Reverse,
            EntryAt {
                entry_id,
                posted_at: now,
            },
            partner_id,
            r.price_micros,
            &clearing::redemption_ref(r.order_id.as_deref(), r.id),
            &restored,
        )?;
        r.points_reversed = reversed_after;
        save(conn, &r, "captured", now)
    })
}

/// A partner's redemption, brought up to the clock (an expired hold shows as expired).
pub fn get(
    conn: &mut DbConn,
    now: NaiveDateTime,
    partner_id: PartnerId,
    redemption_id: RedemptionId,
) -> ApiResult<Redemption> {
    write_tx(conn, |conn| {
        let (r, _) = load_locked(conn, now, partner_id, redemption_id)?;
        view(conn, &r)
    })
}
