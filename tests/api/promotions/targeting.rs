//! Who a promotion reaches: a win-back bonus for a lapsed segment, welcome bonuses, a member
//! list, stacking; and the promotions refused.

use chrono::Duration;
use partner_sdk::promotions::Funder;
use reqwest::Method;
use serde_json::{json, Value};

use super::{create, request};
use crate::both_backends;
use crate::helpers::requests::signed_post;
use crate::helpers::{code_of, link, sale, unused_member_number, TestApp};

/// The network-wide segment a member is in.
async fn segment_of(app: &TestApp, number: &str) -> String {
    for segment in [
        "champions",
        "loyal",
        "new",
        "potential",
        "at_risk",
        "hibernating",
        "lost",
    ] {
        let (_, page) = app
            .operator(
                Method::GET,
                &format!("/v1/operator/segments/{segment}"),
                None,
            )
            .await;
        let found = page["items"]
            .as_array()
            .is_some_and(|items| items.iter().any(|m| m["member_number"] == number));
        if found {
            return segment.to_owned();
        }
    }
    panic!("{number} is in no segment");
}

async fn a_lapsed_segment_gets_the_win_back_bonus(app: &TestApp) {
    let cafe = app.partner("cafe", 10_000, 0).await;
    // The operator's welcome bonus: 100 points to every member who joins.
    let now = app.state.clock.now();
    let (status, welcome) = app
        .operator(
            Method::POST,
            "/v1/operator/promotions",
            Some(request(
                "Welcome to the network",
                json!({"kind": "welcome", "points": 100}),
                json!({"kind": "all"}),
                now - Duration::seconds(1),
                700,
            )),
        )
        .await;
    assert_eq!(
        (status, welcome["funder"].as_str()),
        (201, Some("operator")),
        "{welcome}"
    );
    let (lapsed, lapsed_token) = app.member("lapsed@example.com").await;
    assert_eq!(app.balance(&lapsed_token).await.available_points, 100);
    // The cafe's own welcome: 50 points when a member is first linked to it (once).
    create(
        &cafe,
        request(
            "Welcome to Bean There",
            json!({"kind": "welcome", "points": 50}),
            json!({"kind": "all"}),
            now - Duration::seconds(1),
            700,
        ),
    )
    .await;
    link(&cafe, &lapsed).await;
    link(&cafe, &lapsed).await;
    assert_eq!(app.balance(&lapsed_token).await.available_points, 150);

    // One member bought long ago, another buys now.
    cafe.client
        .earn(&sale(&lapsed, "old", 2_000))
        .await
        .expect("earn");
    app.advance_days(400);
    let (recent, _) = app.member("recent@example.com").await;
    link(&cafe, &recent).await;
    cafe.client
        .earn(&sale(&recent, "new", 2_000))
        .await
        .expect("earn");
    let (status, _) = app
        .operator(Method::POST, "/v1/operator/segments/recompute", None)
        .await;
    assert_eq!(status, 200);
    let lapsed_segment = segment_of(app, &lapsed).await;
    assert!(
        ["at_risk", "hibernating", "lost"].contains(&lapsed_segment.as_str()),
        "{lapsed_segment}"
    );
    assert_ne!(segment_of(app, &recent).await, lapsed_segment);

    // The operator's win-back: 200 points on the next purchase of that segment.
    let now = app.state.clock.now();
    let (status, win_back) = app
        .operator(
            Method::POST,
            "/v1/operator/promotions",
            Some(request(
                "We miss you",
                json!({"kind": "fixed_bonus", "points": 200}),
                json!({"kind": "segment", "segment": lapsed_segment}),
                now - Duration::seconds(1),
                30,
            )),
        )
        .await;
    assert_eq!(status, 201, "{win_back}");
    let back = cafe
        .client
        .earn(&sale(&lapsed, "back", 1_000))
        .await
        .expect("earn");
    assert_eq!(back.bonus_points, 200);
    assert_eq!(back.bonuses[0].funder, Funder::Operator);
    let other = cafe
        .client
        .earn(&sale(&recent, "again", 1_000))
        .await
        .expect("earn");
    assert_eq!(other.bonus_points, 0, "not in the segment");
    // The operator pays for it: the cafe's statement bills its sales only.
    app.advance_s(120);
    let (status, run) = crate::settlement::close(app, 60).await;
    assert_eq!(status, 201, "{run}");
    let p = &run["summary"]["partners"][0];
    let s = crate::settlement::statement(&cafe, p["statement_id"].as_i64().unwrap()).await;
    assert_eq!(
        (s.issued.points, s.promotions_issued.points),
        (20 + 20 + 10 + 10, 50 + 50),
        "the cafe's welcomes are its own; the network's are not billed to it"
    );
}

both_backends!(a_lapsed_segment_gets_the_win_back_bonus);

async fn stacking_lists_and_refusals(app: &TestApp) {
    let cafe = app.partner("cafe", 10_000, 0).await;
    let books = app.partner("books", 10_000, 0).await;
    let (ada, _) = app.member("ada@example.com").await;
    let (bob, _) = app.member("bob@example.com").await;
    link(&cafe, &ada).await;
    link(&cafe, &bob).await;
    link(&books, &bob).await;
    let now = app.state.clock.now() - Duration::seconds(1);

    // An exclusive promotion first in the order excludes the rest; a list targets Ada only.
    let mut first = request(
        "Members' evening",
        json!({"kind": "fixed_bonus", "points": 10}),
        json!({"kind": "members", "member_numbers": [ada.clone()]}),
        now,
        7,
    );
    first["priority"] = json!(1);
    first["exclusive"] = json!(true);
    let listed = create(&cafe, first).await;
    assert_eq!(listed.target.members, Some(1));
    create(
        &cafe,
        request(
            "Big baskets",
            json!({"kind": "minimum_basket", "min_amount_minor": 5_000, "points": 20}),
            json!({"kind": "all"}),
            now,
            7,
        ),
    )
    .await;
    create(
        &cafe,
        request(
            "Coffee beans x3",
            json!({"kind": "category_bonus", "category": "Food, Beverages & Tobacco", "multiplier_bp": 30_000}),
            json!({"kind": "all"}),
            now,
            7,
        ),
    )
    .await;
    let ada_earn = cafe
        .client
        .earn(&sale(&ada, "a-1", 6_000))
        .await
        .expect("earn");
    assert_eq!(
        ada_earn
            .bonuses
            .iter()
            .map(|b| b.points)
            .collect::<Vec<_>>(),
        vec![10],
        "the exclusive one alone"
    );
    let mut beans = sale(&bob, "b-1", 6_000);
    beans.lines = Some(vec![partner_sdk::types::SaleLine {
        sku: None,
        category: Some("Food, Beverages & Tobacco > Beverages".into()),
        amount_minor: 2_000,
    }]);
    let bob_earn = cafe.client.earn(&beans).await.expect("earn");
    // Bob is not listed: the basket bonus (20) and the category's x3 on 20.00 (2 x 20 = 40).
    assert_eq!(
        bob_earn
            .bonuses
            .iter()
            .map(|b| (b.name.as_str(), b.points))
            .collect::<Vec<_>>(),
        vec![("Big baskets", 20), ("Coffee beans x3", 40)]
    );
    let first_books = books
        .client
        .earn(&sale(&bob, "b-2", 6_000))
        .await
        .expect("earn");
    assert_eq!(
        first_books.bonus_points, 0,
        "the cafe's promotions stay at the cafe"
    );

    // Refused, and nothing created.
    let base = request(
        "Bad",
        json!({"kind": "fixed_bonus", "points": 10}),
        json!({"kind": "all"}),
        now,
        7,
    );
    let with = |key: &str, value: Value| {
        let mut b = base.clone();
        b[key] = value;
        b
    };
    let cases = [
        (
            with(
                "rule",
                json!({"kind": "multiplier", "multiplier_bp": 10_000}),
            ),
            422,
            "invalid_amount",
        ),
        (
            with("rule", json!({"kind": "nth_purchase", "n": 1, "points": 5})),
            422,
            "invalid_amount",
        ),
        (
            with("rule", json!({"kind": "fixed_bonus", "points": 2_000_000})),
            422,
            "invalid_amount",
        ),
        (
            with("rule", json!({"kind": "fixed_bonus", "points": "10"})),
            400,
            "invalid_body",
        ),
        (
            with("rule", json!({"kind": "jackpot", "points": 10})),
            400,
            "invalid_body",
        ),
        (
            with(
                "rule",
                json!({"kind": "category_bonus", "category": "Nowhere > Nothing", "multiplier_bp": 20_000}),
            ),
            404,
            "category_not_found",
        ),
        (
            with("target", json!({"kind": "tier", "tier": "platinum"})),
            400,
            "invalid_request",
        ),
        (
            with("target", json!({"kind": "segment", "segment": "vip"})),
            400,
            "invalid_request",
        ),
        (
            with("target", json!({"kind": "members", "member_numbers": []})),
            400,
            "invalid_request",
        ),
        (
            with(
                "target",
                json!({"kind": "members", "member_numbers": [unused_member_number(&ada)]}),
            ),
            404,
            "member_not_found",
        ),
        (
            with("ends_at", json!(now.to_rfc3339())),
            400,
            "invalid_request",
        ),
        (
            with("ends_at", json!((now + Duration::days(900)).to_rfc3339())),
            400,
            "invalid_request",
        ),
        (with("name", json!("bad\u{0}name")), 400, "invalid_request"),
        (with("budget_points", json!(0)), 422, "invalid_amount"),
        (with("priority", json!(-1)), 422, "invalid_amount"),
        (with("surprise", json!(true)), 400, "invalid_body"),
    ];
    for (body, status, code) in cases {
        let (got, got_code, detail) =
            signed_post(&books, "/v1/partner/promotions", body.clone()).await;
        assert_eq!((got, got_code.as_str()), (status, code), "{body} {detail}");
    }
    // Ada is linked to the cafe only: the bookshop's list naming her answers as an unknown
    // number would.
    let (got, code, _) = signed_post(
        &books,
        "/v1/partner/promotions",
        with(
            "target",
            json!({"kind": "members", "member_numbers": [ada.clone()]}),
        ),
    )
    .await;
    assert_eq!((got, code.as_str()), (404, "member_not_found"));
    assert!(books
        .client
        .promotions()
        .await
        .expect("list")
        .items
        .is_empty());

    // Ending a promotion: it stops at once and the bonuses it gave stay.
    let ended = cafe
        .client
        .end_promotion(listed.promotion_id)
        .await
        .expect("end");
    assert!(ended.ends_at <= app.state.clock.now());
    assert_eq!(ended.granted_points, 10);
    let after = cafe
        .client
        .earn(&sale(&ada, "a-2", 1_000))
        .await
        .expect("earn");
    assert!(after
        .bonuses
        .iter()
        .all(|b| b.promotion_id != listed.promotion_id));
    assert_eq!(
        code_of(cafe.client.promotion(listed.promotion_id + 1_000).await),
        "promotion_not_found"
    );
}

both_backends!(stacking_lists_and_refusals);
