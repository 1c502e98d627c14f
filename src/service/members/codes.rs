//! One-time redemption codes: created by the member, consumed at a till, with a lock-out
//! after repeated wrong codes.

use chrono::{Duration, NaiveDateTime};

use super::lock_and_sync;
use crate::crypto;
use crate::db::queries::members::{self, Member};
use crate::db::{write_tx, DbConn};
use crate::domain::clock::utc;
use crate::domain::ids::MemberId;
use crate::domain::limits::{ACTIVE_CODES_MAX, CODE_FAILURES_MAX, CODE_LOCKOUT_S};
use crate::error::{fail, ApiError, ApiResult, Code};
use crate::http::redemption::json::OneTimeCode;

/// The stored hash of a member's code.
pub fn code_hash(member_id: MemberId, code: &str) -> String {
    crypto::sha256_hex(&format!("{member_id}:{code}"))
}

/// Creates a one-time code for the member.
pub fn create_code(
    conn: &mut DbConn,
    now: NaiveDateTime,
    member_id: MemberId,
) -> ApiResult<OneTimeCode> {
    write_tx(conn, |conn| {
        let (member, settings) = lock_and_sync(conn, member_id, now)?;
        if member.code_locked_until.is_some_and(|until| until > now) {
            return fail(Code::CodeLocked, "too many wrong codes: try again later");
        }
        if members::active_code_count(conn, member.id, now)? >= ACTIVE_CODES_MAX {
            return fail(
                Code::TooManyCodes,
                "use or let expire some of your codes first",
            );
        }
        let random = partner_sdk::signing::random_token_hex(4);
        let value = u32::from_str_radix(&random, 16).unwrap_or(0) % 1_000_000;
        let code = format!("{value:06}");
        let expires_at = now + Duration::seconds(settings.code_ttl_s);
        members::insert_code(
            conn,
            member.id,
            &code_hash(member.id, &code),
            now,
            expires_at,
        )?;
        Ok(OneTimeCode {
            code,
            expires_at: utc(expires_at),
        })
    })
}

/// The detail of a wrong, used or expired one-time code (and of an unknown member number at
/// authorization, which must read the same).
pub const WRONG_CODE_DETAIL: &str = "the code is wrong, used or expired";

/// Checks and consumes a member's one-time code inside the caller's transaction, which holds
/// the member's lock. A wrong code is counted in that same transaction and the refusal keeps
/// its effect ([`ApiError::Recorded`]): attempts on one member are serialised by the member
/// lock, so of any burst of wrong codes exactly `CODE_FAILURES_MAX` are evaluated before the
/// lock-out, and no code, right or wrong, is evaluated during it.
pub fn consume_code(
    conn: &mut DbConn,
    member: &Member,
    code: &str,
    now: NaiveDateTime,
) -> ApiResult<()> {
    if member.code_locked_until.is_some_and(|until| until > now) {
        return fail(Code::CodeLocked, "too many wrong codes: try again later");
    }
    let well_formed = code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit());
    if well_formed && members::use_code(conn, member.id, &code_hash(member.id, code), now)? {
        if member.code_failures > 0 {
            members::set_code_failures(conn, member.id, 0, None)?;
        }
        return Ok(());
    }
    let failures = member.code_failures.saturating_add(1);
    if failures >= CODE_FAILURES_MAX {
        members::set_code_failures(
            conn,
            member.id,
            0,
            Some(now + Duration::seconds(CODE_LOCKOUT_S)),
        )?;
        tracing::warn!(
            member.id = %member.id,
            "one-time codes locked after repeated failures"
        );
        return Err(ApiError::recorded(
            Code::CodeLocked,
            "too many wrong codes: redemptions are locked for 15 minutes",
        ));
    }
    members::set_code_failures(conn, member.id, failures, None)?;
    Err(ApiError::recorded(Code::InvalidCode, WRONG_CODE_DETAIL))
}
