//! Unit tests of the promotion rules, on figures worked out by hand.

use super::*;
use crate::domain::limits::POINTS_MAX;

/// 1 point per EUR, partner x1, tier x1.25 (silver).
fn rates() -> EarnRates {
    EarnRates {
        base_rate_millipoints: 1_000,
        partner_rate_bp: 10_000,
        tier_bp: 12_500,
        currency_exponent: 2,
    }
}

/// A sale of 80.00 EUR without lines (weight x1 everywhere), the member's 10th purchase since
/// the start and their 10th ever (9 before).
fn sale() -> SaleFacts {
    SaleFacts {
        rates: rates(),
        points: 100,
        amount_minor: 8_000,
        weighted_bp: 8_000 * 10_000,
        category_weighted_bp: 0,
        purchases_since_start: 10,
        purchases_before: 9,
    }
}

fn points(rule: Rule, facts: &SaleFacts) -> Option<i64> {
    sale_bonus(&rule, facts).map(|(p, _)| p)
}

#[test]
fn a_multiplier_gives_the_sale_points_again_times_its_excess() {
    // The sale earns 80 x 1.25 = 100 points; x2 gives 100 more, x1.5 gives 50, x1.33 gives
    // 100 x 0.33 = 33.
    assert_eq!(
        points(
            Rule::Multiplier {
                multiplier_bp: 20_000
            },
            &sale()
        ),
        Some(100)
    );
    assert_eq!(
        points(
            Rule::Multiplier {
                multiplier_bp: 15_000
            },
            &sale()
        ),
        Some(50)
    );
    assert_eq!(
        points(
            Rule::Multiplier {
                multiplier_bp: 13_300
            },
            &sale()
        ),
        Some(33)
    );
    // 0.99 EUR at x1.25 is 1.2375 points: the sale earns 1; x2 gives floor(1.2375) = 1 more.
    let small = SaleFacts {
        points: 1,
        amount_minor: 99,
        weighted_bp: 99 * 10_000,
        ..sale()
    };
    assert_eq!(
        points(
            Rule::Multiplier {
                multiplier_bp: 20_000
            },
            &small
        ),
        Some(1)
    );
    let (_, why) = sale_bonus(
        &Rule::Multiplier {
            multiplier_bp: 15_000,
        },
        &sale(),
    )
    .unwrap();
    assert_eq!(why, "x1.5 on the sale's points");
}

#[test]
fn a_bonus_never_exceeds_what_one_sale_may_earn() {
    // A x10 on a sale of a billion points would give nine billion: capped at one billion.
    let huge = SaleFacts {
        points: POINTS_MAX,
        amount_minor: 80_000_000_000,
        weighted_bp: 80_000_000_000 * 10_000,
        ..sale()
    };
    assert_eq!(
        points(
            Rule::Multiplier {
                multiplier_bp: 100_000
            },
            &huge
        ),
        Some(POINTS_MAX)
    );
}

#[test]
fn a_category_bonus_counts_only_the_lines_in_its_subtree() {
    // 30.00 of the sale in the category, at weight x1: 30 x 1.25 = 37.5 points; x3 gives
    // 2 x 37.5 = 75.
    let facts = SaleFacts {
        category_weighted_bp: 3_000 * 10_000,
        ..sale()
    };
    let rule = |bp| Rule::CategoryBonus {
        category: CategoryId::from(1),
        multiplier_bp: bp,
    };
    assert_eq!(points(rule(30_000), &facts), Some(75));
    // x1.5: 0.5 x 37.5 = 18.75, rounded down.
    assert_eq!(points(rule(15_000), &facts), Some(18));
    assert_eq!(
        points(rule(30_000), &sale()),
        None,
        "no line in the category"
    );
}

#[test]
fn the_nth_purchase_pays_on_every_nth_only() {
    let rule = Rule::NthPurchase { n: 10, points: 400 };
    assert_eq!(points(rule, &sale()), Some(400), "the 10th");
    for count in [1, 9, 11, 19] {
        let facts = SaleFacts {
            purchases_since_start: count,
            ..sale()
        };
        assert_eq!(points(rule, &facts), None, "purchase {count}");
    }
    let twentieth = SaleFacts {
        purchases_since_start: 20,
        ..sale()
    };
    assert_eq!(points(rule, &twentieth), Some(400));
    assert_eq!(
        sale_bonus(&rule, &twentieth).unwrap().1,
        "purchase number 20 (every 10)"
    );
}

#[test]
fn first_purchase_fixed_and_minimum_basket() {
    let first = Rule::FirstPurchase { points: 250 };
    assert_eq!(points(first, &sale()), None, "9 purchases before");
    let new = SaleFacts {
        purchases_before: 0,
        ..sale()
    };
    assert_eq!(points(first, &new), Some(250));
    assert_eq!(points(Rule::FixedBonus { points: 30 }, &sale()), Some(30));
    let basket = |min| Rule::MinimumBasket {
        min_amount_minor: min,
        points: 70,
    };
    assert_eq!(
        points(basket(8_000), &sale()),
        Some(70),
        "exactly the minimum"
    );
    assert_eq!(points(basket(8_001), &sale()), None);
    assert_eq!(
        points(Rule::Welcome { points: 100 }, &sale()),
        None,
        "not a sale rule"
    );
}

#[test]
fn a_sale_that_earns_nothing_gets_no_bonus() {
    // Only restricted lines (weight 0), or a sale too small to earn a point.
    let restricted = SaleFacts {
        points: 0,
        weighted_bp: 0,
        ..sale()
    };
    let tiny = SaleFacts {
        points: 0,
        amount_minor: 1,
        weighted_bp: 10_000,
        ..sale()
    };
    for facts in [restricted, tiny] {
        assert_eq!(points(Rule::FixedBonus { points: 30 }, &facts), None);
        assert_eq!(
            points(
                Rule::MinimumBasket {
                    min_amount_minor: 1,
                    points: 30
                },
                &facts
            ),
            None
        );
        assert_eq!(points(Rule::FirstPurchase { points: 30 }, &facts), None);
    }
}

#[test]
fn rules_out_of_bounds_are_refused() {
    assert!(
        check_rule(&Rule::Multiplier {
            multiplier_bp: 10_000
        })
        .is_err(),
        "x1 gives nothing"
    );
    assert!(check_rule(&Rule::Multiplier {
        multiplier_bp: 100_001
    })
    .is_err());
    assert!(check_rule(&Rule::Multiplier {
        multiplier_bp: 20_000
    })
    .is_ok());
    assert!(check_rule(&Rule::NthPurchase { n: 1, points: 5 }).is_err());
    assert!(check_rule(&Rule::NthPurchase { n: 2, points: 5 }).is_ok());
    assert!(check_rule(&Rule::FixedBonus { points: 0 }).is_err());
    assert!(check_rule(&Rule::Welcome {
        points: BONUS_POINTS_MAX + 1
    })
    .is_err());
    assert!(check_rule(&Rule::MinimumBasket {
        min_amount_minor: 0,
        points: 5
    })
    .is_err());
}

fn c(priority: i64, id: i64, exclusive: bool, points: Option<i64>) -> Stackable {
    Stackable {
        priority,
        id,
        exclusive,
        points,
    }
}

#[test]
fn stacking_follows_priority_then_age_and_stops_at_an_exclusive_one() {
    // All stack: priority order, ties by id; those that give nothing are left out.
    assert_eq!(
        stack(vec![
            c(100, 3, false, Some(5)),
            c(10, 7, false, Some(1)),
            c(100, 1, false, Some(2)),
            c(50, 2, false, None),
            c(60, 4, false, Some(0)),
        ]),
        vec![7, 1, 3]
    );
    // An exclusive one first: it alone applies.
    assert_eq!(
        stack(vec![c(1, 1, true, Some(5)), c(2, 2, false, Some(5))]),
        vec![1]
    );
    // An exclusive one after another applied: it does not apply, and ends the stack.
    assert_eq!(
        stack(vec![
            c(1, 1, false, Some(5)),
            c(2, 2, true, Some(50)),
            c(3, 3, false, Some(5))
        ]),
        vec![1]
    );
    // An exclusive one that does not apply to the sale does not end the stack.
    assert_eq!(
        stack(vec![c(1, 1, true, None), c(2, 2, false, Some(5))]),
        vec![2]
    );
}

#[test]
fn caps_cut_a_bonus_to_what_is_left() {
    assert_eq!(capped(100, None, 1_000), 100);
    assert_eq!(capped(100, Some(250), 200), 50);
    assert_eq!(capped(100, Some(250), 250), 0);
    assert_eq!(capped(100, Some(250), 300), 0, "never negative");
    assert_eq!(capped(100, Some(250), 0), 100);
}

#[test]
fn a_budget_splits_into_shards_that_add_up_to_it() {
    let shards = split_budget(1_000);
    assert_eq!(shards.len(), 16);
    assert_eq!(shards.first(), Some(&(62 + 8)), "1,000 = 16 x 62 + 8");
    assert!(shards.iter().skip(1).all(|s| *s == 62));
    assert_eq!(shards.iter().sum::<i64>(), 1_000);
    assert_eq!(split_budget(5).iter().sum::<i64>(), 5);
    assert_eq!(shard_of(17), 1);
    assert_eq!(shard_of(-1), 15);
}
