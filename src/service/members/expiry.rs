//! What a member's network points expire, and when: the member pages' "points that will
//! expire", read from the member's lots after bringing them up to the clock.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDateTime, Utc};

use super::lock_and_sync;
use crate::db::queries::ledger::lots as lot_rows;
use crate::db::{write_tx, DbConn};
use crate::domain::clock::utc;
use crate::domain::ids::MemberId;
use crate::error::ApiResult;
use crate::service::ledger::PTS;

/// Most expiry dates listed (the soonest first).
pub const EXPIRING_DATES_MAX: usize = 12;

/// Points that expire on one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpiringLot {
    /// The earliest expiry time of that day's lots.
    pub expires_at: DateTime<Utc>,
    /// Points still unspent in them.
    pub points: i64,
}

/// What expires when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expiring {
    /// Network points with an expiry date, by day, soonest first.
    pub lots: Vec<ExpiringLot>,
    /// When the whole balance expires without any activity, under an inactivity policy.
    pub inactivity_deadline: Option<DateTime<Utc>>,
}

/// The member's network points that have an expiry date, grouped by day (at most
/// [`EXPIRING_DATES_MAX`] days), and the inactivity deadline, as of `now`.
pub fn expiring(conn: &mut DbConn, now: NaiveDateTime, member_id: MemberId) -> ApiResult<Expiring> {
    write_tx(conn, |conn| {
        let (member, settings) = lock_and_sync(conn, member_id, now)?;
        let mut by_day: BTreeMap<chrono::NaiveDate, (NaiveDateTime, i64)> = BTreeMap::new();
        for lot in lot_rows::member_lots_in_spending_order(conn, member.id, PTS)? {
            let (Some(at), true) = (lot.expires_at, lot.asset == PTS) else {
                continue;
            };
            if lot.remaining.get() <= 0 {
                continue;
            }
            let day = by_day.entry(at.date()).or_insert((at, 0));
            day.0 = day.0.min(at);
            day.1 = day.1.saturating_add(lot.remaining.get());
        }
        let lots = by_day
            .into_values()
            .take(EXPIRING_DATES_MAX)
            .map(|(at, points)| ExpiringLot {
                expires_at: utc(at),
                points,
            })
            .collect();
        let inactivity_deadline = settings
            .expiry_policy
            .inactivity_deadline(settings.expiry_months, member.last_activity_at)
            .map(utc);
        Ok(Expiring {
            lots,
            inactivity_deadline,
        })
    })
}
