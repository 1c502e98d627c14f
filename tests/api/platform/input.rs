//! The central input rules: no control characters in any text, numbers range-checked before
//! arithmetic, only JSON objects (sent as JSON, each member named once) are bodies.

use partner_sdk::types::{AuthorizeRequest, CaptureRequest};
use reqwest::Method;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::requests::{bearer_post, problem_of, signed_by_hand, signed_post};
use crate::helpers::{link, sale, TestApp};

async fn control_characters_are_refused_on_every_text_field(app: &TestApp) {
    let shop = app.partner("shop", 10_000, 0).await;
    let (number, _) = app.member("nul@example.com").await;
    link(&shop, &number).await;
    shop.client
        .earn(&sale(&number, "SEED", 1_000))
        .await
        .expect("earn");
    let op = Some(app.operator_token.as_str());
    let nul = "bad\u{0}text";
    let contract = json!({"earn_rate_bp": 10000, "issuance_price_micros": 8000,
        "redemption_price_micros": 6000, "return_window_days": 0});
    let cases: Vec<(&str, Option<&str>, String, Value)> = vec![
        (
            "display_name",
            None,
            "/v1/member/signup".into(),
            json!({"email": "x@example.com", "password": "long enough pw", "display_name": nul}),
        ),
        (
            "email",
            None,
            "/v1/member/signup".into(),
            json!({"email": "x\u{0}@example.com", "password": "long enough pw"}),
        ),
        (
            "email",
            None,
            "/v1/member/signin".into(),
            json!({"email": "x\u{0}@example.com", "password": "long enough pw"}),
        ),
        (
            "reason",
            op,
            format!("/v1/operator/members/{number}/adjustments"),
            json!({"points": 5, "reason": nul}),
        ),
        (
            "name",
            op,
            "/v1/operator/partners".into(),
            json!({"slug": "nul-name", "name": nul, "universe": "books", "contract": contract}),
        ),
        (
            "universe",
            op,
            "/v1/operator/partners".into(),
            json!({"slug": "nul-universe", "name": "Nul", "universe": nul, "contract": contract}),
        ),
        (
            "name",
            op,
            "/v1/operator/partners".into(),
            json!({"slug": "tab-name", "name": "a\tb", "universe": "books", "contract": contract}),
        ),
        (
            "resolution",
            op,
            "/v1/operator/disputes/1/resolution".into(),
            json!({"resolution": nul, "adjustment_minor": 0}),
        ),
        (
            "bank_reference",
            op,
            "/v1/operator/statements/1/payments".into(),
            json!({"direction": "received", "amount_minor": 1, "bank_reference": nul}),
        ),
    ];
    for (field, token, path, body) in cases {
        let (status, code, detail) = bearer_post(app, token, &path, body).await;
        assert_eq!(
            (status, code.as_str()),
            (400, "invalid_request"),
            "{path} {field}: {detail}"
        );
        assert!(
            detail.starts_with(field),
            "{path}: the detail names {field}: {detail}"
        );
    }
    let signed: Vec<(&str, &str, Value)> = vec![
        (
            "display_name",
            "/v1/partner/members",
            json!({"display_name": nul}),
        ),
        (
            "customer_ref",
            "/v1/partner/members",
            json!({"customer_ref": "a\u{1}"}),
        ),
        (
            "order_id",
            "/v1/partner/earns",
            json!({"member_number": number, "order_id": nul, "amount_minor": 100, "currency": "EUR"}),
        ),
        (
            "lines[0].sku",
            "/v1/partner/earns",
            json!({"member_number": number, "order_id": "L1", "amount_minor": 100, "currency": "EUR",
                   "lines": [{"sku": nul, "amount_minor": 100}]}),
        ),
        (
            "refund_id",
            "/v1/partner/refunds",
            json!({"order_id": "SEED", "refund_id": nul, "amount_minor": 1, "currency": "EUR"}),
        ),
        (
            "reason",
            "/v1/partner/statements/1/disputes",
            json!({"reason": nul}),
        ),
    ];
    for (field, path, body) in signed {
        let (status, code, detail) = signed_post(&shop, path, body).await;
        assert_eq!(
            (status, code.as_str()),
            (400, "invalid_request"),
            "{path} {field}: {detail}"
        );
        assert!(
            detail.starts_with(field),
            "{path}: the detail names {field}: {detail}"
        );
    }
    // In a path or a query, percent-encoded.
    for path in [
        format!("/v1/operator/partners/{}/keys/lk%00", shop.id),
        "/v1/operator/partners?cursor=%1b".to_owned(),
    ] {
        let res = app
            .http
            .delete(format!("{}{path}", app.address))
            .bearer_auth(&app.operator_token)
            .send()
            .await
            .expect("send");
        let (status, code, _) = problem_of(res).await;
        assert_eq!((status, code.as_str()), (400, "invalid_request"), "{path}");
    }
    // Free text keeps its line breaks.
    let (status, body) = app
        .operator(
            Method::POST,
            &format!("/v1/operator/members/{number}/adjustments"),
            Some(json!({"points": 1, "reason": "goodwill\nsecond line"})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
}
both_backends!(control_characters_are_refused_on_every_text_field);

async fn extreme_numbers_are_refused_before_any_arithmetic(app: &TestApp) {
    let shop = app.partner("shop", 10_000, 0).await;
    let (number, token) = app.member("min@example.com").await;
    link(&shop, &number).await;
    let path = format!("/v1/operator/members/{number}/adjustments");
    for points in [
        i64::MIN,
        i64::MIN + 1,
        -1_000_000_001,
        1_000_000_001,
        i64::MAX,
        0,
    ] {
        let (status, body) = app
            .operator(
                Method::POST,
                &path,
                Some(json!({"points": points, "reason": "test"})),
            )
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (422, Some("invalid_amount")),
            "{points}"
        );
    }
    for (path, body) in [
        (
            "/v1/partner/earns",
            json!({"member_number": number, "order_id": "E1",
            "amount_minor": i64::MIN, "currency": "EUR"}),
        ),
        (
            "/v1/partner/earns",
            json!({"member_number": number, "order_id": "E2",
            "amount_minor": 100, "currency": "EUR", "lines": [{"amount_minor": i64::MIN}]}),
        ),
        (
            "/v1/partner/refunds",
            json!({"order_id": "E1", "refund_id": "R1",
            "amount_minor": i64::MIN, "currency": "EUR"}),
        ),
    ] {
        let (status, code, detail) = signed_post(&shop, path, body).await;
        assert_eq!(
            (status, code.as_str()),
            (422, "invalid_amount"),
            "{path}: {detail}"
        );
    }
    let (status, body) = app
        .operator(
            Method::POST,
            "/v1/operator/clock",
            Some(json!({"advance_s": i64::MIN})),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("invalid_amount"))
    );
    let balance = app.balance(&token).await;
    assert_eq!((balance.available_points, balance.pending_points), (0, 0));
}
both_backends!(extreme_numbers_are_refused_before_any_arithmetic);

async fn a_json_array_is_not_a_body(app: &TestApp) {
    let shop = app.partner("shop", 10_000, 0).await;
    let (number, token) = app.member("arr@example.com").await;
    link(&shop, &number).await;
    shop.client
        .earn(&sale(&number, "SEED", 1_000))
        .await
        .expect("earn");
    let code = app.code(&token).await;
    let hold = shop
        .client
        .authorize(&AuthorizeRequest {
            member_number: number.clone(),
            code,
            points: 5,
            order_id: None,
            currency: Default::default(),
        })
        .await
        .expect("authorize");
    let before = shop.client.all_entries().await.expect("list").len();
    for (path, body) in [
        ("/v1/partner/members".to_owned(), json!([])),
        (
            format!("/v1/partner/redemptions/{}/capture", hold.redemption_id),
            json!([]),
        ),
        (
            format!("/v1/partner/redemptions/{}/capture", hold.redemption_id),
            json!([5]),
        ),
        (
            "/v1/partner/earns".to_owned(),
            json!([number, "A1", 100, "EUR"]),
        ),
        ("/v1/partner/members".to_owned(), json!("text")),
    ] {
        let (status, code, _) = signed_post(&shop, &path, body.clone()).await;
        assert_eq!(
            (status, code.as_str()),
            (400, "invalid_body"),
            "{path} {body}"
        );
    }
    let op = Some(app.operator_token.as_str());
    for (token, path, body) in [
        (
            op,
            format!("/v1/operator/members/{number}/adjustments"),
            json!([5, "reason"]),
        ),
        (
            op,
            "/v1/operator/settlement/runs".to_owned(),
            json!(["2026-01-01T00:00:00Z"]),
        ),
        (
            None,
            "/v1/member/signup".to_owned(),
            json!(["a@b.example", "long enough pw"]),
        ),
    ] {
        let (status, code, _) = bearer_post(app, token, &path, body.clone()).await;
        assert_eq!(
            (status, code.as_str()),
            (400, "invalid_body"),
            "{path} {body}"
        );
    }
    assert_eq!(shop.client.all_entries().await.expect("list").len(), before);
    let still = shop
        .client
        .redemption(hold.redemption_id)
        .await
        .expect("get");
    assert_eq!(still.points_captured, 0);
    shop.client
        .capture(hold.redemption_id, &CaptureRequest { points: None })
        .await
        .expect("an object still captures");
}
both_backends!(a_json_array_is_not_a_body);

async fn a_body_is_one_unambiguous_json_object_sent_as_json(app: &TestApp) {
    let shop = app.partner("shop", 10_000, 0).await;
    let (alice, alice_token) = app.member("alice2@example.com").await;
    let (bob, bob_token) = app.member("bob2@example.com").await;
    link(&shop, &alice).await;
    link(&shop, &bob).await;
    // A member named twice: refused, not "the last one wins".
    let twice = format!(
        r#"{{"member_number":"{alice}","order_id":"D-1","amount_minor":1000,"currency":"EUR","member_number":"{bob}"}}"#
    );
    let res = signed_by_hand(
        app,
        &shop,
        "/v1/partner/earns",
        "application/json",
        &twice,
        None,
    )
    .await;
    let (status, code, detail) = problem_of(res).await;
    assert_eq!((status, code.as_str()), (400, "invalid_body"), "{detail}");
    assert!(detail.contains("member_number"), "{detail}");
    // A JSON body sent as something else is refused; so is a browser's form post.
    let body = format!(
        r#"{{"member_number":"{alice}","order_id":"D-2","amount_minor":1000,"currency":"EUR"}}"#
    );
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
        "nonsense",
    ] {
        let res = signed_by_hand(app, &shop, "/v1/partner/earns", content_type, &body, None).await;
        let (status, code, _) = problem_of(res).await;
        assert_eq!(
            (status, code.as_str()),
            (415, "unsupported_media_type"),
            "{content_type}"
        );
    }
    let res = app
        .http
        .post(format!("{}/v1/member/signup", app.address))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(r#"{"email":"form@example.com","password":"long enough pw"}"#)
        .send()
        .await
        .expect("send");
    assert_eq!(problem_of(res).await.0, 415);
    let res = signed_by_hand(
        app,
        &shop,
        "/v1/partner/earns",
        "application/json; charset=utf-8",
        &body,
        None,
    )
    .await;
    assert_eq!(res.status().as_u16(), 201);
    assert_eq!(app.balance(&alice_token).await.available_points, 10);
    assert_eq!(app.balance(&bob_token).await.available_points, 0);
}
both_backends!(a_body_is_one_unambiguous_json_object_sent_as_json);
