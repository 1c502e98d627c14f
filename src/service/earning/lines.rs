//! A sale's lines at earn: each line's category (from the partner's catalog by SKU, else the
//! line's own Google id or path) and its treatment (restricted, multiplied, plain), and what
//! each category sold, recorded for the compatibility reports.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::NaiveDateTime;
use partner_sdk::types::EarnRequest;

use crate::db::queries::catalog::catalogs as catalog_rows;
use crate::db::queries::catalog::reports as report_rows;
use crate::db::queries::catalog::sales::{self as sales_rows, EarnCategoryRow};
use crate::db::queries::partners::ContractRow;
use crate::db::DbConn;
use crate::domain::earning::categories::{treat, TreatedLine};
use crate::domain::ids::{CategoryId, EarnId, MemberId, PartnerId};
use crate::domain::money::MoneyMinor;
use crate::error::ApiResult;
use crate::service::catalog::taxonomy::{Tree, TreeCache};

/// A sale's lines: their treatment at earn, the category each was found in, and the tree they
/// were read with (None for a sale without lines).
pub(super) struct Lines {
    pub(super) treated: Vec<TreatedLine>,
    pub(super) categories: Vec<Option<CategoryId>>,
    pub(super) tree: Option<Arc<Tree>>,
}

/// Records what the sale's categorised lines spent, per category, for the compatibility
/// reports (sales profiles, observed affinity).
pub(super) fn record_categories(
    conn: &mut DbConn,
    earn_id: EarnId,
    partner_id: PartnerId,
    member_id: MemberId,
    occurred_at: NaiveDateTime,
    lines: &Lines,
) -> ApiResult<()> {
    // category -> (amount, weight); a category's lines share its treatment, so its weight.
    let mut per_category: BTreeMap<CategoryId, (i64, i64)> = BTreeMap::new();
    for (line, category) in lines.treated.iter().zip(&lines.categories) {
        if let Some(c) = category {
            let entry = per_category
                .entry(*c)
                .or_insert((0, line.treatment.weight_bp()));
            entry.0 = entry.0.saturating_add(line.amount.get());
        }
    }
    let rows: Vec<EarnCategoryRow> = per_category
        .into_iter()
        .map(|(category_id, (amount, weight_bp))| EarnCategoryRow {
            earn_id,
            partner_id,
            member_id,
            category_id,
            amount_minor: MoneyMinor::from(amount),
            occurred_at,
            weight_bp,
        })
        .collect();
    sales_rows::insert(conn, &rows)?;
    Ok(())
}

/// The sale's lines with their category's treatment: a line's SKU takes its category from the
/// partner's catalog, else the line's own category (a Google id or path) is looked up; lines
/// in restricted subtrees earn nothing, the contract's multipliers apply. No line, no query.
pub(super) fn treated_lines(
    conn: &mut DbConn,
    categories: &TreeCache,
    partner_id: PartnerId,
    contract: &ContractRow,
    req: &EarnRequest,
) -> ApiResult<Lines> {
    let lines = match &req.lines {
        Some(lines) if !lines.is_empty() => lines,
        _ => {
            return Ok(Lines {
                treated: Vec::new(),
                categories: Vec::new(),
                tree: None,
            })
        }
    };
    let tree = categories.current(conn)?;
    let skus: Vec<String> = lines.iter().filter_map(|l| l.sku.clone()).collect();
    let by_sku: HashMap<String, Option<CategoryId>> = if skus.is_empty() {
        HashMap::new()
    } else {
        catalog_rows::categories_of_skus(conn, partner_id, &skus)?
            .into_iter()
            .collect()
    };
    let multipliers: Vec<(CategoryId, i64)> = report_rows::category_rules(conn, contract.id)?
        .into_iter()
        .filter_map(|r| r.multiplier_bp.map(|bp| (r.category_id, bp)))
        .collect();
    let categories: Vec<Option<CategoryId>> = lines
        .iter()
        .map(|line| {
            let from_catalog = line
                .sku
                .as_ref()
                .and_then(|s| by_sku.get(s).copied().flatten());
            from_catalog.or_else(|| {
                line.category
                    .as_deref()
                    .and_then(|c| tree.taxonomy.resolve(c))
            })
        })
        .collect();
    let treated = lines
        .iter()
        .zip(&categories)
        .map(|(line, category)| TreatedLine {
            amount: MoneyMinor::from(line.amount_minor),
            treatment: treat(&tree.taxonomy, &tree.restricted, &multipliers, *category),
        })
        .collect();
    Ok(Lines {
        treated,
        categories,
        tree: Some(tree),
    })
}
