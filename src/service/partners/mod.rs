//! Partners as the operator manages them: profile, contract versions, API keys ([`keys`]),
//! and a partner's own journal entries.

pub mod keys;
pub mod lifecycle;

pub use keys::{issue_key, list_keys, revoke_key};

use chrono::NaiveDateTime;

use diesel::Connection;

use crate::db::queries::catalog::reports::{self as category_rows, CategoryRuleRow};
use crate::db::queries::catalog::taxonomy as taxonomy_rows;
use crate::db::queries::partners::{self as rows, ContractRow, NewContract, PartnerRow};
use crate::db::{is_unique_violation, write_tx, DbConn};
use crate::domain::clock::utc;
use crate::domain::ids::{CategoryId, EntryId, MemberId, PartnerId};
use crate::domain::input::{check_range, check_slug, check_text, TextKind};
use crate::domain::limits::{
    EARN_RATE_BP_MAX, PERIOD_FEE_MINOR_MAX, PRICE_MICROS_MAX, RETURN_WINDOW_DAYS_MAX,
};
use crate::error::{fail, ApiError, ApiResult, Code};
use crate::http::partners::json::{
    CategoryRule, Contract, ContractTerms, CreatePartnerRequest, Partner, PartnerPage,
};
use crate::service::platform::settings;

fn contract_view(conn: &mut DbConn, c: ContractRow) -> ApiResult<Contract> {
    let category_rules = category_rows::category_rules(conn, c.id)?
        .into_iter()
        .map(|r| CategoryRule {
            category_id: r.category_id.get(),
            multiplier_bp: r.multiplier_bp,
            exclusive: r.exclusive,
        })
        .collect();
    Ok(Contract {
        category_rules,
        ..Contract::from(c)
    })
}

impl From<ContractRow> for Contract {
    fn from(c: ContractRow) -> Contract {
        Contract {
            category_rules: Vec::new(),
            effective_from: utc(c.effective_from),
            currency: c.currency,
            earn_rate_bp: c.earn_rate_bp,
            issuance_price_micros: c.issuance_price_micros.get(),
            redemption_price_micros: c.redemption_price_micros.get(),
            return_window_days: c.return_window_days,
            period_fee_minor: c.period_fee_minor.get(),
        }
    }
}

fn validate_terms(terms: &ContractTerms, now: NaiveDateTime) -> ApiResult<NaiveDateTime> {
    check_range("earn_rate_bp", terms.earn_rate_bp, 0, EARN_RATE_BP_MAX)?;
    check_range(
        "issuance_price_micros",
        terms.issuance_price_micros,
        1,
        PRICE_MICROS_MAX,
    )?;
    check_range(
        "redemption_price_micros",
        terms.redemption_price_micros,
        1,
        PRICE_MICROS_MAX,
    )?;
    check_range(
        "return_window_days",
        terms.return_window_days,
        0,
        RETURN_WINDOW_DAYS_MAX,
    )?;
    check_range(
        "period_fee_minor",
        terms.period_fee_minor,
        0,
        PERIOD_FEE_MINOR_MAX,
    )?;
    check_category_rules(&terms.category_rules)?;
    if terms.redemption_price_micros > terms.issuance_price_micros {
        return fail(
            Code::InvalidRequest,
            "the redemption price may not exceed the issuance price",
        );
    }
    let from = terms.effective_from.map(|t| t.naive_utc()).unwrap_or(now);
    if from < now - chrono::Duration::minutes(1) {
        return fail(
            Code::InvalidRequest,
            "a contract cannot start in the past: that would re-price history",
        );
    }
    Ok(from.max(now))
}

/// Most category rules in one contract.
pub const CATEGORY_RULES_MAX: usize = 100;

fn check_category_rules(rules: &[CategoryRule]) -> ApiResult<()> {
    if rules.len() > CATEGORY_RULES_MAX {
        return fail(
            Code::InvalidRequest,
            format!("at most {CATEGORY_RULES_MAX} category rules"),
        );
    }
    let mut seen = std::collections::BTreeSet::new();
    for (i, rule) in rules.iter().enumerate() {
        if !seen.insert(rule.category_id) {
            return fail(
                Code::InvalidRequest,
                format!(
                    "category_rules[{i}]: category {} is given twice",
                    rule.category_id
                ),
            );
        }
        if let Some(bp) = rule.multiplier_bp {
            check_range(
                &format!("category_rules[{i}].multiplier_bp"),
                bp,
                0,
                EARN_RATE_BP_MAX,
            )?;
        } else if !rule.exclusive {
            return fail(
                Code::InvalidRequest,
                format!("category_rules[{i}]: give a multiplier_bp, exclusive: true, or both"),
            );
        }
    }
    Ok(())
}

fn load_view(conn: &mut DbConn, row: PartnerRow, now: NaiveDateTime) -> ApiResult<Partner> {
    let current = match rows::contract_at(conn, row.id, now)? {
        Some(c) => Some(contract_view(conn, c)?),
        None => None,
    };
    let history = rows::contracts(conn, row.id)?
        .into_iter()
        .map(|c| contract_view(conn, c))
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(Partner {
        id: row.id.get(),
        slug: row.slug,
        name: row.name,
        universe: row.universe,
        status: row.status,
        created_at: utc(row.created_at),
        contract: current,
        contract_history: history,
    })
}

/// Admits a partner with its first contract.
pub fn create(
    conn: &mut DbConn,
    now: NaiveDateTime,
    actor: &str,
    req: &CreatePartnerRequest,
) -> ApiResult<Partner> {
    check_slug("slug", &req.slug)?;
    let name = check_text("name", &req.name, TextKind::Name)?;
    let universe = check_text("universe", &req.universe, TextKind::Name)?;
    let status = match req.status.as_deref() {
        None | Some("active") => "active",
        Some("applied") => "applied",
        Some(_) => return fail(Code::InvalidRequest, "status must be active or applied"),
    };
    let from = validate_terms(&req.contract, now)?;
    write_tx(conn, |conn| {
        let currency = settings::load(conn)?.currency;
        let id = match conn
            .transaction(|conn| rows::insert_partner(conn, &req.slug, name, universe, status, now))
        {
            Ok(id) => id,
            Err(e) if is_unique_violation(&e) => return fail(Code::Conflict, "this slug is taken"),
            Err(e) => return Err(e.into()),
        };
        insert_contract(conn, id, &currency, &req.contract, from.min(now), now)?;
        let reason = if status == "active" {
            "admitted at creation, without a compatibility report"
        } else {
            "application registered"
        };
        let transition = lifecycle::Transition {
            from: None,
            to: status,
            actor,
            reason,
            report_id: None,
            override_conflict: false,
        };
        lifecycle::record(conn, id, transition, now)?;
        let row = rows::partner(conn, id)?.ok_or_else(|| ApiError::internal("partner vanished"))?;
        load_view(conn, row, now)
    })
}

fn insert_contract(
    conn: &mut DbConn,
    partner_id: PartnerId,
    currency: &str,
    terms: &ContractTerms,
    from: NaiveDateTime,
    now: NaiveDateTime,
) -> ApiResult<()> {
    let contract_id = rows::insert_contract(
        conn,
        &NewContract {
            partner_id,
            effective_from: from,
            currency,
            earn_rate_bp: terms.earn_rate_bp,
            issuance_price_micros: terms.issuance_price_micros.into(),
            redemption_price_micros: terms.redemption_price_micros.into(),
            return_window_days: terms.return_window_days,
            period_fee_minor: terms.period_fee_minor.into(),
            created_at: now,
        },
    )?;
    let mut rules = Vec::with_capacity(terms.category_rules.len());
    for rule in &terms.category_rules {
        let category_id = CategoryId::from(rule.category_id);
        if taxonomy_rows::category(conn, category_id)?.is_none() {
            return fail(
                Code::CategoryNotFound,
                format!("no category {category_id} for a contract rule"),
            );
        }
        rules.push(CategoryRuleRow {
            contract_id,
            category_id,
            multiplier_bp: rule.multiplier_bp,
            exclusive: rule.exclusive,
        });
    }
    category_rows::insert_category_rules(conn, &rules)?;
    Ok(())
}

/// Adds a contract version; points already issued keep the price stamped on their lots.
pub fn change_contract(
    conn: &mut DbConn,
    now: NaiveDateTime,
    partner_id: PartnerId,
    terms: &ContractTerms,
) -> ApiResult<Partner> {
    let from = validate_terms(terms, now)?;
    write_tx(conn, |conn| {
        let row = find(conn, partner_id)?;
        let currency = settings::load(conn)?.currency;
        insert_contract(conn, partner_id, &currency, terms, from, now)?;
        load_view(conn, row, now)
    })
}

pub(super) fn find(conn: &mut DbConn, partner_id: PartnerId) -> ApiResult<PartnerRow> {
    rows::partner(conn, partner_id)?
        .ok_or_else(|| ApiError::new(Code::PartnerNotFound, "no such partner"))
}

/// One partner.
pub fn get(conn: &mut DbConn, now: NaiveDateTime, partner_id: PartnerId) -> ApiResult<Partner> {
    let row = find(conn, partner_id)?;
    load_view(conn, row, now)
}

/// Partners in id order.
pub fn list(
    conn: &mut DbConn,
    now: NaiveDateTime,
    cursor: Option<i64>,
    limit: i64,
) -> ApiResult<PartnerPage> {
    let rows_page = rows::partner_page(conn, PartnerId::from(cursor.unwrap_or(0)), limit)?;
    let full = rows_page.len() == usize::try_from(limit).unwrap_or(0);
    let items = rows_page
        .into_iter()
        .map(|r| load_view(conn, r, now))
        .collect::<ApiResult<Vec<_>>>()?;
    let next_cursor = full
        .then(|| items.last().map(|p| p.id.to_string()))
        .flatten();
    Ok(PartnerPage { items, next_cursor })
}

/// The partner's own journal entries, oldest first: earns and refunds of its orders, redemptions at
/// its shops. `points` is the member's side: credited positive, taken negative.
pub fn entries(
    conn: &mut DbConn,
    partner_id: PartnerId,
    cursor: Option<i64>,
    limit: i64,
) -> ApiResult<partner_sdk::types::PartnerEntryPage> {
    use crate::db::queries::ledger::journal;
    use crate::service::ledger::account;
    use partner_sdk::types::EntryKind;
    let page = journal::partner_page(conn, partner_id, EntryId::from(cursor.unwrap_or(0)), limit)?;
    let ids: Vec<EntryId> = page.iter().map(|(e, _)| e.id).collect();
    let postings = journal::postings_of(conn, &ids)?;
    let items: Vec<partner_sdk::types::PartnerEntry> = page
        .into_iter()
        .map(|(e, member_number)| {
            // The member's side of the entry in network points (a partner's own currency is not
            // counted): its total (available + pending + held) and its held part. Points only
            // ever move between a member and a partner or the network here.
            let member_side = |accounts: &[&str]| -> i64 {
                postings
                    .iter()
                    .filter(|p| {
                        p.entry_id == e.id
                            && Some(p.owner_id) == e.member_id.map(MemberId::get)
                            && p.asset == crate::service::ledger::PTS
                    })
                    .filter(|p| accounts.contains(&p.account.as_str()))
                    .map(|p| p.amount)
                    .sum()
            };
            let points = member_side(&[
                account::MEMBER_AVAILABLE,
                account::MEMBER_PENDING,
                account::MEMBER_HELD,
            ]);
            let held_points = member_side(&[account::MEMBER_HELD]);
            let reference = match e.kind.as_str() {
                "refund" => e
                    .memo
                    .clone()
                    .map(|o| format!("{o}/{}", e.reference))
                    .unwrap_or(e.reference.clone()),
                _ => e.reference.clone(),
            };
            let kind = EntryKind::parse(&e.kind)
                .ok_or_else(|| ApiError::internal(format!("stored entry kind {}", e.kind)))?;
            Ok(partner_sdk::types::PartnerEntry {
                entry_id: e.id.get(),
                kind,
                member_number,
                points,
                held_points,
                reference,
                posted_at: utc(e.posted_at),
            })
        })
        .collect::<ApiResult<_>>()?;
    let next_cursor = (items.len() == usize::try_from(limit).unwrap_or(0))
        .then(|| items.last().map(|t| t.entry_id.to_string()))
        .flatten();
    Ok(partner_sdk::types::PartnerEntryPage { items, next_cursor })
}
