//! A promotion's rule on the wire, in the domain, and in its stored columns.

use partner_sdk::promotions::PromotionRule;

use crate::db::queries::promotions::PromotionRow;
use crate::db::DbConn;
use crate::domain::ids::CategoryId;
use crate::domain::input::{check_text, TextKind};
use crate::domain::promotions::Rule;
use crate::error::{ApiError, ApiResult, Code};
use crate::service::catalog::taxonomy::TreeCache;

pub(super) fn parse_rule(
    conn: &mut DbConn,
    categories: &TreeCache,
    rule: &PromotionRule,
) -> ApiResult<Rule> {
    Ok(match rule {
        PromotionRule::Multiplier { multiplier_bp } => Rule::Multiplier {
            multiplier_bp: *multiplier_bp,
        },
        PromotionRule::FixedBonus { points } => Rule::FixedBonus { points: *points },
        PromotionRule::CategoryBonus {
            category,
            multiplier_bp,
        } => {
            let text = check_text("rule.category", category, TextKind::Label)?;
            let tree = categories.current(conn)?;
            let category = tree.taxonomy.resolve(text).ok_or_else(|| {
                ApiError::new(
                    Code::CategoryNotFound,
                    "rule.category: no such category (a Google id or path)",
                )
            })?;
            Rule::CategoryBonus {
                category,
                multiplier_bp: *multiplier_bp,
            }
        }
        PromotionRule::NthPurchase { n, points } => Rule::NthPurchase {
            n: *n,
            points: *points,
        },
        PromotionRule::FirstPurchase { points } => Rule::FirstPurchase { points: *points },
        PromotionRule::Welcome { points } => Rule::Welcome { points: *points },
        PromotionRule::Referral {
            points,
            min_amount_minor,
        } => Rule::Referral {
            points: *points,
            min_amount_minor: *min_amount_minor,
        },
        PromotionRule::MinimumBasket {
            min_amount_minor,
            points,
        } => Rule::MinimumBasket {
            min_amount_minor: *min_amount_minor,
            points: *points,
        },
    })
}

/// A rule laid out in the promotion's columns: `param` is its condition (the category, N, or
/// the smallest basket).
pub(super) struct RuleColumns {
    pub(super) kind: &'static str,
    pub(super) multiplier_bp: Option<i64>,
    pub(super) points: Option<i64>,
    pub(super) param: Option<i64>,
}

impl RuleColumns {
    pub(super) fn of(rule: &Rule) -> RuleColumns {
        let mut c = RuleColumns {
            kind: "",
            multiplier_bp: None,
            points: None,
            param: None,
        };
        match *rule {
            Rule::Multiplier { multiplier_bp } => {
                c.kind = "multiplier";
                c.multiplier_bp = Some(multiplier_bp);
            }
            Rule::FixedBonus { points } => (c.kind, c.points) = ("fixed_bonus", Some(points)),
            Rule::CategoryBonus {
                category,
                multiplier_bp,
            } => {
                c.kind = "category_bonus";
                c.param = Some(category.get());
                c.multiplier_bp = Some(multiplier_bp);
            }
            Rule::NthPurchase { n, points } => {
                c.kind = "nth_purchase";
                (c.param, c.points) = (Some(n), Some(points));
            }
            Rule::FirstPurchase { points } => {
                (c.kind, c.points) = ("first_purchase", Some(points));
            }
            Rule::Welcome { points } => (c.kind, c.points) = ("welcome", Some(points)),
            Rule::Referral {
                points,
                min_amount_minor,
            } => {
                c.kind = "referral";
                (c.param, c.points) = (Some(min_amount_minor), Some(points));
            }
            Rule::MinimumBasket {
                min_amount_minor,
                points,
            } => {
                c.kind = "minimum_basket";
                (c.param, c.points) = (Some(min_amount_minor), Some(points));
            }
        }
        c
    }
}

/// The rule stored in a promotion's columns.
pub(crate) fn rule_of(row: &PromotionRow) -> ApiResult<Rule> {
    let bad = || ApiError::internal(format!("promotion {} has a malformed rule", row.id));
    let points = || row.bonus_points.ok_or_else(bad);
    let bp = || row.multiplier_bp.ok_or_else(bad);
    let param = || row.rule_param.ok_or_else(bad);
    Ok(match row.rule_kind.as_str() {
        "multiplier" => Rule::Multiplier {
            multiplier_bp: bp()?,
        },
        "fixed_bonus" => Rule::FixedBonus { points: points()? },
        "category_bonus" => Rule::CategoryBonus {
            category: CategoryId::from(param()?),
            multiplier_bp: bp()?,
        },
        "nth_purchase" => Rule::NthPurchase {
            n: param()?,
            points: points()?,
        },
        "first_purchase" => Rule::FirstPurchase { points: points()? },
        "welcome" => Rule::Welcome { points: points()? },
        "referral" => Rule::Referral {
            points: points()?,
            min_amount_minor: param()?,
        },
        "minimum_basket" => Rule::MinimumBasket {
            min_amount_minor: param()?,
            points: points()?,
        },
        _ => return Err(bad()),
    })
}
