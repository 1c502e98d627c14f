//! Referral codes and referrals: who referred whom, the purchase that qualified it, and when
//! both sides are paid.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{earns, referral_codes, referrals};
use crate::db::DbConn;
use crate::domain::ids::{EarnId, MemberId, PromotionId};

/// A member's referral code, if drawn.
pub fn code_of(conn: &mut DbConn, member_id: MemberId) -> QueryResult<Option<String>> {
    referral_codes::table
        .find(member_id)
        .select(referral_codes::code)
        .first(conn)
        .optional()
}

/// Stores a member's code (a unique violation: the code is taken, or the member has one).
pub fn insert_code(
    conn: &mut DbConn,
    member_id: MemberId,
    code: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(referral_codes::table)
        .values((
            referral_codes::member_id.eq(member_id),
            referral_codes::code.eq(code),
            referral_codes::created_at.eq(now),
        ))
        .execute(conn)
}

/// The member whose code this is.
pub fn member_by_code(conn: &mut DbConn, code: &str) -> QueryResult<Option<MemberId>> {
    referral_codes::table
        .filter(referral_codes::code.eq(code))
        .select(referral_codes::member_id)
        .first(conn)
        .optional()
}

/// A referral as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = referrals)]
pub struct ReferralRow {
    pub referred_member_id: MemberId,
    pub referrer_member_id: MemberId,
    pub created_at: NaiveDateTime,
    pub promotion_id: Option<PromotionId>,
    pub earn_id: Option<EarnId>,
    pub payable_at: Option<NaiveDateTime>,
    pub rewarded_at: Option<NaiveDateTime>,
}

/// The referral of a referred member, if any.
pub fn referral_of(conn: &mut DbConn, referred: MemberId) -> QueryResult<Option<ReferralRow>> {
    referrals::table
        .find(referred)
        .select(ReferralRow::as_select())
        .first(conn)
        .optional()
}

/// Records who referred a member.
pub fn insert_referral(
    conn: &mut DbConn,
    referred: MemberId,
    referrer: MemberId,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(referrals::table)
        .values((
            referrals::referred_member_id.eq(referred),
            referrals::referrer_member_id.eq(referrer),
            referrals::created_at.eq(now),
        ))
        .execute(conn)
}

/// Records the purchase that qualifies a referral not yet qualified nor paid.
pub fn qualify(
    conn: &mut DbConn,
    referred: MemberId,
    promotion_id: PromotionId,
    earn_id: EarnId,
    payable_at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        referrals::table
            .find(referred)
            .filter(referrals::earn_id.is_null())
            .filter(referrals::rewarded_at.is_null()),
    )
    .set((
        referrals::promotion_id.eq(promotion_id),
        referrals::earn_id.eq(earn_id),
        referrals::payable_at.eq(payable_at),
    ))
    .execute(conn)
}

/// Forgets the qualifying purchase of an unpaid referral (it was returned): the next
/// purchase may qualify it.
pub fn unqualify(conn: &mut DbConn, referred: MemberId) -> QueryResult<usize> {
    diesel::update(
        referrals::table
            .find(referred)
            .filter(referrals::rewarded_at.is_null()),
    )
    .set((
        referrals::promotion_id.eq(None::<PromotionId>),
        referrals::earn_id.eq(None::<EarnId>),
        referrals::payable_at.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)
}

/// Referrals due for payment at `now`, oldest first.
pub fn due(conn: &mut DbConn, now: NaiveDateTime, limit: i64) -> QueryResult<Vec<ReferralRow>> {
    referrals::table
        .filter(referrals::payable_at.le(now))
        .filter(referrals::rewarded_at.is_null())
        .order((
            referrals::payable_at.asc(),
            referrals::referred_member_id.asc(),
        ))
        .limit(limit)
        .select(ReferralRow::as_select())
        .load(conn)
}

/// Marks a referral paid.
pub fn mark_rewarded(
    conn: &mut DbConn,
    referred: MemberId,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        referrals::table
            .find(referred)
            .filter(referrals::rewarded_at.is_null()),
    )
    .set(referrals::rewarded_at.eq(now))
    .execute(conn)
}

/// (members referred, of whom paid) by a referrer.
pub fn counts(conn: &mut DbConn, referrer: MemberId) -> QueryResult<(i64, i64)> {
    let all = referrals::table
        .filter(referrals::referrer_member_id.eq(referrer))
        .count()
        .get_result(conn)?;
    let paid = referrals::table
        .filter(referrals::referrer_member_id.eq(referrer))
        .filter(referrals::rewarded_at.is_not_null())
        .count()
        .get_result(conn)?;
    Ok((all, paid))
}

/// Whether a member has bought anything anywhere.
pub fn has_purchases(conn: &mut DbConn, member_id: MemberId) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        earns::table.filter(earns::member_id.eq(member_id)),
    ))
    .get_result(conn)
}

/// Moves an unpaid referral's payment to `at` (it could not be paid now).
pub fn postpone(conn: &mut DbConn, referred: MemberId, at: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        referrals::table
            .find(referred)
            .filter(referrals::rewarded_at.is_null()),
    )
    .set(referrals::payable_at.eq(at))
    .execute(conn)
}
