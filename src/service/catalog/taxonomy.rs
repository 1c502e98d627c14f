//! The category tree: written from the embedded Google files on a database's first start,
//! updated from a newer Google file (`loyalty-server import-taxonomy`), extended by the
//! operator with network categories and restricted subtrees, and kept in memory by each server
//! (reloaded when the stored revision moves, so every instance sees the operator's changes).

use std::collections::BTreeSet;

use chrono::NaiveDateTime;
use diesel::Connection;

use crate::db::queries::catalog::taxonomy::{self as rows, CategoryRow};
use crate::db::{is_unique_violation, write_tx, DbConn};
use crate::domain::catalog::taxonomy::{
    parse, Category as TreeCategory, Taxonomy, TaxonomyFile, EMBEDDED_EN, EMBEDDED_FR,
};
use crate::domain::clock::utc;
use crate::domain::ids::CategoryId;
use crate::domain::input::{check_text, TextKind};
use crate::error::{fail, ApiError, ApiResult, Code};
use crate::http::catalog::json::{
    Category, CategoryDetail, CategoryList, NewCategoryRequest, Restriction, RestrictionList,
};
pub use crate::service::catalog::tree::{Tree, TreeCache, NETWORK_ID_MIN};

/// Most categories a search returns.
pub const SEARCH_MAX: usize = 50;

/// The network categories every fresh database gets: gambling and lottery have no Google
/// category, and the network restricts them.
const DEFAULT_NETWORK: [(i64, Option<i64>, &str, &str); 4] = [
    (
        NETWORK_ID_MIN,
        None,
        "Gambling & Lottery",
        "Jeux d'argent et loterie",
    ),
    (
        NETWORK_ID_MIN + 1,
        Some(NETWORK_ID_MIN),
        "Casino Games",
        "Jeux de casino",
    ),
    (
        NETWORK_ID_MIN + 2,
        Some(NETWORK_ID_MIN),
        "Lottery Tickets",
        "Billets de loterie",
    ),
    (
        NETWORK_ID_MIN + 3,
        Some(NETWORK_ID_MIN),
        "Sports Betting",
        "Paris sportifs",
    ),
];
/// Where the gambling subtree hangs: Google's "Arts & Entertainment".
const GAMBLING_PARENT: i64 = 8;

/// The subtrees restricted by default, with the reason shown to partners.
const DEFAULT_RESTRICTED: [(i64, &str); 6] = [
    (435, "tobacco: no loyalty reward on tobacco products"),
    (
        499676,
        "alcohol: the network does not reward alcohol purchases (the operator may lift this)",
    ),
    (NETWORK_ID_MIN, "gambling and lottery"),
    (53, "gift cards: points on gift cards would be earned twice"),
    (518, "medicines: no incentive on medicines"),
    (780, "weapons"),
];

fn row_of(c: &TreeCategory, origin: &str, now: NaiveDateTime) -> CategoryRow {
    CategoryRow {
        id: c.id,
        parent_id: c.parent,
        name_en: c.name_en.clone(),
        name_fr: c.name_fr.clone(),
        depth: i64::try_from(c.depth).unwrap_or(i64::MAX),
        origin: origin.into(),
        retired_at: None,
        updated_at: now,
    }
}

/// Rows in an order that puts every parent before its children.
fn parents_first(tree: &Taxonomy, origin: &str, now: NaiveDateTime) -> Vec<CategoryRow> {
    let mut rows: Vec<CategoryRow> = tree.categories().map(|c| row_of(c, origin, now)).collect();
    rows.sort_by_key(|r| (r.depth, r.id));
    rows
}

/// Writes the embedded tree, the network's gambling categories and the default restrictions
/// when the database has no tree yet. Several servers starting at once: the first one writes,
/// the others find it written.
pub fn seed_if_empty(conn: &mut DbConn, now: NaiveDateTime) -> ApiResult<bool> {
    if rows::state(conn)?.is_some() {
        return Ok(false);
    }
    let en = parse(EMBEDDED_EN).map_err(ApiError::internal)?;
    let fr = parse(EMBEDDED_FR).map_err(ApiError::internal)?;
    let tree = Taxonomy::build(&en, Some(&fr)).map_err(ApiError::internal)?;
    let version = en.version.clone().unwrap_or_default();
    write_tx(conn, |conn| {
        match conn.transaction(|conn| rows::insert_state(conn, &version, now)) {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => return Ok(false),
            Err(e) => return Err(e.into()),
        }
        rows::insert_categories(conn, &parents_first(&tree, "google", now))?;
        let network: Vec<CategoryRow> = DEFAULT_NETWORK
            .iter()
            .map(|(id, parent, en, fr)| CategoryRow {
                id: CategoryId::from(*id),
                parent_id: Some(CategoryId::from(parent.unwrap_or(GAMBLING_PARENT))),
                name_en: (*en).into(),
                name_fr: Some((*fr).into()),
                depth: if parent.is_some() { 3 } else { 2 },
                origin: "network".into(),
                retired_at: None,
                updated_at: now,
            })
            .collect();
        rows::insert_categories(conn, &network)?;
        for (id, reason) in DEFAULT_RESTRICTED {
            rows::insert_restriction(conn, CategoryId::from(id), reason, "default", now)?;
        }
        tracing::info!(categories = tree.len(), version = %version, "category tree written");
        Ok(true)
    })
}

/// What an import changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// The file's version.
    pub version: String,
    /// New categories.
    pub added: usize,
    /// Categories whose name changed (in English or French).
    pub renamed: usize,
    /// Categories under another parent.
    pub moved: usize,
    /// Categories the file no longer has: kept, marked retired.
    pub retired: usize,
    /// Retired categories the file has again.
    pub restored: usize,
}

/// Loads a newer Google file (English, with ids; optionally the French one): categories are
/// added, renamed or moved, never deleted; one the file no longer has is retired, so old
/// references stay valid.
pub fn import(
    conn: &mut DbConn,
    now: NaiveDateTime,
    en_text: &str,
    fr_text: Option<&str>,
) -> ApiResult<ImportSummary> {
    let refuse = |what: &str, e: &dyn std::fmt::Display| {
        ApiError::new(Code::InvalidRequest, format!("the {what} file: {e}"))
    };
    let en: TaxonomyFile = parse(en_text).map_err(|e| refuse("English", &e))?;
    let fr = fr_text
        .map(parse)
        .transpose()
        .map_err(|e| refuse("French", &e))?;
    if let Some(line) = en.lines.iter().find(|l| l.id.get() >= NETWORK_ID_MIN) {
        return fail(
            Code::InvalidRequest,
            format!("id {} is in the network's own range", line.id),
        );
    }
    let file = Taxonomy::build(&en, fr.as_ref()).map_err(|e| refuse("English", &e))?;
    let version = en.version.clone().unwrap_or_else(|| "unknown".into());
    write_tx(conn, |conn| {
        rows::bump_revision(conn, Some(&version), now)?;
        let stored = rows::all_categories(conn)?;
        let mut summary = ImportSummary {
            version: version.clone(),
            ..ImportSummary::default()
        };
        let known: BTreeSet<CategoryId> = stored.iter().map(|r| r.id).collect();
        let added: Vec<CategoryRow> = parents_first(&file, "google", now)
            .into_iter()
            .filter(|r| !known.contains(&r.id))
            .collect();
        summary.added = added.len();
        rows::insert_categories(conn, &added)?;
        for old in stored.iter().filter(|r| r.origin == "google") {
            let mut new = match file.get(old.id) {
                Some(c) => row_of(c, "google", now),
                None if old.retired_at.is_none() => {
                    summary.retired += 1;
                    CategoryRow {
                        retired_at: Some(now),
                        updated_at: now,
                        ..old.clone()
                    }
                }
                None => continue,
            };
            if new.retired_at.is_none() && old.retired_at.is_some() {
                summary.restored += 1;
            }
            // A French file that lacks a category keeps the French name already stored.
            if fr.is_none() || new.name_fr.is_none() {
                new.name_fr = new.name_fr.or_else(|| old.name_fr.clone());
            }
            let renamed = new.name_en != old.name_en || new.name_fr != old.name_fr;
            let moved = new.parent_id != old.parent_id;
            if file.get(old.id).is_some() && !renamed && !moved && old.retired_at.is_none() {
                continue;
            }
            summary.renamed += usize::from(renamed && file.get(old.id).is_some());
            summary.moved += usize::from(moved && file.get(old.id).is_some());
            rows::update_category(conn, &new)?;
        }
        Ok(summary)
    })
}

/// Categories whose path (English or French) contains `search`, or the children of `parent`
/// (the top levels when neither is given).
pub fn search(
    conn: &mut DbConn,
    cache: &TreeCache,
    search: Option<&str>,
    parent: Option<CategoryId>,
) -> ApiResult<CategoryList> {
    let tree = cache.current(conn)?;
    let mut items: Vec<Category> = match search.map(str::trim).filter(|s| !s.is_empty()) {
        Some(text) => {
            let needle = text.to_lowercase();
            tree.taxonomy
                .categories()
                .filter(|c| {
                    tree.taxonomy.path_en(c.id).to_lowercase().contains(&needle)
                        || tree
                            .taxonomy
                            .name_fr(c.id)
                            .is_some_and(|n| n.to_lowercase().contains(&needle))
                        || c.id.get().to_string() == needle
                })
                .map(|c| tree.view(c))
                .collect()
        }
        None => tree
            .taxonomy
            .children(parent)
            .map(|c| tree.view(c))
            .collect(),
    };
    items.sort_by(|a, b| a.depth.cmp(&b.depth).then_with(|| a.path.cmp(&b.path)));
    items.truncate(SEARCH_MAX);
    Ok(CategoryList { items })
}

/// One category with its ancestors and children.
pub fn detail(conn: &mut DbConn, cache: &TreeCache, id: CategoryId) -> ApiResult<CategoryDetail> {
    let tree = cache.current(conn)?;
    let category = tree
        .view_of(id)
        .ok_or_else(|| ApiError::new(Code::CategoryNotFound, format!("no category {id}")))?;
    let mut ancestors: Vec<Category> = tree
        .taxonomy
        .lineage(id)
        .skip(1)
        .map(|c| tree.view(c))
        .collect();
    ancestors.reverse();
    let children = tree
        .taxonomy
        .children(Some(id))
        .map(|c| tree.view(c))
        .collect();
    Ok(CategoryDetail {
        category,
        ancestors,
        children,
    })
}

fn check_name(field: &str, name: &str) -> ApiResult<()> {
    check_text(field, name, TextKind::Name)?;
    if name.contains('>') {
        return fail(Code::InvalidRequest, format!("{field} may not contain '>'"));
    }
    Ok(())
}

/// Adds a network category under an existing one.
pub fn add_network_category(
    conn: &mut DbConn,
    now: NaiveDateTime,
    req: &NewCategoryRequest,
) -> ApiResult<Category> {
    check_name("name_en", &req.name_en)?;
    if let Some(fr) = &req.name_fr {
        check_name("name_fr", fr)?;
    }
    let parent_id = CategoryId::from(req.parent_id);
    write_tx(conn, |conn| {
        rows::bump_revision(conn, None, now)?;
        let parent = rows::category(conn, parent_id)?.ok_or_else(|| {
            ApiError::new(Code::CategoryNotFound, format!("no category {parent_id}"))
        })?;
        if parent.depth >= 8 {
            return fail(Code::InvalidRequest, "the tree is at most 8 levels deep");
        }
        let tree = Tree::uncached(conn)?;
        let name_taken = tree
            .taxonomy
            .children(Some(parent_id))
            .any(|c| c.name_en.trim().eq_ignore_ascii_case(req.name_en.trim()));
        if name_taken {
            return fail(
                Code::Conflict,
                "the parent already has a category of this name",
            );
        }
        let id = rows::max_network_id(conn)?.map_or(NETWORK_ID_MIN, |m| {
            m.get().saturating_add(1).max(NETWORK_ID_MIN)
        });
        let row = CategoryRow {
            id: CategoryId::from(id),
            parent_id: Some(parent_id),
            name_en: req.name_en.trim().into(),
            name_fr: req.name_fr.as_deref().map(|n| n.trim().to_owned()),
            depth: parent.depth + 1,
            origin: "network".into(),
            retired_at: None,
            updated_at: now,
        };
        rows::insert_categories(conn, std::slice::from_ref(&row))?;
        let tree = Tree::uncached(conn)?;
        tree.view_of(row.id)
            .ok_or_else(|| ApiError::internal("the new category is not in the tree"))
    })
}

/// Every restricted subtree.
pub fn restrictions(conn: &mut DbConn, cache: &TreeCache) -> ApiResult<RestrictionList> {
    let tree = cache.current(conn)?;
    let items = rows::restrictions(conn)?
        .into_iter()
        .filter_map(|r| {
            Some(Restriction {
                category: tree.view_of(r.category_id)?,
                reason: r.reason,
                created_by: r.created_by,
                created_at: utc(r.created_at),
            })
        })
        .collect();
    Ok(RestrictionList { items })
}

/// Marks a subtree restricted (again: the reason is replaced).
pub fn restrict(
    conn: &mut DbConn,
    now: NaiveDateTime,
    by: &str,
    id: CategoryId,
    reason: &str,
) -> ApiResult<Restriction> {
    let reason = check_text("reason", reason, TextKind::FreeText)?;
    write_tx(conn, |conn| {
        rows::bump_revision(conn, None, now)?;
        if rows::category(conn, id)?.is_none() {
            return fail(Code::CategoryNotFound, format!("no category {id}"));
        }
        rows::delete_restriction(conn, id)?;
        rows::insert_restriction(conn, id, reason, by, now)?;
        let tree = Tree::uncached(conn)?;
        Ok(Restriction {
            category: tree
                .view_of(id)
                .ok_or_else(|| ApiError::internal("category missing from the tree"))?,
            reason: reason.into(),
            created_by: by.into(),
            created_at: utc(now),
        })
    })
}

/// Lifts a restriction.
pub fn unrestrict(conn: &mut DbConn, now: NaiveDateTime, id: CategoryId) -> ApiResult<()> {
    write_tx(conn, |conn| {
        rows::bump_revision(conn, None, now)?;
        if rows::delete_restriction(conn, id)? == 0 {
            return fail(
                Code::CategoryNotFound,
                format!("category {id} is not a restricted subtree"),
            );
        }
        Ok(())
    })
}
