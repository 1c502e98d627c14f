//! Every class of bad input gets a 4xx problem with its code and changes no balance.

use partner_sdk::types::{AuthoriseRequest, Balance, CaptureRequest, RefundRequest};
use reqwest::Method;
use serde_json::json;

use crate::both_backends;
use crate::helpers::{code_of, link, sale, TestApp, TestPartner};

struct Setup {
    shop: TestPartner,
    other: TestPartner,
    number: String,
    token: String,
}

async fn setup(app: &TestApp) -> Setup {
    let shop = app.partner("shop", 10_000, 0).await;
    let other = app.partner("other", 10_000, 0).await;
    let (number, token) = app.member("dan@example.com").await;
    link(&shop, &number).await;
    shop.client
        .earn(&sale(&number, "SEED", 10_000))
        .await
        .expect("seed earn");
    Setup {
        shop,
        other,
        number,
        token,
    }
}

/// Sends raw JSON as a signed partner request and returns (status, problem code).
async fn raw(p: &TestPartner, path: &str, body: serde_json::Value) -> (u16, String) {
    let res = p
        .client
        .send_raw(
            Method::POST,
            path,
            Some(&body),
            Some(&partner_sdk::signing::new_nonce()),
        )
        .await
        .expect("send");
    let json: serde_json::Value = serde_json::from_slice(res.body.as_ref()).unwrap_or_default();
    (res.status, json["code"].as_str().unwrap_or("").to_owned())
}

async fn unchanged(app: &TestApp, s: &Setup, before: &Balance) {
    let after = app.balance(&s.token).await;
    assert_eq!(
        (
            after.available_points,
            after.pending_points,
            after.held_points
        ),
        (
            before.available_points,
            before.pending_points,
            before.held_points
        )
    );
}

async fn malformed_and_out_of_range_earns_are_refused(app: &TestApp) {
    let s = setup(app).await;
    let before = app.balance(&s.token).await;
    let n = s.number.clone();
    let cases = [
        (
            json!({"order_id": "X1", "amount_minor": 100, "currency": "EUR"}),
            400,
            "invalid_body",
        ),
        (
            json!({"member_number": n, "order_id": "X2", "amount_minor": 0, "currency": "EUR"}),
            422,
            "invalid_amount",
        ),
        (
            json!({"member_number": n, "order_id": "X3", "amount_minor": -5, "currency": "EUR"}),
            422,
            "invalid_amount",
        ),
        (
            json!({"member_number": n, "order_id": "X4", "amount_minor": i64::MAX, "currency": "EUR"}),
            422,
            "invalid_amount",
        ),
        (
            json!({"member_number": n, "order_id": "X5", "amount_minor": 1e30, "currency": "EUR"}),
            400,
            "invalid_body",
        ),
        (
            json!({"member_number": n, "order_id": "X6", "amount_minor": "12", "currency": "EUR"}),
            400,
            "invalid_body",
        ),
        (
            json!({"member_number": n, "order_id": "", "amount_minor": 100, "currency": "EUR"}),
            400,
            "invalid_request",
        ),
        (
            json!({"member_number": n, "order_id": "X7", "amount_minor": 100, "currency": "USD"}),
            422,
            "currency_mismatch",
        ),
        (
            json!({"member_number": n, "order_id": "X8", "amount_minor": 100, "currency": "euro"}),
            400,
            "invalid_request",
        ),
        (
            json!({"member_number": "123", "order_id": "X9", "amount_minor": 100, "currency": "EUR"}),
            400,
            "invalid_member_number",
        ),
        (
            json!({"member_number": "1000000016", "order_id": "X10", "amount_minor": 100, "currency": "EUR"}),
            404,
            "member_not_found",
        ),
        (
            json!({"member_number": n, "order_id": "X11", "amount_minor": 100, "currency": "EUR", "extra": 1}),
            400,
            "invalid_body",
        ),
        (
            json!({"member_number": n, "order_id": "X12", "amount_minor": 100, "currency": "EUR", "occurred_at": "2000-01-01T00:00:00Z"}),
            422,
            "invalid_occurred_at",
        ),
        (
            json!({"member_number": n, "order_id": "X13", "amount_minor": 100, "currency": "EUR", "lines": [{"amount_minor": 200}]}),
            422,
            "invalid_amount",
        ),
    ];
    for (body, status, code) in cases {
        let got = raw(&s.shop, "/v1/partner/earns", body.clone()).await;
        assert_eq!(got, (status, code.to_owned()), "for {body}");
    }
    // A member who exists but is not linked to the partner answers like no member at all.
    assert_eq!(
        code_of(s.other.client.earn(&sale(&s.number, "X14", 100)).await),
        "member_not_found"
    );
    assert_eq!(
        code_of(s.other.client.member_balance(&s.number).await),
        "member_not_found"
    );
    unchanged(app, &s, &before).await;

    // Malformed JSON and a body past the limit.
    let res = s
        .shop
        .client
        .send_raw(Method::POST, "/v1/partner/earns", None, Some("k-raw"))
        .await
        .expect("send");
    assert_eq!(res.status, 400);
    let big = json!({"member_number": n, "order_id": "X15", "amount_minor": 100, "currency": "EUR", "pad": "x".repeat(300_000)});
    let (status, _) = raw(&s.shop, "/v1/partner/earns", big).await;
    assert_eq!(status, 413);
    unchanged(app, &s, &before).await;
}
both_backends!(malformed_and_out_of_range_earns_are_refused);

async fn refunds_beyond_the_order_are_refused(app: &TestApp) {
    let s = setup(app).await;
    let before = app.balance(&s.token).await;
    let refund = |order: &str, id: &str, amount: i64, currency: &str| RefundRequest {
        order_id: order.into(),
        refund_id: id.into(),
        amount_minor: amount,
        currency: currency.into(),
    };
    assert_eq!(
        code_of(
            s.shop
                .client
                .refund(&refund("SEED", "R1", 10_001, "EUR"))
                .await
        ),
        "refund_exceeds_order"
    );
    assert_eq!(
        code_of(s.shop.client.refund(&refund("SEED", "R2", 0, "EUR")).await),
        "invalid_amount"
    );
    assert_eq!(
        code_of(
            s.shop
                .client
                .refund(&refund("SEED", "R3", 100, "USD"))
                .await
        ),
        "currency_mismatch"
    );
    assert_eq!(
        code_of(
            s.shop
                .client
                .refund(&refund("NOPE", "R4", 100, "EUR"))
                .await
        ),
        "order_not_found"
    );
    // Another partner cannot refund this partner's order.
    assert_eq!(
        code_of(
            s.other
                .client
                .refund(&refund("SEED", "R5", 100, "EUR"))
                .await
        ),
        "order_not_found"
    );
    unchanged(app, &s, &before).await;
    // Cumulative cap: 6000 then 4001 is over.
    s.shop
        .client
        .refund(&refund("SEED", "R6", 6_000, "EUR"))
        .await
        .expect("refund");
    assert_eq!(
        code_of(
            s.shop
                .client
                .refund(&refund("SEED", "R7", 4_001, "EUR"))
                .await
        ),
        "refund_exceeds_order"
    );
    assert_eq!(
        code_of(s.shop.client.refund(&refund("SEED", "R6", 1, "EUR")).await),
        "refund_id_reused"
    );
    assert_eq!(app.balance(&s.token).await.available_points, 40);
}
both_backends!(refunds_beyond_the_order_are_refused);

async fn redemption_state_errors_change_nothing(app: &TestApp) {
    let s = setup(app).await;
    let auth = |code: String, points: i64| AuthoriseRequest {
        member_number: s.number.clone(),
        code,
        points,
        order_id: None,
    };
    // More than available, zero, negative.
    let code = app.code(&s.token).await;
    assert_eq!(
        code_of(s.shop.client.authorise(&auth(code, 101)).await),
        "insufficient_points"
    );
    let code = app.code(&s.token).await;
    assert_eq!(
        code_of(s.shop.client.authorise(&auth(code, 0)).await),
        "invalid_amount"
    );
    let code = app.code(&s.token).await;
    assert_eq!(
        code_of(s.shop.client.authorise(&auth(code, -3)).await),
        "invalid_amount"
    );

    let code = app.code(&s.token).await;
    let hold = s
        .shop
        .client
        .authorise(&auth(code, 40))
        .await
        .expect("hold");
    let held = app.balance(&s.token).await;
    assert_eq!((held.available_points, held.held_points), (60, 40));
    // Capture above the hold, then void, then capture after void.
    assert_eq!(
        code_of(
            s.shop
                .client
                .capture(hold.redemption_id, &CaptureRequest { points: Some(41) })
                .await
        ),
        "capture_exceeds_hold"
    );
    assert_eq!(
        code_of(
            s.shop
                .client
                .capture(hold.redemption_id, &CaptureRequest { points: Some(0) })
                .await
        ),
        "invalid_amount"
    );
    s.shop.client.void(hold.redemption_id).await.expect("void");
    let before = app.balance(&s.token).await;
    assert_eq!((before.available_points, before.held_points), (100, 0));
    assert_eq!(
        code_of(
            s.shop
                .client
                .capture(hold.redemption_id, &CaptureRequest { points: None })
                .await
        ),
        "redemption_voided"
    );
    assert_eq!(
        code_of(
            s.shop
                .client
                .reverse(
                    hold.redemption_id,
                    &partner_sdk::types::ReverseRequest { points: 1 }
                )
                .await
        ),
        "redemption_not_captured"
    );

    // Void after capture; reversal beyond the capture.
    let code = app.code(&s.token).await;
    let hold = s
        .shop
        .client
        .authorise(&auth(code, 10))
        .await
        .expect("hold");
    s.shop
        .client
        .capture(hold.redemption_id, &CaptureRequest { points: None })
        .await
        .expect("capture");
    let before = app.balance(&s.token).await;
    assert_eq!(
        code_of(s.shop.client.void(hold.redemption_id).await),
        "redemption_captured"
    );
    assert_eq!(
        code_of(
            s.shop
                .client
                .capture(hold.redemption_id, &CaptureRequest { points: None })
                .await
        ),
        "redemption_captured"
    );
    assert_eq!(
        code_of(
            s.shop
                .client
                .reverse(
                    hold.redemption_id,
                    &partner_sdk::types::ReverseRequest { points: 11 }
                )
                .await
        ),
        "reversal_exceeds_capture"
    );
    assert_eq!(
        code_of(s.shop.client.redemption(999_999).await),
        "redemption_not_found"
    );
    unchanged(app, &s, &before).await;

    // An expired hold: its points went back; capturing it is refused.
    let code = app.code(&s.token).await;
    let hold = s.shop.client.authorise(&auth(code, 5)).await.expect("hold");
    app.advance_s(3_600);
    let before = app.balance(&s.token).await;
    assert_eq!((before.available_points, before.held_points), (90, 0));
    assert_eq!(
        code_of(
            s.shop
                .client
                .capture(hold.redemption_id, &CaptureRequest { points: None })
                .await
        ),
        "hold_expired"
    );
    let seen = s
        .shop
        .client
        .redemption(hold.redemption_id)
        .await
        .expect("get");
    assert_eq!(seen.status, partner_sdk::types::RedemptionStatus::Expired);
    unchanged(app, &s, &before).await;
}
both_backends!(redemption_state_errors_change_nothing);

async fn wrong_codes_lock_the_member_out(app: &TestApp) {
    let s = setup(app).await;
    let auth = |code: &str| AuthoriseRequest {
        member_number: s.number.clone(),
        code: code.into(),
        points: 1,
        order_id: None,
    };
    for _ in 0..4 {
        assert_eq!(
            code_of(s.shop.client.authorise(&auth("000000")).await),
            "invalid_code"
        );
    }
    assert_eq!(
        code_of(s.shop.client.authorise(&auth("000000")).await),
        "code_locked"
    );
    // Even a right code is refused while locked.
    let res = app
        .http
        .post(format!("{}/v1/member/codes", app.address))
        .bearer_auth(&s.token)
        .send()
        .await
        .expect("code");
    assert_eq!(res.status().as_u16(), 429);
    // A used code cannot be used twice.
    app.advance_s(901);
    let code = app.code(&s.token).await;
    s.shop
        .client
        .authorise(&auth(&code))
        .await
        .expect("first use");
    assert_eq!(
        code_of(s.shop.client.authorise(&auth(&code)).await),
        "invalid_code"
    );
}
both_backends!(wrong_codes_lock_the_member_out);

async fn operator_and_member_endpoints_refuse_bad_input(app: &TestApp) {
    let (status, body) = app
        .operator(Method::GET, "/v1/operator/partners/999999", None)
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (404, Some("partner_not_found"))
    );
    let (status, body) = app
        .operator(Method::POST, "/v1/operator/partners/999999/keys", None)
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (404, Some("partner_not_found"))
    );
    let (status, body) = app
        .operator(Method::POST, "/v1/operator/partners", Some(json!({"slug": "Bad Slug", "name": "x", "universe": "y",
            "contract": {"earn_rate_bp": 1, "issuance_price_micros": 1, "redemption_price_micros": 2, "return_window_days": 0}})))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("invalid_request"))
    );
    let (status, body) = app
        .operator(Method::POST, "/v1/operator/partners", Some(json!({"slug": "ok", "name": "x", "universe": "y",
            "contract": {"earn_rate_bp": 1, "issuance_price_micros": 1, "redemption_price_micros": 2, "return_window_days": 0}})))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("invalid_request")),
        "redemption above issuance"
    );
    let res = app
        .http
        .get(format!("{}/v1/operator/partners", app.address))
        .send()
        .await
        .expect("get");
    assert_eq!(res.status().as_u16(), 401);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let res = app
        .http
        .get(format!("{}/v1/member/balance", app.address))
        .bearer_auth("lms_forged")
        .send()
        .await
        .expect("get");
    assert_eq!(res.status().as_u16(), 401);
    let res = app
        .http
        .delete(format!("{}/v1/member/balance", app.address))
        .send()
        .await
        .expect("delete");
    assert!(res.status().is_client_error());
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let res = app
        .http
        .post(format!("{}/v1/member/signin", app.address))
        .json(&json!({"email": "nobody@example.com", "password": "whatever-it-is"}))
        .send()
        .await
        .expect("signin");
    assert_eq!(res.status().as_u16(), 401);
    let (status, body) = app
        .operator(
            Method::POST,
            "/v1/operator/clock",
            Some(json!({"advance_s": -5})),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("invalid_amount"))
    );
}
both_backends!(operator_and_member_endpoints_refuse_bad_input);
