//! Money paths under concurrency and hostile input (issue 7): concurrent refunds of one order
//! behave as a serial replay, the wrong-code lock-out holds under a burst, every text field
//! refuses control characters, numbers are range-checked before arithmetic, only JSON objects
//! are bodies, the documented limits hold, a partner cannot tell a member of another partner
//! from no member, and sign-in tokens read the network clock.

use futures::future::join_all;
use partner_sdk::types::{AuthoriseRequest, CaptureRequest, RefundRequest};
use reqwest::Method;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{code_of, link, sale, TestApp, TestPartner};

fn refund(order: &str, id: &str, amount_minor: i64) -> RefundRequest {
    RefundRequest {
        order_id: order.into(),
        refund_id: id.into(),
        amount_minor,
        currency: "EUR".into(),
    }
}

/// Sends `count` refunds of `amount_minor` on one order at once; returns the successes'
/// (points clawed, order refunded so far) and the refusal codes.
async fn refund_burst(
    shop: &TestPartner,
    order: &str,
    count: usize,
    amount_minor: i64,
) -> (Vec<(i64, i64)>, Vec<String>) {
    let answers = join_all((0..count).map(|i| {
        let client = shop.client.clone();
        let req = refund(order, &format!("{order}-R{i}"), amount_minor);
        async move { client.refund(&req).await }
    }))
    .await;
    let mut ok = Vec::new();
    let mut refused = Vec::new();
    for answer in answers {
        match answer {
            Ok(r) => ok.push((r.points_clawed_back, r.order_refunded_minor)),
            Err(e) => refused.push(e.code().unwrap_or("no code").to_owned()),
        }
    }
    (ok, refused)
}

async fn concurrent_partial_refunds_of_one_order_equal_a_serial_replay(app: &TestApp) {
    let shop = app.partner("shop", 10_000, 0).await;
    let (number, token) = app.member("rita@example.com").await;
    link(&shop, &number).await;
    for order in ["BURST", "SERIAL"] {
        shop.client
            .earn(&sale(&number, order, 1_000))
            .await
            .expect("earn");
    }
    // Ten refunds of 1.50 EUR at once on a 10.00 EUR order: six fit.
    let (ok, refused) = refund_burst(&shop, "BURST", 10, 150).await;
    assert_eq!(ok.len(), 6, "successes {ok:?}, refusals {refused:?}");
    assert!(
        refused.iter().all(|c| c == "refund_exceeds_order"),
        "{refused:?}"
    );
    let mut totals: Vec<i64> = ok.iter().map(|(_, total)| *total).collect();
    totals.sort_unstable();
    assert_eq!(totals, vec![150, 300, 450, 600, 750, 900]);
    // The same refunds one after another.
    let mut serial = Vec::new();
    for i in 0..10 {
        match shop
            .client
            .refund(&refund("SERIAL", &format!("SERIAL-R{i}"), 150))
            .await
        {
            Ok(r) => serial.push(r.points_clawed_back),
            Err(e) => assert_eq!(e.code(), Some("refund_exceeds_order")),
        }
    }
    let burst_clawed: i64 = ok.iter().map(|(points, _)| points).sum();
    assert_eq!(serial.len(), 6);
    assert_eq!(burst_clawed, serial.iter().sum::<i64>());
    assert_eq!(
        burst_clawed, 9,
        "10 points less 1 kept for the 1.00 EUR not returned"
    );
    assert_eq!(app.balance(&token).await.available_points, 20 - 2 * 9);

    // Ten refunds of 60.00 EUR at once on a 100.00 EUR order: one succeeds.
    shop.client
        .earn(&sale(&number, "BIG", 10_000))
        .await
        .expect("earn");
    let (ok, refused) = refund_burst(&shop, "BIG", 10, 6_000).await;
    assert_eq!(ok, vec![(60, 6_000)]);
    assert_eq!(refused, vec!["refund_exceeds_order".to_owned(); 9]);
    // Three of 30.00 EUR at once: each sees the others.
    shop.client
        .earn(&sale(&number, "THIRDS", 10_000))
        .await
        .expect("earn");
    let (ok, _) = refund_burst(&shop, "THIRDS", 3, 3_000).await;
    let mut totals: Vec<i64> = ok.iter().map(|(_, total)| *total).collect();
    totals.sort_unstable();
    assert_eq!(totals, vec![3_000, 6_000, 9_000]);
}
both_backends!(concurrent_partial_refunds_of_one_order_equal_a_serial_replay);

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
        let req = AuthoriseRequest {
            member_number: number.clone(),
            code: wrong.into(),
            points: 1,
            order_id: None,
        };
        async move { code_of(client.authorise(&req).await) }
    }))
    .await;
    let invalid = answers.iter().filter(|c| *c == "invalid_code").count();
    let locked = answers.iter().filter(|c| *c == "code_locked").count();
    // Four wrong codes are evaluated and refused; the fifth locks; the rest meet the lock.
    assert_eq!((invalid, locked), (4, 46), "{answers:?}");
    let req = AuthoriseRequest {
        member_number: number.clone(),
        code: right,
        points: 1,
        order_id: None,
    };
    assert_eq!(code_of(shop.client.authorise(&req).await), "code_locked");
    assert_eq!(app.balance(&token).await.held_points, 0);
    // A refused attempt is answered again under its idempotency key, and not counted twice.
    app.advance_s(901);
    let key = partner_sdk::Client::new_idempotency_key();
    for _ in 0..2 {
        let bad = AuthoriseRequest {
            code: wrong.into(),
            ..req.clone()
        };
        let answer = shop.client.authorise_with_key(&bad, &key).await;
        assert_eq!(code_of(answer), "invalid_code");
    }
    let code = app.code(&token).await;
    let hold = shop
        .client
        .authorise(&AuthoriseRequest { code, ..req })
        .await
        .expect("the right code works after the lock-out");
    assert_eq!(hold.points_authorized, 1);
}
both_backends!(a_burst_of_wrong_codes_locks_the_member_out_after_exactly_the_limit);

/// (status, code, detail) of an operator or member request with a JSON body.
async fn bearer_post(
    app: &TestApp,
    token: Option<&str>,
    path: &str,
    body: Value,
) -> (u16, String, String) {
    let mut req = app.http.post(format!("{}{path}", app.address)).json(&body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    problem_of(req.send().await.expect("send")).await
}

async fn problem_of(res: reqwest::Response) -> (u16, String, String) {
    let status = res.status().as_u16();
    let body: Value = res.json().await.unwrap_or_default();
    (
        status,
        body["code"].as_str().unwrap_or("").to_owned(),
        body["detail"].as_str().unwrap_or("").to_owned(),
    )
}

async fn signed_post(p: &TestPartner, path: &str, body: Value) -> (u16, String, String) {
    let res = p
        .client
        .send_raw(
            Method::POST,
            path,
            Some(&body),
            Some(&partner_sdk::Client::new_idempotency_key()),
        )
        .await
        .expect("send");
    let json: Value = serde_json::from_slice(&res.body).unwrap_or_default();
    (
        res.status,
        json["code"].as_str().unwrap_or("").to_owned(),
        json["detail"].as_str().unwrap_or("").to_owned(),
    )
}

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
        .authorise(&AuthoriseRequest {
            member_number: number.clone(),
            code,
            points: 5,
            order_id: None,
        })
        .await
        .expect("authorise");
    let before = shop.client.all_transactions().await.expect("list").len();
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
    assert_eq!(
        shop.client.all_transactions().await.expect("list").len(),
        before
    );
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

/// Sends a signed earn without a body over a plain TCP socket, with an Idempotency-Key no HTTP
/// library sends. Without a body, the server can refuse at the headers and close cleanly.
async fn raw_earn_with_key(app: &TestApp, shop: &TestPartner, key: &str) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let path = "/v1/partner/earns";
    let ts = chrono::Utc::now().timestamp();
    let nonce = partner_sdk::signing::new_nonce();
    let signature =
        partner_sdk::signing::signature_header(&shop.secret, "POST", path, ts, &nonce, b"");
    let host = app.address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(host).await.expect("connect");
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\n\
         Loyalty-Key-Id: {}\r\nLoyalty-Timestamp: {ts}\r\nLoyalty-Nonce: {nonce}\r\n\
         Loyalty-Signature: {signature}\r\nIdempotency-Key: {key}\r\nConnection: close\r\n\r\n",
        shop.key_id
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    let mut answer = Vec::new();
    // The server may close as soon as it has answered; what was read is enough.
    let _ = stream.read_to_end(&mut answer).await;
    let text = String::from_utf8_lossy(&answer);
    text.split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

async fn a_partner_cannot_tell_another_partners_member_from_no_member(app: &TestApp) {
    let a = app.partner("shop-a", 10_000, 0).await;
    let b = app.partner("shop-b", 10_000, 0).await;
    let (number, _) = app.member("hidden@example.com").await;
    link(&a, &number).await;
    let unknown = crate::helpers::unused_member_number(&number);
    let problem = |r: Result<_, partner_sdk::Error>| -> Value {
        let e = r.map(|_: ()| ()).expect_err("refused");
        serde_json::to_value(e.problem().expect("problem")).expect("json")
    };
    let theirs = problem(b.client.member_balance(&number).await.map(|_| ()));
    let nobody = problem(b.client.member_balance(&unknown).await.map(|_| ()));
    assert_eq!(theirs, nobody);
    assert_eq!(theirs["code"], "member_not_found");
    let theirs = problem(b.client.earn(&sale(&number, "O1", 100)).await.map(|_| ()));
    let nobody = problem(b.client.earn(&sale(&unknown, "O1", 100)).await.map(|_| ()));
    assert_eq!(theirs, nobody);
    // Authorising: any member may spend anywhere, so a wrong code and an unknown member
    // answer alike.
    let auth = |n: &str| AuthoriseRequest {
        member_number: n.to_owned(),
        code: "123456".into(),
        points: 1,
        order_id: None,
    };
    let member = problem(b.client.authorise(&auth(&number)).await.map(|_| ()));
    let nobody = problem(b.client.authorise(&auth(&unknown)).await.map(|_| ()));
    assert_eq!(member, nobody);
    assert_eq!(member["code"], "invalid_code");
    // Another partner's order, redemption and statement answer like missing ones.
    a.client
        .earn(&sale(&number, "A-ORDER", 100))
        .await
        .expect("earn");
    let theirs = problem(
        b.client
            .refund(&refund("A-ORDER", "R1", 1))
            .await
            .map(|_| ()),
    );
    let nobody = problem(
        b.client
            .refund(&refund("NO-ORDER", "R1", 1))
            .await
            .map(|_| ()),
    );
    assert_eq!(theirs, nobody);
}
both_backends!(a_partner_cannot_tell_another_partners_member_from_no_member);

async fn sign_in_tokens_expire_on_the_network_clock(app: &TestApp) {
    let (_, token) = app.member("clock@example.com").await;
    let res = app
        .http
        .get(format!("{}/v1/member/balance", app.address))
        .bearer_auth(&token)
        .send()
        .await
        .expect("balance");
    assert_eq!(res.status().as_u16(), 200);
    // The test server's sign-ins last ten years of network time.
    app.advance_days(3_651);
    let res = app
        .http
        .get(format!("{}/v1/member/balance", app.address))
        .bearer_auth(&token)
        .send()
        .await
        .expect("balance");
    let (status, code, _) = problem_of(res).await;
    assert_eq!((status, code.as_str()), (401, "invalid_token"));
}
both_backends!(sign_in_tokens_expire_on_the_network_clock);

async fn a_reconciliation_csv_without_its_header_is_refused(app: &TestApp) {
    let shop = app.partner("shop", 10_000, 0).await;
    let (number, _) = app.member("rec@example.com").await;
    link(&shop, &number).await;
    shop.client
        .earn(&sale(&number, "A-1", 100))
        .await
        .expect("earn");
    app.advance_s(3_600);
    let (status, run) = crate::settlement::close(app, 120).await;
    assert_eq!(status, 201, "{run}");
    let statements = shop.client.statements(None, None).await.expect("list");
    let id = statements[0].statement_id;
    for file in ["A-1,earn,1\n", "", "order,kind,points\nA-1,earn,1\n"] {
        let (status, json) = signed_csv(app, &shop, id, file).await;
        assert_eq!(
            (status, json["code"].as_str()),
            (422, Some("invalid_reconciliation_file")),
            "{file:?}"
        );
        let detail = json["detail"].as_str().unwrap_or_default();
        assert!(detail.contains("order_id,kind,points"), "{detail}");
    }
    let (status, report) = signed_csv(app, &shop, id, "kind,order_id,points\nearn,A-1,1\n").await;
    assert_eq!(status, 200, "columns in any order: {report}");
    assert_eq!(report["file_records"], 1);
}
both_backends!(a_reconciliation_csv_without_its_header_is_refused);

/// Uploads a CSV reconciliation file, signed by hand (the SDK sends JSON rows).
async fn signed_csv(app: &TestApp, shop: &TestPartner, id: i64, file: &str) -> (u16, Value) {
    let path = format!("/v1/partner/statements/{id}/reconciliation");
    let res = signed_by_hand(app, shop, &path, "text/csv", file, None).await;
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or_default())
}

/// Sends a POST signed by hand, with the body as is and the given Content-Type and timestamp.
async fn signed_by_hand(
    app: &TestApp,
    shop: &TestPartner,
    path: &str,
    content_type: &str,
    body: &str,
    timestamp: Option<i64>,
) -> reqwest::Response {
    let ts = timestamp.unwrap_or_else(|| chrono::Utc::now().timestamp());
    let nonce = partner_sdk::signing::new_nonce();
    let signature = partner_sdk::signing::signature_header(
        &shop.secret,
        "POST",
        path,
        ts,
        &nonce,
        body.as_bytes(),
    );
    app.http
        .post(format!("{}{path}", app.address))
        .header("Content-Type", content_type)
        .header(partner_sdk::signing::HEADER_KEY_ID, &shop.key_id)
        .header(partner_sdk::signing::HEADER_TIMESTAMP, ts.to_string())
        .header(partner_sdk::signing::HEADER_NONCE, nonce)
        .header(partner_sdk::signing::HEADER_SIGNATURE, signature)
        .header(
            partner_sdk::signing::HEADER_IDEMPOTENCY_KEY,
            partner_sdk::Client::new_idempotency_key(),
        )
        .body(body.to_owned())
        .send()
        .await
        .expect("send")
}

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

async fn concurrent_links_of_one_member_all_answer_the_link(app: &TestApp) {
    let shop = app.partner("shop", 10_000, 0).await;
    let (number, _) = app.member("links@example.com").await;
    let answers = join_all((0..10).map(|_| {
        let client = shop.client.clone();
        let req = partner_sdk::types::LinkMemberRequest {
            member_number: number.clone(),
            customer_ref: None,
        };
        async move { client.link_member(&req).await }
    }))
    .await;
    for answer in answers {
        assert_eq!(answer.expect("linked").member_number, number);
    }
}
both_backends!(concurrent_links_of_one_member_all_answer_the_link);

async fn an_unknown_member_at_authorisation_replays_like_a_wrong_code(app: &TestApp) {
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
both_backends!(an_unknown_member_at_authorisation_replays_like_a_wrong_code);
