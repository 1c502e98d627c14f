//! Compatibility reports: a candidate's catalog profile against every active partner's, with
//! the operator's thresholds and the exclusivity clauses of the contracts in force; stored with
//! their history, and an alert when an active partner's catalog drifts into a conflict.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDateTime};

use crate::db::queries::catalog::catalogs::{self as catalog_rows, VersionRow};
use crate::db::queries::catalog::reports::{self as rows, ReportRow, ThresholdsRow};
use crate::db::queries::catalog::sales as sales_rows;
use crate::db::queries::partners::{self as partner_rows, PartnerRow};
use crate::db::{write_tx, DbConn};
use crate::domain::catalog::compatibility::{
    assess, lift_milli, ActivePartner, Profile, Thresholds, Verdict, AFFINITY_SUPPORT_MIN,
};
use crate::domain::clock::utc;
use crate::domain::ids::{CategoryId, PartnerId};
use crate::error::{fail, ApiError, ApiResult, Code};
use crate::http::catalog::json::{
    Affinity, AlertPage, CompatibilityAlert, CompatibilityReport, CompatibilityThresholds,
    ReportPage,
};
use crate::service::catalog::report::{build, drift, Neighbour, Subject};
use crate::service::catalog::tree::{Tree, TreeCache};
use crate::service::page_of;

pub use crate::service::catalog::report::{percent, summary};

/// How far back sales count for sales profiles and observed affinity, in days.
pub const SALES_WINDOW_DAYS: i64 = 365;

impl From<ThresholdsRow> for CompatibilityThresholds {
    fn from(t: ThresholdsRow) -> CompatibilityThresholds {
        let ppm = |v: i64| u64::try_from(v).unwrap_or(0);
        CompatibilityThresholds {
            conflict_overlap_ppm: ppm(t.conflict_overlap_ppm),
            complementary_min_ppm: ppm(t.complementary_min_ppm),
            exclusivity_breach_ppm: ppm(t.exclusivity_breach_ppm),
            restricted_max_ppm: ppm(t.restricted_max_ppm),
            unmapped_warning_ppm: ppm(t.unmapped_warning_ppm),
        }
    }
}

impl From<CompatibilityThresholds> for Thresholds {
    fn from(t: CompatibilityThresholds) -> Thresholds {
        Thresholds {
            conflict_overlap_ppm: t.conflict_overlap_ppm,
            complementary_min_ppm: t.complementary_min_ppm,
            exclusivity_breach_ppm: t.exclusivity_breach_ppm,
            restricted_max_ppm: t.restricted_max_ppm,
            unmapped_warning_ppm: t.unmapped_warning_ppm,
        }
    }
}

/// The thresholds in force.
pub fn thresholds(conn: &mut DbConn) -> ApiResult<CompatibilityThresholds> {
    Ok(rows::thresholds(conn)?.into())
}

/// Replaces the thresholds (each 1 to 1,000,000 ppm).
pub fn set_thresholds(
    conn: &mut DbConn,
    now: NaiveDateTime,
    t: &CompatibilityThresholds,
) -> ApiResult<CompatibilityThresholds> {
    let check = |field: &str, v: u64| -> ApiResult<i64> {
        match i64::try_from(v) {
            Ok(v) if (1..=1_000_000).contains(&v) => Ok(v),
            _ => fail(
                Code::InvalidRequest,
                format!("{field} must be 1 to 1000000 (ppm)"),
            ),
        }
    };
    let row = ThresholdsRow {
        conflict_overlap_ppm: check("conflict_overlap_ppm", t.conflict_overlap_ppm)?,
        complementary_min_ppm: check("complementary_min_ppm", t.complementary_min_ppm)?,
        exclusivity_breach_ppm: check("exclusivity_breach_ppm", t.exclusivity_breach_ppm)?,
        restricted_max_ppm: check("restricted_max_ppm", t.restricted_max_ppm)?,
        unmapped_warning_ppm: check("unmapped_warning_ppm", t.unmapped_warning_ppm)?,
        updated_at: now,
    };
    write_tx(conn, |conn| {
        rows::set_thresholds(conn, &row)?;
        Ok(row.into())
    })
}

/// The profile of a stored catalog version.
fn profile_of(conn: &mut DbConn, version: &VersionRow) -> ApiResult<Profile> {
    let counts: BTreeMap<CategoryId, u64> = catalog_rows::profile(conn, version.id)?
        .into_iter()
        .map(|(c, n)| (c, u64::try_from(n).unwrap_or(0)))
        .collect();
    Ok(Profile::of_counts(
        &counts,
        u64::try_from(version.unmapped).unwrap_or(0),
    ))
}

/// Every active partner but `candidate` that has a catalog or an exclusivity clause.
fn neighbours(
    conn: &mut DbConn,
    candidate: PartnerId,
    now: NaiveDateTime,
) -> ApiResult<Vec<Neighbour>> {
    let since = now - Duration::days(SALES_WINDOW_DAYS);
    let mut out = Vec::new();
    for partner in partner_rows::all_partners(conn)? {
        if partner.id == candidate || partner.status != "active" {
            continue;
        }
        let profile = match catalog_rows::current_version(conn, partner.id)? {
            Some(v) => profile_of(conn, &v)?,
            None => Profile::default(),
        };
        let exclusive = match partner_rows::contract_at(conn, partner.id, now)? {
            Some(contract) => rows::category_rules(conn, contract.id)?
                .into_iter()
                .filter(|r| r.exclusive)
                .map(|r| r.category_id)
                .collect(),
            None => Vec::new(),
        };
        let sold: BTreeMap<CategoryId, u64> = sales_rows::sales_of(conn, partner.id, since)?
            .into_iter()
            .map(|(c, amount)| (c, u64::try_from(amount).unwrap_or(0)))
            .filter(|(_, amount)| *amount > 0)
            .collect();
        let sales = (!sold.is_empty()).then(|| Profile::of_counts(&sold, 0));
        if profile.products > 0 || sales.is_some() || !exclusive.is_empty() {
            out.push(Neighbour {
                partner,
                profile,
                sales,
                exclusive,
            });
        }
    }
    Ok(out)
}

/// Observed affinity of the candidate's categories with every partner where members shopped,
/// from the earns of the last [`SALES_WINDOW_DAYS`] days (four grouped queries). For each
/// partner, "both" counts its members who bought in the categories elsewhere.
fn affinities(
    conn: &mut DbConn,
    tree: &Tree,
    candidate: &Profile,
    now: NaiveDateTime,
) -> ApiResult<BTreeMap<PartnerId, Affinity>> {
    let since = now - Duration::days(SALES_WINDOW_DAYS);
    // The candidate's categories and everything under them: a line filed under "Cookware >
    // Pans" is a purchase in "Cookware".
    let categories: Vec<CategoryId> = tree
        .taxonomy
        .categories()
        .filter(|c| {
            tree.taxonomy
                .lineage(c.id)
                .any(|a| candidate.shares.contains_key(&a.id))
        })
        .map(|c| c.id)
        .collect();
    let count = |n: i64| u64::try_from(n).unwrap_or(0);
    let in_categories = count(sales_rows::members_in_categories(conn, &categories, since)?);
    if in_categories < AFFINITY_SUPPORT_MIN {
        return Ok(BTreeMap::new());
    }
    let total = count(sales_rows::members_who_shopped(conn, since)?);
    let both: BTreeMap<PartnerId, u64> =
        sales_rows::members_per_partner_in_categories(conn, &categories, since)?
            .into_iter()
            .map(|(p, n)| (p, count(n)))
            .collect();
    Ok(sales_rows::members_per_partner(conn, since)?
        .into_iter()
        .filter_map(|(partner, at_partner)| {
            let at_partner = count(at_partner);
            let members_both = both.get(&partner).copied().unwrap_or(0);
            let lift = lift_milli(members_both, in_categories, at_partner, total)?;
            Some((
                partner,
                Affinity {
                    members_in_categories: in_categories,
                    members_both,
                    members_at_partner: at_partner,
                    members_total: total,
                    lift_milli: lift,
                },
            ))
        })
        .collect())
}

/// Computes the report on a partner's catalog version against the active partners, stores it,
/// and raises an alert when an active partner's verdict became a conflict or restricted.
pub fn compute_and_store(
    conn: &mut DbConn,
    tree: &Tree,
    partner: &PartnerRow,
    version: &VersionRow,
    now: NaiveDateTime,
) -> ApiResult<CompatibilityReport> {
    let profile = profile_of(conn, version)?;
    let thresholds: CompatibilityThresholds = rows::thresholds(conn)?.into();
    let neighbours = neighbours(conn, partner.id, now)?;
    let active: Vec<ActivePartner<'_>> = neighbours
        .iter()
        .map(|n| ActivePartner {
            id: n.partner.id,
            profile: &n.profile,
            exclusive: &n.exclusive,
            sales: n.sales.as_ref(),
        })
        .collect();
    let assessment = assess(
        &tree.taxonomy,
        &profile,
        &active,
        &tree.restricted,
        &thresholds.into(),
    );
    let subject = Subject {
        partner,
        version,
        profile: &profile,
    };
    let affinities = affinities(conn, tree, &profile, now)?;
    let mut report = build(
        tree,
        &subject,
        &neighbours,
        &assessment,
        &affinities,
        thresholds,
        now,
    );
    if let Some(previous) = catalog_rows::previous_version(conn, partner.id, version.id)? {
        report.drift_ppm = Some(drift(&profile_of(conn, &previous)?, &profile));
    }
    let previous = rows::reports_of(conn, partner.id, i64::MAX, 1)?
        .into_iter()
        .next();
    let body = serde_json::to_string(&report).map_err(ApiError::internal)?;
    report.id = rows::insert_report(conn, partner.id, version.id, &report.verdict, &body, now)?;
    let bad = matches!(assessment.verdict, Verdict::Conflict | Verdict::Restricted);
    let was = previous.as_ref().map(|r| r.verdict.clone());
    let in_network = matches!(partner.status.as_str(), "active" | "suspended");
    if in_network && bad && was.as_deref() != Some(report.verdict.as_str()) {
        rows::insert_alert(
            conn,
            partner.id,
            report.id,
            was.as_deref(),
            &report.verdict,
            now,
        )?;
        tracing::warn!(partner.id = %partner.id, verdict = %report.verdict, "catalog drifted into a conflict");
    }
    Ok(report)
}

/// Recomputes, in the caller's transaction, the report of every partner in the network
/// (active or suspended) that has a catalog: after the restricted subtrees change, a partner
/// whose verdict becomes restricted raises an alert like a drifting catalog does. Returns how
/// many reports were computed.
pub fn reassess_network(conn: &mut DbConn, tree: &Tree, now: NaiveDateTime) -> ApiResult<usize> {
    let mut computed = 0;
    for partner in partner_rows::all_partners(conn)? {
        if !matches!(partner.status.as_str(), "active" | "suspended") {
            continue;
        }
        if let Some(version) = catalog_rows::current_version(conn, partner.id)? {
            compute_and_store(conn, tree, &partner, &version, now)?;
            computed += 1;
        }
    }
    Ok(computed)
}

/// The report as the partner itself sees it: its verdict, its own figures, and which of its
/// own categories meet a competitor or an exclusivity clause (with its own share there), never
/// another partner's name, shares, sales or members: a partner probing with made-up catalogs
/// learns only whether someone competes in a category, which admission decides on anyway.
pub fn own_view(mut report: CompatibilityReport) -> CompatibilityReport {
    report.summary = summary(&report, false);
    report.pairs.clear();
    report
}

fn stored(row: ReportRow) -> ApiResult<CompatibilityReport> {
    let mut report: CompatibilityReport =
        serde_json::from_str(&row.body).map_err(ApiError::internal)?;
    report.id = row.id;
    Ok(report)
}

/// Computes a fresh report on the partner's current catalog.
pub fn check_now(
    conn: &mut DbConn,
    cache: &TreeCache,
    now: NaiveDateTime,
    partner_id: PartnerId,
) -> ApiResult<CompatibilityReport> {
    let tree = cache.current(conn)?;
    write_tx(conn, |conn| {
        // Two checks at once queue here, so the second sees the first's verdict (one alert).
        partner_rows::lock_partner(conn, partner_id)?;
        let partner = partner_rows::partner(conn, partner_id)?
            .ok_or_else(|| ApiError::new(Code::PartnerNotFound, "no such partner"))?;
        let version = catalog_rows::current_version(conn, partner_id)?
            .ok_or_else(|| ApiError::new(Code::CatalogNotFound, "no catalog was uploaded"))?;
        compute_and_store(conn, &tree, &partner, &version, now)
    })
}

/// A stored report.
pub fn report(conn: &mut DbConn, id: i64) -> ApiResult<CompatibilityReport> {
    let row = rows::report(conn, id)?
        .ok_or_else(|| ApiError::new(Code::ReportNotFound, "no such report"))?;
    stored(row)
}

/// A partner's reports, newest first, before the report id `cursor`.
pub fn reports(
    conn: &mut DbConn,
    partner_id: PartnerId,
    cursor: Option<i64>,
    limit: i64,
    own: bool,
) -> ApiResult<ReportPage> {
    let rows = rows::reports_of(conn, partner_id, cursor.unwrap_or(i64::MAX), limit + 1)?;
    let (rows, next_cursor) = page_of(rows, limit, |r| r.id.to_string());
    let items = rows
        .into_iter()
        .map(stored)
        .map(|r| r.map(|r| if own { own_view(r) } else { r }))
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(ReportPage { items, next_cursor })
}

/// Drift alerts after the alert id `cursor`, the open ones unless `all`.
pub fn alerts(
    conn: &mut DbConn,
    cursor: Option<i64>,
    all: bool,
    limit: i64,
) -> ApiResult<AlertPage> {
    let rows = rows::alerts(conn, cursor.unwrap_or(0), all, limit + 1)?;
    let (rows, next_cursor) = page_of(rows, limit, |a| a.id.to_string());
    let items = rows
        .into_iter()
        .map(|a| CompatibilityAlert {
            id: a.id,
            partner_id: a.partner_id.get(),
            report_id: a.report_id,
            previous_verdict: a.previous_verdict,
            verdict: a.verdict,
            created_at: utc(a.created_at),
            acknowledged_at: a.acknowledged_at.map(utc),
            acknowledged_by: a.acknowledged_by,
        })
        .collect();
    Ok(AlertPage { items, next_cursor })
}

/// Acknowledges an open alert.
pub fn acknowledge(conn: &mut DbConn, now: NaiveDateTime, by: &str, id: i64) -> ApiResult<()> {
    write_tx(conn, |conn| {
        if rows::acknowledge_alert(conn, id, by, now)? == 0 {
            return fail(Code::AlertNotFound, "no such open alert");
        }
        Ok(())
    })
}
