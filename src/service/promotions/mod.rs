//! Promotions: a partner's (funded by it, at its issuance price, on its own sales) or the
//! operator's (funded by the operator, on every partner's sales). Defined here; applied at
//! earn ([`sale`]), taken back by refunds ([`refund`]), given at enrolment ([`welcome`]), and
//! listed for the partner's site ([`urgency`]).

pub mod grant;
pub mod referrals;
pub mod refund;
mod rules;
pub mod sale;
pub mod urgency;
pub mod welcome;

use chrono::{Duration, NaiveDateTime};
use partner_sdk::promotions::{
    Funder, Promotion, PromotionList, PromotionRequest, PromotionRule, PromotionTarget,
    PromotionTargetSummary,
};

use crate::db::queries::promotions::{self as rows, NewPromotion, PromotionRow};
use crate::db::queries::tiers as tier_rows;
use crate::db::{write_tx, DbConn};
use crate::domain::analytics::rfm::Segment;
use crate::domain::clock::utc;
use crate::domain::ids::{MemberId, PartnerId, PromotionId};
use crate::domain::input::{check_range, check_text, TextKind};
use crate::domain::promotions::{check_rule, split_budget, Rule, BUDGET_MAX};
use crate::error::{fail, ApiError, ApiResult, Code};
use crate::service::catalog::taxonomy::TreeCache;
use crate::service::members;

pub(crate) use rules::rule_of;
use rules::{parse_rule, RuleColumns};

/// Longest a promotion may run.
const RUN_DAYS_MAX: i64 = 731;
/// Most members a target list may hold.
const LIST_MAX: usize = 10_000;
/// Most promotions a listing returns.
const LIST_LIMIT: i64 = 200;

/// Who is asking: a partner (its own promotions) or the operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// A partner, for its own promotions.
    Partner(PartnerId),
    /// The operator: creates network-wide promotions, reads every promotion.
    Operator,
}

impl Owner {
    fn partner(self) -> Option<PartnerId> {
        match self {
            Owner::Partner(p) => Some(p),
            Owner::Operator => None,
        }
    }

    /// The promotions this owner may read: a partner its own; the operator all.
    fn reads(self) -> Option<Option<PartnerId>> {
        match self {
            Owner::Partner(p) => Some(Some(p)),
            Owner::Operator => None,
        }
    }
}

/// Creates a promotion.
pub fn create(
    conn: &mut DbConn,
    categories: &TreeCache,
    now: NaiveDateTime,
    owner: Owner,
    req: &PromotionRequest,
) -> ApiResult<Promotion> {
    let name = check_text("name", &req.name, TextKind::Name)?;
    let (starts_at, ends_at) = (req.starts_at.naive_utc(), req.ends_at.naive_utc());
    if ends_at <= starts_at || ends_at <= now {
        return fail(
            Code::InvalidRequest,
            "ends_at: must be after starts_at and in the future",
        );
    }
    if ends_at - starts_at > Duration::days(RUN_DAYS_MAX) {
        return fail(Code::InvalidRequest, "a promotion runs at most two years");
    }
    check_range("priority", req.priority, 0, 1_000)?;
    for (field, value) in [
        ("budget_points", req.budget_points),
        ("per_member_cap_points", req.per_member_cap_points),
    ] {
        if let Some(v) = value {
            check_range(field, v, 1, BUDGET_MAX)?;
        }
    }
    let rule = parse_rule(conn, categories, &req.rule)?;
    check_rule(&rule).map_err(|e| ApiError::new(Code::InvalidAmount, e))?;
    // Points given without a sale, paid by the operator, need a ceiling: every sign-up would
    // otherwise mint spendable points.
    let without_sale = matches!(rule, Rule::Welcome { .. } | Rule::Referral { .. });
    if owner == Owner::Operator && without_sale && req.budget_points.is_none() {
        return fail(
            Code::InvalidRequest,
            "budget_points: a network welcome or referral bonus needs a budget",
        );
    }
    write_tx(conn, |conn| {
        let (target_kind, target_value, listed) = parse_target(conn, owner, &req.target)?;
        let columns = RuleColumns::of(&rule);
        let new = NewPromotion {
            partner_id: owner.partner(),
            name,
            starts_at,
            ends_at,
            target_kind,
            target_value: target_value.as_deref(),
            rule_kind: columns.kind,
            multiplier_bp: columns.multiplier_bp,
            bonus_points: columns.points,
            rule_param: columns.param,
            priority: req.priority,
            exclusive: req.exclusive,
            budget_points: req.budget_points,
            per_member_cap: req.per_member_cap_points,
            created_at: now,
        };
        let shards = req.budget_points.map(split_budget).unwrap_or_default();
        let id = rows::insert(conn, &new, &listed, &shards)?;
        tracing::info!(promotion.id = %id, partner.id = ?owner.partner(), "promotion created");
        get(conn, categories, owner, id)
    })
}

/// A promotion the owner may read; another partner's answers as not found.
pub fn get(
    conn: &mut DbConn,
    categories: &TreeCache,
    owner: Owner,
    id: PromotionId,
) -> ApiResult<Promotion> {
    let row = rows::find(conn, id, owner.reads())?.ok_or_else(not_found)?;
    to_api(conn, categories, &row)
}

/// The owner's promotions, newest first (the operator: every promotion).
pub fn list(conn: &mut DbConn, categories: &TreeCache, owner: Owner) -> ApiResult<PromotionList> {
    let rows = rows::list(conn, owner.reads(), LIST_LIMIT)?;
    let items = rows
        .iter()
        .map(|r| to_api(conn, categories, r))
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(PromotionList { items })
}

/// Ends a promotion now (a promotion not started yet never runs). The bonuses it gave stay.
/// The operator ends its own promotions and may end a partner's.
pub fn end(
    conn: &mut DbConn,
    categories: &TreeCache,
    now: NaiveDateTime,
    owner: Owner,
    id: PromotionId,
) -> ApiResult<Promotion> {
    write_tx(conn, |conn| {
        let row = rows::find(conn, id, owner.reads())?.ok_or_else(not_found)?;
        rows::end_at(conn, id, now.max(row.starts_at))?;
        get(conn, categories, owner, id)
    })
}

fn not_found() -> ApiError {
    ApiError::new(Code::PromotionNotFound, "no such promotion")
}

/// The target's stored kind and value, and the members of a list (a partner's must be linked
/// to it: another's member answers as an unknown number).
fn parse_target(
    conn: &mut DbConn,
    owner: Owner,
    target: &PromotionTarget,
) -> ApiResult<(&'static str, Option<String>, Vec<MemberId>)> {
    Ok(match target {
        PromotionTarget::All => ("all", None, Vec::new()),
        PromotionTarget::Tier { tier } => {
            if !tier_rows::table(conn)?.iter().any(|t| &t.code == tier) {
                return fail(Code::InvalidRequest, "target.tier: no such tier");
            }
            ("tier", Some(tier.clone()), Vec::new())
        }
        PromotionTarget::Segment { segment } => {
            let s = Segment::parse(segment).ok_or_else(|| {
                ApiError::new(
                    Code::InvalidRequest,
                    "target.segment: champions, loyal, new, potential, at_risk, hibernating or lost",
                )
            })?;
            ("segment", Some(s.as_str().to_owned()), Vec::new())
        }
        PromotionTarget::Members { member_numbers } => {
            if member_numbers.is_empty() || member_numbers.len() > LIST_MAX {
                return fail(
                    Code::InvalidRequest,
                    format!("target.member_numbers: 1 to {LIST_MAX}"),
                );
            }
            let mut ids = Vec::with_capacity(member_numbers.len());
            for number in member_numbers {
                let member = match owner {
                    Owner::Partner(p) => members::find_linked(conn, p, number)?,
                    Owner::Operator => members::find(conn, number)?,
                };
                ids.push(member.id);
            }
            ids.sort();
            ids.dedup();
            ("members", None, ids)
        }
    })
}

/// Who pays a promotion's points.
pub(crate) fn funder_of(row: &PromotionRow) -> Funder {
    match row.partner_id {
        Some(_) => Funder::Partner,
        None => Funder::Operator,
    }
}

fn to_api(conn: &mut DbConn, categories: &TreeCache, row: &PromotionRow) -> ApiResult<Promotion> {
    let rule = match rule_of(row)? {
        Rule::Multiplier { multiplier_bp } => PromotionRule::Multiplier { multiplier_bp },
        Rule::FixedBonus { points } => PromotionRule::FixedBonus { points },
        Rule::CategoryBonus {
            category,
            multiplier_bp,
        } => PromotionRule::CategoryBonus {
            category: categories.current(conn)?.path(category),
            multiplier_bp,
        },
        Rule::NthPurchase { n, points } => PromotionRule::NthPurchase { n, points },
        Rule::FirstPurchase { points } => PromotionRule::FirstPurchase { points },
        Rule::Welcome { points } => PromotionRule::Welcome { points },
        Rule::Referral {
            points,
            min_amount_minor,
        } => PromotionRule::Referral {
            points,
            min_amount_minor,
        },
        Rule::MinimumBasket {
            min_amount_minor,
            points,
        } => PromotionRule::MinimumBasket {
            min_amount_minor,
            points,
        },
    };
    let members = if row.target_kind == "members" {
        Some(rows::list_size(conn, row.id)?)
    } else {
        None
    };
    let (granted_points, grants) = rows::granted_total(conn, row.id)?;
    let budget_remaining_points = match row.budget_points {
        Some(_) => Some(rows::budget_left(conn, row.id)?),
        None => None,
    };
    Ok(Promotion {
        promotion_id: row.id.get(),
        funder: funder_of(row),
        partner_id: row.partner_id.map(PartnerId::get),
        name: row.name.clone(),
        starts_at: utc(row.starts_at),
        ends_at: utc(row.ends_at),
        target: PromotionTargetSummary {
            kind: row.target_kind.clone(),
            value: row.target_value.clone(),
            members,
        },
        rule,
        priority: row.priority,
        exclusive: row.exclusive,
        budget_points: row.budget_points,
        budget_remaining_points,
        per_member_cap_points: row.per_member_cap,
        granted_points,
        grants,
        created_at: utc(row.created_at),
    })
}

/// Whether a member is in a promotion's target now (`tier`: the member's tier code).
pub(crate) fn targets(
    conn: &mut DbConn,
    row: &PromotionRow,
    member_id: MemberId,
    tier: &str,
) -> ApiResult<bool> {
    Ok(match row.target_kind.as_str() {
        "all" => true,
        "tier" => row.target_value.as_deref() == Some(tier),
        "segment" => {
            let scope = row
                .partner_id
                .unwrap_or_else(crate::service::analytics::segments::network);
            rows::segment_of(conn, scope, member_id)?.as_deref() == row.target_value.as_deref()
        }
        "members" => rows::listed(conn, row.id, member_id)?,
        _ => false,
    })
}
