//! Each server's copy of the category tree: loaded from the database, kept while the stored
//! revision does not move, and the views of its categories on the wire.

use std::collections::BTreeSet;
use std::sync::{Arc, RwLock};

use crate::db::queries::catalog::taxonomy as rows;
use crate::db::DbConn;
use crate::domain::catalog::taxonomy::{Category as TreeCategory, Taxonomy};
use crate::domain::ids::CategoryId;
use crate::error::{ApiError, ApiResult};
use crate::http::catalog::json::Category;

/// The network's own categories are numbered from here; Google's stay below.
pub const NETWORK_ID_MIN: i64 = 1_000_000_001;

/// The tree as a server holds it.
#[derive(Debug)]
pub struct Tree {
    /// The stored revision this copy reflects.
    pub revision: i64,
    /// The Google file's version.
    pub google_version: String,
    /// The categories.
    pub taxonomy: Taxonomy,
    /// The roots of the restricted subtrees.
    pub restricted: BTreeSet<CategoryId>,
}

impl Tree {
    /// The restricted subtree `id` lies in, if any.
    pub fn restricted_by(&self, id: CategoryId) -> Option<CategoryId> {
        self.taxonomy
            .lineage(id)
            .map(|c| c.id)
            .find(|c| self.restricted.contains(c))
    }

    /// The English path, or the id for a category this copy does not know.
    pub fn path(&self, id: CategoryId) -> String {
        if self.taxonomy.get(id).is_some() {
            self.taxonomy.path_en(id)
        } else {
            format!("category {id}")
        }
    }

    /// A category on the wire.
    pub fn view(&self, c: &TreeCategory) -> Category {
        Category {
            id: c.id.get(),
            parent_id: c.parent.map(CategoryId::get),
            path: self.taxonomy.path_en(c.id),
            name_en: c.name_en.clone(),
            name_fr: self
                .taxonomy
                .name_fr(c.id)
                .unwrap_or_else(|| c.name_en.clone()),
            depth: i64::try_from(c.depth).unwrap_or(i64::MAX),
            origin: if c.id.get() >= NETWORK_ID_MIN {
                "network"
            } else {
                "google"
            }
            .into(),
            retired: c.retired,
            restricted_by: self.restricted_by(c.id).map(CategoryId::get),
        }
    }

    /// A category on the wire by id.
    pub fn view_of(&self, id: CategoryId) -> Option<Category> {
        self.taxonomy.get(id).map(|c| self.view(c))
    }
}

/// Each server's copy of the tree, shared by its requests.
#[derive(Debug, Clone, Default)]
pub struct TreeCache(Arc<RwLock<Option<Arc<Tree>>>>);

impl TreeCache {
    /// The current tree: this server's copy when the stored revision has not moved, else a
    /// fresh one (a few thousand rows), kept for the next requests. Not for a transaction that
    /// changes the tree: it could keep rows that are then rolled back (see [`Tree::load`]).
    pub fn current(&self, conn: &mut DbConn) -> ApiResult<Arc<Tree>> {
        let state = rows::state(conn)?
            .ok_or_else(|| ApiError::internal("the category tree was never written"))?;
        if let Ok(guard) = self.0.read() {
            if let Some(tree) = guard.as_ref().filter(|t| t.revision == state.revision) {
                return Ok(Arc::clone(tree));
            }
        }
        // The revision is read before the rows: a change committed in between leaves a tree
        // newer than its revision says, which the next request reloads; never an older one.
        let tree = Arc::new(Tree::load(conn, state.revision, state.google_version)?);
        if let Ok(mut guard) = self.0.write() {
            *guard = Some(Arc::clone(&tree));
        }
        Ok(tree)
    }
}

impl Tree {
    /// Reads the whole tree, as this transaction sees it.
    pub fn load(conn: &mut DbConn, revision: i64, google_version: String) -> ApiResult<Tree> {
        let categories = rows::all_categories(conn)?
            .into_iter()
            .map(|r| TreeCategory {
                id: r.id,
                parent: r.parent_id,
                name_en: r.name_en,
                name_fr: r.name_fr,
                depth: usize::try_from(r.depth).unwrap_or(0),
                retired: r.retired_at.is_some(),
            });
        Ok(Tree {
            revision,
            google_version,
            taxonomy: Taxonomy::from_categories(categories),
            restricted: rows::restrictions(conn)?
                .into_iter()
                .map(|r| r.category_id)
                .collect(),
        })
    }

    /// The tree as a transaction that changes it sees it (never cached).
    pub(super) fn uncached(conn: &mut DbConn) -> ApiResult<Tree> {
        Tree::load(conn, 0, String::new())
    }
}
