//! Who a promotion reaches: a win-back bonus for a lapsed segment, welcome bonuses, the
//! network's figures.

use chrono::Duration;
use partner_sdk::promotions::Funder;
use reqwest::Method;
use serde_json::json;

use super::{create, request};
use crate::both_backends;
use crate::helpers::{link, sale, TestApp};

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
            Some({
                let mut body = request(
                    "Welcome to the network",
                    json!({"kind": "welcome", "points": 100}),
                    json!({"kind": "all"}),
                    now - Duration::seconds(1),
                    700,
                );
                body["budget_points"] = json!(100_000);
                body
            }),
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
    // Once the operator ends it, a sale backdated into its window gets nothing from it.
    let (status, _) = app
        .operator(
            Method::POST,
            &format!("/v1/operator/promotions/{}/end", win_back["promotion_id"]),
            None,
        )
        .await;
    assert_eq!(status, 200);
    app.advance_s(3_600);
    let mut backdated = sale(&lapsed, "backdated", 1_000);
    backdated.occurred_at = Some(app.state.clock.now() - Duration::seconds(3_000));
    let late = cafe.client.earn(&backdated).await.expect("earn");
    assert_eq!(late.bonus_points, 0);
    // The network's figures over the last 365 days count the operator's bonuses as issued
    // (the recent member's welcome and the win-back; the lapsed member's welcome is older),
    // apart from the cafe's welcome of the recent member.
    let (_, figures) = app
        .operator(Method::GET, "/v1/operator/analytics", None)
        .await;
    assert_eq!(
        (
            figures["promotions"]["operator_funded_points"].as_i64(),
            figures["promotions"]["partner_funded_points"].as_i64()
        ),
        (Some(300), Some(50)),
        "{figures}"
    );
    // The operator pays for it: the cafe's statement bills its sales only.
    app.advance_s(120);
    let (status, run) = crate::settlement::close(app, 60).await;
    assert_eq!(status, 201, "{run}");
    let p = &run["summary"]["partners"][0];
    let s = crate::settlement::statement(&cafe, p["statement_id"].as_i64().unwrap()).await;
    assert_eq!(
        (s.issued.points, s.promotions_issued.points),
        (20 + 20 + 10 + 10 + 10, 50 + 50),
        "the cafe's welcomes are its own; the network's are not billed to it"
    );
}

both_backends!(a_lapsed_segment_gets_the_win_back_bonus);
