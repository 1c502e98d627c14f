//! Background work: release timed-out holds, make pending points available, expire points,
//! forget old nonces. Each member is brought up to the clock under its own lock, so the job is
//! safe to run on several instances at once; a lease in the database makes one instance do it
//! per round, to avoid doing the same work twice.

use chrono::{Duration, Utc};
use serde::Serialize;

use crate::db::queries::members as member_rows;
use crate::db::queries::platform::{auth as auth_rows, system};
use crate::db::{write_tx, DbConn};
use crate::domain::clock::Clock;
use crate::domain::ids::MemberId;
use crate::error::ApiResult;
use crate::service::{members, platform::settings};

/// What one run did.
#[derive(Debug, Default, Serialize)]
pub struct JobReport {
    /// Members brought up to the clock.
    pub members_synced: u64,
    /// Nonces forgotten.
    pub nonces_purged: u64,
    /// Referrals paid (both sides).
    pub referrals_paid: u64,
}

const BATCH: i64 = 500;

/// Runs the maintenance once, now.
pub fn run_once(conn: &mut DbConn, clock: &Clock) -> ApiResult<JobReport> {
    let mut report = JobReport::default();
    let now = clock.now_naive();
    let net = settings::load(conn)?;
    // Under the inactivity policy, members inactive since before this may have points to expire.
    let inactive_before = net
        .expiry_policy
        .inactivity_deadline(net.expiry_months, now)
        .map(|later| now - (later - now));
    let mut after = MemberId::default();
    loop {
        let ids = member_rows::ids_with_due_work(conn, now, inactive_before, after, BATCH)?;
        for id in &ids {
            // The clock is read per member: a long round must not post with a stale time into
            // a settlement period that another instance closed meanwhile.
            let at = clock.now_naive();
            write_tx(conn, |conn| {
                members::lock_and_sync(conn, *id, at).map(|_| ())
            })?;
            report.members_synced += 1;
        }
        match ids.last() {
            Some(last) => after = *last,
            None => break,
        }
    }
    report.referrals_paid = crate::service::promotions::referrals::pay_due(conn, clock)?;
    let cutoff =
        Utc::now().naive_utc() - Duration::seconds(crate::service::platform::auth::NONCE_KEPT_S);
    report.nonces_purged = u64::try_from(auth_rows::purge_nonces(conn, cutoff)?).unwrap_or(0);
    Ok(report)
}

/// Runs the maintenance if this instance wins the round's lease.
pub fn run_if_leased(
    conn: &mut DbConn,
    clock: &Clock,
    holder: &str,
    interval_s: u64,
) -> ApiResult<Option<JobReport>> {
    let now = Utc::now().naive_utc();
    let until = now + Duration::seconds(i64::try_from(interval_s).unwrap_or(60));
    let leased = write_tx(conn, |conn| {
        system::take_lease(conn, "maintenance", holder, now, until)
    })?;
    if !leased {
        return Ok(None);
    }
    run_once(conn, clock).map(Some)
}

/// How often the RFM scores are recomputed in the background.
pub const RFM_INTERVAL_H: i64 = 24;

/// Recomputes the RFM scores if no instance did within [`RFM_INTERVAL_H`] hours: the lease,
/// taken for that long, makes one instance of many do it.
pub fn rfm_if_due(
    conn: &mut DbConn,
    clock: &Clock,
    holder: &str,
) -> ApiResult<Option<crate::http::analytics::json::RecomputeReport>> {
    let now = Utc::now().naive_utc();
    // A holder name of its own per attempt: the lease is taken again only once it ran out, not
    // by the instance that holds it (which `take_lease` allows for the maintenance round).
    let attempt = format!("{holder}@{}", now.and_utc().timestamp());
    let until = now + Duration::hours(RFM_INTERVAL_H);
    let leased = write_tx(conn, |conn| {
        system::take_lease(conn, "rfm", &attempt, now, until)
    })?;
    if !leased {
        return Ok(None);
    }
    crate::service::analytics::segments::recompute(conn, clock.now_naive()).map(Some)
}

/// Sweeps the members' tiers if no instance did within [`RFM_INTERVAL_H`] hours (see
/// [`crate::service::tiers::sweep`]); leased like the RFM recompute.
pub fn tiers_if_due(conn: &mut DbConn, clock: &Clock, holder: &str) -> ApiResult<Option<u64>> {
    let now = Utc::now().naive_utc();
    let attempt = format!("{holder}@{}", now.and_utc().timestamp());
    let until = now + Duration::hours(RFM_INTERVAL_H);
    let leased = write_tx(conn, |conn| {
        system::take_lease(conn, "tiers", &attempt, now, until)
    })?;
    if !leased {
        return Ok(None);
    }
    crate::service::tiers::sweep(conn, clock.now_naive()).map(Some)
}

/// The scheduled close of day `day`, if this instance wins the round's settlement lease (the
/// close itself is idempotent per cut-off, so a lost lease race costs nothing but work).
pub fn settle_if_due(
    conn: &mut DbConn,
    state: &crate::service::AppState,
    holder: &str,
    day: u32,
) -> ApiResult<Option<crate::http::settlement::json::Run>> {
    let now = Utc::now().naive_utc();
    let leased = write_tx(conn, |conn| {
        system::take_lease(conn, "settlement", holder, now, now + Duration::minutes(10))
    })?;
    if !leased {
        return Ok(None);
    }
    crate::service::settlement::close_if_due(conn, &state.master_key, state.clock.now_naive(), day)
}
