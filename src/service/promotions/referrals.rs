//! Referrals: each member has a code; a new member names who referred them (at sign-up, or
//! later before their first purchase); a running referral promotion (the operator's, or the
//! partner's where the purchase happens) is qualified by the referred member's first purchase
//! of its minimum; once that purchase is past its return window and not returned, both sides
//! get the promotion's points, paid by its funder, within its budget and cap. Self-referral and
//! loops (A referred by B referred by A) are refused.

use chrono::{Duration, NaiveDateTime};
use partner_sdk::promotions::ReferralStatus;

use crate::db::queries::earning::{self as earn_rows, EarnRow};
use crate::db::queries::members as member_rows;
use crate::db::queries::promotions::referrals::{self as rows, ReferralRow};
use crate::db::queries::promotions::{self as promo_rows};
use crate::db::{is_unique_violation, write_tx, DbConn};
use crate::domain::clock::Clock;
use crate::domain::ids::{EarnId, MemberId, PartnerId};
use crate::domain::promotions::Rule;
use crate::error::{fail, ApiError, ApiResult, Code};
use crate::service::members;

use super::sale::{available, settle};
use super::welcome::credit;
use super::{rule_of, targets};

/// Letters and digits that cannot be mistaken for one another.
const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
/// A code's length.
const CODE_LEN: usize = 8;
/// How far up a chain of referrers the loop check looks (a chain is never longer than the
/// members, but a loop is found within its own length).
const CHAIN_MAX: usize = 10_000;
/// Referrals paid per round of the background job.
const BATCH: i64 = 200;

fn draw_code() -> String {
    let hex = partner_sdk::signing::random_token_hex(CODE_LEN);
    hex.as_bytes()
        .chunks(2)
        .filter_map(|pair| std::str::from_utf8(pair).ok())
        .filter_map(|pair| u8::from_str_radix(pair, 16).ok())
        .map(|b| {
            let i = usize::from(b) % ALPHABET.len();
            ALPHABET.get(i).map_or('A', |c| char::from(*c))
        })
        .collect()
}

/// The member's code (drawn on first asking) and what it brought.
pub fn status(
    conn: &mut DbConn,
    now: NaiveDateTime,
    member_id: MemberId,
) -> ApiResult<ReferralStatus> {
    write_tx(conn, |conn| {
        let code = own_code(conn, member_id, now)?;
        let (referred, rewarded) = rows::counts(conn, member_id)?;
        let referred_by = match rows::referral_of(conn, member_id)? {
            Some(r) => rows::code_of(conn, r.referrer_member_id)?,
            None => None,
        };
        Ok(ReferralStatus {
            code,
            referred,
            rewarded,
            referred_by,
        })
    })
}

fn own_code(conn: &mut DbConn, member_id: MemberId, now: NaiveDateTime) -> ApiResult<String> {
    if let Some(code) = rows::code_of(conn, member_id)? {
        return Ok(code);
    }
    for _ in 0..5 {
        let code = draw_code();
        match diesel::Connection::transaction(conn, |c| rows::insert_code(c, member_id, &code, now))
        {
            Ok(_) => return Ok(code),
            Err(e) if is_unique_violation(&e) => {
                // Another request drew this member's code meanwhile, or the code is taken.
                if let Some(code) = rows::code_of(conn, member_id)? {
                    return Ok(code);
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::internal("could not draw a free referral code"))
}

/// Records that the holder of `code` referred `member_id`, inside the caller's transaction:
/// refused for an unknown code, one's own code, a loop, a member who already named a referrer
/// or already bought something.
pub fn set_referrer(
    conn: &mut DbConn,
    member_id: MemberId,
    code: &str,
    now: NaiveDateTime,
) -> ApiResult<()> {
    let code = code.trim().to_ascii_uppercase();
    if code.len() != CODE_LEN || !code.bytes().all(|b| ALPHABET.contains(&b)) {
        return fail(Code::InvalidRequest, "code: 8 letters and digits");
    }
    // Namings take turns: two members naming each other at once would both pass the loop check.
    crate::db::queries::platform::system::serialize_on(conn, "referrals")?;
    member_rows::lock(conn, member_id)?;
    let referrer = rows::member_by_code(conn, &code)?
        .ok_or_else(|| ApiError::new(Code::NotFound, "no member has this referral code"))?;
    if referrer == member_id {
        return fail(Code::ReferralRefused, "a member cannot refer themselves");
    }
    if rows::referral_of(conn, member_id)?.is_some() {
        return fail(
            Code::ReferralRefused,
            "this member already named who referred them",
        );
    }
    if rows::has_purchases(conn, member_id)? {
        return fail(
            Code::ReferralRefused,
            "a member who has already bought something can no longer be referred",
        );
    }
    // Walk up the referrer's chain: finding the member there would close a loop.
    let mut up = referrer;
    for _ in 0..CHAIN_MAX {
        match rows::referral_of(conn, up)? {
            Some(r) if r.referrer_member_id == member_id => {
                return fail(Code::ReferralRefused, "this would make a referral loop");
            }
            Some(r) => up = r.referrer_member_id,
            None => break,
        }
    }
    rows::insert_referral(conn, member_id, referrer, now)?;
    Ok(())
}

/// Names the member's referrer (the member API), in its own transaction.
pub fn name_referrer(
    conn: &mut DbConn,
    now: NaiveDateTime,
    member_id: MemberId,
    code: &str,
) -> ApiResult<ReferralStatus> {
    write_tx(conn, |conn| set_referrer(conn, member_id, code, now))?;
    status(conn, now, member_id)
}

/// At an earn of a referred member not yet qualified: the first running referral promotion
/// (stacking order) that this purchase reaches (its earning amount, restricted lines left
/// out) and that can still pay qualifies the referral, payable at `payable_at`. An operator's
/// promotion must also be running now. Inside the earn's transaction, the member locked.
pub fn on_earn(
    conn: &mut DbConn,
    member_id: MemberId,
    partner_id: PartnerId,
    (earn_id, eligible_minor): (EarnId, i64),
    (occurred_at, now, payable_at): (NaiveDateTime, NaiveDateTime, NaiveDateTime),
    tier: &str,
) -> ApiResult<()> {
    match rows::referral_of(conn, member_id)? {
        Some(r) if r.earn_id.is_none() && r.rewarded_at.is_none() => {}
        _ => return Ok(()),
    }
    for row in promo_rows::running(conn, Some(partner_id), occurred_at, Some("referral"))? {
        if row.partner_id.is_none() && !(row.starts_at <= now && now < row.ends_at) {
            continue;
        }
        let reaches = match rule_of(&row)? {
            Rule::Referral {
                min_amount_minor, ..
            } => eligible_minor >= min_amount_minor,
            _ => false,
        };
        let spent = row.budget_points.is_some() && promo_rows::budget_left(conn, row.id)? == 0;
        if reaches && !spent && targets(conn, &row, member_id, tier)? {
            rows::qualify(conn, member_id, row.id, earn_id, payable_at)?;
            break;
        }
    }
    Ok(())
}

/// At a refund: a referral qualified by an order now wholly returned, not paid yet, waits for
/// the next qualifying purchase.
pub fn on_refund(conn: &mut DbConn, earn: &EarnRow, refunded_after: i64) -> ApiResult<()> {
    if refunded_after < earn.amount_minor.get() {
        return Ok(());
    }
    if let Some(r) = rows::referral_of(conn, earn.member_id)? {
        if r.earn_id == Some(earn.id) && r.rewarded_at.is_none() {
            rows::unqualify(conn, earn.member_id)?;
        }
    }
    Ok(())
}

/// Pays the referrals due (the background job; safe to run on several instances: payouts take
/// turns, each under both members' locks, marked paid in the same transaction). The clock is
/// read per payout, so none posts into a period closed meanwhile. A referral that cannot be
/// paid now (the funder has no contract, the budget is spent, a member's cap is reached) waits
/// a day. Returns how many were paid.
pub fn pay_due(conn: &mut DbConn, clock: &Clock) -> ApiResult<u64> {
    let mut paid = 0_u64;
    for due in rows::due(conn, clock.now_naive(), BATCH)? {
        let now = clock.now_naive();
        match write_tx(conn, |conn| pay(conn, &due, now)) {
            Ok(true) => paid += 1,
            Ok(false) => {}
            Err(e) if e.code() == Code::ReferralRefused => {
                tracing::info!(member.id = %due.referred_member_id, reason = %e, "referral postponed");
                write_tx(conn, |conn| {
                    rows::postpone(conn, due.referred_member_id, now + Duration::days(1))
                        .map_err(ApiError::from)
                })?;
            }
            Err(e) => return Err(e),
        }
    }
    Ok(paid)
}

fn not_now(why: &str) -> ApiError {
    ApiError::new(Code::ReferralRefused, format!("not payable now: {why}"))
}

fn pay(conn: &mut DbConn, due: &ReferralRow, now: NaiveDateTime) -> ApiResult<bool> {
    // Payouts take turns: each takes two members' budget rows, which two at once could take
    // in opposite orders.
    crate::db::queries::platform::system::serialize_on(conn, "referral_payouts")?;
    // Both members locked, lower id first, so two payments never wait on each other.
    let (first, second) = if due.referred_member_id < due.referrer_member_id {
        (due.referred_member_id, due.referrer_member_id)
    } else {
        (due.referrer_member_id, due.referred_member_id)
    };
    member_rows::lock(conn, first)?;
    member_rows::lock(conn, second)?;
    let Some(r) = rows::referral_of(conn, due.referred_member_id)? else {
        return Ok(false);
    };
    let (Some(promotion_id), Some(earn_id), None) = (r.promotion_id, r.earn_id, r.rewarded_at)
    else {
        return Ok(false);
    };
    let earn = earn_rows::earn_by_id(conn, earn_id)?;
    let kept = earn
        .amount_minor
        .get()
        .saturating_sub(earn.refunded_minor.get());
    let row = promo_rows::find(conn, promotion_id, None)?
        .ok_or_else(|| ApiError::internal("a referral's promotion vanished"))?;
    let Rule::Referral {
        points,
        min_amount_minor,
    } = rule_of(&row)?
    else {
        return Err(ApiError::internal(
            "a referral's promotion is not a referral",
        ));
    };
    // Returned below the minimum: the next qualifying purchase counts instead.
    if kept < min_amount_minor {
        rows::unqualify(conn, r.referred_member_id)?;
        return Ok(false);
    }
    // A partner's referral waits while it has no contract in force (no price to pay it at).
    if let Some(p) = row.partner_id {
        if crate::db::queries::partners::contract_at(conn, p, now)?.is_none() {
            return Err(not_now("the partner has no contract in force"));
        }
    }
    let reference = format!("referral:{}", r.referred_member_id);
    for (member_id, side) in [
        (r.referred_member_id, "referred by a member"),
        (r.referrer_member_id, "referred a new member"),
    ] {
        let (mut member, settings) = members::lock_and_sync(conn, member_id, now)?;
        let (allowed, why) = available(conn, &row, member_id, points, side.to_owned())?;
        let offer = [(row.clone(), allowed, why)];
        let planned = settle(conn, member_id, &offer, vec![row.id.get()], true)?;
        // Both sides are paid in full or neither: a cut bonus rolls the payout back.
        if planned.first().map(|p| p.points.get()) != Some(points) {
            return Err(not_now("the budget or a member's cap is spent"));
        }
        credit(
            conn,
            &mut member,
            &settings,
            (row.partner_id, &reference),
            &planned,
            now,
        )?;
    }
    rows::mark_rewarded(conn, r.referred_member_id, now)?;
    tracing::info!(member.id = %r.referred_member_id, "referral paid");
    Ok(true)
}
