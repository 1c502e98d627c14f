//! The program's figures, network-wide and for one partner, against a small scenario worked out
//! by hand.

use reqwest::Method;

use crate::both_backends;
use crate::helpers::requests::refund;
use crate::helpers::{link, sale, TestApp};

async fn the_program_figures_match_a_scenario_worked_out_by_hand(app: &TestApp) {
    let cafe = app.partner("cafe", 10_000, 0).await;
    let books = app.partner("books", 10_000, 0).await;
    let mut members = Vec::new();
    for name in ["a", "b", "c"] {
        let (number, token) = app.member(&format!("{name}@example.com")).await;
        link(&cafe, &number).await;
        link(&books, &number).await;
        members.push((number, token));
    }
    let (a, b, c) = (&members[0], &members[1], &members[2]);
    // a: two orders at the cafe (100 + 50 points); b: one at the bookshop (200); c: one at the
    // cafe (30), wholly refunded.
    cafe.client
        .earn(&sale(&a.0, "a-1", 10_000))
        .await
        .expect("earn");
    cafe.client
        .earn(&sale(&a.0, "a-2", 5_000))
        .await
        .expect("earn");
    books
        .client
        .earn(&sale(&b.0, "b-1", 20_000))
        .await
        .expect("earn");
    cafe.client
        .earn(&sale(&c.0, "c-1", 3_000))
        .await
        .expect("earn");
    cafe.client
        .refund(&refund("c-1", "r-1", 3_000))
        .await
        .expect("refund");
    // a spends 40 of the cafe's points at the bookshop; b 20 of the bookshop's at the cafe.
    app.spend(&books, &a.0, &a.1, 40, None).await;
    app.spend(&cafe, &b.0, &b.1, 20, None).await;

    let (status, n) = app
        .operator(Method::GET, "/v1/operator/analytics", None)
        .await;
    assert_eq!(status, 200, "{n}");
    let figures = |v: &serde_json::Value, keys: &[&str]| -> Vec<i64> {
        keys.iter().map(|k| v[*k].as_i64().unwrap_or(-1)).collect()
    };
    let keys = [
        "active_members_90d",
        "buying_members",
        "repeat_purchase_rate_ppm",
        "revenue_minor",
        "points_issued",
        "points_redeemed",
        "redemption_rate_ppm",
        "breakage_points",
        "outstanding_points",
        "outstanding_micros",
        "program_cost_micros",
    ];
    // Network: buyers a and b (c's order was returned), one of two repeats; 350 points issued
    // net (380 less 30), 60 redeemed (60/350 = 171,428 ppm), 290 outstanding valued at 6,000
    // micros, paid for at 8,000 micros each.
    assert_eq!(
        figures(&n, &keys),
        [2, 2, 500_000, 35_000, 350, 60, 171_428, 0, 290, 1_740_000, 2_800_000]
    );
    assert_eq!(
        (
            n["cross_shopping"]["redeemed_here_issued_elsewhere"].as_i64(),
            n["cross_shopping"]["issued_here_redeemed_elsewhere"].as_i64()
        ),
        (Some(60), Some(60))
    );
    // Two buyers: the top 1 to 20 % is b alone, 200.00 of 350.00.
    let shares: Vec<i64> = n["revenue_concentration"]
        .as_array()
        .expect("concentration")
        .iter()
        .map(|c| c["revenue_share_ppm"].as_i64().unwrap_or(-1))
        .collect();
    assert_eq!(shares, [571_428; 4]);
    // Retention: 13 monthly cohorts; this month's holds a and b, with no month after it yet.
    let cohorts = n["retention"].as_array().expect("retention");
    let this_month = app.state.clock.now().format("%Y-%m").to_string();
    assert_eq!(cohorts.len(), 13);
    let last = cohorts.last().expect("a cohort");
    assert_eq!(
        (
            last["month"].as_str(),
            last["members"].as_i64(),
            last["retained_ppm"].as_array().map(Vec::len)
        ),
        (Some(this_month.as_str()), Some(2), Some(0))
    );

    // The cafe's own: a alone buys (twice); it issued 150 net, 40 of them redeemed at the
    // bookshop; 20 of the bookshop's were redeemed at the cafe; 110 of its points outstanding.
    let mine = cafe.client.analytics().await.expect("analytics");
    assert_eq!(
        (
            mine.buying_members,
            mine.repeat_purchase_rate_ppm,
            mine.revenue_minor,
            mine.points_issued,
            mine.points_redeemed,
            mine.redemption_rate_ppm,
            mine.outstanding_points,
            mine.outstanding_micros,
            mine.program_cost_micros,
        ),
        (1, 1_000_000, 15_000, 150, 40, 266_666, 110, 660_000, 1_200_000)
    );
    assert_eq!(
        (
            mine.cross_shopping.redeemed_here_issued_elsewhere,
            mine.cross_shopping.issued_here_redeemed_elsewhere
        ),
        (20, 40)
    );
    // The operator reads the same for the cafe.
    let (status, theirs) = app
        .operator(
            Method::GET,
            &format!("/v1/operator/partners/{}/analytics", cafe.id),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(theirs["program_cost_micros"].as_i64(), Some(1_200_000));
    let report = app.verify().await;
    assert!(report.problems.is_empty(), "{:?}", report.problems);
}

both_backends!(the_program_figures_match_a_scenario_worked_out_by_hand);
