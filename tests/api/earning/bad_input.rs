//! Malformed and out-of-range earns and refunds get a problem with their code and change no
//! balance.

use partner_sdk::types::RefundRequest;
use reqwest::Method;
use serde_json::json;

use crate::both_backends;
use crate::helpers::fixtures::{raw, setup, unchanged};
use crate::helpers::{code_of, sale, TestApp};

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
        lines: None,
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
