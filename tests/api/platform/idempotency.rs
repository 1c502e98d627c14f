//! Idempotency: a retry returns the original answer; the same key with another body is
//! refused; one order earns once whatever the key; the key's form and the sale line limits
//! hold.

use reqwest::Method;
use serde_json::json;

use partner_sdk::RequestOptions;

use crate::both_backends;
use crate::helpers::requests::{raw_earn_with_key, signed_post};
use crate::helpers::{code_of, link, sale, TestApp};

async fn retries_replay_and_orders_earn_once(app: &TestApp) {
    let shop = app.partner("shop", 10_000, 0).await;
    let (number, token) = app.member("fay@example.com").await;
    link(&shop, &number).await;
    let first = shop
        .client
        .earn_with(
            &sale(&number, "I-1", 5000),
            &RequestOptions::new().idempotency_key("key-1"),
        )
        .await
        .map(|a| a.value)
        .expect("earn");
    let again = shop
        .client
        .earn_with(
            &sale(&number, "I-1", 5000),
            &RequestOptions::new().idempotency_key("key-1"),
        )
        .await
        .map(|a| a.value)
        .expect("replay");
    assert_eq!(first, again);
    assert_eq!(app.balance(&token).await.available_points, 50);
    // Same key, another body.
    assert_eq!(
        code_of(
            shop.client
                .earn_with(
                    &sale(&number, "I-2", 5000),
                    &RequestOptions::new().idempotency_key("key-1")
                )
                .await
                .map(|a| a.value)
        ),
        "idempotency_key_reused"
    );
    // Same order, another key.
    assert_eq!(
        code_of(
            shop.client
                .earn_with(
                    &sale(&number, "I-1", 5000),
                    &RequestOptions::new().idempotency_key("key-2")
                )
                .await
                .map(|a| a.value)
        ),
        "order_already_earned"
    );
    // No key at all.
    let res = shop
        .client
        .send_raw(
            reqwest::Method::POST,
            "/v1/partner/earns",
            Some(&serde_json::to_value(sale(&number, "I-3", 5000)).expect("json")),
            None,
        )
        .await
        .expect("send");
    assert_eq!(res.status, 400);
    assert_eq!(app.balance(&token).await.available_points, 50);
}
both_backends!(retries_replay_and_orders_earn_once);

async fn documented_limits_hold(app: &TestApp) {
    let shop = app.partner("shop", 10_000, 0).await;
    let (number, token) = app.member("lim@example.com").await;
    link(&shop, &number).await;
    let line = |sku: String, category: String| {
        json!({"member_number": number, "order_id": format!("L{}", sku.len() + category.len()),
               "amount_minor": 100, "currency": "EUR",
               "lines": [{"sku": sku, "category": category, "amount_minor": 100}]})
    };
    for (sku, category, field) in [
        ("s".repeat(65), "c".into(), "lines[0].sku"),
        ("s".into(), "c".repeat(65), "lines[0].category"),
    ] {
        let (status, code, detail) =
            signed_post(&shop, "/v1/partner/earns", line(sku, category)).await;
        assert_eq!((status, code.as_str()), (400, "invalid_request"));
        assert!(detail.starts_with(field), "{detail}");
    }
    let (status, _, detail) = signed_post(
        &shop,
        "/v1/partner/earns",
        line("s".repeat(64), "c".repeat(64)),
    )
    .await;
    assert_eq!(status, 201, "{detail}");
    // The Idempotency-Key: printable ASCII, spaces included, 1 to 128 characters.
    let earn = |order: &str| json!({"member_number": number, "order_id": order, "amount_minor": 100, "currency": "EUR"});
    for (key, expected) in [("with space inside", 201), (&*"k".repeat(128), 201)] {
        let res = shop
            .client
            .send_raw(
                Method::POST,
                "/v1/partner/earns",
                Some(&earn(&format!("K{}", key.len()))),
                Some(key),
            )
            .await
            .expect("send");
        assert_eq!(
            res.status,
            expected,
            "key {key:?}: {}",
            String::from_utf8_lossy(&res.body)
        );
    }
    // The SDK refuses a key the server would refuse, or one whose surrounding spaces HTTP
    // would strip; sent by hand, such keys are refused and earn nothing.
    for key in [
        "k".repeat(129),
        "clé".into(),
        "abc\u{1}def".into(),
        " k".into(),
    ] {
        let sent = shop
            .client
            .send_raw(
                Method::POST,
                "/v1/partner/earns",
                Some(&earn("SDK")),
                Some(&key),
            )
            .await;
        assert!(sent.is_err(), "the SDK sent {key:?}");
    }
    for key in ["k".repeat(129), "clé".into(), "abc\u{1}def".into()] {
        let status = raw_earn_with_key(app, &shop, &key).await;
        assert_eq!(status, 400, "key {key:?}");
    }
    let balance = app.balance(&token).await;
    assert_eq!(balance.available_points, 3, "three earns of 1.00 EUR");
}
both_backends!(documented_limits_hold);
