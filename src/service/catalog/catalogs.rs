//! Catalog uploads and products. An upload is read twice from its spooled file: once to check
//! every row (nothing is written when one is bad), then, in one transaction, to replace the
//! partner's products, record the version and its profile, and compute the compatibility
//! report. Reading twice keeps a refused upload out of the database entirely and the
//! transaction as short as the insertions.

use std::collections::BTreeSet;
use std::io::BufReader;
use std::path::Path;

use chrono::NaiveDateTime;

use crate::db::queries::catalog::catalogs::{self as rows, ProductRow, VersionRow};
use crate::db::queries::partners;
use crate::db::{write_tx, DbConn};
use crate::domain::catalog::feed::{read_feed, FeedFormat, FeedSummary};
use crate::domain::clock::utc;
use crate::domain::ids::{CategoryId, PartnerId};
use crate::domain::limits::PAGE_SIZE_MAX;
use crate::error::{fail, ApiError, ApiResult, Code};
use crate::http::catalog::json::{
    CatalogUploaded, CatalogVersion, FeedProblem, InvalidCatalog, Product, ProductPage,
};
use crate::service::catalog::compatibility;
use crate::service::catalog::taxonomy::TreeCache;
use crate::service::page_of;

/// Products written per multi-row insert.
const WRITE_BATCH: usize = 1_000;
/// Longest product search text.
const SEARCH_LEN_MAX: usize = 100;

/// What an upload came to.
#[derive(Debug)]
pub enum UploadOutcome {
    /// Applied, with the report on the new catalog.
    Applied(Box<CatalogUploaded>),
    /// Refused: every bad row; nothing changed.
    Refused(Box<InvalidCatalog>),
}

impl From<VersionRow> for CatalogVersion {
    fn from(v: VersionRow) -> CatalogVersion {
        CatalogVersion {
            id: v.id,
            partner_id: v.partner_id.get(),
            format: v.format,
            products: v.products,
            unmapped: v.unmapped,
            uploaded_by: v.uploaded_by,
            uploaded_at: utc(v.uploaded_at),
        }
    }
}

fn refused(summary: FeedSummary) -> Box<InvalidCatalog> {
    let code = Code::InvalidCatalog;
    let detail = match summary.problems.first() {
        Some(p) if p.field.is_empty() && summary.problems_total == 1 => p.reason.clone(),
        _ => format!(
            "{} bad row(s) in {} product(s): nothing was applied",
            summary.problems_total, summary.products
        ),
    };
    Box::new(InvalidCatalog {
        type_uri: format!("urn:loyalty:problem:{}", code.as_str()),
        title: code.title().into(),
        status: code.status().as_u16(),
        detail,
        code: code.as_str().into(),
        products: summary.products,
        problems: summary
            .problems
            .into_iter()
            .map(|p| FeedProblem {
                row: p.row,
                field: p.field,
                reason: p.reason,
            })
            .collect(),
        problems_total: summary.problems_total,
    })
}

fn open(file: &Path) -> ApiResult<BufReader<std::fs::File>> {
    std::fs::File::open(file)
        .map(|f| BufReader::with_capacity(64 * 1024, f))
        .map_err(|e| ApiError::internal(format!("opening the spooled upload: {e}")))
}

/// An upload to check and apply.
#[derive(Debug, Clone, Copy)]
pub struct Upload<'a> {
    /// Whose catalog.
    pub partner_id: PartnerId,
    /// The file's format.
    pub format: FeedFormat,
    /// The spooled file.
    pub file: &'a Path,
    /// `partner` or `operator:<name>`.
    pub by: &'a str,
    /// Answer with the partner's own view of the report (no other partner named).
    pub own_view: bool,
}

/// Checks and applies an uploaded catalog.
pub fn upload(
    conn: &mut DbConn,
    cache: &TreeCache,
    now: NaiveDateTime,
    upload: Upload<'_>,
) -> ApiResult<UploadOutcome> {
    let partner = partners::partner(conn, upload.partner_id)?
        .ok_or_else(|| ApiError::new(Code::PartnerNotFound, "no such partner"))?;
    if matches!(partner.status.as_str(), "rejected" | "terminated") {
        return fail(
            Code::PartnerNotActive,
            format!("the partner is {}: its catalog is closed", partner.status),
        );
    }
    let tree = cache.current(conn)?;
    let resolve = |text: &str| tree.taxonomy.resolve(text);
    let checked = read_feed::<_, std::convert::Infallible>(
        upload.format,
        open(upload.file)?,
        &resolve,
        &mut |_| Ok(()),
    )
    .unwrap_or_else(|never| match never {});
    if !checked.is_clean() {
        return Ok(UploadOutcome::Refused(refused(checked)));
    }
    let (version, report) = write_tx(conn, |conn| {
        // Concurrent uploads of one partner queue here, one replacing the other whole.
        partners::lock_partner(conn, upload.partner_id)?;
        // Read again under the lock: an admission or a rejection may have committed since.
        let partner = partners::partner(conn, upload.partner_id)?
            .ok_or_else(|| ApiError::new(Code::PartnerNotFound, "no such partner"))?;
        if matches!(partner.status.as_str(), "rejected" | "terminated") {
            return fail(
                Code::PartnerNotActive,
                format!("the partner is {}: its catalog is closed", partner.status),
            );
        }
        let version = apply(conn, &resolve, &upload, checked.products, now)?;
        let report = compatibility::compute_and_store(conn, &tree, &partner, &version, now)?;
        Ok::<_, ApiError>((version, report))
    })?;
    tracing::info!(
        partner.id = %upload.partner_id,
        products = version.products,
        verdict = %report.verdict,
        "catalog applied"
    );
    let report = if upload.own_view {
        compatibility::own_view(report)
    } else {
        report
    };
    let version = CatalogVersion::from(version);
    Ok(UploadOutcome::Applied(Box::new(CatalogUploaded {
        version: if upload.own_view {
            own_version(version)
        } else {
            version
        },
        report,
    })))
}

/// Replaces the partner's products with the file's, in the caller's transaction; records the
/// version and its profile.
fn apply(
    conn: &mut DbConn,
    resolve: &dyn Fn(&str) -> Option<CategoryId>,
    upload: &Upload<'_>,
    products_checked: u64,
    now: NaiveDateTime,
) -> ApiResult<VersionRow> {
    let partner_id = upload.partner_id;
    rows::delete_products(conn, partner_id)?;
    let version_id = rows::insert_version(
        conn,
        partner_id,
        upload.format.as_str(),
        1,
        0,
        upload.by,
        now,
    )?;
    let mut batch: Vec<ProductRow> = Vec::with_capacity(WRITE_BATCH);
    let summary = read_feed(upload.format, open(upload.file)?, resolve, &mut |p| {
        batch.push(ProductRow {
            partner_id,
            sku: p.sku,
            version_id,
            title: p.title,
            category_id: p.category,
            price_minor: p.price,
            currency: p.currency,
        });
        if batch.len() >= WRITE_BATCH {
            rows::insert_products(conn, &batch)?;
            batch.clear();
        }
        Ok::<(), ApiError>(())
    })?;
    rows::insert_products(conn, &batch)?;
    if !summary.is_clean() || summary.products != products_checked {
        return Err(ApiError::internal(
            "the spooled upload changed between its two readings",
        ));
    }
    let counts: Vec<(CategoryId, i64)> = summary
        .counts
        .iter()
        .map(|(c, n)| (*c, i64::try_from(*n).unwrap_or(i64::MAX)))
        .collect();
    rows::insert_profile(conn, version_id, &counts)?;
    let products = i64::try_from(summary.products).unwrap_or(i64::MAX);
    let unmapped = i64::try_from(summary.unmapped).unwrap_or(i64::MAX);
    rows::finish_version(conn, version_id, products, unmapped)?;
    rows::current_version(conn, partner_id)?
        .ok_or_else(|| ApiError::internal("the new catalog version vanished"))
}

/// The partner's current catalog version; `own`: as the partner sees it (an operator's upload
/// says `operator`, without the token's name).
pub fn current(conn: &mut DbConn, partner_id: PartnerId, own: bool) -> ApiResult<CatalogVersion> {
    let version = rows::current_version(conn, partner_id)?
        .map(CatalogVersion::from)
        .ok_or_else(|| ApiError::new(Code::CatalogNotFound, "no catalog was uploaded"))?;
    Ok(if own { own_version(version) } else { version })
}

fn own_version(mut version: CatalogVersion) -> CatalogVersion {
    if version.uploaded_by.starts_with("operator:") {
        version.uploaded_by = "operator".into();
    }
    version
}

/// What a product list asks for.
#[derive(Debug, Clone, Default)]
pub struct ProductFilter {
    /// The last SKU of the previous page (the cursor).
    pub after_sku: Option<String>,
    /// Text in the SKU (exactly) or the title (case-insensitive).
    pub search: Option<String>,
    /// Only products in this category's subtree.
    pub category: Option<CategoryId>,
    /// Page size.
    pub limit: i64,
}

/// A page of the partner's products.
pub fn products(
    conn: &mut DbConn,
    cache: &TreeCache,
    partner_id: PartnerId,
    filter: &ProductFilter,
) -> ApiResult<ProductPage> {
    if let Some(search) = &filter.search {
        if search.chars().count() > SEARCH_LEN_MAX || search.chars().any(char::is_control) {
            return fail(
                Code::InvalidRequest,
                format!(
                    "search must be at most {SEARCH_LEN_MAX} characters without control characters"
                ),
            );
        }
    }
    if !(1..=PAGE_SIZE_MAX).contains(&filter.limit) {
        return fail(
            Code::InvalidRequest,
            format!("limit must be 1 to {PAGE_SIZE_MAX}"),
        );
    }
    if partners::partner(conn, partner_id)?.is_none() {
        return fail(Code::PartnerNotFound, "no such partner");
    }
    let tree = cache.current(conn)?;
    let subtree: Option<Vec<CategoryId>> = match filter.category {
        None => None,
        Some(root) => {
            if tree.taxonomy.get(root).is_none() {
                return fail(Code::CategoryNotFound, format!("no category {root}"));
            }
            let ids: BTreeSet<CategoryId> = tree
                .taxonomy
                .categories()
                .filter(|c| tree.taxonomy.is_within(c.id, root))
                .map(|c| c.id)
                .collect();
            Some(ids.into_iter().collect())
        }
    };
    let rows = rows::product_page(
        conn,
        partner_id,
        filter.after_sku.as_deref().unwrap_or(""),
        filter.search.as_deref().filter(|s| !s.trim().is_empty()),
        subtree.as_deref(),
        filter.limit + 1,
    )?;
    let (rows, next_cursor) = page_of(rows, filter.limit, |r| hex::encode(r.sku.as_bytes()));
    let items = rows
        .into_iter()
        .map(|r| Product {
            category: r.category_id.and_then(|c| tree.view_of(c)),
            sku: r.sku,
            title: r.title,
            price_minor: r.price_minor.get(),
            currency: r.currency,
        })
        .collect();
    Ok(ProductPage { items, next_cursor })
}

/// The SKU a product cursor names.
pub fn parse_cursor(cursor: &str) -> ApiResult<String> {
    hex::decode(cursor)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| ApiError::new(Code::InvalidRequest, "cursor is not one this server gave"))
}
