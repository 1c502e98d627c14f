//! Whether a candidate partner fits the network: "as adjacent as possible in universe, without
//! facing direct competitors". Computed from category profiles (the share of a catalog in each
//! category), never from products, so a report can show its numbers without showing anyone's
//! catalog.
//!
//! For a candidate A and an active partner B, with shares in parts per million (ppm):
//! - **overlap** (competition) = the sum over categories of `min(share_A, share_B)`: how much
//!   of the two catalogs sells the very same kind of product;
//! - **proximity** = the mean, over the top three levels of the tree, of the same sum taken over
//!   the ancestors at that level (a product in a category shallower than the level counts at
//!   its own category): how much the two catalogs live under the same parents;
//! - **complementarity** = `proximity - overlap` (never below zero): side by side under shared
//!   parents, but not the same products.
//!
//! Where B's earns carry categorised lines, the same overlap is also taken with the share of B's
//! sales in each category: a partner competes where it sells, not only where it lists.
//!
//! The verdict for the pair is `conflict` when either overlap reaches the conflict threshold or A
//! has products in a subtree B holds exclusively, else `complementary` when the
//! complementarity reaches its threshold, else `distant`. The candidate's overall verdict is
//! `restricted` when too much of its catalog is in restricted categories, else the worst of its
//! pairs. Integer arithmetic throughout, so a report computed twice is identical.
//!
//! Longer than 400 lines: nearly half of it is the unit tests on hand-computed profiles.

use std::collections::{BTreeMap, BTreeSet};

use crate::domain::catalog::taxonomy::Taxonomy;
use crate::domain::ids::{CategoryId, PartnerId};

/// One whole, in parts per million.
pub const PPM: u64 = 1_000_000;
/// The levels of the tree that proximity looks at.
pub const PROXIMITY_LEVELS: usize = 3;
/// Most categories listed behind each number of a report.
pub const LISTED_MAX: usize = 5;

/// The share of a catalog in each category.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profile {
    /// Category -> share of the mapped and unmapped products together, in ppm (rounded down).
    pub shares: BTreeMap<CategoryId, u64>,
    /// How many products the profile counts.
    pub products: u64,
    /// Share of the products whose category is unknown, in ppm.
    pub unmapped_ppm: u64,
}

impl Profile {
    /// The profile of a catalog with `counts` products per category and `unmapped` products
    /// without a known category.
    pub fn of_counts(counts: &BTreeMap<CategoryId, u64>, unmapped: u64) -> Profile {
        let products = counts
            .values()
            .fold(unmapped, |sum, n| sum.saturating_add(*n));
        let share = |n: u64| {
            if products == 0 {
                0
            } else {
                u64::try_from(u128::from(n) * u128::from(PPM) / u128::from(products)).unwrap_or(PPM)
            }
        };
        Profile {
            shares: counts
                .iter()
                .filter(|(_, n)| **n > 0)
                .map(|(c, n)| (*c, share(*n)))
                .collect(),
            products,
            unmapped_ppm: share(unmapped),
        }
    }

    /// The share of the catalog in `root`'s subtree.
    pub fn share_within(&self, tree: &Taxonomy, root: CategoryId) -> u64 {
        self.shares
            .iter()
            .filter(|(c, _)| tree.is_within(**c, root))
            .map(|(_, s)| *s)
            .sum()
    }

    /// The shares summed at each category's ancestor at `level` (1: the top level), or at the
    /// category itself when it is shallower.
    fn at_level(&self, tree: &Taxonomy, level: usize) -> BTreeMap<CategoryId, u64> {
        let mut out = BTreeMap::new();
        for (category, share) in &self.shares {
            let lineage: Vec<CategoryId> = tree.lineage(*category).map(|c| c.id).collect();
            // lineage runs from the category up to its top level.
            let depth = lineage.len();
            let at = match depth.checked_sub(level) {
                Some(up) => lineage.get(up).copied(),
                None => Some(*category),
            };
            if let Some(at) = at {
                *out.entry(at).or_insert(0) += share;
            }
        }
        out
    }
}

/// The operator's thresholds, in ppm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    /// Overlap from which two catalogs are direct competitors.
    pub conflict_overlap_ppm: u64,
    /// Complementarity from which two catalogs complement each other.
    pub complementary_min_ppm: u64,
    /// Share of the candidate in another partner's exclusive subtree that breaches the clause.
    pub exclusivity_breach_ppm: u64,
    /// Share of the candidate in restricted categories from which it is not admissible.
    pub restricted_max_ppm: u64,
    /// Share of unmapped products from which the data is flagged.
    pub unmapped_warning_ppm: u64,
}

impl Default for Thresholds {
    fn default() -> Thresholds {
        Thresholds {
            conflict_overlap_ppm: 150_000,
            complementary_min_ppm: 100_000,
            exclusivity_breach_ppm: 10_000,
            restricted_max_ppm: 200_000,
            unmapped_warning_ppm: 50_000,
        }
    }
}

/// A verdict, for a pair or for the candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    /// Far apart in the tree: neither competing nor complementary.
    Distant,
    /// Side by side under shared parents, selling other products.
    Complementary,
    /// A direct competitor (or a breach of an exclusivity clause).
    Conflict,
    /// Too much of the catalog is in categories the network restricts (overall only).
    Restricted,
}

impl Verdict {
    /// The word on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Verdict::Distant => "distant",
            Verdict::Complementary => "complementary",
            Verdict::Conflict => "conflict",
            Verdict::Restricted => "restricted",
        }
    }
}

/// An active partner as the report sees it.
#[derive(Debug, Clone)]
pub struct ActivePartner<'a> {
    /// Who.
    pub id: PartnerId,
    /// Its catalog's profile.
    pub profile: &'a Profile,
    /// The subtrees it holds exclusively.
    pub exclusive: &'a [CategoryId],
    /// The share of its sales in each category, where its earns carry categorised lines.
    pub sales: Option<&'a Profile>,
}

/// The candidate against one active partner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairScore {
    /// The active partner.
    pub partner: PartnerId,
    /// Same-category overlap, ppm.
    pub overlap_ppm: u64,
    /// Same-category overlap with the partner's sales (rather than its catalog), ppm, where
    /// it has categorised sales.
    pub sales_overlap_ppm: Option<u64>,
    /// Mean overlap of the top levels' parents, ppm.
    pub proximity_ppm: u64,
    /// `proximity - overlap`, ppm.
    pub complementarity_ppm: u64,
    /// The categories that overlap most, with their `min` share.
    pub overlapping: Vec<(CategoryId, u64)>,
    /// The level-2 parents (level 1 for shallower products) the two share most, with their
    /// `min` share.
    pub shared_parents: Vec<(CategoryId, u64)>,
    /// The partner's exclusive subtrees the candidate sells in, with the candidate's share.
    pub exclusivity_breaches: Vec<(CategoryId, u64)>,
    /// The verdict for the pair.
    pub verdict: Verdict,
}

/// The whole report's numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    /// One line per active partner, in partner order.
    pub pairs: Vec<PairScore>,
    /// Share of the candidate in restricted categories, ppm.
    pub restricted_ppm: u64,
    /// The restricted subtrees the candidate sells in, with its share.
    pub restricted: Vec<(CategoryId, u64)>,
    /// Share of the candidate's products with no known category, ppm.
    pub unmapped_ppm: u64,
    /// The overall verdict.
    pub verdict: Verdict,
}

/// The sum of `min(a, b)` over the keys of two share maps, and the keys that contribute most.
fn intersection(
    a: &BTreeMap<CategoryId, u64>,
    b: &BTreeMap<CategoryId, u64>,
) -> (u64, Vec<(CategoryId, u64)>) {
    let mut common: Vec<(CategoryId, u64)> = a
        .iter()
        .filter_map(|(c, x)| b.get(c).map(|y| (*c, (*x).min(*y))))
        .filter(|(_, m)| *m > 0)
        .collect();
    let total = common.iter().map(|(_, m)| m).sum();
    common.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
    common.truncate(LISTED_MAX);
    (total, common)
}

/// Fewest members who bought in the candidate's categories for an observed affinity to be
/// reported: below it, a lift says more about chance than about shoppers.
pub const AFFINITY_SUPPORT_MIN: u64 = 20;

/// Observed affinity, in thousandths: how much more likely than the average member a member who
/// buys in the candidate's categories is to shop at the partner
/// (`P(partner | candidate's categories) / P(partner)`; 1,000 = no more, no less). `both`:
/// members in the candidate's categories who also shop at the partner; `in_categories`:
/// members in the candidate's categories; `at_partner`: members who shop at the partner;
/// `members`: every member who shopped. None below [`AFFINITY_SUPPORT_MIN`] or without data.
pub fn lift_milli(both: u64, in_categories: u64, at_partner: u64, members: u64) -> Option<u64> {
    if in_categories < AFFINITY_SUPPORT_MIN || at_partner == 0 || members == 0 {
        return None;
    }
    let numerator = u128::from(both) * u128::from(members) * 1_000;
    let denominator = u128::from(in_categories) * u128::from(at_partner);
    u64::try_from(numerator.checked_div(denominator)?).ok()
}

/// Scores the candidate against one active partner.
pub fn score_pair(
    tree: &Taxonomy,
    candidate: &Profile,
    partner: &ActivePartner<'_>,
    thresholds: &Thresholds,
) -> PairScore {
    let (overlap_ppm, overlapping) = intersection(&candidate.shares, &partner.profile.shares);
    let sales_overlap_ppm = partner
        .sales
        .map(|sales| intersection(&candidate.shares, &sales.shares).0);
    let competition_ppm = overlap_ppm.max(sales_overlap_ppm.unwrap_or(0));
    let mut level_sum = 0_u64;
    let mut shared_parents = Vec::new();
    for level in 1..=PROXIMITY_LEVELS {
        let (sum, top) = intersection(
            &candidate.at_level(tree, level),
            &partner.profile.at_level(tree, level),
        );
        level_sum += sum;
        if level == 2 {
            shared_parents = top;
        }
    }
    let proximity_ppm = level_sum / u64::try_from(PROXIMITY_LEVELS).unwrap_or(1);
    let complementarity_ppm = proximity_ppm.saturating_sub(overlap_ppm);
    let exclusivity_breaches: Vec<(CategoryId, u64)> = partner
        .exclusive
        .iter()
        .map(|root| (*root, candidate.share_within(tree, *root)))
        .filter(|(_, share)| *share >= thresholds.exclusivity_breach_ppm.max(1))
        .collect();
    let verdict =
        if competition_ppm >= thresholds.conflict_overlap_ppm || !exclusivity_breaches.is_empty() {
            Verdict::Conflict
        } else if complementarity_ppm >= thresholds.complementary_min_ppm {
            Verdict::Complementary
        } else {
            Verdict::Distant
        };
    PairScore {
        partner: partner.id,
        overlap_ppm,
        sales_overlap_ppm,
        proximity_ppm,
        complementarity_ppm,
        overlapping,
        shared_parents,
        exclusivity_breaches,
        verdict,
    }
}

/// Assesses a candidate against every active partner, with the network's restricted subtrees.
pub fn assess(
    tree: &Taxonomy,
    candidate: &Profile,
    partners: &[ActivePartner<'_>],
    restricted_roots: &BTreeSet<CategoryId>,
    thresholds: &Thresholds,
) -> Assessment {
    let pairs: Vec<PairScore> = partners
        .iter()
        .map(|p| score_pair(tree, candidate, p, thresholds))
        .collect();
    let mut restricted: Vec<(CategoryId, u64)> = restricted_roots
        .iter()
        .map(|root| (*root, candidate.share_within(tree, *root)))
        .filter(|(_, share)| *share > 0)
        .collect();
    restricted.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
    // A restricted subtree may lie inside another: count each category once.
    let restricted_ppm = candidate
        .shares
        .iter()
        .filter(|(c, _)| restricted_roots.iter().any(|r| tree.is_within(**c, *r)))
        .map(|(_, s)| *s)
        .sum();
    let verdict = if restricted_ppm >= thresholds.restricted_max_ppm {
        Verdict::Restricted
    } else {
        pairs
            .iter()
            .map(|p| p.verdict)
            .max()
            .unwrap_or(Verdict::Distant)
    };
    Assessment {
        pairs,
        restricted_ppm,
        restricted,
        unmapped_ppm: candidate.unmapped_ppm,
        verdict,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::catalog::taxonomy::{parse, Taxonomy};

    /// A small tree: Hardware (632) > Tools (1167) > {Drills (1169), Saws (1235)}; Hardware >
    /// Plumbing (133); Home & Garden (536) > Kitchen & Dining (638) > Cookware (654);
    /// Home & Garden > Lawn & Garden (689) > Gardening (2962); Media (783) > Books (784);
    /// Arts & Entertainment (8) > Gambling (3793).
    fn tree() -> Taxonomy {
        let text = "632 - Hardware\n\
            1167 - Hardware > Tools\n\
            1169 - Hardware > Tools > Drills\n\
            1235 - Hardware > Tools > Saws\n\
            133 - Hardware > Plumbing\n\
            536 - Home & Garden\n\
            638 - Home & Garden > Kitchen & Dining\n\
            654 - Home & Garden > Kitchen & Dining > Cookware\n\
            689 - Home & Garden > Lawn & Garden\n\
            2962 - Home & Garden > Lawn & Garden > Gardening\n\
            783 - Media\n\
            784 - Media > Books\n\
            8 - Arts & Entertainment\n\
            3793 - Arts & Entertainment > Gambling\n";
        Taxonomy::build(&parse(text).unwrap(), None).unwrap()
    }

    fn profile(counts: &[(i64, u64)], unmapped: u64) -> Profile {
        let counts = counts
            .iter()
            .map(|(c, n)| (CategoryId::from(*c), *n))
            .collect();
        Profile::of_counts(&counts, unmapped)
    }

    fn pair(candidate: &Profile, partner: &Profile, exclusive: &[CategoryId]) -> PairScore {
        let active = ActivePartner {
            id: PartnerId::from(1),
            profile: partner,
            exclusive,
            sales: None,
        };
        score_pair(&tree(), candidate, &active, &Thresholds::default())
    }

    #[test]
    fn shares_are_parts_per_million_of_every_product() {
        let p = profile(&[(1169, 1), (1235, 2)], 1);
        assert_eq!(p.products, 4);
        assert_eq!(p.shares[&CategoryId::from(1169)], 250_000);
        assert_eq!(p.shares[&CategoryId::from(1235)], 500_000);
        assert_eq!(p.unmapped_ppm, 250_000);
        assert_eq!(profile(&[], 0).unmapped_ppm, 0);
        assert_eq!(
            profile(&[(1169, 1), (1235, 2)], 0).shares[&CategoryId::from(1169)],
            333_333
        );
    }

    #[test]
    fn two_drill_sellers_are_direct_competitors() {
        // A: 60% drills, 40% saws. B: 50% drills, 50% plumbing.
        let a = profile(&[(1169, 6), (1235, 4)], 0);
        let b = profile(&[(1169, 5), (133, 5)], 0);
        let s = pair(&a, &b, &[]);
        // Overlap: min(60%, 50%) on drills = 50%.
        assert_eq!(s.overlap_ppm, 500_000);
        // Level 1: both 100% Hardware = 100%. Level 2: Tools min(100%, 50%) = 50%, Plumbing
        // min(0, 50%) = 0. Level 3: drills 50%. Mean: (100 + 50 + 50) / 3 = 66.6666%.
        assert_eq!(s.proximity_ppm, 666_666);
        assert_eq!(s.complementarity_ppm, 166_666);
        assert_eq!(s.verdict, Verdict::Conflict);
        assert_eq!(s.overlapping, vec![(CategoryId::from(1169), 500_000)]);
        assert_eq!(s.shared_parents, vec![(CategoryId::from(1167), 500_000)]);
    }

    #[test]
    fn a_kitchen_shop_complements_a_garden_centre_under_home_and_garden() {
        // A: 100% cookware. B: 80% gardening, 20% drills.
        let a = profile(&[(654, 10)], 0);
        let b = profile(&[(2962, 8), (1169, 2)], 0);
        let s = pair(&a, &b, &[]);
        assert_eq!(s.overlap_ppm, 0);
        // Level 1: Home & Garden min(100%, 80%) = 80%; levels 2 and 3: nothing in common.
        assert_eq!(s.proximity_ppm, 266_666);
        assert_eq!(s.complementarity_ppm, 266_666);
        assert_eq!(s.verdict, Verdict::Complementary);
        assert!(s.shared_parents.is_empty());
    }

    #[test]
    fn a_bookshop_is_distant_from_a_hardware_store() {
        let s = pair(&profile(&[(784, 3)], 0), &profile(&[(1169, 3)], 0), &[]);
        assert_eq!((s.overlap_ppm, s.proximity_ppm), (0, 0));
        assert_eq!(s.verdict, Verdict::Distant);
    }

    #[test]
    fn selling_in_an_exclusive_subtree_is_a_conflict_even_without_overlap() {
        // A sells saws (10%) and books; B sells drills and holds Hardware > Tools exclusively.
        let a = profile(&[(1235, 1), (784, 9)], 0);
        let b = profile(&[(1169, 1)], 0);
        let tools = CategoryId::from(1167);
        let s = pair(&a, &b, &[tools]);
        assert_eq!(s.overlap_ppm, 0);
        assert_eq!(s.exclusivity_breaches, vec![(tools, 100_000)]);
        assert_eq!(s.verdict, Verdict::Conflict);
        // Under 1% of the catalog there is no breach.
        let tiny = profile(&[(1235, 1), (784, 199)], 0);
        assert!(pair(&tiny, &b, &[tools]).exclusivity_breaches.is_empty());
    }

    #[test]
    fn a_casino_is_restricted_whatever_its_neighbours() {
        let casino = profile(&[(3793, 9), (784, 1)], 2);
        let books = profile(&[(784, 1)], 0);
        let partners = [ActivePartner {
            id: PartnerId::from(7),
            profile: &books,
            exclusive: &[],
            sales: None,
        }];
        let roots = BTreeSet::from([CategoryId::from(3793)]);
        let a = assess(&tree(), &casino, &partners, &roots, &Thresholds::default());
        // 9 of 12 products (75%) are gambling; 2 of 12 unmapped.
        assert_eq!(a.restricted_ppm, 750_000);
        assert_eq!(a.restricted, vec![(CategoryId::from(3793), 750_000)]);
        assert_eq!(a.unmapped_ppm, 166_666);
        assert_eq!(a.verdict, Verdict::Restricted);
        // The pair itself is only distant-to-complementary: books overlap on 1 of 12 products.
        assert_eq!(a.pairs[0].overlap_ppm, 83_333);
    }

    #[test]
    fn lift_compares_the_partners_share_among_the_categorys_buyers_with_its_share_of_all() {
        // 100 members; 40 shop at the partner; of the 25 who buy in the candidate's categories,
        // 20 shop at the partner: 80% against 40%, a lift of 2.
        assert_eq!(lift_milli(20, 25, 40, 100), Some(2_000));
        assert_eq!(lift_milli(5, 25, 40, 100), Some(500));
        assert_eq!(lift_milli(0, 25, 40, 100), Some(0));
        assert_eq!(lift_milli(10, 19, 40, 100), None, "too few buyers to say");
        assert_eq!(lift_milli(0, 25, 0, 100), None);
    }

    #[test]
    fn a_partner_competes_where_it_sells_not_only_where_it_lists() {
        // The candidate sells drills only. The partner lists 1 drill in 10 products (overlap
        // 10%, under the 15% threshold) but 60% of its sales are drills.
        let drills = profile(&[(1169, 1)], 0);
        let listed = profile(&[(1169, 1), (1167, 9)], 0);
        let sold = profile(&[(1169, 6), (1167, 4)], 0);
        let mut active = ActivePartner {
            id: PartnerId::from(1),
            profile: &listed,
            exclusive: &[],
            sales: None,
        };
        let t = Thresholds::default();
        let by_catalog = score_pair(&tree(), &drills, &active, &t);
        assert_eq!(
            (by_catalog.overlap_ppm, by_catalog.sales_overlap_ppm),
            (100_000, None)
        );
        assert_ne!(by_catalog.verdict, Verdict::Conflict);
        active.sales = Some(&sold);
        let by_sales = score_pair(&tree(), &drills, &active, &t);
        assert_eq!(by_sales.sales_overlap_ppm, Some(600_000));
        assert_eq!(by_sales.verdict, Verdict::Conflict);
    }

    #[test]
    fn the_overall_verdict_is_the_worst_pair() {
        let kitchen = profile(&[(654, 1)], 0);
        let garden = profile(&[(2962, 1)], 0);
        let cookware = profile(&[(654, 1)], 0);
        let partners = [
            ActivePartner {
                id: PartnerId::from(1),
                profile: &garden,
                exclusive: &[],
                sales: None,
            },
            ActivePartner {
                id: PartnerId::from(2),
                profile: &cookware,
                exclusive: &[],
                sales: None,
            },
        ];
        let a = assess(
            &tree(),
            &kitchen,
            &partners,
            &BTreeSet::new(),
            &Thresholds::default(),
        );
        assert_eq!(
            a.pairs.iter().map(|p| p.verdict).collect::<Vec<_>>(),
            vec![Verdict::Complementary, Verdict::Conflict]
        );
        assert_eq!(a.verdict, Verdict::Conflict);
        let alone = assess(
            &tree(),
            &kitchen,
            &[],
            &BTreeSet::new(),
            &Thresholds::default(),
        );
        assert_eq!(alone.verdict, Verdict::Distant);
    }
}
