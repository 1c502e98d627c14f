//! A day's sales in one request: one result per sale, each as a single earn would answer it,
//! and sending the batch again earns nothing twice.

use partner_sdk::batch::{EarnBatchRequest, SaleOutcome};
use serde_json::json;

use crate::both_backends;
use crate::helpers::requests::signed_post;
use crate::helpers::{code_of, link, sale, unused_member_number, TestApp};

async fn a_batch_answers_each_sale_as_a_single_earn_would(app: &TestApp) {
    let shop = app.partner("shop", 10_000, 0).await;
    let other = app.partner("other", 10_000, 0).await;
    let (ann, token) = app.member("ann@example.com").await;
    let (bob, _) = app.member("bob@example.com").await;
    link(&shop, &ann).await;
    link(&other, &bob).await;
    shop.client
        .earn(&sale(&ann, "OLD", 900))
        .await
        .expect("earn");
    let mut usd = sale(&ann, "USD-1", 500);
    usd.currency = "USD".into();
    let sales = vec![
        sale(&ann, "N-1", 1_000),
        sale(&ann, "OLD", 900),
        sale(&bob, "N-2", 1_000),
        sale(&unused_member_number(&ann), "N-3", 1_000),
        usd,
        sale(&ann, "N-1", 2_000),
        sale(&ann, "N-4", 250),
    ];
    let answer = shop
        .client
        .earn_batch(&EarnBatchRequest {
            sales: sales.clone(),
        })
        .await
        .expect("batch");
    let outcomes: Vec<(usize, SaleOutcome, String)> = answer
        .results
        .iter()
        .map(|r| {
            let code = r
                .problem
                .as_ref()
                .map(|p| p.code.clone())
                .unwrap_or_default();
            (r.index, r.outcome, code)
        })
        .collect();
    let refused = |index, code: &str| (index, SaleOutcome::Refused, code.to_owned());
    assert_eq!(
        outcomes,
        [
            (0, SaleOutcome::Earned, String::new()),
            (1, SaleOutcome::AlreadyEarned, String::new()),
            // Bob is linked to the other partner only: this one does not know him.
            refused(2, "member_not_found"),
            refused(3, "member_not_found"),
            refused(4, "currency_mismatch"),
            // The same order earlier in this batch.
            (5, SaleOutcome::AlreadyEarned, String::new()),
            (6, SaleOutcome::Earned, String::new()),
        ]
    );
    assert_eq!(
        (answer.earned, answer.already_earned, answer.refused),
        (2, 2, 3)
    );
    assert_eq!(answer.results[0].earn.as_ref().map(|e| e.points), Some(10));
    assert_eq!(answer.results[1].points, Some(9));
    assert_eq!(answer.results[5].points, Some(10), "the first earn of N-1");
    // Each single earn is refused the same way.
    for (index, code) in [(2, "member_not_found"), (4, "currency_mismatch")] {
        assert_eq!(code_of(shop.client.earn(&sales[index]).await), code);
    }
    assert_eq!(app.balance(&token).await.available_points, 9 + 10 + 2);

    // Sent again, nothing earns twice.
    let again = shop
        .client
        .earn_batch(&EarnBatchRequest { sales })
        .await
        .expect("batch again");
    assert_eq!(
        (again.earned, again.already_earned, again.refused),
        (0, 4, 3)
    );
    assert_eq!(app.balance(&token).await.available_points, 9 + 10 + 2);
}

both_backends!(a_batch_answers_each_sale_as_a_single_earn_would);

async fn a_thousand_sales_earn_in_one_request(app: &TestApp) {
    let shop = app.partner("shop", 10_000, 0).await;
    let (ann, token) = app.member("ann@example.com").await;
    let (bob, _) = app.member("bob@example.com").await;
    link(&shop, &ann).await;
    link(&shop, &bob).await;
    let sales = (0..1_000i64)
        .map(|i| {
            let member = if i % 3 == 0 { &bob } else { &ann };
            sale(member, &format!("D-{i}"), 100 + i % 7 * 100)
        })
        .collect();
    // A thousand sales take a while on a debug build: one attempt, given time.
    let mut config = partner_sdk::ClientConfig::new(&app.address, &shop.key_id, &shop.secret);
    config.timeout = std::time::Duration::from_secs(300);
    config.max_retries = 0;
    let client = partner_sdk::Client::with_config(config).expect("client");
    let answer = client
        .earn_batch(&EarnBatchRequest { sales })
        .await
        .expect("batch");
    assert_eq!((answer.earned, answer.refused), (1_000, 0));
    // Ann reaches a higher tier on the way, so her points are the results' own sum; each at
    // least a point per euro.
    let ann_points: i64 = answer
        .results
        .iter()
        .filter(|r| r.index % 3 != 0)
        .map(|r| r.earn.as_ref().map_or(0, |e| e.points))
        .sum();
    let at_base_rate: i64 = (0..1_000i64)
        .filter(|i| i % 3 != 0)
        .map(|i| 1 + i % 7)
        .sum();
    assert!(ann_points >= at_base_rate, "{ann_points} < {at_base_rate}");
    assert_eq!(app.balance(&token).await.available_points, ann_points);
    for (index, result) in answer.results.iter().enumerate() {
        assert_eq!(result.index, index);
        assert_eq!(
            result.order_id.as_deref(),
            Some(format!("D-{index}").as_str())
        );
    }
}

both_backends!(a_thousand_sales_earn_in_one_request);

async fn a_batch_refuses_bad_shapes_and_sizes(app: &TestApp) {
    let shop = app.partner("shop", 10_000, 0).await;
    let (ann, token) = app.member("ann@example.com").await;
    link(&shop, &ann).await;
    let path = "/v1/partner/earns/batch";
    let one =
        json!({"member_number": ann, "order_id": "X-1", "amount_minor": 100, "currency": "EUR"});
    for (body, code) in [
        (json!({}), "invalid_body"),
        (json!({"sales": []}), "invalid_request"),
        (json!({"sales": one}), "invalid_body"),
        (json!({"sales": [one], "extra": 1}), "invalid_body"),
        (
            json!({"sales": vec![one.clone(); 1_001]}),
            "invalid_request",
        ),
    ] {
        let (status, got, _) = signed_post(&shop, path, body).await;
        assert_eq!((status, got.as_str()), (400, code));
    }
    // A sale that cannot be read is refused alone; a control character refuses the body.
    let (status, text) = {
        let body = json!({"sales": [one, {"member_number": ann, "order_id": 7}]});
        let res = shop
            .client
            .send_raw(reqwest::Method::POST, path, Some(&body), None)
            .await
            .expect("send");
        (res.status, String::from_utf8_lossy(&res.body).into_owned())
    };
    assert_eq!(status, 200, "{text}");
    let answer: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(answer["earned"], 1);
    assert_eq!(answer["results"][1]["problem"]["code"], "invalid_body");
    let bad = json!({"sales": [{"member_number": ann, "order_id": "X\u{0}2", "amount_minor": 1, "currency": "EUR"}]});
    assert_eq!(signed_post(&shop, path, bad).await.0, 400);
    assert_eq!(app.balance(&token).await.available_points, 1);
}

both_backends!(a_batch_refuses_bad_shapes_and_sizes);
