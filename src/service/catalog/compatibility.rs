//! Compatibility reports: a candidate's catalog profile against every active partner's, with
//! the operator's thresholds and the exclusivity clauses of the contracts in force; stored with
//! their history, and an alert when an active partner's catalog drifts into a conflict.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDateTime;

use crate::db::queries::catalog::catalogs::{self as catalog_rows, VersionRow};
use crate::db::queries::catalog::reports::{self as rows, ReportRow, ThresholdsRow};
use crate::db::queries::partners::{self as partner_rows, PartnerRow};
use crate::db::{write_tx, DbConn};
use crate::domain::catalog::compatibility::{
    assess, ActivePartner, Assessment, Profile, Thresholds, Verdict, LISTED_MAX, PPM,
};
use crate::domain::clock::utc;
use crate::domain::ids::{CategoryId, PartnerId};
use crate::error::{fail, ApiError, ApiResult, Code};
use crate::http::catalog::json::{
    AlertPage, CategoryShare, CompatibilityAlert, CompatibilityReport, CompatibilityThresholds,
    PairReport, QualityFinding, ReportPage,
};
use crate::service::catalog::taxonomy::{Tree, TreeCache};

/// Share of products at the top two levels from which the categories are called coarse.
const COARSE_PPM: u64 = 500_000;

/// `123_456` ppm as `12.3%`.
pub fn percent(ppm: u64) -> String {
    format!("{}.{}%", ppm / 10_000, (ppm % 10_000) / 1_000)
}

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
            _ => fail(Code::InvalidRequest, format!("{field} must be 1 to 1000000 (ppm)")),
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

/// An active partner's profile and exclusive subtrees.
struct Neighbour {
    partner: PartnerRow,
    profile: Profile,
    exclusive: Vec<CategoryId>,
}

/// Every active partner but `candidate` that has a catalog or an exclusivity clause.
fn neighbours(
    conn: &mut DbConn,
    candidate: PartnerId,
    now: NaiveDateTime,
) -> ApiResult<Vec<Neighbour>> {
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
        if profile.products > 0 || !exclusive.is_empty() {
            out.push(Neighbour {
                partner,
                profile,
                exclusive,
            });
        }
    }
    Ok(out)
}

/// Half the sum of the share differences between two profiles (0: the same, 1,000,000: nothing
/// in common), unmapped products counted as one more category.
fn drift(old: &Profile, new: &Profile) -> u64 {
    let keys: BTreeSet<&CategoryId> = old.shares.keys().chain(new.shares.keys()).collect();
    let get = |p: &Profile, c: &CategoryId| p.shares.get(c).copied().unwrap_or(0);
    let sum: u64 = keys
        .into_iter()
        .map(|c| get(old, c).abs_diff(get(new, c)))
        .sum::<u64>()
        + old.unmapped_ppm.abs_diff(new.unmapped_ppm);
    (sum / 2).min(PPM)
}

fn shares(tree: &Tree, list: &[(CategoryId, u64)]) -> Vec<CategoryShare> {
    list.iter()
        .map(|(c, s)| CategoryShare {
            category_id: c.get(),
            path: tree.path(*c),
            share_ppm: *s,
        })
        .collect()
}

fn quality(tree: &Tree, profile: &Profile, t: &CompatibilityThresholds) -> Vec<QualityFinding> {
    let mut found = Vec::new();
    if profile.unmapped_ppm >= t.unmapped_warning_ppm {
        found.push(QualityFinding {
            code: "unmapped_products".into(),
            detail: format!(
                "{} of the products have no category: they cannot be placed in the network",
                percent(profile.unmapped_ppm)
            ),
        });
    }
    let coarse: u64 = profile
        .shares
        .iter()
        .filter(|(c, _)| tree.taxonomy.get(**c).is_some_and(|c| c.depth <= 2))
        .map(|(_, s)| s)
        .sum();
    if coarse >= COARSE_PPM {
        found.push(QualityFinding {
            code: "coarse_categories".into(),
            detail: format!(
                "{} of the products are mapped to a first- or second-level category only: the \
                 overlap with other partners is measured less precisely",
                percent(coarse)
            ),
        });
    }
    found
}

/// The report's one-sentence reason; `named`: other partners may be named.
pub fn summary(report: &CompatibilityReport, named: bool) -> String {
    let who = |p: &PairReport| match (&p.partner_name, named) {
        (Some(name), true) => name.clone(),
        _ => "an active partner".to_owned(),
    };
    let t = &report.thresholds;
    match report.verdict.as_str() {
        "restricted" => format!(
            "{} of the catalog is in restricted categories (the limit is {})",
            percent(report.restricted_ppm),
            percent(t.restricted_max_ppm)
        ),
        "conflict" => {
            let worst = report.pairs.iter().find(|p| p.verdict == "conflict");
            match worst {
                Some(p) if !p.exclusivity_breaches.is_empty() && p.overlap_ppm < t.conflict_overlap_ppm => {
                    format!(
                        "sells in {} ({}), which {} holds exclusively",
                        p.exclusivity_breaches[0].path,
                        percent(p.exclusivity_breaches[0].share_ppm),
                        who(p)
                    )
                }
                Some(p) => format!(
                    "a direct competitor of {}: {} of the two catalogs are in the same categories (the limit is {})",
                    who(p),
                    percent(p.overlap_ppm),
                    percent(t.conflict_overlap_ppm)
                ),
                None => "a conflict".into(),
            }
        }
        "complementary" => {
            let names: Vec<String> = report
                .pairs
                .iter()
                .filter(|p| p.verdict == "complementary")
                .map(who)
                .collect::<BTreeSet<_>>()
                .into_iter()
                .take(LISTED_MAX)
                .collect();
            format!("complements {} under shared parent categories, without competing", names.join(", "))
        }
        _ => "no active partner sells in the same or nearby categories".into(),
    }
}

/// The catalog a report is about.
struct Subject<'a> {
    partner: &'a PartnerRow,
    version: &'a VersionRow,
    profile: &'a Profile,
}

fn build(
    tree: &Tree,
    subject: &Subject<'_>,
    neighbours: &[Neighbour],
    assessment: &Assessment,
    thresholds: CompatibilityThresholds,
    now: NaiveDateTime,
) -> CompatibilityReport {
    let Subject {
        partner: candidate,
        version,
        profile,
    } = *subject;
    let by_id: BTreeMap<PartnerId, &PartnerRow> =
        neighbours.iter().map(|n| (n.partner.id, &n.partner)).collect();
    let mut pairs: Vec<PairReport> = assessment
        .pairs
        .iter()
        .map(|p| PairReport {
            partner_id: Some(p.partner.get()),
            partner_name: by_id.get(&p.partner).map(|r| r.name.clone()),
            verdict: p.verdict.as_str().into(),
            overlap_ppm: p.overlap_ppm,
            proximity_ppm: p.proximity_ppm,
            complementarity_ppm: p.complementarity_ppm,
            overlapping: shares(tree, &p.overlapping),
            shared_parents: shares(tree, &p.shared_parents),
            exclusivity_breaches: shares(tree, &p.exclusivity_breaches),
        })
        .collect();
    let rank = |v: &str| match v {
        "conflict" => 0,
        "complementary" => 1,
        _ => 2,
    };
    pairs.sort_by(|a, b| {
        rank(&a.verdict)
            .cmp(&rank(&b.verdict))
            .then(b.overlap_ppm.cmp(&a.overlap_ppm))
            .then(b.complementarity_ppm.cmp(&a.complementarity_ppm))
            .then(a.partner_id.cmp(&b.partner_id))
    });
    let mut top: Vec<(CategoryId, u64)> = profile.shares.iter().map(|(c, s)| (*c, *s)).collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    top.truncate(LISTED_MAX);
    let mut report = CompatibilityReport {
        id: 0,
        partner_id: candidate.id.get(),
        catalog_version_id: version.id,
        computed_at: utc(now),
        verdict: assessment.verdict.as_str().into(),
        summary: String::new(),
        thresholds,
        products: version.products,
        top_categories: shares(tree, &top),
        restricted_ppm: assessment.restricted_ppm,
        restricted: shares(tree, &assessment.restricted),
        unmapped_ppm: assessment.unmapped_ppm,
        quality: quality(tree, profile, &thresholds),
        pairs,
        drift_ppm: None,
    };
    report.summary = summary(&report, true);
    report
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
    let mut report = build(tree, &subject, &neighbours, &assessment, thresholds, now);
    if let Some(previous) = catalog_rows::previous_version(conn, partner.id, version.id)? {
        report.drift_ppm = Some(drift(&profile_of(conn, &previous)?, &profile));
    }
    let previous = rows::reports_of(conn, partner.id, i64::MAX, 1)?.into_iter().next();
    let body = serde_json::to_string(&report).map_err(ApiError::internal)?;
    report.id = rows::insert_report(conn, partner.id, version.id, &report.verdict, &body, now)?;
    let bad = matches!(assessment.verdict, Verdict::Conflict | Verdict::Restricted);
    let was = previous.as_ref().map(|r| r.verdict.clone());
    if partner.status == "active" && bad && was.as_deref() != Some(report.verdict.as_str()) {
        rows::insert_alert(conn, partner.id, report.id, was.as_deref(), &report.verdict, now)?;
        tracing::warn!(partner.id = %partner.id, verdict = %report.verdict, "catalog drifted into a conflict");
    }
    Ok(report)
}

/// The report as the partner itself sees it: scores and categories, no other partner named.
pub fn own_view(mut report: CompatibilityReport) -> CompatibilityReport {
    for pair in &mut report.pairs {
        pair.partner_id = None;
        pair.partner_name = None;
    }
    report.summary = summary(&report, false);
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
    let more = rows.len() > usize::try_from(limit).unwrap_or(usize::MAX);
    let mut items = rows
        .into_iter()
        .map(stored)
        .map(|r| r.map(|r| if own { own_view(r) } else { r }))
        .collect::<ApiResult<Vec<_>>>()?;
    items.truncate(usize::try_from(limit).unwrap_or(0));
    let next_cursor = if more {
        items.last().map(|r| r.id.to_string())
    } else {
        None
    };
    Ok(ReportPage { items, next_cursor })
}

/// Drift alerts after the alert id `cursor`, the open ones unless `all`.
pub fn alerts(conn: &mut DbConn, cursor: Option<i64>, all: bool, limit: i64) -> ApiResult<AlertPage> {
    let rows = rows::alerts(conn, cursor.unwrap_or(0), all, limit + 1)?;
    let more = rows.len() > usize::try_from(limit).unwrap_or(usize::MAX);
    let mut items: Vec<CompatibilityAlert> = rows
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
    items.truncate(usize::try_from(limit).unwrap_or(0));
    let next_cursor = if more {
        items.last().map(|a| a.id.to_string())
    } else {
        None
    };
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_are_truncated_to_a_tenth() {
        assert_eq!(percent(0), "0.0%");
        assert_eq!(percent(150_000), "15.0%");
        assert_eq!(percent(123_456), "12.3%");
        assert_eq!(percent(1_000_000), "100.0%");
    }

    #[test]
    fn drift_is_half_the_moved_share() {
        let c = CategoryId::from;
        let p = |pairs: &[(i64, u64)]| Profile {
            shares: pairs.iter().map(|(id, s)| (c(*id), *s)).collect(),
            products: 10,
            unmapped_ppm: 0,
        };
        assert_eq!(drift(&p(&[(1, 1_000_000)]), &p(&[(1, 1_000_000)])), 0);
        assert_eq!(drift(&p(&[(1, 1_000_000)]), &p(&[(2, 1_000_000)])), 1_000_000);
        assert_eq!(
            drift(&p(&[(1, 600_000), (2, 400_000)]), &p(&[(1, 300_000), (2, 700_000)])),
            300_000
        );
    }
}
