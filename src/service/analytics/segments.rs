//! RFM scores and segments: recomputed from the earns of the last two years, network-wide and
//! for each partner (its own customers only), on demand and daily by the background job; read
//! as segment sizes and pages of a segment's members.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDateTime};
use partner_sdk::analytics::{SegmentCount, SegmentMember, SegmentPage, SegmentSummary};

use crate::db::queries::analytics::{self as rows, ScoreRow};
use crate::db::{write_tx, DbConn};
use crate::domain::analytics::rfm::{score, Activity, Segment, LOOKBACK_DAYS};
use crate::domain::clock::utc;
use crate::domain::ids::{MemberId, PartnerId};
use crate::error::{ApiError, ApiResult, Code};
use crate::http::analytics::json::RecomputeReport;

/// The network-wide scope (partner id 0, which no partner has).
pub fn network() -> PartnerId {
    PartnerId::default()
}

/// Recomputes every scope as of `now`: each in its own transaction, replacing its scores whole
/// (a reader sees the old scores or the new, never a mix).
pub fn recompute(conn: &mut DbConn, now: NaiveDateTime) -> ApiResult<RecomputeReport> {
    let since = now - Duration::days(LOOKBACK_DAYS);
    let activity_of = |a: rows::ActivityRow| Activity {
        member_id: a.member_id,
        last_purchase_at: a.last_purchase_at,
        orders: a.orders,
        monetary_minor: a.monetary_minor,
    };
    let network_activity: Vec<Activity> = rows::activity(conn, network(), since)?
        .into_iter()
        .map(activity_of)
        .collect();
    let members = recompute_scope(conn, network(), &network_activity, now)?;
    // Every partner's customers in one grouped scan, then each scope in its own transaction.
    let mut by_partner: BTreeMap<PartnerId, Vec<Activity>> = BTreeMap::new();
    for row in rows::activity_by_partner(conn, since)? {
        by_partner
            .entry(PartnerId::from(row.partner_id))
            .or_default()
            .push(activity_of(row.activity));
    }
    for (partner, activity) in &by_partner {
        recompute_scope(conn, *partner, activity, now)?;
    }
    let mut keep: Vec<PartnerId> = by_partner.keys().copied().collect();
    keep.push(network());
    rows::drop_scopes_except(conn, &keep)?;
    tracing::info!(scopes = keep.len(), members, "rfm scores recomputed");
    Ok(RecomputeReport {
        scopes: i64::try_from(keep.len()).unwrap_or(i64::MAX),
        members: i64::try_from(members).unwrap_or(i64::MAX),
        computed_at: utc(now),
    })
}

fn recompute_scope(
    conn: &mut DbConn,
    scope: PartnerId,
    activity: &[Activity],
    now: NaiveDateTime,
) -> ApiResult<usize> {
    let scored: Vec<ScoreRow> = score(now, activity)
        .into_iter()
        .map(|s| ScoreRow {
            scope_partner_id: scope,
            member_id: MemberId::from(s.member_id),
            recency_days: s.recency_days,
            frequency: s.frequency,
            monetary_minor: s.monetary_minor,
            r: s.r,
            f: s.f,
            m: s.m,
            segment: s.segment.as_str().to_owned(),
            computed_at: now,
        })
        .collect();
    write_tx(conn, |conn| {
        // Two recomputes at once (the job and the operator's) take turns.
        crate::db::queries::platform::system::serialize_on(conn, "rfm_scores")?;
        rows::replace_scores(conn, scope, &scored)?;
        Ok(scored.len())
    })
}

fn segment_of(name: &str) -> ApiResult<Segment> {
    Segment::parse(name).ok_or_else(|| {
        ApiError::new(
            Code::NotFound,
            "segments are champions, loyal, new, potential, at_risk, hibernating and lost",
        )
    })
}

/// Every segment of a scope with its size.
pub fn summary(conn: &mut DbConn, scope: PartnerId) -> ApiResult<SegmentSummary> {
    let (counts, computed_at) = rows::segment_counts(conn, scope)?;
    Ok(SegmentSummary {
        segments: Segment::ALL
            .iter()
            .map(|s| SegmentCount {
                segment: s.as_str().to_owned(),
                members: counts
                    .iter()
                    .find(|(name, _)| name == s.as_str())
                    .map_or(0, |(_, n)| *n),
            })
            .collect(),
        computed_at: computed_at.map(utc),
    })
}

/// A page of a segment's members in a scope, by member id after the cursor.
pub fn members(
    conn: &mut DbConn,
    scope: PartnerId,
    segment: &str,
    cursor: Option<i64>,
    limit: i64,
) -> ApiResult<SegmentPage> {
    let segment = segment_of(segment)?;
    let after = MemberId::from(cursor.unwrap_or(0));
    let page = rows::segment_page(
        conn,
        scope,
        segment.as_str(),
        after,
        limit.saturating_add(1),
    )?;
    let (page, next_cursor) =
        crate::service::page_of(page, limit, |(s, _)| s.member_id.to_string());
    let (_, computed_at) = rows::segment_counts(conn, scope)?;
    let items: Vec<SegmentMember> = page
        .iter()
        .map(|(s, number)| SegmentMember {
            member_number: number.clone(),
            segment: s.segment.clone(),
            recency_days: s.recency_days,
            frequency: s.frequency,
            monetary_minor: s.monetary_minor,
            r: s.r,
            f: s.f,
            m: s.m,
        })
        .collect();
    Ok(SegmentPage {
        items,
        next_cursor,
        computed_at: computed_at.map(utc),
    })
}
