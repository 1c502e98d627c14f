//! Members: enrolment at a till, links to partners, self sign-up and sign-in, balances,
//! history, what expires when, one-time redemption codes, and operator adjustments.

mod adjustments;
mod codes;
mod expiry;
mod history;
mod sessions;

pub use adjustments::adjust;
pub use codes::{code_hash, consume_code, create_code, WRONG_CODE_DETAIL};
pub use expiry::{expiring, Expiring, ExpiringLot};
pub use history::history;
pub use sessions::{session_member, sign_in, sign_out, sign_up};

use chrono::{Duration, NaiveDateTime};
use partner_sdk::types::{Balance, MemberLink};

use diesel::Connection;

use crate::db::queries::ledger::lots as lot_rows;
use crate::db::queries::members::{self, Member, NewMember};
use crate::db::{is_unique_violation, write_tx, DbConn};
use crate::domain::clock::utc;
use crate::domain::ids::{MemberId, PartnerId};
use crate::domain::input::{check_text, TextKind};
use crate::domain::members::member_number;
use crate::domain::money::Points;
use crate::error::{fail, ApiError, ApiResult, Code};
use crate::service::ledger::lots;
use crate::service::ledger::{GENESIS_HASH, PTS};
use crate::service::platform::settings::{self, NetworkSettings};

/// Finds a member by number, refusing a malformed number before it reaches the database.
pub fn find(conn: &mut DbConn, number: &str) -> ApiResult<Member> {
    check_number(number)?;
    members::by_number(conn, number)?.ok_or_else(member_not_found)
}

/// Refuses a member number that is not 10 digits with a valid check digit.
fn check_number(number: &str) -> ApiResult<()> {
    if !member_number::is_valid(number) {
        return fail(
            Code::InvalidMemberNumber,
            "a member number is 10 digits with a valid check digit",
        );
    }
    Ok(())
}

/// Locks a member and brings them up to the clock; the start of every member transaction.
pub fn lock_and_sync(
    conn: &mut DbConn,
    member_id: MemberId,
    now: NaiveDateTime,
) -> ApiResult<(Member, NetworkSettings)> {
    let mut member = members::lock(conn, member_id)?;
    let settings = settings::load(conn)?;
    lots::sync_member(conn, &mut member, now, &settings)?;
    Ok((member, settings))
}

pub(super) fn create_member(
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
            available_points: Points::ZERO,
            pending_points: Points::ZERO,
            held_points: Points::ZERO,
            chain_head: GENESIS_HASH,
            lock_version: 0,
            code_failures: 0,
        };
        let inserted = conn.transaction(|conn| members::insert(conn, &new));
        match inserted {
            Ok(id) => {
                // A member joining the network receives the operator's welcome bonus, if any.
                crate::service::promotions::welcome::give(conn, id, None, now)?;
                return Ok(members::by_id(conn, id)?);
            }
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
pub(super) fn check_display_name(name: Option<&str>) -> ApiResult<Option<&str>> {
    Ok(name
        .map(|n| check_text("display_name", n, TextKind::Name))
        .transpose()?)
}

fn link_member(
    conn: &mut DbConn,
    partner_id: PartnerId,
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
        Ok(_) => {
            // A member first linked here receives the partner's welcome bonus, if it runs one.
            crate::service::promotions::welcome::give(conn, member.id, Some(partner_id), now)?;
            Ok(MemberLink {
                member_number: member.member_number.clone(),
                customer_ref: customer_ref.map(str::to_owned),
                linked_at: utc(now),
            })
        }
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
    partner_id: PartnerId,
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
    partner_id: PartnerId,
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
pub fn find_linked(conn: &mut DbConn, partner_id: PartnerId, number: &str) -> ApiResult<Member> {
    check_number(number)?;
    members::linked_by_number(conn, partner_id, number)?.ok_or_else(member_not_found)
}

/// The answer for a member number nobody has, or that the caller may not see.
fn member_not_found() -> ApiError {
    ApiError::new(Code::MemberNotFound, "no member has this number")
}

/// The balance of a member, brought up to the clock, with the local currencies of every
/// partner (`local_of` None: the member's and the operator's view) or of one partner only.
pub fn balance(
    conn: &mut DbConn,
    now: NaiveDateTime,
    member_id: MemberId,
    local_of: Option<PartnerId>,
) -> ApiResult<Balance> {
    write_tx(conn, |conn| {
        let (member, settings) = lock_and_sync(conn, member_id, now)?;
        let lots = lot_rows::member_lots_in_spending_order(conn, member.id, PTS)?;
        let horizon = now + Duration::days(30);
        let inactivity_soon = settings
            .expiry_policy
            .inactivity_deadline(settings.expiry_months, member.last_activity_at)
            .is_some_and(|d| d <= horizon);
        let expiring_30d_points = lots
            .iter()
            .filter(|l| inactivity_soon || l.expires_at.is_some_and(|at| at <= horizon))
            .map(|l| l.remaining.get())
            .fold(0_i64, i64::saturating_add);
        let next_available_at = lots
            .iter()
            .filter(|l| !l.matured)
            .map(|l| l.available_at)
            .min()
            .map(utc);
        Ok(Balance {
            member_number: member.member_number,
            available_points: member.available_points.get(),
            pending_points: member.pending_points.get(),
            held_points: member.held_points.get(),
            expiring_30d_points,
            next_available_at,
            as_of: utc(now),
            local: crate::service::local_programs::balances(conn, member.id, local_of, horizon)?,
        })
    })
}
