//! The category tree as stored: Google's categories and the network's own, the restricted
//! subtrees, and the revision that tells servers their copy is stale.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{categories, category_restrictions, taxonomy_state};
use crate::db::DbConn;
use crate::domain::ids::CategoryId;

/// A category.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = categories)]
pub struct CategoryRow {
    pub id: CategoryId,
    pub parent_id: Option<CategoryId>,
    pub name_en: String,
    pub name_fr: Option<String>,
    pub depth: i64,
    pub origin: String,
    pub retired_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
}

/// A restricted subtree.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = category_restrictions)]
pub struct RestrictionRow {
    pub category_id: CategoryId,
    pub reason: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

/// The tree's source and revision.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = taxonomy_state)]
pub struct TaxonomyStateRow {
    pub google_version: String,
    pub revision: i64,
    pub updated_at: NaiveDateTime,
}

/// Rows per multi-row insert: well under both backends' limits on bound parameters.
const INSERT_CHUNK: usize = 1_000;

/// Inserts categories, parents before children. A multi-row insert on each backend (the
/// connection enum cannot express one): the tree has thousands of rows and is written when a
/// database is first started.
pub fn insert_categories(conn: &mut DbConn, rows: &[CategoryRow]) -> QueryResult<usize> {
    crate::db::insert_in_chunks!(conn, categories::table, rows, INSERT_CHUNK)
}

/// Renames, moves or retires a category (or brings a retired one back).
pub fn update_category(conn: &mut DbConn, row: &CategoryRow) -> QueryResult<usize> {
    diesel::update(categories::table.find(row.id))
        .set((
            categories::parent_id.eq(row.parent_id),
            categories::name_en.eq(&row.name_en),
            categories::name_fr.eq(&row.name_fr),
            categories::depth.eq(row.depth),
            categories::retired_at.eq(row.retired_at),
            categories::updated_at.eq(row.updated_at),
        ))
        .execute(conn)
}

/// Every category (a few thousand), in id order.
pub fn all_categories(conn: &mut DbConn) -> QueryResult<Vec<CategoryRow>> {
    categories::table
        .order(categories::id.asc())
        .select(CategoryRow::as_select())
        .load(conn)
}

/// One category.
pub fn category(conn: &mut DbConn, id: CategoryId) -> QueryResult<Option<CategoryRow>> {
    categories::table
        .find(id)
        .select(CategoryRow::as_select())
        .first(conn)
        .optional()
}

/// The highest id of the network's own categories.
pub fn max_network_id(conn: &mut DbConn) -> QueryResult<Option<CategoryId>> {
    categories::table
        .filter(categories::origin.eq("network"))
        .select(diesel::dsl::max(categories::id))
        .first::<Option<i64>>(conn)
        .map(|id| id.map(CategoryId::from))
}

/// The tree's state, None before the tree is first written.
pub fn state(conn: &mut DbConn) -> QueryResult<Option<TaxonomyStateRow>> {
    taxonomy_state::table
        .find(1_i64)
        .select(TaxonomyStateRow::as_select())
        .first(conn)
        .optional()
}

/// Records the first tree; a unique violation means another server wrote it first.
pub fn insert_state(conn: &mut DbConn, version: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::insert_into(taxonomy_state::table)
        .values((
            taxonomy_state::id.eq(1_i64),
            taxonomy_state::google_version.eq(version),
            taxonomy_state::revision.eq(1_i64),
            taxonomy_state::updated_at.eq(now),
        ))
        .execute(conn)
}

/// Bumps the revision (and, for an import, the Google version); also the row lock that queues
/// changes to the tree one after the other.
pub fn bump_revision(
    conn: &mut DbConn,
    version: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let target = taxonomy_state::table.find(1_i64);
    match version {
        Some(v) => diesel::update(target)
            .set((
                taxonomy_state::revision.eq(taxonomy_state::revision + 1),
                taxonomy_state::google_version.eq(v),
                taxonomy_state::updated_at.eq(now),
            ))
            .execute(conn),
        None => diesel::update(target)
            .set((
                taxonomy_state::revision.eq(taxonomy_state::revision + 1),
                taxonomy_state::updated_at.eq(now),
            ))
            .execute(conn),
    }
}

/// Every restricted subtree.
pub fn restrictions(conn: &mut DbConn) -> QueryResult<Vec<RestrictionRow>> {
    category_restrictions::table
        .order(category_restrictions::category_id.asc())
        .select(RestrictionRow::as_select())
        .load(conn)
}

/// Marks a subtree restricted; a unique violation means it already is.
pub fn insert_restriction(
    conn: &mut DbConn,
    id: CategoryId,
    reason: &str,
    by: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(category_restrictions::table)
        .values((
            category_restrictions::category_id.eq(id),
            category_restrictions::reason.eq(reason),
            category_restrictions::created_by.eq(by),
            category_restrictions::created_at.eq(now),
        ))
        .execute(conn)
}

/// Lifts a restriction.
pub fn delete_restriction(conn: &mut DbConn, id: CategoryId) -> QueryResult<usize> {
    diesel::delete(category_restrictions::table.find(id)).execute(conn)
}
