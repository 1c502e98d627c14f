//! Every signing failure is refused: no headers, bad signature, body altered after signing,
//! stale timestamp, replayed nonce, revoked key, another partner's key on this partner's hold.

use partner_sdk::signing::{
    self, HEADER_IDEMPOTENCY_KEY, HEADER_KEY_ID, HEADER_NONCE, HEADER_SIGNATURE, HEADER_TIMESTAMP,
};
use partner_sdk::types::AuthorizeRequest;

use crate::both_backends;
use crate::helpers::requests::{problem_of, signed_by_hand};
use crate::helpers::{code_of, link, sale, TestApp, TestPartner};

pub(super) struct Signed {
    timestamp: i64,
    nonce: String,
    signature: String,
}

pub(super) fn sign(
    p: &TestPartner,
    method: &str,
    path: &str,
    body: &[u8],
    timestamp: i64,
    nonce: &str,
) -> Signed {
    Signed {
        timestamp,
        nonce: nonce.to_owned(),
        signature: signing::signature_header(&p.secret, method, path, timestamp, nonce, body),
    }
}

/// Sends a POST signed as `s` says; returns the status and the problem code.
pub(super) async fn send(
    app: &TestApp,
    key_id: &str,
    path: &str,
    body: &[u8],
    s: &Signed,
) -> (u16, String) {
    let res = app
        .http
        .post(format!("{}{path}", app.address))
        .header(HEADER_KEY_ID, key_id)
        .header(HEADER_TIMESTAMP, s.timestamp.to_string())
        .header(HEADER_NONCE, &s.nonce)
        .header(HEADER_SIGNATURE, &s.signature)
        .header(HEADER_IDEMPOTENCY_KEY, signing::new_nonce())
        .header("content-type", "application/json")
        .body(body.to_vec())
        .send()
        .await
        .expect("send");
    let status = res.status().as_u16();
    let json: serde_json::Value = res.json().await.unwrap_or_default();
    (status, json["code"].as_str().unwrap_or("").to_owned())
}

async fn forged_stale_replayed_and_revoked_requests_are_refused(app: &TestApp) {
    let shop = app.partner("shop", 10_000, 0).await;
    let other = app.partner("other", 10_000, 0).await;
    let (number, token) = app.member("eve@example.com").await;
    link(&shop, &number).await;
    let path = "/v1/partner/earns";
    let body = serde_json::to_vec(&sale(&number, "S-1", 1000)).expect("json");
    let now = chrono::Utc::now().timestamp();

    // No headers at all.
    let res = app
        .http
        .post(format!("{}{path}", app.address))
        .body(body.clone())
        .send()
        .await
        .expect("send");
    assert_eq!(res.status().as_u16(), 401);

    // A signature made with another secret.
    let mut forged = sign(&shop, "POST", path, &body, now, &signing::new_nonce());
    forged.signature =
        signing::signature_header("ls_guess", "POST", path, now, &forged.nonce, &body);
    assert_eq!(
        send(app, &shop.key_id, path, &body, &forged).await,
        (401, "invalid_signature".into())
    );

    // The body altered after signing.
    let good = sign(&shop, "POST", path, &body, now, &signing::new_nonce());
    let altered = serde_json::to_vec(&sale(&number, "S-1", 100_000)).expect("json");
    assert_eq!(
        send(app, &shop.key_id, path, &altered, &good).await,
        (401, "invalid_signature".into())
    );

    // Signed for another path.
    let elsewhere = sign(
        &shop,
        "POST",
        "/v1/partner/refunds",
        &body,
        now,
        &signing::new_nonce(),
    );
    assert_eq!(
        send(app, &shop.key_id, path, &body, &elsewhere).await,
        (401, "invalid_signature".into())
    );

    // A timestamp beyond the 300 s window, either way (10 s beyond it, read afresh: a request
    // signed 301 s ahead and delivered a second later would be inside the window again).
    for skew in [-310, 310] {
        let stale = sign(
            &shop,
            "POST",
            path,
            &body,
            chrono::Utc::now().timestamp() + skew,
            &signing::new_nonce(),
        );
        assert_eq!(
            send(app, &shop.key_id, path, &body, &stale).await,
            (401, "timestamp_out_of_window".into())
        );
    }

    // A malformed nonce.
    let short = sign(&shop, "POST", path, &body, now, "short");
    assert_eq!(send(app, &shop.key_id, path, &body, &short).await.0, 401);

    // The right request goes through once; its replay is refused.
    let once = sign(&shop, "POST", path, &body, now, &signing::new_nonce());
    assert_eq!(send(app, &shop.key_id, path, &body, &once).await.0, 201);
    assert_eq!(
        send(app, &shop.key_id, path, &body, &once).await,
        (401, "nonce_replayed".into())
    );
    assert_eq!(app.balance(&token).await.available_points, 10);
    // A refused request burns its nonce too: replayed once the refusal no longer holds, it is
    // still refused as a replay.
    let stranger = crate::helpers::unused_member_number(&number);
    let refused_body = serde_json::to_vec(&sale(&stranger, "S-2", 1000)).expect("json");
    let refused = sign(
        &shop,
        "POST",
        path,
        &refused_body,
        now,
        &signing::new_nonce(),
    );
    assert_eq!(
        send(app, &shop.key_id, path, &refused_body, &refused).await,
        (404, "member_not_found".into())
    );
    assert_eq!(
        send(app, &shop.key_id, path, &refused_body, &refused).await,
        (401, "nonce_replayed".into())
    );

    // An unknown key, then a revoked one.
    let unknown = sign(&shop, "POST", path, &body, now, &signing::new_nonce());
    assert_eq!(
        send(app, "lk_0000000000000000", path, &body, &unknown).await,
        (401, "unknown_key".into())
    );
    let (status, _) = app
        .operator(
            reqwest::Method::DELETE,
            &format!("/v1/operator/partners/{}/keys/{}", shop.id, shop.key_id),
            None,
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(
        code_of(shop.client.member_balance(&number).await),
        "unknown_key"
    );

    // Another partner's key cannot touch this partner's hold, nor see it exists.
    assert_eq!(app.balance(&token).await.available_points, 10);
    let code = app.code(&token).await;
    let hold = other
        .client
        .authorize(&AuthorizeRequest {
            member_number: number.clone(),
            code,
            points: 5,
            order_id: None,
            currency: Default::default(),
        })
        .await
        .expect("hold at other");
    let third = app.partner("third", 10_000, 0).await;
    assert_eq!(
        code_of(
            third
                .client
                .capture(hold.redemption_id, &Default::default())
                .await
        ),
        "redemption_not_found"
    );
    assert_eq!(
        code_of(third.client.void(hold.redemption_id).await),
        "redemption_not_found"
    );
    assert_eq!(
        code_of(third.client.redemption(hold.redemption_id).await),
        "redemption_not_found"
    );
    let held = app.balance(&token).await;
    assert_eq!((held.available_points, held.held_points), (5, 5));
    other
        .client
        .void(hold.redemption_id)
        .await
        .expect("void by its own partner");
}
both_backends!(forged_stale_replayed_and_revoked_requests_are_refused);

async fn a_partner_holds_at_most_two_keys_and_rotates(app: &TestApp) {
    let shop = app.partner("shop", 10_000, 0).await;
    let path = format!("/v1/operator/partners/{}/keys", shop.id);
    let (status, second) = app.operator(reqwest::Method::POST, &path, None).await;
    assert_eq!(status, 201);
    let (status, body) = app.operator(reqwest::Method::POST, &path, None).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("too_many_keys"))
    );
    let (_, keys) = app.operator(reqwest::Method::GET, &path, None).await;
    assert!(keys
        .as_array()
        .expect("list")
        .iter()
        .all(|k| k.get("secret").is_none()));
    // The second key works as well as the first.
    let client = partner_sdk::Client::new(
        &app.address,
        second["key_id"].as_str().expect("id"),
        second["secret"].as_str().expect("secret"),
    )
    .expect("client");
    client.entries(None, None).await.expect("second key works");
    shop.client
        .entries(None, None)
        .await
        .expect("first key works");
}
both_backends!(a_partner_holds_at_most_two_keys_and_rotates);

async fn concurrent_key_issues_never_make_a_third_active_key(app: &TestApp) {
    let shop = app.partner("shop", 10_000, 0).await;
    let path = format!("/v1/operator/partners/{}/keys", shop.id);
    let issues = (0..8).map(|_| app.operator(reqwest::Method::POST, &path, None));
    let statuses: Vec<u16> = futures::future::join_all(issues)
        .await
        .into_iter()
        .map(|(status, _)| status)
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "one more key besides the first: {statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 409),
        "{statuses:?}"
    );
    let (_, keys) = app.operator(reqwest::Method::GET, &path, None).await;
    let active = keys
        .as_array()
        .expect("list")
        .iter()
        .filter(|k| k["revoked_at"].is_null())
        .count();
    assert_eq!(active, 2);
}
both_backends!(concurrent_key_issues_never_make_a_third_active_key);

async fn a_timestamp_at_the_end_of_time_is_refused(app: &TestApp) {
    let shop = app.partner("shop", 10_000, 0).await;
    for ts in [i64::MIN, i64::MIN + 1, i64::MAX, 0] {
        let res = signed_by_hand(
            app,
            &shop,
            "/v1/partner/earns",
            "application/json",
            "{}",
            Some(ts),
        )
        .await;
        let (status, code, _) = problem_of(res).await;
        assert_eq!(
            (status, code.as_str()),
            (401, "timestamp_out_of_window"),
            "{ts}"
        );
    }
}
both_backends!(a_timestamp_at_the_end_of_time_is_refused);
