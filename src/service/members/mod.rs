//! Members: enrolment at a till, links to partners, self sign-up and sign-in, balances,
//! history, one-time redemption codes, and operator adjustments.

use chrono::{Duration, NaiveDateTime};
use partner_sdk::types::{Balance, MemberLink};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use diesel::Connection;

use crate::crypto;
use crate::db::queries::journal;
use crate::db::queries::ledger_state::{self as state, NewLot};
use crate::db::queries::members::{self, Member, NewMember};
use crate::db::{is_unique_violation, write_tx, DbConn};
use crate::domain::clock::utc;
use crate::domain::input::{
    check_email, check_range, check_text, TextKind, PASSWORD_LEN_MAX, PASSWORD_LEN_MIN,
};
use crate::domain::limits::{self, ACTIVE_CODES_MAX, CODE_FAILURES_MAX, CODE_LOCKOUT_S};
use crate::domain::member_number;
use crate::error::{fail, ApiError, ApiResult, Code};
use crate::service::ledger::lots;
use crate::service::ledger::{self, account, Draft, Posting, GENESIS_HASH, PTS};
use crate::service::platform::settings::{self, NetworkSettings};
use crate::service::AppState;

/// Finds a member by number, refusing a malformed number before it reaches the database.
pub fn find(conn: &mut DbConn, number: &str) -> ApiResult<Member> {
    if !member_number::is_valid(number) {
        return fail(
            Code::InvalidMemberNumber,
            "a member number is 10 digits with a valid check digit",
        );
    }
    members::by_number(conn, number)?.ok_or_else(member_not_found)
}

/// Locks a member and brings them up to the clock; the start of every member transaction.
pub fn lock_and_sync(
    conn: &mut DbConn,
    member_id: i64,
    now: NaiveDateTime,
) -> ApiResult<(Member, NetworkSettings)> {
    let mut member = members::lock(conn, member_id)?;
    let settings = settings::load(conn)?;
    lots::sync_member(conn, &mut member, now, &settings)?;
    Ok((member, settings))
}

fn create_member(
    conn: &mut DbConn,
    email: Option<&str>,
    password_hash: Option<&str>,
    display_name: Option<&str>,
    now: NaiveDateTime,
) -> ApiResult<Member> {
    // A random number collides once in a few hundred million; five tries make a failure
    // practically impossible without looping forever.
    for _ in 0..5 {
        let number = member_number::random();
        let new = NewMember {
            member_number: &number,
            email,
            password_hash,
            display_name,
            created_at: now,
            last_activity_at: now,
            available_points: 0,
            pending_points: 0,
            held_points: 0,
            chain_head: GENESIS_HASH,
            lock_version: 0,
            code_failures: 0,
        };
        let inserted = conn.transaction(|conn| members::insert(conn, &new));
        match inserted {
            Ok(id) => return Ok(members::by_id(conn, id)?),
            Err(e) if is_unique_violation(&e) => {
                if email.is_some_and(|e| members::by_email(conn, e).ok().flatten().is_some()) {
                    return fail(Code::Conflict, "this email is already registered");
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::internal("could not draw a free member number"))
}

fn check_customer_ref(customer_ref: Option<&str>) -> ApiResult<()> {
    if let Some(r) = customer_ref {
        check_text("customer_ref", r, TextKind::Identifier)?;
    }
    Ok(())
}

/// The display name to store: checked, trimmed.
fn check_display_name(name: Option<&str>) -> ApiResult<Option<&str>> {
    Ok(name
        .map(|n| check_text("display_name", n, TextKind::Name))
        .transpose()?)
}

fn link_member(
    conn: &mut DbConn,
    partner_id: i64,
    member: &Member,
    customer_ref: Option<&str>,
    now: NaiveDateTime,
) -> ApiResult<MemberLink> {
    let existing = |conn: &mut DbConn| -> ApiResult<Option<MemberLink>> {
        Ok(
            members::link(conn, partner_id, member.id)?.map(|l| MemberLink {
                member_number: member.member_number.clone(),
                customer_ref: l.customer_ref,
                linked_at: utc(l.linked_at),
            }),
        )
    };
    if let Some(link) = existing(conn)? {
        return Ok(link);
    }
    match conn
        .transaction(|conn| members::insert_link(conn, partner_id, member.id, customer_ref, now))
    {
        Ok(_) => Ok(MemberLink {
            member_number: member.member_number.clone(),
            customer_ref: customer_ref.map(str::to_owned),
            linked_at: utc(now),
        }),
        // A concurrent link of the same member won the race: its link is the answer.
        Err(e) if is_unique_violation(&e) => match existing(conn)? {
            Some(link) => Ok(link),
            None => fail(
                Code::Conflict,
                "this customer_ref already links another member",
            ),
        },
        Err(e) => Err(e.into()),
    }
}

/// Enrols a new member at a partner's till and links them to it.
pub fn enrol(
    conn: &mut DbConn,
    now: NaiveDateTime,
    partner_id: i64,
    req: &partner_sdk::types::EnrolMemberRequest,
) -> ApiResult<MemberLink> {
    check_customer_ref(req.customer_ref.as_deref())?;
    let display_name = check_display_name(req.display_name.as_deref())?;
    write_tx(conn, |conn| {
        let member = create_member(conn, None, None, display_name, now)?;
        link_member(conn, partner_id, &member, req.customer_ref.as_deref(), now)
    })
}

/// Links an existing member to a partner (idempotent: an existing link is returned).
pub fn link(
    conn: &mut DbConn,
    now: NaiveDateTime,
    partner_id: i64,
    req: &partner_sdk::types::LinkMemberRequest,
) -> ApiResult<MemberLink> {
    check_customer_ref(req.customer_ref.as_deref())?;
    write_tx(conn, |conn| {
        let member = find(conn, &req.member_number)?;
        link_member(conn, partner_id, &member, req.customer_ref.as_deref(), now)
    })
}

/// A member linked to this partner. A partner sees only its members: a member linked only to
/// others answers exactly like a number no member has (same status, code and detail), so the
/// answer never tells whether a number belongs to someone.
pub fn find_linked(conn: &mut DbConn, partner_id: i64, number: &str) -> ApiResult<Member> {
    let member = find(conn, number)?;
    if members::link(conn, partner_id, member.id)?.is_none() {
        return Err(member_not_found());
    }
    Ok(member)
}

/// The answer for a member number nobody has, or that the caller may not see.
fn member_not_found() -> ApiError {
    ApiError::new(Code::MemberNotFound, "no member has this number")
}

/// The balance of a member, brought up to the clock.
pub fn balance(conn: &mut DbConn, now: NaiveDateTime, member_id: i64) -> ApiResult<Balance> {
    write_tx(conn, |conn| {
        let (member, settings) = lock_and_sync(conn, member_id, now)?;
        let lots = state::member_lots_in_spending_order(conn, member.id)?;
        let horizon = now + Duration::days(30);
        let inactivity_soon = settings
            .expiry_policy
            .inactivity_deadline(settings.expiry_months, member.last_activity_at)
            .is_some_and(|d| d <= horizon);
        let expiring_30d_points = lots
            .iter()
            .filter(|l| inactivity_soon || l.expires_at.is_some_and(|at| at <= horizon))
            .map(|l| l.remaining)
            .sum();
        let next_available_at = lots
            .iter()
            .filter(|l| !l.matured)
            .map(|l| l.available_at)
            .min()
            .map(utc);
        Ok(Balance {
            member_number: member.member_number,
            available_points: member.available_points,
            pending_points: member.pending_points,
            held_points: member.held_points,
            expiring_30d_points,
            next_available_at,
            as_of: utc(now),
        })
    })
}

/// Self sign-up.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignUpRequest {
    /// Email address, the sign-in name (at most 254 characters).
    pub email: String,
    /// Password, 10 to 128 characters.
    pub password: String,
    /// Name to greet the member with.
    #[serde(default)]
    pub display_name: Option<String>,
}

/// Sign-in with email and password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignInRequest {
    /// Email address.
    pub email: String,
    /// Password.
    pub password: String,
}

/// A member session.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Session {
    /// The member's network-wide number.
    pub member_number: String,
    /// Bearer token for the member API.
    pub token: String,
    /// When the token stops working.
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

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
pub fn session_member(conn: &mut DbConn, token: &str, now: NaiveDateTime) -> ApiResult<i64> {
    members::session_member(conn, &crypto::sha256_hex(token), now)?.ok_or_else(|| {
        ApiError::new(
            Code::InvalidToken,
            "the session token is invalid or expired",
        )
    })
}

/// A one-time redemption code, shown to the member once.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OneTimeCode {
    /// Six digits to give the cashier.
    pub code: String,
    /// When it stops working.
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// The stored hash of a member's code.
pub fn code_hash(member_id: i64, code: &str) -> String {
    crypto::sha256_hex(&format!("{member_id}:{code}"))
}

/// Creates a one-time code for the member.
pub fn create_code(
    conn: &mut DbConn,
    now: NaiveDateTime,
    member_id: i64,
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
/// authorisation, which must read the same).
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
            member.id = member.id,
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

/// One entry of a member's history.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct HistoryItem {
    /// The journal entry.
    pub entry_id: i64,
    /// What happened: `earn`, `refund`, `maturation`, `expiry`, `redemption_hold`, ...
    pub kind: String,
    /// Order id, refund id or redemption id.
    pub reference: String,
    /// Change of the available balance.
    pub available_change: i64,
    /// Change of the pending balance.
    pub pending_change: i64,
    /// Change of the held balance.
    pub held_change: i64,
    /// When it was posted.
    pub posted_at: chrono::DateTime<chrono::Utc>,
}

/// A page of history, newest first.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct HistoryPage {
    /// The entries.
    pub items: Vec<HistoryItem>,
    /// Pass as `cursor` for older entries; absent on the last page.
    pub next_cursor: Option<String>,
}

/// A member's history, newest first.
pub fn history(
    conn: &mut DbConn,
    member_id: i64,
    cursor: Option<i64>,
    limit: i64,
) -> ApiResult<HistoryPage> {
    let entries = journal::member_page(conn, member_id, cursor.unwrap_or(i64::MAX), limit)?;
    let ids: Vec<i64> = entries.iter().map(|e| e.id).collect();
    let postings = journal::postings_of(conn, &ids)?;
    let items: Vec<HistoryItem> = entries
        .into_iter()
        .map(|e| {
            let mut item = HistoryItem {
                entry_id: e.id,
                kind: e.kind,
                reference: e.reference,
                available_change: 0,
                pending_change: 0,
                held_change: 0,
                posted_at: utc(e.posted_at),
            };
            for p in postings
                .iter()
                .filter(|p| p.entry_id == e.id && p.owner_id == member_id)
            {
                match p.account.as_str() {
                    account::MEMBER_AVAILABLE => item.available_change += p.amount,
                    account::MEMBER_PENDING => item.pending_change += p.amount,
                    account::MEMBER_HELD => item.held_change += p.amount,
                    _ => {}
                }
            }
            item
        })
        .collect();
    let next_cursor = (items.len() == usize::try_from(limit).unwrap_or(0))
        .then(|| items.last().map(|i| i.entry_id.to_string()))
        .flatten();
    Ok(HistoryPage { items, next_cursor })
}

/// An operator's goodwill credit or correction.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdjustmentRequest {
    /// Points to credit (positive) or withdraw (negative), never zero; at most 1,000,000,000 either way.
    pub points: i64,
    /// Why, for the audit trail (1 to 500 characters, mandatory).
    pub reason: String,
}

/// The adjustment posted.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AdjustmentResponse {
    /// The journal entry.
    pub entry_id: i64,
    /// The member's balance after it.
    pub balance: Balance,
}

/// Posts an operator adjustment. A credit is a new lot funded by the operator; a withdrawal
/// takes from available points and cannot make the balance negative.
pub fn adjust(
    conn: &mut DbConn,
    now: NaiveDateTime,
    number: &str,
    req: &AdjustmentRequest,
    operator: &str,
) -> ApiResult<AdjustmentResponse> {
    check_range(
        "points",
        req.points,
        -limits::POINTS_MAX,
        limits::POINTS_MAX,
    )?;
    if req.points == 0 {
        return fail(Code::InvalidAmount, "points: must not be zero");
    }
    let reason = check_text("reason", &req.reason, TextKind::FreeText)?;
    let memo = format!("{reason} (by {operator})");
    let member_id = find(conn, number)?.id;
    let entry_id = write_tx(conn, |conn| {
        let (mut member, settings) = lock_and_sync(conn, member_id, now)?;
        let available_before = member.available_points;
        let member_id = member.id;
        let entry_id = ledger::post_entry(
            conn,
            &mut member,
            Draft {
                kind: "adjustment",
                partner_id: None,
                reference: "operator",
                memo: Some(&memo),
                posted_at: now,
                postings: vec![
                    Posting::pts(account::NETWORK_ADJUSTMENT, 0, -req.points),
                    Posting::pts(account::MEMBER_AVAILABLE, member_id, req.points),
                ],
                allow_negative_available: false,
                activity: false,
            },
        )?;
        if req.points > 0 {
            let repay = lots::debt_repaid(available_before, req.points);
            let lot_points = req.points - repay;
            if lot_points > 0 {
                state::insert_lot(
                    conn,
                    &NewLot {
                        member_id: member.id,
                        asset: PTS,
                        issuer_kind: "operator",
                        issuer_partner_id: None,
                        price_micros: 0,
                        points: lot_points,
                        remaining: lot_points,
                        earned_at: now,
                        available_at: now,
                        expires_at: settings
                            .expiry_policy
                            .lot_expires_at(settings.expiry_months, now),
                        matured: true,
                        entry_id,
                    },
                )?;
            }
        } else {
            let all = state::member_lots_in_spending_order(conn, member.id)?;
            let plan = lots::plan_take(&all, -req.points, |l| l.matured)?;
            lots::apply_plan(conn, &plan, entry_id, None, "adjustment", 1)?;
        }
        tracing::info!(
            member.id = member.id,
            points = req.points,
            "operator adjustment"
        );
        Ok::<i64, ApiError>(entry_id)
    })?;
    Ok(AdjustmentResponse {
        entry_id,
        balance: balance(conn, now, member_id)?,
    })
}
