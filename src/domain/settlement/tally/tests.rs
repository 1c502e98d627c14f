//! Unit tests of the tally, on figures worked out by hand.

use super::*;

fn pid(id: i64) -> PartnerId {
    PartnerId::from(id)
}

fn event(
    kind: ClearingKind,
    partner: Option<i64>,
    issuer: Option<i64>,
    price: i64,
    points: i64,
) -> ClearingTotal {
    ClearingTotal {
        kind,
        partner: partner.map(pid),
        issuer: issuer.map(pid),
        price: PriceMicros::from(price),
        points: Points::from(points),
        events: 1,
        promotion: false,
    }
}

fn acc(points: i64, micros: i64) -> Acc {
    Acc {
        points: Points::from(points),
        value: Points::from(micros).value_at(PriceMicros::from(1)),
    }
}

/// Books (1) issues 100 at 8,000 and claws 10 back; coffee (2) redeems 30 of them and 5 of
/// the operator's at 6,000, then reverses 4 of books'; 7 of books' points expire.
fn period() -> Vec<ClearingTotal> {
    use ClearingKind::*;
    vec![
        event(Issue, Some(1), Some(1), 8_000, 100),
        event(Clawback, Some(1), Some(1), 8_000, 10),
        event(Redeem, Some(2), Some(1), 6_000, 30),
        event(Redeem, Some(2), None, 6_000, 5),
        event(Reverse, Some(2), Some(1), 6_000, 4),
        event(Breakage, None, Some(1), 8_000, 7),
    ]
}

#[test]
fn each_partner_gets_its_lines_exactly_in_micros() {
    let f = tally(&period()).unwrap();
    assert_eq!(f.events, 6);
    let books = &f.by_partner[&pid(1)];
    assert_eq!(books.issued, acc(100, 800_000));
    assert_eq!(books.clawed_back, acc(10, 80_000));
    assert_eq!(books.breakage, acc(7, 56_000));
    assert_eq!(
        books.out_flows[&pid(2)],
        26,
        "30 redeemed at coffee, 4 reversed"
    );
    assert_eq!(books.net_value().unwrap().get(), 720_000);
    let coffee = &f.by_partner[&pid(2)];
    assert_eq!(coffee.redeemed, acc(35, 210_000));
    assert_eq!(coffee.reversed, acc(4, 24_000));
    assert_eq!(coffee.in_flows[&Some(pid(1))], 26);
    assert_eq!(coffee.in_flows[&None], 5);
    assert_eq!(coffee.net_value().unwrap().get(), -186_000);
    assert_eq!(f.operator_redeemed, acc(5, 30_000));
    assert_eq!(f.breakage[&Some(pid(1))].points, Points::from(7));
}

#[test]
fn a_partner_promotion_is_billed_apart_from_its_sales() {
    use ClearingKind::*;
    let promo = |kind, points| ClearingTotal {
        promotion: true,
        ..event(kind, Some(1), Some(1), 8_000, points)
    };
    // Books issues 100 sale points and 100 bonus points of its double-points weekend at
    // 8,000 micros; a refund takes back 10 of each: it owes 180 x 0.008 = 1.44.
    let f = tally(&[
        event(Issue, Some(1), Some(1), 8_000, 100),
        promo(Issue, 100),
        event(Clawback, Some(1), Some(1), 8_000, 10),
        promo(Clawback, 10),
    ])
    .unwrap();
    let books = &f.by_partner[&pid(1)];
    assert_eq!(books.issued, acc(100, 800_000));
    assert_eq!(books.promotions_issued, acc(100, 800_000));
    assert_eq!(books.promotions_clawed_back, acc(10, 80_000));
    assert_eq!(books.net_value().unwrap().get(), 1_440_000);
}

#[test]
fn an_operator_funded_reversal_gives_the_operator_its_points_back() {
    use ClearingKind::*;
    let f = tally(&[
        event(Redeem, Some(2), None, 6_000, 5),
        event(Reverse, Some(2), None, 6_000, 2),
    ])
    .unwrap();
    assert_eq!(f.operator_redeemed, acc(3, 18_000));
    assert_eq!(f.matrix[&(None, pid(2))], 3);
}

#[test]
fn the_matrix_columns_add_up_to_what_each_shop_redeemed_net() {
    let f = tally(&period()).unwrap();
    let m = matrix(&f.matrix).unwrap();
    assert_eq!(m.columns, vec![pid(2)]);
    assert_eq!(m.column_totals, vec![31]);
    assert_eq!(m.total, 31);
    assert_eq!(
        m.rows,
        vec![(None, vec![5], 5), (Some(pid(1)), vec![26], 26)]
    );
}

#[test]
fn an_event_without_its_partner_or_beyond_i64_is_refused() {
    use ClearingKind::*;
    assert_eq!(
        tally(&[event(Issue, None, Some(1), 8_000, 1)]),
        Err(TallyError::EventWithoutPartner(Issue))
    );
    let huge = event(Issue, Some(1), Some(1), i64::MAX, i64::MAX);
    let f = tally(&[huge]).unwrap();
    assert_eq!(
        f.by_partner[&pid(1)].issued.line(),
        Err(TallyError::Overflow),
        "micros beyond i64 overflow"
    );
    let twice = [
        event(Issue, Some(1), Some(1), 1, i64::MAX),
        event(Issue, Some(1), Some(1), 1, 1),
    ];
    assert_eq!(
        tally(&twice),
        Err(TallyError::Overflow),
        "points beyond i64"
    );
    let cells = BTreeMap::from([((None, pid(1)), i64::MAX), ((None, pid(2)), 1)]);
    assert_eq!(
        matrix(&cells),
        Err(TallyError::Overflow),
        "a row beyond i64"
    );
}
