//! Partner catalogs: each good upload's version and profile (products per category), and the
//! current products, replaced whole by the next good upload.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{catalog_products, catalog_profiles, catalog_versions};
use crate::db::DbConn;
use crate::domain::ids::{CategoryId, PartnerId};
use crate::domain::money::MoneyMinor;

/// An upload that was applied.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = catalog_versions)]
pub struct VersionRow {
    pub id: i64,
    pub partner_id: PartnerId,
    pub format: String,
    pub products: i64,
    pub unmapped: i64,
    pub uploaded_by: String,
    pub uploaded_at: NaiveDateTime,
}

/// A product of a partner's current catalog.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = catalog_products)]
pub struct ProductRow {
    pub partner_id: PartnerId,
    pub sku: String,
    pub version_id: i64,
    pub title: String,
    pub category_id: Option<CategoryId>,
    pub price_minor: MoneyMinor,
    pub currency: String,
}

/// Products per multi-row insert (7 parameters each, under both backends' limits).
const INSERT_CHUNK: usize = 1_000;

/// Records an applied upload; returns its id.
pub fn insert_version(
    conn: &mut DbConn,
    partner_id: PartnerId,
    format: &str,
    products: i64,
    unmapped: i64,
    by: &str,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(catalog_versions::table)
        .values((
            catalog_versions::partner_id.eq(partner_id),
            catalog_versions::format.eq(format),
            catalog_versions::products.eq(products),
            catalog_versions::unmapped.eq(unmapped),
            catalog_versions::uploaded_by.eq(by),
            catalog_versions::uploaded_at.eq(now),
        ))
        .returning(catalog_versions::id)
        .get_result(conn)
}

/// Sets a version's product count once the whole file is read.
pub fn finish_version(
    conn: &mut DbConn,
    id: i64,
    products: i64,
    unmapped: i64,
) -> QueryResult<usize> {
    diesel::update(catalog_versions::table.find(id))
        .set((
            catalog_versions::products.eq(products),
            catalog_versions::unmapped.eq(unmapped),
        ))
        .execute(conn)
}

/// A version's profile: products per category.
pub fn insert_profile(
    conn: &mut DbConn,
    version_id: i64,
    counts: &[(CategoryId, i64)],
) -> QueryResult<()> {
    for (category, products) in counts {
        diesel::insert_into(catalog_profiles::table)
            .values((
                catalog_profiles::version_id.eq(version_id),
                catalog_profiles::category_id.eq(category),
                catalog_profiles::products.eq(products),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// A version's profile.
pub fn profile(conn: &mut DbConn, version_id: i64) -> QueryResult<Vec<(CategoryId, i64)>> {
    catalog_profiles::table
        .filter(catalog_profiles::version_id.eq(version_id))
        .order(catalog_profiles::category_id.asc())
        .select((catalog_profiles::category_id, catalog_profiles::products))
        .load(conn)
}

/// The partner's current catalog version.
pub fn current_version(
    conn: &mut DbConn,
    partner_id: PartnerId,
) -> QueryResult<Option<VersionRow>> {
    catalog_versions::table
        .filter(catalog_versions::partner_id.eq(partner_id))
        .order(catalog_versions::id.desc())
        .select(VersionRow::as_select())
        .first(conn)
        .optional()
}

/// The version before `version_id` of the same partner.
pub fn previous_version(
    conn: &mut DbConn,
    partner_id: PartnerId,
    version_id: i64,
) -> QueryResult<Option<VersionRow>> {
    catalog_versions::table
        .filter(catalog_versions::partner_id.eq(partner_id))
        .filter(catalog_versions::id.lt(version_id))
        .order(catalog_versions::id.desc())
        .select(VersionRow::as_select())
        .first(conn)
        .optional()
}

/// Removes a partner's current products (the next upload's first step).
pub fn delete_products(conn: &mut DbConn, partner_id: PartnerId) -> QueryResult<usize> {
    diesel::delete(catalog_products::table.filter(catalog_products::partner_id.eq(partner_id)))
        .execute(conn)
}

/// Inserts products; a multi-row insert on each backend (the connection enum cannot express
/// one), since an upload holds up to 200,000 of them.
pub fn insert_products(conn: &mut DbConn, rows: &[ProductRow]) -> QueryResult<usize> {
    crate::db::insert_in_chunks!(conn, catalog_products::table, rows, INSERT_CHUNK)
}

/// `%`, `_` and `\` taken literally in a LIKE pattern.
fn like_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A page of a partner's products in SKU order after `after_sku`, optionally only those in
/// `categories` and those whose SKU or title contains `search` (case-insensitive).
pub fn product_page(
    conn: &mut DbConn,
    partner_id: PartnerId,
    after_sku: &str,
    search: Option<&str>,
    category_ids: Option<&[CategoryId]>,
    limit: i64,
) -> QueryResult<Vec<ProductRow>> {
    let mut query = catalog_products::table
        .filter(catalog_products::partner_id.eq(partner_id))
        .filter(catalog_products::sku.gt(after_sku))
        .order(catalog_products::sku.asc())
        .limit(limit)
        .select(ProductRow::as_select())
        .into_boxed();
    if let Some(ids) = category_ids {
        query = query.filter(
            catalog_products::category_id.eq_any(ids.iter().map(|c| c.get()).collect::<Vec<i64>>()),
        );
    }
    let Some(search) = search else {
        return query.load(conn);
    };
    let pattern = format!("%{}%", like_literal(&search.to_lowercase()));
    // Case-insensitive through lower(): fully on PostgreSQL, for ASCII letters only on SQLite
    // (whose lower() and LIKE fold nothing else), as the README says.
    let lowered = diesel::dsl::sql::<diesel::sql_types::Text>("lower(title)");
    query = query.filter(
        catalog_products::sku
            .eq(search.to_owned())
            .or(lowered.like(pattern).escape('\\')),
    );
    query.load(conn)
}

/// The categories of some of a partner's SKUs.
pub fn categories_of_skus(
    conn: &mut DbConn,
    partner_id: PartnerId,
    skus: &[String],
) -> QueryResult<Vec<(String, Option<CategoryId>)>> {
    catalog_products::table
        .filter(catalog_products::partner_id.eq(partner_id))
        .filter(catalog_products::sku.eq_any(skus))
        .select((catalog_products::sku, catalog_products::category_id))
        .load(conn)
}
