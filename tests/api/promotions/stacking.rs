//! Stacking (an exclusive promotion, a member list, a category bonus, a minimum basket), the
//! claw-back of a category bonus, ending a promotion, and the promotions refused.

use chrono::Duration;
use serde_json::{json, Value};

use super::{create, request};
use crate::both_backends;
use crate::helpers::requests::signed_post;
use crate::helpers::{code_of, link, sale, unused_member_number, TestApp};

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
    // A sale too small to earn a point earns no bonus either (Ada is listed).
    let tiny = cafe
        .client
        .earn(&sale(&ada, "tiny", 50))
        .await
        .expect("earn");
    assert_eq!((tiny.points, tiny.bonus_points), (0, 0));
    // Bob is not listed: the basket bonus (20) and the category's x3 on 20.00 (2 x 20 = 40).
    assert_eq!(
        bob_earn
            .bonuses
            .iter()
            .map(|b| (b.name.as_str(), b.points))
            .collect::<Vec<_>>(),
        vec![("Big baskets", 20), ("Coffee beans x3", 40)]
    );
    // Returning the beverages takes back the whole category bonus (40), and the basket bonus
    // in the order's proportion: 20 - floor(20 x 40 / 60) = 7.
    let mut back = crate::helpers::requests::refund("b-1", "b-1-back", 2_000);
    back.lines = beans.lines.clone();
    let returned = cafe.client.refund(&back).await.expect("refund");
    assert_eq!(
        (
            returned.points_clawed_back,
            returned.bonus_points_clawed_back
        ),
        (20, 47)
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
