//! One-time codes at authorization: the wrong-code lock-out holds under a burst, and an
//! unknown member number answers (and replays) like a wrong code.

use futures::future::join_all;
use partner_sdk::types::AuthorizeRequest;
use reqwest::Method;
use serde_json::json;

use crate::both_backends;
use crate::helpers::{code_of, link, sale, TestApp};

async fn a_burst_of_wrong_codes_locks_the_member_out_after_exactly_the_limit(app: &TestApp) {
    let shop = app.partner("shop", 10_000, 0).await;
    let (number, token) = app.member("lock@example.com").await;
    link(&shop, &number).await;
    shop.client
        .earn(&sale(&number, "SEED", 10_000))
        .await
        .expect("earn");
    let right = app.code(&token).await;
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    let answers = join_all((0..50).map(|_| {
        let client = shop.client.clone();
        let req = AuthorizeRequest {
            member_number: number.clone(),
            code: wrong.into(),
            points: 1,
            order_id: None,
            currency: Default::default(),
        };
        async move { code_of(client.authorize(&req).await) }
    }))
    .await;
    let invalid = answers.iter().filter(|c| *c == "invalid_code").count();
    let locked = answers.iter().filter(|c| *c == "code_locked").count();
    // Four wrong codes are evaluated and refused; the fifth locks; the rest meet the lock.
    assert_eq!((invalid, locked), (4, 46), "{answers:?}");
    let req = AuthorizeRequest {
        member_number: number.clone(),
        code: right,
        points: 1,
        order_id: None,
        currency: Default::default(),
    };
    assert_eq!(code_of(shop.client.authorize(&req).await), "code_locked");
    assert_eq!(app.balance(&token).await.held_points, 0);
    // A refused attempt is answered again under its idempotency key, and not counted twice.
    app.advance_s(901);
    let key = partner_sdk::Client::new_idempotency_key();
    for _ in 0..2 {
        let bad = AuthorizeRequest {
            code: wrong.into(),
            ..req.clone()
        };
        let options = partner_sdk::RequestOptions::new().idempotency_key(&key);
        let answer = shop.client.authorize_with(&bad, &options).await;
        assert_eq!(code_of(answer), "invalid_code");
    }
    let code = app.code(&token).await;
    let hold = shop
        .client
        .authorize(&AuthorizeRequest { code, ..req })
        .await
        .expect("the right code works after the lock-out");
    assert_eq!(hold.points_authorized, 1);
}
both_backends!(a_burst_of_wrong_codes_locks_the_member_out_after_exactly_the_limit);

async fn an_unknown_member_at_authorization_replays_like_a_wrong_code(app: &TestApp) {
    let shop = app.partner("shop", 10_000, 0).await;
    let (number, _) = app.member("replay@example.com").await;
    let unknown = crate::helpers::unused_member_number(&number);
    let mut seen = Vec::new();
    for n in [&number, &unknown] {
        let key = partner_sdk::Client::new_idempotency_key();
        let body = json!({"member_number": n, "code": "123456", "points": 1});
        let mut answers = Vec::new();
        for _ in 0..2 {
            let res = shop
                .client
                .send_raw(
                    Method::POST,
                    "/v1/partner/redemptions",
                    Some(&body),
                    Some(&key),
                )
                .await
                .expect("send");
            let replayed = res.headers.get("Idempotent-Replayed").is_some();
            answers.push((
                res.status,
                replayed,
                String::from_utf8_lossy(&res.body).into_owned(),
            ));
        }
        seen.push(answers);
    }
    assert_eq!(seen[0], seen[1]);
    assert_eq!((seen[0][0].1, seen[0][1].1), (false, true));
}
both_backends!(an_unknown_member_at_authorization_replays_like_a_wrong_code);
