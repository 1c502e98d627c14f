//! Writing the category tree: from the embedded Google files on a database's first start, with
//! the network's gambling categories and the default restrictions, and from a newer Google file
//! (`loyalty-server import-taxonomy`): categories added, renamed or moved, never deleted.

use std::collections::BTreeSet;

use chrono::NaiveDateTime;
use diesel::Connection;

use crate::db::queries::catalog::taxonomy::{self as rows, CategoryRow};
use crate::db::{is_unique_violation, write_tx, DbConn};
use crate::domain::catalog::taxonomy::{
    parse, Category as TreeCategory, Taxonomy, TaxonomyFile, EMBEDDED_EN, EMBEDDED_FR,
};
use crate::domain::ids::CategoryId;
use crate::error::{fail, ApiError, ApiResult, Code};
use crate::service::catalog::tree::{Tree, NETWORK_ID_MIN};

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
        // A moved category takes its subtree (network categories included) to another depth.
        let tree = Tree::uncached(conn)?;
        for row in rows::all_categories(conn)? {
            let depth = tree.taxonomy.get(row.id).map(|c| c.depth);
            match depth.and_then(|d| i64::try_from(d).ok()) {
                Some(d) if d != row.depth => {
                    rows::update_category(conn, &CategoryRow { depth: d, ..row })?;
                }
                _ => {}
            }
        }
        Ok(summary)
    })
}
