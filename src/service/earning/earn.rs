//! Credits the points of a sale: one order earns once; the points are a new lot, pending until
//! the partner's return window ends, paid for by the partner at its contract's issuance price.

use chrono::{Duration, NaiveDateTime};
use diesel::Connection;
use partner_sdk::types::EntryKind;
use partner_sdk::types::{EarnRequest, EarnResponse, PointsStatus};

use crate::db::queries::earning::{self as earn_rows, NewEarn};
use crate::db::queries::ledger::lots::{self as lot_rows, NewLot};
use crate::db::queries::partners::{self, ContractRow};
use crate::db::{is_unique_violation, write_tx, DbConn};
use crate::domain::clock::utc;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::db::queries::catalog::catalogs as catalog_rows;
use crate::db::queries::catalog::reports as report_rows;
use crate::db::queries::catalog::sales::{self as sales_rows, EarnCategoryRow};
use crate::domain::earning::categories::{treat, TreatedLine};
use crate::domain::earning::rules::{
    compute_points_with_lines, currency_exponent, EarnOutcome, EarnRates,
};
use crate::domain::earning::sale::check_sale;
use crate::domain::ids::{CategoryId, EarnId, EntryId, LotId, MemberId, PartnerId};
use crate::domain::money::{MoneyMinor, Points, PriceMicros};
use crate::error::{fail, ApiError, ApiResult, Code};
use crate::service::catalog::taxonomy::{Tree, TreeCache};
use crate::service::ledger::clearing::{self, EntryAt};
use crate::service::ledger::{self, account, lots, minus, Draft, Posting, PTS};
use crate::service::members;
use crate::service::platform::settings::{self, NetworkSettings};

/// Credits the points of a sale to a linked member. One order earns once.
pub fn earn(
    conn: &mut DbConn,
    categories: &TreeCache,
    now: NaiveDateTime,
    partner_id: PartnerId,
    req: &EarnRequest,
) -> ApiResult<EarnResponse> {
    let occurred_at = check_sale(req, now)?.occurred_at;
    write_tx(conn, |conn| {
        let member = members::find_linked(conn, partner_id, &req.member_number)?;
        let contract = contract_for_sale(conn, partner_id, now, &req.currency)?;
        let settings = settings::load(conn)?;
        let lines = treated_lines(conn, categories, partner_id, &contract, req)?;
        let outcome = points_of_sale(&settings, &contract, req, &lines)?;
        let earn_id = claim_order(conn, partner_id, member.id, req, occurred_at, &outcome, now)?;
        record_categories(conn, earn_id, partner_id, member.id, occurred_at, &lines)?;
        let lot = NewLotTerms {
            available_at: occurred_at + Duration::days(contract.return_window_days),
            expires_at: settings
                .expiry_policy
                .lot_expires_at(settings.expiry_months, occurred_at),
        };
        let entry_id = if outcome.points.is_positive() {
            let credit = Credit {
                partner_id,
                member_id: member.id,
                order_id: &req.order_id,
                points: outcome.points,
                price_micros: contract.issuance_price_micros,
                occurred_at,
                lot: &lot,
            };
            let (entry_id, lot_id) = credit_points(conn, &credit, now)?;
            earn_rows::set_earn_entry(conn, earn_id, entry_id, lot_id)?;
            Some(entry_id)
        } else {
            None
        };
        tracing::info!(
            partner.id = %partner_id,
            member.id = %member.id,
            points = outcome.points.get(),
            "earn"
        );
        Ok(EarnResponse {
            earn_id: earn_id.get(),
            member_number: member.member_number.clone(),
            order_id: req.order_id.clone(),
            points: outcome.points.get(),
            status: if lot.available_at <= now {
                PointsStatus::Available
            } else {
                PointsStatus::Pending
            },
            available_at: utc(lot.available_at),
            expires_at: lot.expires_at.map(utc),
            rules: outcome.rules,
            entry_id: entry_id.map(EntryId::get),
        })
    })
}

/// The partner's contract in force, which must be in the sale's currency.
fn contract_for_sale(
    conn: &mut DbConn,
    partner_id: PartnerId,
    now: NaiveDateTime,
    currency: &str,
) -> ApiResult<ContractRow> {
    let contract = partners::contract_at(conn, partner_id, now)?.ok_or_else(|| {
        ApiError::new(
            Code::PartnerSuspended,
            "the partner has no contract in force",
        )
    })?;
    if contract.currency != currency {
        return fail(
            Code::CurrencyMismatch,
            format!("this partner's sales are in {}", contract.currency),
        );
    }
    Ok(contract)
}

/// A sale's lines: their treatment at earn, the category each was found in, and the tree they
/// were read with (None for a sale without lines).
struct Lines {
    treated: Vec<TreatedLine>,
    categories: Vec<Option<CategoryId>>,
    tree: Option<Arc<Tree>>,
}

/// Records what the sale's categorised lines spent, per category, for the compatibility
/// reports (sales profiles, observed affinity).
fn record_categories(
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
fn treated_lines(
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

fn points_of_sale(
    settings: &NetworkSettings,
    contract: &ContractRow,
    req: &EarnRequest,
    lines: &Lines,
) -> ApiResult<EarnOutcome> {
    let tree = &lines.tree;
    let rates = EarnRates {
        base_rate_millipoints: settings.base_rate_millipoints,
        partner_rate_bp: contract.earn_rate_bp,
        currency_exponent: currency_exponent(&contract.currency).unwrap_or(2),
    };
    let name = |c: CategoryId| tree.as_ref().map_or_else(|| c.to_string(), |t| t.path(c));
    compute_points_with_lines(
        MoneyMinor::from(req.amount_minor),
        &req.currency,
        rates,
        &lines.treated,
        &name,
    )
    .ok_or_else(|| {
        ApiError::new(
            Code::InvalidAmount,
            "the sale would earn more points than the maximum",
        )
    })
}

/// Records the order; a second earn of the same order id is refused here, whatever its key.
fn claim_order(
    conn: &mut DbConn,
    partner_id: PartnerId,
    member_id: MemberId,
    req: &EarnRequest,
    occurred_at: NaiveDateTime,
    outcome: &EarnOutcome,
    now: NaiveDateTime,
) -> ApiResult<EarnId> {
    let new = NewEarn {
        partner_id,
        member_id,
        order_id: &req.order_id,
        occurred_at,
        amount_minor: MoneyMinor::from(req.amount_minor),
        currency: &req.currency,
        points: outcome.points,
        lot_id: None,
        entry_id: None,
        refunded_minor: MoneyMinor::ZERO,
        clawed_points: Points::ZERO,
        created_at: now,
        weighted_bp: Some(outcome.weighted_bp),
    };
    // In a savepoint: on PostgreSQL a failed statement aborts the whole transaction otherwise.
    match conn.transaction(|conn| earn_rows::insert_earn(conn, &new)) {
        Ok(id) => Ok(id),
        Err(e) if is_unique_violation(&e) => fail(
            Code::OrderAlreadyEarned,
            format!("order {} has already earned points", req.order_id),
        ),
        Err(e) => Err(e.into()),
    }
}

/// When a new lot's points become available and when they expire.
struct NewLotTerms {
    available_at: NaiveDateTime,
    expires_at: Option<NaiveDateTime>,
}

/// Points a partner issues to a member for one order.
struct Credit<'a> {
    partner_id: PartnerId,
    member_id: MemberId,
    order_id: &'a str,
    points: Points,
    price_micros: PriceMicros,
    occurred_at: NaiveDateTime,
    lot: &'a NewLotTerms,
}

/// Posts the earn entry, creates its lot (repaying a negative balance first when the points
/// are available at once) and writes its clearing event. Returns (entry id, lot id).
fn credit_points(
    conn: &mut DbConn,
    c: &Credit<'_>,
    now: NaiveDateTime,
) -> ApiResult<(EntryId, LotId)> {
    let (mut member, _) = members::lock_and_sync(conn, c.member_id, now)?;
    let matured = c.lot.available_at <= now;
    let wallet = if matured {
        account::MEMBER_AVAILABLE
    } else {
        account::MEMBER_PENDING
    };
    let available_before = member.available_points;
    let entry_id = ledger::post_entry(
        conn,
        &mut member,
        Draft {
            kind: EntryKind::Earn,
            partner_id: Some(c.partner_id),
            reference: c.order_id,
            memo: None,
            posted_at: now,
            postings: vec![
                Posting::partner(account::PARTNER_ISSUANCE, c.partner_id, minus(c.points)?),
                Posting::member(wallet, c.member_id, c.points),
            ],
            allow_negative_available: false,
            activity: true,
        },
    )?;
    let lot_id = lot_rows::insert_lot(
        conn,
        &NewLot {
            member_id: c.member_id,
            asset: PTS,
            issuer_kind: "partner",
            issuer_partner_id: Some(c.partner_id),
            price_micros: c.price_micros,
            points: c.points,
            remaining: c.points,
            earned_at: c.occurred_at,
            available_at: c.lot.available_at,
            expires_at: c.lot.expires_at,
            matured,
            entry_id,
        },
    )?;
    let repay = if matured {
        lots::debt_repaid(available_before, c.points)
    } else {
        Points::ZERO
    };
    if repay.is_positive() {
        lots::apply_plan(conn, &[(lot_id, repay)], entry_id, None, "debt_repayment")?;
    }
    let at = EntryAt {
        entry_id,
        posted_at: now,
    };
    clearing::record_order(
        conn,
        clearing::ClearingKind::Issue,
        at,
        c.partner_id,
        c.points,
        c.price_micros,
        c.order_id,
    )?;
    Ok((entry_id, lot_id))
}
