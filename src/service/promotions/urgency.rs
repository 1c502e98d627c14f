//! What a partner's site shows to create urgency: the promotions that end soon, and its
//! members whose points expire soon (for reminders).

use chrono::{Duration, NaiveDateTime};
use partner_sdk::promotions::{EndingPromotion, EndingPromotions, ExpiringMember, ExpiringPoints};

use crate::db::queries::promotions as rows;
use crate::db::DbConn;
use crate::domain::clock::utc;
use crate::domain::ids::PartnerId;
use crate::domain::input::check_range;
use crate::error::ApiResult;

use super::funder_of;

/// Most days ahead a list looks.
const DAYS_MAX: i64 = 366;

/// The promotions (the partner's and the operator's) running now that end within `days`.
pub fn ending(
    conn: &mut DbConn,
    now: NaiveDateTime,
    partner_id: PartnerId,
    days: i64,
) -> ApiResult<EndingPromotions> {
    check_range("within_days", days, 1, DAYS_MAX)?;
    let rows = rows::ending(conn, partner_id, now, now + Duration::days(days))?;
    Ok(EndingPromotions {
        items: rows
            .iter()
            .map(|r| EndingPromotion {
                promotion_id: r.id.get(),
                name: r.name.clone(),
                ends_at: utc(r.ends_at),
                funder: funder_of(r),
            })
            .collect(),
    })
}

/// The partner's members whose network points expire within `days`, a page after `cursor`.
pub fn expiring(
    conn: &mut DbConn,
    now: NaiveDateTime,
    partner_id: PartnerId,
    days: i64,
    (cursor, limit): (Option<i64>, i64),
) -> ApiResult<ExpiringPoints> {
    check_range("within_days", days, 1, DAYS_MAX)?;
    let window = (now, now + Duration::days(days));
    let page = rows::expiring(
        conn,
        partner_id,
        window,
        cursor.unwrap_or(0),
        limit.saturating_add(1),
    )?;
    let (page, next_cursor) = crate::service::page_of(page, limit, |r| r.member_id.to_string());
    Ok(ExpiringPoints {
        items: page
            .into_iter()
            .map(|r| ExpiringMember {
                member_number: r.member_number,
                points: r.points,
                first_expires_at: utc(r.first_expires_at),
            })
            .collect(),
        next_cursor,
    })
}
