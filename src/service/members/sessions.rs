//! Member accounts: self sign-up and sign-in with Argon2id passwords, session tokens that
//! expire on the network clock, and signing out (the member pages' button).

use chrono::{Duration, NaiveDateTime};

use super::{check_display_name, create_member};
use crate::crypto;
use crate::db::queries::members::{self, Member};
use crate::db::{write_tx, DbConn};
use crate::domain::clock::utc;
use crate::domain::ids::MemberId;
use crate::domain::input::{check_email, PASSWORD_LEN_MAX, PASSWORD_LEN_MIN};
use crate::error::{fail, ApiError, ApiResult, Code};
use crate::http::members::json::{Session, SignInRequest, SignUpRequest};
use crate::service::AppState;

fn new_session(conn: &mut DbConn, state: &AppState, member: &Member) -> ApiResult<Session> {
    let token = crypto::new_token("lms_");
    let now = state.clock.now_naive();
    let expires_at = now + Duration::seconds(state.session_ttl_s);
    members::insert_session(
        conn,
        member.id,
        &crypto::sha256_hex(&token),
        now,
        expires_at,
    )?;
    Ok(Session {
        member_number: member.member_number.clone(),
        token,
        expires_at: utc(expires_at),
    })
}

/// Signs a new member up and signs them in.
pub fn sign_up(conn: &mut DbConn, state: &AppState, req: &SignUpRequest) -> ApiResult<Session> {
    let email = check_email("email", &req.email)?;
    let length = req.password.chars().count();
    if !(PASSWORD_LEN_MIN..=PASSWORD_LEN_MAX).contains(&length) {
        return fail(
            Code::InvalidRequest,
            format!("password: must be {PASSWORD_LEN_MIN} to {PASSWORD_LEN_MAX} characters"),
        );
    }
    let display_name = check_display_name(req.display_name.as_deref())?;
    let hash = crypto::hash_password(&req.password)?;
    let now = state.clock.now_naive();
    write_tx(conn, |conn| {
        let member = create_member(conn, Some(&email), Some(&hash), display_name, now)?;
        if let Some(code) = &req.referral_code {
            crate::service::promotions::referrals::set_referrer(conn, member.id, code, now)?;
        }
        new_session(conn, state, &member)
    })
}

/// Signs a member in. An unknown email costs the same time as a wrong password.
pub fn sign_in(conn: &mut DbConn, state: &AppState, req: &SignInRequest) -> ApiResult<Session> {
    // No account has a malformed email or an over-long password: refused as wrong
    // credentials, before any query or hashing.
    let email = match check_email("email", &req.email) {
        Ok(email) if req.password.chars().count() <= PASSWORD_LEN_MAX => email,
        _ => return fail(Code::InvalidCredentials, "wrong email or password"),
    };
    let member = members::by_email(conn, &email)?;
    let stored = member
        .as_ref()
        .and_then(|m| m.password_hash.clone())
        .unwrap_or_else(|| crypto::dummy_password_hash().to_owned());
    let ok = crypto::verify_password(&req.password, &stored);
    match member {
        Some(member) if ok && member.password_hash.is_some() => {
            write_tx(conn, |conn| new_session(conn, state, &member))
        }
        _ => fail(Code::InvalidCredentials, "wrong email or password"),
    }
}

/// The member of a session token that has not expired at `now` on the network clock.
pub fn session_member(conn: &mut DbConn, token: &str, now: NaiveDateTime) -> ApiResult<MemberId> {
    members::session_member(conn, &crypto::sha256_hex(token), now)?.ok_or_else(|| {
        ApiError::new(
            Code::InvalidToken,
            "the session token is invalid or expired",
        )
    })
}

/// Ends a session: its token stops working at once. An unknown token is not an error (the
/// member is signed out either way).
pub fn sign_out(conn: &mut DbConn, token: &str) -> ApiResult<()> {
    write_tx(conn, |conn| {
        members::delete_session(conn, &crypto::sha256_hex(token))?;
        Ok(())
    })
}
