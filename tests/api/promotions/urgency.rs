//! What a partner's site shows for urgency: its members whose points expire soon (its own
//! members only, by cursor), and the promotions that end soon.

use chrono::Duration;
use reqwest::Method;
use serde_json::json;

use super::{create, request};
use crate::both_backends;
use crate::helpers::{code_of, link, sale, TestApp};

async fn expiring_points_and_ending_promotions(app: &TestApp) {
    let (status, body) = app
        .operator(Method::PUT, "/v1/operator/settings", Some(json!({
            "currency": "EUR", "base_rate_millipoints": 1000, "expiry_policy": "months_after_earn",
            "expiry_months": 2, "hold_ttl_s": 900, "code_ttl_s": 300
        })))
        .await;
    assert_eq!(status, 200, "{body}");
    let cafe = app.partner("cafe", 10_000, 0).await;
    let books = app.partner("books", 10_000, 0).await;
    let mut numbers = Vec::new();
    for name in ["ada", "bob", "cy"] {
        let (number, _) = app.member(&format!("{name}@example.com")).await;
        link(&cafe, &number).await;
        numbers.push(number);
    }
    let (outsider, _) = app.member("out@example.com").await;
    link(&books, &outsider).await;
    for (i, number) in numbers.iter().enumerate() {
        cafe.client
            .earn(&sale(number, &format!("c-{i}"), 1_000 * (i as i64 + 1)))
            .await
            .expect("earn");
    }
    books
        .client
        .earn(&sale(&outsider, "b-1", 1_000))
        .await
        .expect("earn");
    // Ada buys again a month later: those points expire a month after the first ones.
    app.advance_days(31);
    cafe.client
        .earn(&sale(&numbers[0], "c-late", 5_000))
        .await
        .expect("earn");
    // 40 days after the first earns, their points expire within 30 days; Ada's later ones not.
    app.advance_days(9);
    let first = cafe
        .client
        .expiring_points(30, None)
        .await
        .expect("expiring");
    let page: Vec<(String, i64)> = first
        .items
        .iter()
        .map(|m| (m.member_number.clone(), m.points))
        .collect();
    assert_eq!(
        page,
        vec![
            (numbers[0].clone(), 10),
            (numbers[1].clone(), 20),
            (numbers[2].clone(), 30)
        ],
        "the cafe's members only"
    );
    assert!(first.next_cursor.is_none());
    // Pages follow the cursor.
    let raw = cafe
        .client
        .send_raw(
            Method::GET,
            "/v1/partner/urgency/expiring-points?within_days=30&limit=2",
            None,
            None,
        )
        .await
        .expect("page");
    let body: serde_json::Value = serde_json::from_slice(&raw.body).expect("json");
    assert_eq!(body["items"].as_array().map(Vec::len), Some(2), "{body}");
    let next = body["next_cursor"].as_str().expect("cursor");
    let rest = cafe
        .client
        .expiring_points(30, Some(next))
        .await
        .expect("next page");
    assert_eq!(rest.items.len(), 1);
    assert_eq!(
        code_of(cafe.client.expiring_points(0, None).await),
        "invalid_amount"
    );

    // Ending soon: the cafe's promotion ending in 3 days, not the books' one nor its own
    // ending in 20 days; the network's one too.
    let now = app.state.clock.now() - Duration::seconds(1);
    let rule = json!({"kind": "fixed_bonus", "points": 5});
    let soon = create(
        &cafe,
        request("Soon", rule.clone(), json!({"kind": "all"}), now, 3),
    )
    .await;
    create(
        &cafe,
        request("Later", rule.clone(), json!({"kind": "all"}), now, 20),
    )
    .await;
    create(
        &books,
        request("Elsewhere", rule.clone(), json!({"kind": "all"}), now, 2),
    )
    .await;
    let (status, network) = app
        .operator(
            Method::POST,
            "/v1/operator/promotions",
            Some(request("Network", rule, json!({"kind": "all"}), now, 5)),
        )
        .await;
    assert_eq!(status, 201, "{network}");
    let ending = cafe.client.ending_promotions(7).await.expect("ending");
    assert_eq!(
        ending
            .items
            .iter()
            .map(|e| e.promotion_id)
            .collect::<Vec<_>>(),
        vec![soon.promotion_id, network["promotion_id"].as_i64().unwrap()]
    );
}

both_backends!(expiring_points_and_ending_promotions);
