//! The JSON the operator's catalog routes read and write: network categories, restrictions and
//! drift alerts. Plain data (serde and utoipa, no actix): the services build these answers. What
//! a partner also sees (categories, catalogs, products, reports) is in `partner_sdk::catalog`,
//! re-exported here.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use partner_sdk::catalog::{
    Affinity, CatalogUploaded, CatalogVersion, Category, CategoryDetail, CategoryList,
    CategoryShare, CompatibilityReport, CompatibilityThresholds, FeedProblem, InvalidCatalog,
    PairReport, Product, ProductPage, QualityFinding, ReportPage,
};

/// A network-specific category under an existing one.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCategoryRequest {
    /// The parent category.
    pub parent_id: i64,
    /// English name (1 to 100 characters, no `>`).
    pub name_en: String,
    /// French name (1 to 100 characters, no `>`).
    pub name_fr: Option<String>,
}

/// Marks a subtree restricted.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RestrictionRequest {
    /// Why (1 to 500 characters), kept in the audit trail.
    pub reason: String,
}

/// A restricted subtree: its products earn nothing and cannot be paid with points.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Restriction {
    /// The subtree's root.
    pub category: Category,
    /// Why.
    pub reason: String,
    /// Who marked it.
    pub created_by: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// Every restricted subtree.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RestrictionList {
    /// The restrictions.
    pub items: Vec<Restriction>,
}

/// An active partner whose catalog drifted into a conflict or into restricted categories.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CompatibilityAlert {
    /// The alert's id.
    pub id: i64,
    /// The partner.
    pub partner_id: i64,
    /// The report that raised it.
    pub report_id: i64,
    /// The verdict before, if there was a report.
    pub previous_verdict: Option<String>,
    /// The verdict now.
    pub verdict: String,
    /// When.
    pub created_at: DateTime<Utc>,
    /// When the operator acknowledged it.
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// Who did.
    pub acknowledged_by: Option<String>,
}

/// A page of alerts.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AlertPage {
    /// The alerts, oldest first.
    pub items: Vec<CompatibilityAlert>,
    /// Pass as `cursor` for the next page; absent on the last.
    pub next_cursor: Option<String>,
}
