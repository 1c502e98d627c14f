//! The text and figures of a compatibility report: the pairs with names and paths, the
//! data-quality findings, the one-sentence summary, and how far a catalog drifted.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDateTime;

use crate::db::queries::catalog::catalogs::VersionRow;
use crate::db::queries::partners::PartnerRow;
use crate::domain::catalog::compatibility::{Assessment, Profile, LISTED_MAX, PPM};
use crate::domain::clock::utc;
use crate::domain::ids::{CategoryId, PartnerId};
use crate::http::catalog::json::{
    Affinity, CategoryShare, CompatibilityReport, CompatibilityThresholds, PairReport,
    QualityFinding,
};
use crate::service::catalog::tree::Tree;

/// An active partner's profile, sales profile and exclusive subtrees.
pub(super) struct Neighbour {
    pub(super) partner: PartnerRow,
    pub(super) profile: Profile,
    pub(super) sales: Option<Profile>,
    pub(super) exclusive: Vec<CategoryId>,
}

/// Share of products at the top two levels from which the categories are called coarse.
const COARSE_PPM: u64 = 500_000;

/// `123_456` ppm as `12.3%`.
pub fn percent(ppm: u64) -> String {
    format!("{}.{}%", ppm / 10_000, (ppm % 10_000) / 1_000)
}

/// Half the sum of the share differences between two profiles (0: the same, 1,000,000: nothing
/// in common), unmapped products counted as one more category.
pub(super) fn drift(old: &Profile, new: &Profile) -> u64 {
    let keys: BTreeSet<&CategoryId> = old.shares.keys().chain(new.shares.keys()).collect();
    let get = |p: &Profile, c: &CategoryId| p.shares.get(c).copied().unwrap_or(0);
    let sum: u64 = keys
        .into_iter()
        .map(|c| get(old, c).abs_diff(get(new, c)))
        .sum::<u64>()
        + old.unmapped_ppm.abs_diff(new.unmapped_ppm);
    (sum / 2).min(PPM)
}

pub(super) fn shares(tree: &Tree, list: &[(CategoryId, u64)]) -> Vec<CategoryShare> {
    list.iter()
        .map(|(c, s)| CategoryShare {
            category_id: c.get(),
            path: tree.path(*c),
            share_ppm: *s,
        })
        .collect()
}

pub(super) fn quality(
    tree: &Tree,
    profile: &Profile,
    t: &CompatibilityThresholds,
) -> Vec<QualityFinding> {
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
        "conflict" if !named => {
            if report.exclusive_categories.is_empty() {
                "an active partner sells in the same categories: see competing_categories".into()
            } else {
                "sells in a subtree an active partner holds exclusively: see exclusive_categories"
                    .into()
            }
        }
        "conflict" => {
            let worst = report.pairs.iter().find(|p| p.verdict == "conflict");
            let breach = worst.and_then(|p| p.exclusivity_breaches.first());
            match (worst, breach) {
                (Some(p), Some(b)) if p.overlap_ppm < t.conflict_overlap_ppm => format!(
                    "sells in {} ({}), which {} holds exclusively",
                    b.path,
                    percent(b.share_ppm),
                    who(p)
                ),
                (Some(p), _) => format!(
                    "a direct competitor of {}: {} of the two catalogs are in the same categories (the limit is {})",
                    who(p),
                    percent(p.overlap_ppm.max(p.sales_overlap_ppm.unwrap_or(0))),
                    percent(t.conflict_overlap_ppm)
                ),
                (None, _) => "a conflict".into(),
            }
        }
        "complementary" if !named => {
            "complements active partners under shared parent categories, without competing".into()
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
            format!(
                "complements {} under shared parent categories, without competing",
                names.join(", ")
            )
        }
        _ => "no active partner sells in the same or nearby categories".into(),
    }
}

/// The catalog a report is about.
pub(super) struct Subject<'a> {
    pub(super) partner: &'a PartnerRow,
    pub(super) version: &'a VersionRow,
    pub(super) profile: &'a Profile,
}

pub(super) fn build(
    tree: &Tree,
    subject: &Subject<'_>,
    neighbours: &[Neighbour],
    assessment: &Assessment,
    affinities: &BTreeMap<PartnerId, Affinity>,
    thresholds: CompatibilityThresholds,
    now: NaiveDateTime,
) -> CompatibilityReport {
    let Subject {
        partner: candidate,
        version,
        profile,
    } = *subject;
    let by_id: BTreeMap<PartnerId, &PartnerRow> = neighbours
        .iter()
        .map(|n| (n.partner.id, &n.partner))
        .collect();
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
            sales_overlap_ppm: p.sales_overlap_ppm,
            affinity: affinities.get(&p.partner).cloned(),
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
        competing_categories: Vec::new(),
        exclusive_categories: Vec::new(),
        drift_ppm: None,
    };
    let conflicting: Vec<&PairReport> = report
        .pairs
        .iter()
        .filter(|p| p.verdict == "conflict")
        .collect();
    let mut competing: BTreeMap<i64, u64> = BTreeMap::new();
    let mut exclusive: BTreeMap<i64, u64> = BTreeMap::new();
    for pair in &conflicting {
        for c in &pair.overlapping {
            // The candidate's own share, never the smaller of the two.
            let own = profile
                .shares
                .get(&CategoryId::from(c.category_id))
                .copied();
            competing.insert(c.category_id, own.unwrap_or(0));
        }
        for c in &pair.exclusivity_breaches {
            exclusive.insert(c.category_id, c.share_ppm);
        }
    }
    let listed = |m: BTreeMap<i64, u64>| -> Vec<CategoryShare> {
        let pairs: Vec<(CategoryId, u64)> = m
            .into_iter()
            .map(|(c, s)| (CategoryId::from(c), s))
            .collect();
        shares(tree, &pairs)
    };
    report.competing_categories = listed(competing);
    report.exclusive_categories = listed(exclusive);
    report.summary = summary(&report, true);
    report
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
        assert_eq!(
            drift(&p(&[(1, 1_000_000)]), &p(&[(2, 1_000_000)])),
            1_000_000
        );
        assert_eq!(
            drift(
                &p(&[(1, 600_000), (2, 400_000)]),
                &p(&[(1, 300_000), (2, 700_000)])
            ),
            300_000
        );
    }
}
