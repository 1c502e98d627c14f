//! Idempotency: a retry returns the original answer; the same key with another body is
//! refused; one order earns once whatever the key.

use crate::both_backends;
use crate::helpers::{code_of, link, sale, TestApp};

async fn retries_replay_and_orders_earn_once(app: &TestApp) {
    let shop = app.partner("shop", 10_000, 0).await;
    let (number, token) = app.member("fay@example.com").await;
    link(&shop, &number).await;
    let first = shop
        .client
        .earn_with_key(&sale(&number, "I-1", 5000), "key-1")
        .await
        .expect("earn");
    let again = shop
        .client
        .earn_with_key(&sale(&number, "I-1", 5000), "key-1")
        .await
        .expect("replay");
    assert_eq!(first, again);
    assert_eq!(app.balance(&token).await.available_points, 50);
    // Same key, another body.
    assert_eq!(
        code_of(
            shop.client
                .earn_with_key(&sale(&number, "I-2", 5000), "key-1")
                .await
        ),
        "idempotency_key_reused"
    );
    // Same order, another key.
    assert_eq!(
        code_of(
            shop.client
                .earn_with_key(&sale(&number, "I-1", 5000), "key-2")
                .await
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
