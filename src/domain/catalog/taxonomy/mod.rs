//! The network's category tree: the Google Product Taxonomy, the list merchants already map
//! their products to (`google_product_category` in every Merchant Center feed). Ids are
//! Google's and the same in every language; the English file is the current tree, the French
//! one (older) gives French names where it has them.
//!
//! Parsing and lookups are pure: the files are embedded in the binary ([`EMBEDDED_EN`],
//! [`EMBEDDED_FR`]), and the service stores the tree so that a fresh database has every
//! category; a newer file Google publishes goes through the same parser.

use std::collections::{BTreeMap, HashMap};

use crate::domain::ids::CategoryId;

/// The current English tree (2021-09-21), as Google publishes it.
pub const EMBEDDED_EN: &str =
    include_str!("../../../../assets/google-product-taxonomy/taxonomy-with-ids.en-US.txt");
/// The French names (2015-02-19: categories Google added since have none).
pub const EMBEDDED_FR: &str =
    include_str!("../../../../assets/google-product-taxonomy/taxonomy-with-ids.fr-FR.txt");

/// Deepest level a category may sit at (Google's tree goes to 7; the network may add one more
/// level under its deepest categories).
pub const DEPTH_MAX: usize = 8;
/// Longest category name, in characters.
pub const NAME_LEN_MAX: usize = 200;
/// Most lines a taxonomy file may hold (Google's has under 6,000).
pub const LINES_MAX: usize = 50_000;

/// One line of a taxonomy file: an id and its path from the top level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxonomyLine {
    /// The category.
    pub id: CategoryId,
    /// Its names from the top level down to itself.
    pub path: Vec<String>,
}

/// A parsed taxonomy file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxonomyFile {
    /// The version in the header line (`# Google_Product_Taxonomy_Version: 2021-09-21`).
    pub version: Option<String>,
    /// The categories, in file order.
    pub lines: Vec<TaxonomyLine>,
}

/// Why a taxonomy file is refused: the line (1-based) and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxonomyError {
    /// The line, counting from 1 (0: the file as a whole).
    pub line: usize,
    /// What is wrong.
    pub reason: String,
}

impl std::error::Error for TaxonomyError {}

impl std::fmt::Display for TaxonomyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

fn refuse<T>(line: usize, reason: impl Into<String>) -> Result<T, TaxonomyError> {
    Err(TaxonomyError {
        line,
        reason: reason.into(),
    })
}

/// Parses `<id> - <Level 1> > <Level 2> > ...` lines after an optional `#` header. Names are
/// trimmed (Google's French file has stray trailing spaces); an id or a path given twice, an
/// empty name, a control character or a path deeper than [`DEPTH_MAX`] is refused.
pub fn parse(text: &str) -> Result<TaxonomyFile, TaxonomyError> {
    let mut version = None;
    let mut lines = Vec::new();
    for (n, raw) in (1..).zip(text.lines()) {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if raw.trim().is_empty() {
            continue;
        }
        if let Some(comment) = raw.strip_prefix('#') {
            if let Some((_, v)) = comment.split_once(':') {
                version.get_or_insert_with(|| v.trim().to_owned());
            }
            continue;
        }
        if lines.len() >= LINES_MAX {
            return refuse(n, format!("more than {LINES_MAX} categories"));
        }
        lines.push(parse_line(n, raw)?);
    }
    if lines.is_empty() {
        return refuse(0, "no category in the file");
    }
    Ok(TaxonomyFile { version, lines })
}

fn parse_line(n: usize, raw: &str) -> Result<TaxonomyLine, TaxonomyError> {
    let Some((id, path)) = raw.split_once(" - ") else {
        return refuse(n, "expected `<id> - <path>`");
    };
    let digits = id.trim();
    let id = match digits.parse::<i64>() {
        Ok(id) if id > 0 && digits.bytes().all(|b| b.is_ascii_digit()) => CategoryId::from(id),
        _ => return refuse(n, format!("`{digits}` is not a category id")),
    };
    let path: Vec<String> = path.split(" > ").map(|s| s.trim().to_owned()).collect();
    if path.len() > DEPTH_MAX {
        return refuse(n, format!("deeper than {DEPTH_MAX} levels"));
    }
    for name in &path {
        if name.is_empty() || name.chars().count() > NAME_LEN_MAX {
            return refuse(n, format!("a name must be 1 to {NAME_LEN_MAX} characters"));
        }
        if name.chars().any(char::is_control) {
            return refuse(n, "a name holds a control character");
        }
    }
    Ok(TaxonomyLine { id, path })
}

/// A category of the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    /// Its id.
    pub id: CategoryId,
    /// Its parent (none for the 21 top-level categories).
    pub parent: Option<CategoryId>,
    /// Its English name.
    pub name_en: String,
    /// Its French name, when the French file has it.
    pub name_fr: Option<String>,
    /// 1 for a top-level category.
    pub depth: usize,
    /// Retired from the tree (Google dropped it, or the operator did): old references stay
    /// valid, new catalogs may still name it.
    pub retired: bool,
}

/// The tree, with lookups by id and by full path in either language.
#[derive(Debug, Clone, Default)]
pub struct Taxonomy {
    categories: BTreeMap<CategoryId, Category>,
    /// Lower-cased full paths (English and French) -> id.
    by_path: HashMap<String, CategoryId>,
}

/// A path as a lookup key: lower case, one space around each `>`.
fn path_key(path: &str) -> String {
    path.split('>')
        .map(|s| s.trim().to_lowercase())
        .collect::<Vec<_>>()
        .join(" > ")
}

impl Taxonomy {
    /// Builds the tree from the English file, with French names from `fr` where it has the id.
    /// Every parent path must be in the English file; the French file must agree with the
    /// English tree's shape (same parent for the same id).
    pub fn build(en: &TaxonomyFile, fr: Option<&TaxonomyFile>) -> Result<Taxonomy, TaxonomyError> {
        let mut tree = Taxonomy::default();
        let mut ids_by_path: HashMap<&[String], CategoryId> = HashMap::new();
        for (n, line) in (1..).zip(&en.lines) {
            if ids_by_path.insert(&line.path, line.id).is_some() {
                return refuse(n, format!("the path of {} is given twice", line.id));
            }
        }
        for (n, line) in (1..).zip(&en.lines) {
            let (name, parents) = match line.path.split_last() {
                Some(split) => split,
                None => return refuse(n, "empty path"),
            };
            let parent = match parents {
                [] => None,
                p => match ids_by_path.get(p) {
                    Some(id) => Some(*id),
                    None => {
                        return refuse(n, format!("the parent of {} is not in the file", line.id))
                    }
                },
            };
            let category = Category {
                id: line.id,
                parent,
                name_en: name.clone(),
                name_fr: None,
                depth: line.path.len(),
                retired: false,
            };
            if tree.categories.insert(line.id, category).is_some() {
                return refuse(n, format!("category {} is given twice", line.id));
            }
            tree.by_path
                .insert(path_key(&line.path.join(" > ")), line.id);
        }
        if let Some(fr) = fr {
            tree.add_french(fr)?;
        }
        Ok(tree)
    }

    fn add_french(&mut self, fr: &TaxonomyFile) -> Result<(), TaxonomyError> {
        let fr_ids: HashMap<&[String], CategoryId> =
            fr.lines.iter().map(|l| (l.path.as_slice(), l.id)).collect();
        for (n, line) in (1..).zip(&fr.lines) {
            let Some((name, parents)) = line.path.split_last() else {
                continue;
            };
            let fr_parent = fr_ids.get(parents).copied();
            let Some(category) = self.categories.get_mut(&line.id) else {
                // A category Google retired from the English tree: its French name has no use.
                continue;
            };
            if category.parent != fr_parent {
                return refuse(n, format!("{} has another parent in French", line.id));
            }
            category.name_fr = Some(name.clone());
            let key = path_key(&line.path.join(" > "));
            self.by_path.entry(key).or_insert(line.id);
        }
        Ok(())
    }

    /// The tree from stored categories, in any order. Depths are recomputed from the parents
    /// (a category Google moved takes its subtree with it); a category whose chain of parents
    /// does not reach a top level within [`DEPTH_MAX`] steps is left out, since it could not be
    /// placed.
    pub fn from_categories(categories: impl IntoIterator<Item = Category>) -> Taxonomy {
        let mut tree = Taxonomy::default();
        for c in categories {
            tree.categories.insert(c.id, c);
        }
        let parents: HashMap<CategoryId, Option<CategoryId>> =
            tree.categories.values().map(|c| (c.id, c.parent)).collect();
        let depth_of = |id: CategoryId| -> Option<usize> {
            let mut current = id;
            for depth in 1..=DEPTH_MAX {
                match parents.get(&current)? {
                    None => return Some(depth),
                    Some(parent) => current = *parent,
                }
            }
            None
        };
        let depths: Vec<(CategoryId, Option<usize>)> = tree
            .categories
            .keys()
            .map(|id| (*id, depth_of(*id)))
            .collect();
        for (id, depth) in depths {
            match depth {
                Some(d) => {
                    if let Some(c) = tree.categories.get_mut(&id) {
                        c.depth = d;
                    }
                }
                None => {
                    tree.categories.remove(&id);
                }
            }
        }
        let ids: Vec<CategoryId> = tree.categories.keys().copied().collect();
        for id in ids {
            tree.by_path.insert(path_key(&tree.path_en(id)), id);
            let names_fr: Option<Vec<&str>> =
                tree.lineage(id).map(|c| c.name_fr.as_deref()).collect();
            if let Some(mut names) = names_fr {
                names.reverse();
                let key = path_key(&names.join(" > "));
                tree.by_path.entry(key).or_insert(id);
            }
        }
        tree
    }

    /// The embedded tree (English with French names).
    pub fn embedded() -> Result<Taxonomy, TaxonomyError> {
        Taxonomy::build(&parse(EMBEDDED_EN)?, Some(&parse(EMBEDDED_FR)?))
    }

    /// How many categories.
    pub fn len(&self) -> usize {
        self.categories.len()
    }

    /// Whether the tree is empty.
    pub fn is_empty(&self) -> bool {
        self.categories.is_empty()
    }

    /// Every category, in id order.
    pub fn categories(&self) -> impl Iterator<Item = &Category> {
        self.categories.values()
    }

    /// The category with this id.
    pub fn get(&self, id: CategoryId) -> Option<&Category> {
        self.categories.get(&id)
    }

    /// The category and its ancestors, from itself up to its top level.
    pub fn lineage(&self, id: CategoryId) -> impl Iterator<Item = &Category> {
        let mut next = self.categories.get(&id);
        std::iter::from_fn(move || {
            let current = next?;
            next = current.parent.and_then(|p| self.categories.get(&p));
            Some(current)
        })
    }

    /// Whether `id` is `root` or lies under it.
    pub fn is_within(&self, id: CategoryId, root: CategoryId) -> bool {
        self.lineage(id).any(|c| c.id == root)
    }

    /// The category a feed names: a Google id (`632`) or a full path in English or French,
    /// compared without regard to case or the spaces around `>`.
    pub fn resolve(&self, text: &str) -> Option<CategoryId> {
        let text = text.trim();
        if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
            let id = CategoryId::from(text.parse::<i64>().ok()?);
            return self.categories.contains_key(&id).then_some(id);
        }
        self.by_path.get(&path_key(text)).copied()
    }

    /// The children of a category (the top levels for None), in id order.
    pub fn children(&self, parent: Option<CategoryId>) -> impl Iterator<Item = &Category> {
        self.categories.values().filter(move |c| c.parent == parent)
    }

    /// The full English path (`Hardware > Tools > Drills`).
    pub fn path_en(&self, id: CategoryId) -> String {
        let mut names: Vec<&str> = self.lineage(id).map(|c| c.name_en.as_str()).collect();
        names.reverse();
        names.join(" > ")
    }

    /// The French name; a category the French file does not have shows its nearest ancestor's
    /// French name with its own English name (`Quincaillerie > Welding Accessories`).
    pub fn name_fr(&self, id: CategoryId) -> Option<String> {
        let category = self.categories.get(&id)?;
        if let Some(name) = &category.name_fr {
            return Some(name.clone());
        }
        let ancestor = self.lineage(id).skip(1).find_map(|c| c.name_fr.as_deref());
        Some(match ancestor {
            Some(fr) => format!("{fr} > {}", category.name_en),
            None => category.name_en.clone(),
        })
    }
}

#[cfg(test)]
mod tests;
