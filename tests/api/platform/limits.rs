//! Every limit of the README's table, at its bound (accepted) and one past it (refused with its
//! code), where another test does not already cover it (see the table's last column).

use partner_sdk::types::Balance;
use reqwest::Method;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::requests::signed_post;
use crate::helpers::{link, TestApp, TestPartner};

async fn post(app: &TestApp, token: Option<&str>, path: &str, body: Value) -> (u16, String) {
    let mut req = app.http.post(format!("{}{path}", app.address)).json(&body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.expect("send");
    let status = res.status().as_u16();
    let body: Value = res.json().await.unwrap_or_default();
    (status, body["code"].as_str().unwrap_or("").to_owned())
}

async fn signed(p: &TestPartner, path: &str, body: Value) -> (u16, String) {
    let (status, code, _) = signed_post(p, path, body).await;
    (status, code)
}

fn contract(field: &str, value: i64) -> Value {
    let mut c = json!({"earn_rate_bp": 10000, "issuance_price_micros": 8000,
        "redemption_price_micros": 6000, "return_window_days": 0, "period_fee_minor": 0});
    c[field] = json!(value);
    if field == "issuance_price_micros" {
        c["redemption_price_micros"] = json!(1);
    }
    c
}

async fn every_documented_limit_holds_at_its_bound_and_one_past_it(app: &TestApp) {
    let op = Some(app.operator_token.as_str());
    // Member sign-up: email at most 254 characters, password 10 to 128, name 1 to 100.
    let email = |n: usize| format!("{}@example.com", "e".repeat(n - 12));
    let cases = [
        (
            json!({"email": email(254), "password": "p".repeat(10)}),
            201,
            "",
        ),
        (
            json!({"email": email(255), "password": "p".repeat(10)}),
            400,
            "invalid_request",
        ),
        (
            json!({"email": "p9@example.com", "password": "p".repeat(9)}),
            400,
            "invalid_request",
        ),
        (
            json!({"email": "p128@example.com", "password": "p".repeat(128)}),
            201,
            "",
        ),
        (
            json!({"email": "p129@example.com", "password": "p".repeat(129)}),
            400,
            "invalid_request",
        ),
        (
            json!({"email": "n100@example.com", "password": "p".repeat(10), "display_name": "é".repeat(100)}),
            201,
            "",
        ),
        (
            json!({"email": "n101@example.com", "password": "p".repeat(10), "display_name": "é".repeat(101)}),
            400,
            "invalid_request",
        ),
    ];
    for (body, status, code) in cases {
        let got = post(app, None, "/v1/member/signup", body.clone()).await;
        assert_eq!(
            (got.0, if status == 201 { "" } else { got.1.as_str() }),
            (status, code),
            "{body}"
        );
    }
    // Partner names and universes: 1 to 100 characters; contract figures in their ranges.
    let partner = |slug: &str, name: String, contract: Value| json!({"slug": slug, "name": name, "universe": "books", "contract": contract});
    let base = contract("earn_rate_bp", 10_000);
    let cases = [
        (partner("n100", "n".repeat(100), base.clone()), 201, ""),
        (
            partner("n101", "n".repeat(101), base.clone()),
            400,
            "invalid_request",
        ),
        (
            partner("r1", "r".into(), contract("earn_rate_bp", 1_000_000)),
            201,
            "",
        ),
        (
            partner("r2", "r".into(), contract("earn_rate_bp", 1_000_001)),
            422,
            "invalid_amount",
        ),
        (
            partner(
                "p1",
                "p".into(),
                contract("issuance_price_micros", 1_000_000_000),
            ),
            201,
            "",
        ),
        (
            partner(
                "p2",
                "p".into(),
                contract("issuance_price_micros", 1_000_000_001),
            ),
            422,
            "invalid_amount",
        ),
        (
            partner("w1", "w".into(), contract("return_window_days", 365)),
            201,
            "",
        ),
        (
            partner("w2", "w".into(), contract("return_window_days", 366)),
            422,
            "invalid_amount",
        ),
        (
            partner("f1", "f".into(), contract("period_fee_minor", 100_000_000)),
            201,
            "",
        ),
        (
            partner("f2", "f".into(), contract("period_fee_minor", 100_000_001)),
            422,
            "invalid_amount",
        ),
    ];
    for (body, status, code) in cases {
        let got = post(app, op, "/v1/operator/partners", body.clone()).await;
        assert_eq!(
            (got.0, if status == 201 { "" } else { got.1.as_str() }),
            (status, code),
            "{body}"
        );
    }
    // Free text: 1 to 500 characters.
    let (number, token) = app.member("free@example.com").await;
    let path = format!("/v1/operator/members/{number}/adjustments");
    let got = post(
        app,
        op,
        &path,
        json!({"points": 1, "reason": "r".repeat(500)}),
    )
    .await;
    assert_eq!(got.0, 201);
    let got = post(
        app,
        op,
        &path,
        json!({"points": 1, "reason": "r".repeat(501)}),
    )
    .await;
    assert_eq!(got, (400, "invalid_request".into()));
    // JSON bodies nest at most 16 deep.
    let mut deep = json!(1);
    for _ in 0..17 {
        deep = json!([deep]);
    }
    let got = post(
        app,
        op,
        &path,
        json!({"points": 1, "reason": "deep", "x": deep}),
    )
    .await;
    assert_eq!(got, (400, "invalid_request".into()));

    // A sale has at most 500 lines; it may be dated up to 30 days back, not in the future.
    let shop = app.partner("shop", 10_000, 0).await;
    link(&shop, &number).await;
    let sale = |order: &str, lines: usize, back_days: i64| {
        let at = app.state.clock.now() - chrono::Duration::days(back_days);
        json!({"member_number": number, "order_id": order, "amount_minor": 1000,
               "currency": "EUR", "occurred_at": at.to_rfc3339(),
               "lines": vec![json!({"amount_minor": 1}); lines]})
    };
    assert_eq!(
        signed(&shop, "/v1/partner/earns", sale("L500", 500, 0))
            .await
            .0,
        201
    );
    assert_eq!(
        signed(&shop, "/v1/partner/earns", sale("L501", 501, 0)).await,
        (400, "invalid_request".into())
    );
    let hours_back = |h: i64| {
        sale(&format!("B{h}"), 0, 0)
            .as_object()
            .cloned()
            .map(|mut o| {
                let at = app.state.clock.now() - chrono::Duration::hours(h);
                o.insert("occurred_at".into(), json!(at.to_rfc3339()));
                Value::Object(o)
            })
    };
    assert_eq!(
        signed(&shop, "/v1/partner/earns", hours_back(30 * 24 - 1).unwrap())
            .await
            .0,
        201
    );
    assert_eq!(
        signed(&shop, "/v1/partner/earns", hours_back(30 * 24 + 1).unwrap()).await,
        (422, "invalid_occurred_at".into())
    );
    assert_eq!(
        signed(&shop, "/v1/partner/earns", hours_back(-1).unwrap()).await,
        (422, "invalid_occurred_at".into())
    );

    // Lists: 1 to 200 per page.
    for (limit, status) in [(200, 200), (201, 400), (0, 400)] {
        let res = app
            .http
            .get(format!(
                "{}/v1/operator/partners?limit={limit}",
                app.address
            ))
            .bearer_auth(&app.operator_token)
            .send()
            .await
            .expect("list");
        assert_eq!(res.status().as_u16(), status, "limit {limit}");
    }
    // A member holds at most 64 unused one-time codes.
    for _ in 0..64 {
        app.code(&token).await;
    }
    let res = app
        .http
        .post(format!("{}/v1/member/codes", app.address))
        .bearer_auth(&token)
        .send()
        .await
        .expect("code");
    assert_eq!(res.status().as_u16(), 429);
    let body: Value = res.json().await.expect("problem");
    assert_eq!(body["code"], "too_many_codes");
    // Payments: 1 to 1,000,000,000,000 minor units (checked before the statement is looked up).
    let got = post(
        app,
        op,
        "/v1/operator/statements/1/payments",
        json!({"direction": "received", "amount_minor": 1_000_000_000_001_i64, "bank_reference": "B-1"}),
    )
    .await;
    assert_eq!(got, (422, "invalid_amount".into()));
    let balance: Balance = app.balance(&token).await;
    assert!(balance.available_points > 0);
    // A reconciliation upload of more than 8 MiB, from a known key, is refused unread.
    let res = app
        .http
        .post(format!(
            "{}/v1/partner/statements/1/reconciliation",
            app.address
        ))
        .header("Content-Type", "text/csv")
        .header(partner_sdk::signing::HEADER_KEY_ID, &shop.key_id)
        .header(
            partner_sdk::signing::HEADER_TIMESTAMP,
            chrono::Utc::now().timestamp().to_string(),
        )
        .header(
            partner_sdk::signing::HEADER_NONCE,
            partner_sdk::signing::new_nonce(),
        )
        .header(partner_sdk::signing::HEADER_SIGNATURE, "v1=00")
        .body(vec![b'x'; 8 * 1024 * 1024 + 1])
        .send()
        .await
        .expect("upload");
    assert_eq!(res.status().as_u16(), 413);
    // A stale timestamp is refused before the body is read at all.
    let res = app
        .http
        .put(format!("{}/v1/partner/catalog?format=csv", app.address))
        .header(partner_sdk::signing::HEADER_KEY_ID, &shop.key_id)
        .header(partner_sdk::signing::HEADER_TIMESTAMP, "0")
        .header(
            partner_sdk::signing::HEADER_NONCE,
            partner_sdk::signing::new_nonce(),
        )
        .header(partner_sdk::signing::HEADER_SIGNATURE, "v1=00")
        .body(vec![b'x'; 1024 * 1024])
        .send()
        .await
        .expect("upload");
    assert_eq!(res.status().as_u16(), 401);
    // Bearer tokens: at most 200 characters.
    let res = app
        .http
        .get(format!("{}/v1/operator/partners", app.address))
        .bearer_auth("t".repeat(201))
        .send()
        .await
        .expect("list");
    assert_eq!(res.status().as_u16(), 401);
    // Network settings, each in its range.
    let (_, current) = app
        .operator(Method::GET, "/v1/operator/settings", None)
        .await;
    for (field, good, bad) in [
        ("base_rate_millipoints", 1_000_000, 1_000_001),
        ("expiry_months", 120, 121),
        ("hold_ttl_s", 604_800, 604_801),
        ("code_ttl_s", 3_600, 3_601),
    ] {
        for (value, status) in [(good, 200), (bad, 422)] {
            let mut settings = current.clone();
            settings[field] = json!(value);
            let (got, body) = app
                .operator(Method::PUT, "/v1/operator/settings", Some(settings))
                .await;
            assert_eq!(got, status, "{field} = {value}: {body}");
        }
    }
    let (status, _) = app
        .operator(Method::PUT, "/v1/operator/settings", Some(current))
        .await;
    assert_eq!(status, 200);
}
both_backends!(every_documented_limit_holds_at_its_bound_and_one_past_it);
