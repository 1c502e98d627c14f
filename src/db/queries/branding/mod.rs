//! Brands: versions (append-only), the slug each partner answers to, logos by content hash,
//! and the operator's suspensions.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{brand_logos, brand_slugs, brand_suspensions, brands};
use crate::db::DbConn;
use crate::domain::ids::PartnerId;

/// A brand version.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = brands)]
pub struct BrandRow {
    #[diesel(skip_insertion)]
    pub id: i64,
    pub partner_id: PartnerId,
    pub version: i64,
    pub slug: String,
    pub display_name: String,
    pub primary_color: String,
    pub accent_color: String,
    pub text_color: String,
    pub points_label_fr: String,
    pub points_label_en: String,
    pub default_locale: String,
    pub rules_markdown: String,
    pub rules_html: String,
    pub logo_sha256: Option<String>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

/// An operator's suspension of a brand.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = brand_suspensions)]
pub struct SuspensionRow {
    pub partner_id: PartnerId,
    pub reason: String,
    pub suspended_by: String,
    pub suspended_at: NaiveDateTime,
}

/// The partner's latest brand version.
pub fn current(conn: &mut DbConn, partner_id: PartnerId) -> QueryResult<Option<BrandRow>> {
    brands::table
        .filter(brands::partner_id.eq(partner_id))
        .order(brands::version.desc())
        .select(BrandRow::as_select())
        .first(conn)
        .optional()
}

/// Every version, newest first (a partner has few).
pub fn versions(conn: &mut DbConn, partner_id: PartnerId) -> QueryResult<Vec<BrandRow>> {
    brands::table
        .filter(brands::partner_id.eq(partner_id))
        .order(brands::version.desc())
        .limit(200)
        .select(BrandRow::as_select())
        .load(conn)
}

/// Adds a version; a unique violation means a concurrent change took the number.
pub fn insert(conn: &mut DbConn, row: &BrandRow) -> QueryResult<usize> {
    diesel::insert_into(brands::table).values(row).execute(conn)
}

/// The partner a slug belongs to.
pub fn partner_of_slug(conn: &mut DbConn, slug: &str) -> QueryResult<Option<PartnerId>> {
    brand_slugs::table
        .find(slug)
        .select(brand_slugs::partner_id)
        .first(conn)
        .optional()
}

/// Gives the partner this slug (dropping its previous one); a unique violation means another
/// partner holds it.
pub fn claim_slug(conn: &mut DbConn, partner_id: PartnerId, slug: &str) -> QueryResult<usize> {
    diesel::delete(brand_slugs::table.filter(brand_slugs::partner_id.eq(partner_id)))
        .execute(conn)?;
    diesel::insert_into(brand_slugs::table)
        .values((
            brand_slugs::slug.eq(slug),
            brand_slugs::partner_id.eq(partner_id),
        ))
        .execute(conn)
}

/// Stores a logo once per content.
pub fn insert_logo(
    conn: &mut DbConn,
    sha256: &str,
    png: &[u8],
    (width, height): (i64, i64),
    now: NaiveDateTime,
) -> QueryResult<()> {
    let exists = brand_logos::table
        .find(sha256)
        .select(brand_logos::sha256)
        .first::<String>(conn)
        .optional()?
        .is_some();
    if !exists {
        diesel::insert_into(brand_logos::table)
            .values((
                brand_logos::sha256.eq(sha256),
                brand_logos::png.eq(png),
                brand_logos::width.eq(width),
                brand_logos::height.eq(height),
                brand_logos::created_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// A logo's bytes.
pub fn logo(conn: &mut DbConn, sha256: &str) -> QueryResult<Option<Vec<u8>>> {
    brand_logos::table
        .find(sha256)
        .select(brand_logos::png)
        .first(conn)
        .optional()
}

/// The brand's suspension, if any.
pub fn suspension(conn: &mut DbConn, partner_id: PartnerId) -> QueryResult<Option<SuspensionRow>> {
    brand_suspensions::table
        .find(partner_id)
        .select(SuspensionRow::as_select())
        .first(conn)
        .optional()
}

/// Suspends a brand (again: the reason is replaced).
pub fn suspend(
    conn: &mut DbConn,
    partner_id: PartnerId,
    reason: &str,
    by: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::delete(brand_suspensions::table.find(partner_id)).execute(conn)?;
    diesel::insert_into(brand_suspensions::table)
        .values((
            brand_suspensions::partner_id.eq(partner_id),
            brand_suspensions::reason.eq(reason),
            brand_suspensions::suspended_by.eq(by),
            brand_suspensions::suspended_at.eq(now),
        ))
        .execute(conn)
}

/// Lifts a suspension; 0 when there was none.
pub fn lift(conn: &mut DbConn, partner_id: PartnerId) -> QueryResult<usize> {
    diesel::delete(brand_suspensions::table.find(partner_id)).execute(conn)
}
