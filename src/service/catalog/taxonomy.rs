//! The category tree as the API shows and changes it: search, details, network categories and
//! restricted subtrees. Written at first start and by imports in [`super::import`]; kept in
//! memory by each server in [`super::tree`].

use chrono::NaiveDateTime;

use crate::db::queries::catalog::taxonomy::{self as rows, CategoryRow};
use crate::db::{write_tx, DbConn};
use crate::domain::clock::utc;
use crate::domain::ids::CategoryId;
use crate::domain::input::{check_text, TextKind};
use crate::error::{fail, ApiError, ApiResult, Code};
use crate::http::catalog::json::{
    Category, CategoryDetail, CategoryList, NewCategoryRequest, Restriction, RestrictionList,
};
use crate::service::catalog::compatibility;
pub use crate::service::catalog::import::{import, seed_if_empty, ImportSummary};
pub use crate::service::catalog::tree::{Tree, TreeCache, NETWORK_ID_MIN};

/// Most categories a search returns.
pub const SEARCH_MAX: usize = 50;

/// Categories whose path (English or French) contains `search`, or the children of `parent`
/// (the top levels when neither is given).
pub fn search(
    conn: &mut DbConn,
    cache: &TreeCache,
    search: Option<&str>,
    parent: Option<CategoryId>,
) -> ApiResult<CategoryList> {
    let tree = cache.current(conn)?;
    if let Some(parent) = parent {
        if tree.taxonomy.get(parent).is_none() {
            return fail(Code::CategoryNotFound, format!("no category {parent}"));
        }
    }
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

/// Marks a subtree restricted (again: the reason is replaced), and reassesses every partner
/// in the network, so one now selling mostly in the subtree raises an alert.
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
        compatibility::reassess_network(conn, &tree, now)?;
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
        let tree = Tree::uncached(conn)?;
        compatibility::reassess_network(conn, &tree, now)?;
        Ok(())
    })
}
