//! The catalog and compatibility types a partner sees: categories of the network's tree, its
//! catalog uploads and products, and the compatibility report on its catalog. The server uses
//! these very types.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A category of the network's tree (Google's product taxonomy and the network's additions).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Category {
    /// Google's id (stable across languages), or from 1,000,000,001 for the network's own.
    pub id: i64,
    /// The parent, absent for the 21 top levels.
    pub parent_id: Option<i64>,
    /// Full English path, `Hardware > Tools > Drills`.
    pub path: String,
    /// English name.
    pub name_en: String,
    /// French name; Google's French file is older, so a newer category shows its nearest
    /// ancestor's French name followed by its English name.
    pub name_fr: String,
    /// 1 for a top level.
    pub depth: i64,
    /// `google` or `network`.
    pub origin: String,
    /// Retired categories stay valid for old references.
    pub retired: bool,
    /// The restricted subtree it lies in (no earn, no burn), if any.
    pub restricted_by: Option<i64>,
}

/// A category with its children.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategoryDetail {
    /// The category.
    pub category: Category,
    /// Its ancestors, from the top level down.
    pub ancestors: Vec<Category>,
    /// Its children.
    pub children: Vec<Category>,
}

/// Categories found.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategoryList {
    /// The categories, shallowest first then by path.
    pub items: Vec<Category>,
}

/// A bad row of a catalog file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeedProblem {
    /// For TSV and CSV the line of the file (the header is line 1); for JSON and XML the
    /// position of the product (1 for the first); 0 for the file as a whole.
    pub row: u64,
    /// The column at fault (`sku`, `title`, `category`, `price`, `price_minor`, `currency`),
    /// empty for the row or the file as a whole.
    pub field: String,
    /// What is wrong.
    pub reason: String,
}

/// A catalog refused: nothing was applied. An RFC 9457 problem (`code` = `invalid_catalog`)
/// with every bad row.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvalidCatalog {
    /// `urn:loyalty:problem:invalid_catalog`.
    #[serde(rename = "type")]
    pub type_uri: String,
    /// Short summary.
    pub title: String,
    /// 422.
    pub status: u16,
    /// What went wrong, in a sentence.
    pub detail: String,
    /// `invalid_catalog`.
    pub code: String,
    /// Products read, good and bad.
    pub products: u64,
    /// The bad rows, the first 1,000 of them.
    pub problems: Vec<FeedProblem>,
    /// Every bad row, listed or not.
    pub problems_total: u64,
}

/// An applied catalog version.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CatalogVersion {
    /// The version's id.
    pub id: i64,
    /// The partner.
    pub partner_id: i64,
    /// `tsv`, `xml`, `csv` or `json`.
    pub format: String,
    /// Products in the catalog.
    pub products: i64,
    /// Products without a category.
    pub unmapped: i64,
    /// `partner` or `operator:<token name>`.
    pub uploaded_by: String,
    /// When.
    pub uploaded_at: DateTime<Utc>,
}

/// A good upload: the catalog it became and the compatibility report computed from it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CatalogUploaded {
    /// The new catalog version.
    pub version: CatalogVersion,
    /// The report on the new catalog (for a partner, its own view: no other partner named).
    pub report: CompatibilityReport,
}

/// A product of a partner's catalog.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Product {
    /// The partner's SKU.
    pub sku: String,
    /// Title.
    pub title: String,
    /// The category, absent when the feed gave none.
    pub category: Option<Category>,
    /// Price in minor units.
    pub price_minor: i64,
    /// ISO 4217.
    pub currency: String,
}

/// A page of products.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProductPage {
    /// The products, in SKU order.
    pub items: Vec<Product>,
    /// Pass as `cursor` for the next page; absent on the last.
    pub next_cursor: Option<String>,
}

/// A category and a share of a catalog, in parts per million.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategoryShare {
    /// The category's id.
    pub category_id: i64,
    /// Its English path.
    pub path: String,
    /// The share, ppm (1,000,000 = the whole catalog).
    pub share_ppm: u64,
}

/// The candidate against one active partner.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PairReport {
    /// The active partner (absent in a partner's own view).
    pub partner_id: Option<i64>,
    /// Its name (absent in a partner's own view).
    pub partner_name: Option<String>,
    /// `conflict`, `complementary` or `distant`.
    pub verdict: String,
    /// Same-category overlap (competition): the sum over categories of the smaller share, ppm.
    pub overlap_ppm: u64,
    /// Mean overlap of the ancestors at the top three levels, ppm.
    pub proximity_ppm: u64,
    /// `proximity - overlap`: side by side under shared parents, ppm.
    pub complementarity_ppm: u64,
    /// The categories that overlap most.
    pub overlapping: Vec<CategoryShare>,
    /// The second-level parents the two share most.
    pub shared_parents: Vec<CategoryShare>,
    /// The partner's exclusive subtrees the candidate sells in, with the candidate's share.
    pub exclusivity_breaches: Vec<CategoryShare>,
    /// Same-category overlap with what the partner actually sells (its earns' categorised
    /// lines over the last 365 days, by amount), ppm; absent without such sales.
    #[serde(default)]
    pub sales_overlap_ppm: Option<u64>,
    /// Observed affinity: how the members who buy in the candidate's categories (at any
    /// partner) shop at this one, over the last 365 days; absent with too few such members,
    /// and in a partner's own view.
    #[serde(default)]
    pub affinity: Option<Affinity>,
}

/// How the buyers of a candidate's categories shop at an active partner.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Affinity {
    /// Members who bought in the candidate's categories.
    pub members_in_categories: u64,
    /// Of them, members who also shop at this partner.
    pub members_both: u64,
    /// Members who shop at this partner.
    pub members_at_partner: u64,
    /// Members who shopped anywhere.
    pub members_total: u64,
    /// `P(partner | categories) / P(partner)`, in thousandths: above 1,000 the candidate's
    /// buyers shop here more than the average member (real cross-shopping), below less.
    pub lift_milli: u64,
}

/// The thresholds a report used, ppm. The operator sets them.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CompatibilityThresholds {
    /// Overlap from which two catalogs compete directly (default 150,000 = 15%).
    pub conflict_overlap_ppm: u64,
    /// Complementarity from which two catalogs complement each other (default 10%).
    pub complementary_min_ppm: u64,
    /// Share in another partner's exclusive subtree that breaches its clause (default 1%).
    pub exclusivity_breach_ppm: u64,
    /// Share in restricted categories from which a candidate is refused (default 20%).
    pub restricted_max_ppm: u64,
    /// Share of products without a category from which the data is flagged (default 5%).
    pub unmapped_warning_ppm: u64,
}

/// A finding about the catalog's data.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QualityFinding {
    /// Stable code: `unmapped_products`, `coarse_categories`, `single_category`.
    pub code: String,
    /// What it means, in a sentence.
    pub detail: String,
}

/// How a candidate's catalog fits the network's active partners.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompatibilityReport {
    /// The report's id.
    pub id: i64,
    /// The candidate.
    pub partner_id: i64,
    /// The catalog version it was computed from.
    pub catalog_version_id: i64,
    /// When.
    pub computed_at: DateTime<Utc>,
    /// `restricted`, `conflict`, `complementary` or `distant`.
    pub verdict: String,
    /// Why, in a sentence.
    pub summary: String,
    /// The thresholds used.
    pub thresholds: CompatibilityThresholds,
    /// Products in the catalog.
    pub products: i64,
    /// The largest categories of the catalog.
    pub top_categories: Vec<CategoryShare>,
    /// Share in restricted subtrees, ppm.
    pub restricted_ppm: u64,
    /// The restricted subtrees it sells in.
    pub restricted: Vec<CategoryShare>,
    /// Share of products without a category, ppm.
    pub unmapped_ppm: u64,
    /// Data-quality findings.
    pub quality: Vec<QualityFinding>,
    /// One line per active partner (the candidate itself excluded), worst verdict first. Empty
    /// in a partner's own view, which says where it competes without saying how much others
    /// sell (`competing_categories`, `exclusive_categories`).
    pub pairs: Vec<PairReport>,
    /// The candidate's categories (with its own share) where an active partner competes with it
    /// directly; filled in a partner's own view.
    #[serde(default)]
    pub competing_categories: Vec<CategoryShare>,
    /// The subtrees (with the candidate's share) that an active partner holds exclusively and
    /// the candidate sells in; filled in a partner's own view.
    #[serde(default)]
    pub exclusive_categories: Vec<CategoryShare>,
    /// How far the catalog moved since its previous version: half the sum of the share
    /// differences, ppm (absent for a first catalog).
    pub drift_ppm: Option<u64>,
}

/// A page of reports, newest first.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportPage {
    /// The reports.
    pub items: Vec<CompatibilityReport>,
    /// Pass as `cursor` for the next page; absent on the last.
    pub next_cursor: Option<String>,
}
