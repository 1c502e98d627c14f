//! Windows and expiry, tested by moving the injected clock.

use reqwest::Method;
use serde_json::json;

use crate::both_backends;
use crate::helpers::{link, sale, TestApp};

async fn points_expire_to_breakage_in_expiry_order(app: &TestApp) {
    let (status, body) = app
        .operator(Method::PUT, "/v1/operator/settings", Some(json!({
            "currency": "EUR", "base_rate_millipoints": 1000, "expiry_policy": "months_after_earn",
            "expiry_months": 1, "hold_ttl_s": 900, "code_ttl_s": 300
        })))
        .await;
    assert_eq!(status, 200, "{body}");
    let shop = app.partner("shop", 10_000, 3).await;
    let (number, token) = app.member("ida@example.com").await;
    link(&shop, &number).await;
    shop.client
        .earn(&sale(&number, "E-1", 3000))
        .await
        .expect("earn");
    app.advance_days(10);
    shop.client
        .earn(&sale(&number, "E-2", 5000))
        .await
        .expect("earn");
    // Day 12. Lots expire one calendar month after their earn: the first between day 28 and 31,
    // the second between day 38 and 41, so both fall in the next 30 days whatever the month.
    app.advance_days(2);
    let b = app.balance(&token).await;
    assert_eq!((b.available_points, b.pending_points), (30, 50));
    assert_eq!(b.expiring_30d_points, 80);

    // Spend 20: taken from the lot that expires first.
    let code = app.code(&token).await;
    let hold = shop
        .client
        .authorize(&partner_sdk::types::AuthorizeRequest {
            member_number: number.clone(),
            code,
            points: 20,
            order_id: None,
            currency: Default::default(),
        })
        .await
        .expect("hold");
    shop.client
        .capture(hold.redemption_id, &Default::default())
        .await
        .expect("capture");

    // Day 32: the first lot (10 points left of 30) has expired; the second is available.
    app.advance_days(20);
    let b = app.balance(&token).await;
    assert_eq!((b.available_points, b.pending_points), (50, 0));
    // Day 42: everything has expired.
    app.advance_days(10);
    let b = app.balance(&token).await;
    assert_eq!(
        (b.available_points, b.pending_points, b.expiring_30d_points),
        (0, 0, 0)
    );
}
both_backends!(points_expire_to_breakage_in_expiry_order);

async fn the_background_job_matures_and_expires_without_a_member_request(app: &TestApp) {
    let shop = app.partner("shop", 10_000, 2).await;
    let (number, token) = app.member("jo@example.com").await;
    link(&shop, &number).await;
    shop.client
        .earn(&sale(&number, "J-1", 2000))
        .await
        .expect("earn");
    app.advance_days(3);
    let pool = app.state.pool.clone();
    let clock = app.state.clock.clone();
    let report = tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().expect("conn");
        loyalty_server::service::platform::jobs::run_once(&mut conn, &clock).expect("job")
    })
    .await
    .expect("join");
    assert_eq!(report.members_synced, 1);
    assert_eq!(app.balance(&token).await.available_points, 20);
}
both_backends!(the_background_job_matures_and_expires_without_a_member_request);

async fn the_clock_moves_only_forward_and_only_when_adjustable(app: &TestApp) {
    let (status, body) = app
        .operator(
            Method::POST,
            "/v1/operator/clock",
            Some(json!({"advance_s": 86400})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body["offset_s"].as_i64().expect("offset") >= 86_400);
}
both_backends!(the_clock_moves_only_forward_and_only_when_adjustable);
