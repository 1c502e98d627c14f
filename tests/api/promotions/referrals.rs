//! A referral paying both sides once the referred member's first qualifying purchase is past
//! its return window; a returned purchase does not count; self-referral, loops, a second
//! referrer and an existing customer refused.

use chrono::Duration;
use reqwest::Method;
use serde_json::{json, Value};

use super::request;
use crate::both_backends;
use crate::helpers::requests::refund;
use crate::helpers::{link, sale, TestApp};

async fn member_call(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = app
        .http
        .request(method, format!("{}{path}", app.address))
        .bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.expect("member request");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Signs a member up with a referral code; (number, token).
async fn referred_member(app: &TestApp, email: &str, code: &str) -> (String, String) {
    let res = app
        .http
        .post(format!("{}/v1/member/signup", app.address))
        .json(&json!({"email": email, "password": "correct horse battery", "referral_code": code}))
        .send()
        .await
        .expect("signup");
    assert_eq!(res.status().as_u16(), 201);
    let body: Value = res.json().await.expect("json");
    (
        body["member_number"].as_str().unwrap().to_owned(),
        body["token"].as_str().unwrap().to_owned(),
    )
}

async fn pay_due(app: &TestApp) -> u64 {
    app.state
        .run(|conn, s| loyalty_server::service::promotions::referrals::pay_due(conn, &s.clock))
        .await
        .expect("pay referrals")
}

async fn a_referral_pays_both_sides_after_the_return_window(app: &TestApp) {
    let cafe = app.partner("cafe", 10_000, 14).await;
    let now = app.state.clock.now();
    let (status, promo) = app
        .operator(
            Method::POST,
            "/v1/operator/promotions",
            Some({
                let mut body = request(
                    "Bring a friend",
                    json!({"kind": "referral", "points": 500, "min_amount_minor": 2_000}),
                    json!({"kind": "all"}),
                    now - Duration::seconds(1),
                    365,
                );
                body["budget_points"] = json!(100_000);
                body
            }),
        )
        .await;
    assert_eq!(status, 201, "{promo}");
    let (status, refused) = app
        .operator(
            Method::POST,
            "/v1/operator/promotions",
            Some(request(
                "No ceiling",
                json!({"kind": "referral", "points": 500, "min_amount_minor": 2_000}),
                json!({"kind": "all"}),
                now,
                30,
            )),
        )
        .await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (400, Some("invalid_request"))
    );
    let (_, ada_token) = app.member("ada@example.com").await;
    let (_, mine) = member_call(app, &ada_token, Method::GET, "/v1/member/referral", None).await;
    let code = mine["code"].as_str().expect("code").to_owned();
    assert_eq!(code.len(), 8);
    let (_, again) = member_call(app, &ada_token, Method::GET, "/v1/member/referral", None).await;
    assert_eq!(again["code"], mine["code"], "one code per member");

    // Bob joins with Ada's code (in lower case: case does not matter).
    let (bob, bob_token) = referred_member(app, "bob@example.com", &code.to_lowercase()).await;
    link(&cafe, &bob).await;
    // Refused: Ada naming herself, Ada naming Bob (a loop), Bob naming a second referrer.
    let (_, bobs) = member_call(app, &bob_token, Method::GET, "/v1/member/referral", None).await;
    assert_eq!(bobs["referred_by"], mine["code"]);
    let bob_code = bobs["code"].as_str().unwrap().to_owned();
    for (token, code, want) in [
        (&ada_token, code.clone(), "referral_refused"),
        (&ada_token, bob_code.clone(), "referral_refused"),
        (&bob_token, code.clone(), "referral_refused"),
        (&ada_token, "ZZZZZZZZ".to_owned(), "not_found"),
        (&ada_token, "no\u{0}".to_owned(), "invalid_request"),
    ] {
        let (status, body) = member_call(
            app,
            token,
            Method::POST,
            "/v1/member/referrer",
            Some(json!({"code": code})),
        )
        .await;
        assert_eq!(body["code"], want, "{status} {body}");
    }

    // 10.00 is below the minimum; 30.00 qualifies, payable after its 14-day window.
    cafe.client
        .earn(&sale(&bob, "b-1", 1_000))
        .await
        .expect("earn");
    cafe.client
        .earn(&sale(&bob, "b-2", 3_000))
        .await
        .expect("earn");
    app.advance_days(10);
    assert_eq!(pay_due(app).await, 0, "still within the return window");
    app.advance_days(5);
    assert_eq!(pay_due(app).await, 1);
    assert_eq!(pay_due(app).await, 0, "paid once");
    assert_eq!(app.balance(&ada_token).await.available_points, 500);
    assert_eq!(
        app.balance(&bob_token).await.available_points,
        10 + 30 + 500
    );

    // Carl's qualifying purchase comes back before the window ends: nothing is paid until his
    // next qualifying purchase is past its own window.
    let (carl, carl_token) = referred_member(app, "carl@example.com", &code).await;
    link(&cafe, &carl).await;
    cafe.client
        .earn(&sale(&carl, "c-1", 5_000))
        .await
        .expect("earn");
    cafe.client
        .refund(&refund("c-1", "c-1-back", 5_000))
        .await
        .expect("refund");
    app.advance_days(15);
    assert_eq!(pay_due(app).await, 0);
    cafe.client
        .earn(&sale(&carl, "c-2", 2_000))
        .await
        .expect("earn");
    app.advance_days(15);
    assert_eq!(pay_due(app).await, 1);
    assert_eq!(app.balance(&carl_token).await.available_points, 20 + 500);
    // Erin's qualifying purchase is backdated 20 days (past the 14-day window): it is paid only
    // once the window has passed from when it was posted.
    let (erin, _) = referred_member(app, "erin@example.com", &code).await;
    link(&cafe, &erin).await;
    let mut backdated = sale(&erin, "e-1", 3_000);
    backdated.occurred_at = Some(app.state.clock.now() - Duration::days(20));
    cafe.client.earn(&backdated).await.expect("earn");
    assert_eq!(pay_due(app).await, 0, "not at once");
    app.advance_days(15);
    assert_eq!(pay_due(app).await, 1);
    let (_, status) = member_call(app, &ada_token, Method::GET, "/v1/member/referral", None).await;
    assert_eq!(
        (status["referred"].as_i64(), status["rewarded"].as_i64()),
        (Some(3), Some(3))
    );
    assert_eq!(app.balance(&ada_token).await.available_points, 1_500);

    // A member who has already bought can no longer be referred.
    let (dave, dave_token) = app.member("dave@example.com").await;
    link(&cafe, &dave).await;
    cafe.client
        .earn(&sale(&dave, "d-1", 1_000))
        .await
        .expect("earn");
    let (status, body) = member_call(
        app,
        &dave_token,
        Method::POST,
        "/v1/member/referrer",
        Some(json!({"code": code})),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("referral_refused"))
    );
    let (_, promo) = app
        .operator(
            Method::GET,
            &format!("/v1/operator/promotions/{}", promo["promotion_id"]),
            None,
        )
        .await;
    assert_eq!(
        (promo["granted_points"].as_i64(), promo["grants"].as_i64()),
        (Some(3_000), Some(6))
    );
}

both_backends!(a_referral_pays_both_sides_after_the_return_window);
