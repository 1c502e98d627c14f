//! Unit tests of the earn and claw-back rules, on figures worked out by hand.

use super::*;

#[test]
fn clawback_takes_the_order_first_then_others_then_leaves_a_debt() {
    let p = Points::from;
    let parts = |s: ClawbackSplit| {
        (
            s.from_order.get(),
            s.from_others.get(),
            s.uncovered.get(),
            s.from_pending.get(),
            s.from_available.get(),
        )
    };
    // Pending order lot with 12 left; 9 more from nowhere: a debt of 9.
    assert_eq!(
        parts(clawback_split(p(21), p(12), false, p(0))),
        (12, 0, 9, 12, 9)
    );
    // Matured order lot: everything comes out of the available wallet.
    assert_eq!(
        parts(clawback_split(p(21), p(12), true, p(5))),
        (12, 5, 4, 0, 21)
    );
    // The order's lot was spent: other lots pay.
    assert_eq!(
        parts(clawback_split(p(10), p(0), true, p(50))),
        (0, 10, 0, 0, 10)
    );
    assert_eq!(
        clawback_split(p(0), p(7), false, p(3)),
        ClawbackSplit::default()
    );
}

fn rates(base: i64, bp: i64) -> EarnRates {
    EarnRates {
        base_rate_millipoints: base,
        partner_rate_bp: bp,
        tier_bp: 10_000,
        currency_exponent: 2,
    }
}

#[test]
fn points_are_rounded_down_and_explained() {
    // 42.50 EUR at 1 point per EUR, x2: 85 points exactly.
    let out = compute_points(MoneyMinor::from(4250), "EUR", rates(1000, 20_000)).unwrap();
    assert_eq!(out.points, Points::from(85));
    assert_eq!(out.rules.len(), 2);
    // 42.50 EUR at 1 point per EUR, x1: 42.5, rounded down to 42.
    let out = compute_points(MoneyMinor::from(4250), "EUR", rates(1000, 10_000)).unwrap();
    assert_eq!(out.points, Points::from(42));
    assert_eq!(out.rules.last().unwrap().rule, "round_down");
    assert_eq!(
        out.rules.first().unwrap().description,
        "1 point(s) per EUR spent (network base rate)"
    );
}

#[test]
fn restricted_lines_earn_nothing_and_multiplied_lines_earn_more() {
    let line = |amount: i64, treatment| TreatedLine {
        amount: MoneyMinor::from(amount),
        treatment,
    };
    let id = CategoryId::from;
    // 100.00 EUR at 1 point per EUR: 20.00 of tobacco earns 0, 30.00 of tools at x1.5
    // earns 45, 10.00 of plain lines and the 40.00 no line covers earn 50: 95 points.
    let lines = [
        line(2000, LineTreatment::Restricted { root: id(435) }),
        line(
            3000,
            LineTreatment::Multiplied {
                root: id(1167),
                multiplier_bp: 15_000,
            },
        ),
        line(1000, LineTreatment::Plain),
    ];
    let name = |c: CategoryId| format!("category {c}");
    let out = compute_points_with_lines(
        MoneyMinor::from(10_000),
        "EUR",
        rates(1000, 10_000),
        &lines,
        &name,
    )
    .unwrap();
    assert_eq!(out.points, Points::from(95));
    let codes: Vec<&str> = out.rules.iter().map(|r| r.rule.as_str()).collect();
    assert_eq!(
        codes,
        [
            "network_base_rate",
            "partner_rate",
            "category_multiplier",
            "restricted_category"
        ]
    );
    assert_eq!(
        out.rules[3].description,
        "1 line(s), 20 EUR, in category 435: a restricted category earns nothing"
    );
    assert_eq!(
        out.rules[2].description,
        "x1.5 on category 1167 (1 line(s), 30 EUR)"
    );
    // Only restricted lines: nothing at all.
    let all = [line(10_000, LineTreatment::Restricted { root: id(435) })];
    let out = compute_points_with_lines(
        MoneyMinor::from(10_000),
        "EUR",
        rates(1000, 10_000),
        &all,
        &name,
    )
    .unwrap();
    assert_eq!(out.points, Points::from(0));
}

#[test]
fn huge_results_are_refused_not_wrapped() {
    assert!(compute_points(
        MoneyMinor::from(100_000_000_000),
        "EUR",
        rates(1_000_000, 1_000_000)
    )
    .is_none());
}

#[test]
fn clawback_is_proportional_and_complete_on_full_refund() {
    assert_eq!(
        cumulative_clawback(
            Points::from(85),
            MoneyMinor::from(4250),
            MoneyMinor::from(0)
        )
        .get(),
        0
    );
    // 10.00 of 42.50 refunded: keeps 85*3250/4250 = 65 exactly, claws back 20.
    assert_eq!(
        cumulative_clawback(
            Points::from(85),
            MoneyMinor::from(4250),
            MoneyMinor::from(1000)
        )
        .get(),
        20
    );
    // 10.01 refunded: keeps floor(85*3249/4250) = floor(64.98) = 64, claws back 21.
    assert_eq!(
        cumulative_clawback(
            Points::from(85),
            MoneyMinor::from(4250),
            MoneyMinor::from(1001)
        )
        .get(),
        21
    );
    assert_eq!(
        cumulative_clawback(
            Points::from(85),
            MoneyMinor::from(4250),
            MoneyMinor::from(4250)
        )
        .get(),
        85
    );
}

#[test]
fn currency_codes_are_checked() {
    assert_eq!(currency_exponent("EUR"), Some(2));
    assert_eq!(currency_exponent("JPY"), Some(0));
    assert_eq!(currency_exponent("eur"), None);
    assert_eq!(currency_exponent("EURO"), None);
}

#[test]
fn the_tier_multiplies_before_the_one_rounding_down() {
    let silver = EarnRates {
        tier_bp: 12_500,
        ..rates(1_000, 10_000)
    };
    // 12.34 EUR x1 x1.25 = 15.425 points: 15.
    let out = compute_points(MoneyMinor::from(1_234), "EUR", silver).expect("points");
    assert_eq!(out.points, Points::from(15));
    // 12.34 EUR x2 (partner) x1.5 (gold) = 37.02 points: 37; one rounding, not two.
    let gold = EarnRates {
        tier_bp: 15_000,
        ..rates(1_000, 20_000)
    };
    let out = compute_points(MoneyMinor::from(1_234), "EUR", gold).expect("points");
    assert_eq!(out.points, Points::from(37));
}
