//! A promotion's budget under 50 concurrent earns: exhausted exactly, never exceeded, never
//! negative; and a member's cap.

use chrono::Duration;
use partner_sdk::types::EnrolMemberRequest;
use serde_json::json;

use super::{create, request};
use crate::both_backends;
use crate::helpers::{sale, TestApp};

async fn a_budget_is_exhausted_exactly_under_fifty_concurrent_earns(app: &TestApp) {
    let shop = app.partner("shop", 10_000, 0).await;
    let now = app.state.clock.now();
    // 30 points a sale from a budget of 1,000: 33 whole bonuses and one cut to 10.
    let mut body = request(
        "Launch week",
        json!({"kind": "fixed_bonus", "points": 30}),
        json!({"kind": "all"}),
        now - Duration::seconds(1),
        7,
    );
    body["budget_points"] = json!(1_000);
    let budgeted = create(&shop, body).await;
    assert_eq!(budgeted.budget_remaining_points, Some(1_000));
    let mut numbers = Vec::new();
    for _ in 0..50 {
        let link = shop
            .client
            .enrol_member(&EnrolMemberRequest {
                customer_ref: None,
                display_name: None,
            })
            .await
            .expect("enrol");
        numbers.push(link.member_number);
    }
    let earns = numbers.iter().enumerate().map(|(i, number)| {
        let client = shop.client.clone();
        let req = sale(number, &format!("o-{i}"), 1_000);
        async move { client.earn(&req).await }
    });
    let answers = futures::future::join_all(earns).await;
    let mut total = 0;
    let mut cut = 0;
    for answer in answers {
        let earned = answer.expect("every earn succeeds");
        assert_eq!(earned.points, 10);
        let bonus = earned.bonus_points;
        assert!((0..=30).contains(&bonus), "{:?}", earned.bonuses);
        if bonus > 0 && bonus < 30 {
            cut += 1;
            assert!(
                earned.bonuses[0]
                    .description
                    .contains("what is left of the budget"),
                "{:?}",
                earned.bonuses
            );
        }
        total += bonus;
    }
    assert_eq!(total, 1_000, "exactly the budget");
    assert_eq!(cut, 1, "one bonus cut to what was left");
    let got = shop
        .client
        .promotion(budgeted.promotion_id)
        .await
        .expect("promotion");
    assert_eq!(
        (got.granted_points, got.grants, got.budget_remaining_points),
        (1_000, 34, Some(0))
    );
    // Spent: the next sale gets nothing from it, and nothing goes negative.
    let next = shop
        .client
        .earn(&sale(&numbers[0], "after", 1_000))
        .await
        .expect("earn");
    assert_eq!(next.bonus_points, 0);
    // A refund's claw-back returns to the budget: the next sale gets those 30 points.
    let returned = shop
        .client
        .refund(&crate::helpers::requests::refund("o-0", "o-0-back", 1_000))
        .await
        .expect("refund");
    let given_back = returned.bonus_points_clawed_back;
    assert!((0..=30).contains(&given_back));
    let got = shop
        .client
        .promotion(budgeted.promotion_id)
        .await
        .expect("promotion");
    assert_eq!(got.budget_remaining_points, Some(given_back));
    assert_eq!(got.granted_points, 1_000 - given_back);
}

both_backends!(a_budget_is_exhausted_exactly_under_fifty_concurrent_earns);

async fn a_member_cap_cuts_the_bonus_to_what_is_left(app: &TestApp) {
    let shop = app.partner("shop", 10_000, 0).await;
    let now = app.state.clock.now();
    let mut body = request(
        "Capped",
        json!({"kind": "fixed_bonus", "points": 30}),
        json!({"kind": "all"}),
        now - Duration::seconds(1),
        7,
    );
    body["per_member_cap_points"] = json!(50);
    create(&shop, body).await;
    let number = shop
        .client
        .enrol_member(&EnrolMemberRequest {
            customer_ref: None,
            display_name: None,
        })
        .await
        .expect("enrol")
        .member_number;
    let mut got = Vec::new();
    for i in 0..3 {
        let earned = shop
            .client
            .earn(&sale(&number, &format!("c-{i}"), 1_000))
            .await
            .expect("earn");
        got.push(earned.bonus_points);
    }
    assert_eq!(got, vec![30, 20, 0]);
}

both_backends!(a_member_cap_cuts_the_bonus_to_what_is_left);
