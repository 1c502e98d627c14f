//! The README's walk-through: earn at A, pending then available, spend at B with a one-time
//! code (authorize, capture), refund part of the sale at A, verify.

use partner_sdk::types::{
    AuthorizeRequest, CaptureRequest, PointsStatus, RedemptionStatus, RefundRequest,
};

use crate::both_backends;
use crate::helpers::{link, sale, TestApp};

async fn earn_then_spend_elsewhere_then_refund(app: &TestApp) {
    let books = app.partner("books", 10_000, 14).await;
    let coffee = app.partner("coffee", 20_000, 1).await;
    let (alice, token) = app.member("alice@example.com").await;
    link(&books, &alice).await;

    // 42.50 EUR at 1 point per euro, x1: 42.5 points, rounded down to 42, pending 14 days.
    let earned = books
        .client
        .earn(&sale(&alice, "A-1001", 4250))
        .await
        .expect("earn");
    assert_eq!(earned.points, 42);
    assert_eq!(earned.status, PointsStatus::Pending);
    assert!(
        earned.rules.iter().any(|r| r.rule == "round_down"),
        "{:?}",
        earned.rules
    );
    let balance = books.client.member_balance(&alice).await.expect("balance");
    assert_eq!((balance.available_points, balance.pending_points), (0, 42));

    // The return window ends: the points become available.
    app.advance_days(15);
    let balance = app.balance(&token).await;
    assert_eq!((balance.available_points, balance.pending_points), (42, 0));

    // Spend 30 at the coffee shop, which the member is not even linked to.
    let code = app.code(&token).await;
    let hold = coffee
        .client
        .authorize(&AuthorizeRequest {
            member_number: alice.clone(),
            code,
            points: 30,
            order_id: Some("C-1".into()),
            currency: Default::default(),
        })
        .await
        .expect("authorize");
    assert_eq!(hold.status, RedemptionStatus::Authorized);
    let balance = app.balance(&token).await;
    assert_eq!((balance.available_points, balance.held_points), (12, 30));
    let captured = coffee
        .client
        .capture(hold.redemption_id, &CaptureRequest { points: None })
        .await
        .expect("capture");
    assert_eq!(
        (captured.status, captured.points_captured),
        (RedemptionStatus::Captured, 30)
    );
    assert_eq!(app.balance(&token).await.available_points, 12);

    // Half the order comes back: 21 points are clawed back; the order's lot has 12 left, the
    // other 9 were spent, so the member owes 9.
    let refund = books
        .client
        .refund(&RefundRequest {
            order_id: "A-1001".into(),
            refund_id: "R-1".into(),
            amount_minor: 2125,
            currency: "EUR".into(),
            lines: None,
        })
        .await
        .expect("refund");
    assert_eq!(refund.points_clawed_back, 21);
    assert_eq!(
        (
            refund.from_order_points,
            refund.from_other_points,
            refund.uncovered_points
        ),
        (12, 0, 9)
    );
    assert_eq!(app.balance(&token).await.available_points, -9);

    // The next earn repays the debt first.
    link(&coffee, &alice).await;
    let earned = coffee
        .client
        .earn(&sale(&alice, "C-2", 1000))
        .await
        .expect("earn");
    assert_eq!(earned.points, 20);
    app.advance_days(2);
    assert_eq!(app.balance(&token).await.available_points, 11);

    // Each partner sees its own journal entries, in order.
    let mine = books.client.all_entries().await.expect("entries");
    let kinds: Vec<&str> = mine.iter().map(|t| t.kind.as_str()).collect();
    assert_eq!(kinds, ["earn", "refund"]);
    assert_eq!(mine.iter().map(|t| t.points).collect::<Vec<_>>(), [42, -21]);
    let theirs = coffee.client.all_entries().await.expect("entries");
    assert!(theirs.iter().all(|t| t.member_number == alice));
    assert_eq!(
        theirs
            .iter()
            .filter(|t| t.kind == "redemption_capture")
            .map(|t| t.points)
            .sum::<i64>(),
        -30
    );
    // The hold moved points to held without taking them; the whole list sums to the net spent.
    let lines: Vec<(&str, i64, i64)> = theirs
        .iter()
        .map(|t| (t.kind.as_str(), t.points, t.held_points))
        .collect();
    assert_eq!(
        lines,
        [
            ("redemption_hold", 0, 30),
            ("redemption_capture", -30, -30),
            ("earn", 20, 0)
        ]
    );
}
both_backends!(earn_then_spend_elsewhere_then_refund);

async fn partial_capture_and_reversal_return_points_to_their_lots(app: &TestApp) {
    let shop = app.partner("shop", 10_000, 0).await;
    let (bob, token) = app.member("bob@example.com").await;
    link(&shop, &bob).await;
    shop.client
        .earn(&sale(&bob, "O-1", 10_000))
        .await
        .expect("earn");
    assert_eq!(app.balance(&token).await.available_points, 100);
    let code = app.code(&token).await;
    let hold = shop
        .client
        .authorize(&AuthorizeRequest {
            member_number: bob.clone(),
            code,
            points: 80,
            order_id: None,
            currency: Default::default(),
        })
        .await
        .expect("authorize");
    let r = shop
        .client
        .capture(hold.redemption_id, &CaptureRequest { points: Some(50) })
        .await
        .expect("capture");
    assert_eq!(r.points_captured, 50);
    assert_eq!(app.balance(&token).await.available_points, 50);
    let r = shop
        .client
        .reverse(
            hold.redemption_id,
            &partner_sdk::types::ReverseRequest { points: 20 },
        )
        .await
        .expect("reverse");
    assert_eq!(r.points_reversed, 20);
    assert_eq!(app.balance(&token).await.available_points, 70);
}
both_backends!(partial_capture_and_reversal_return_points_to_their_lots);

async fn operator_adjustment_needs_a_reason_and_is_audited(app: &TestApp) {
    let (carol, token) = app.member("carol@example.com").await;
    let path = format!("/v1/operator/members/{carol}/adjustments");
    let (status, body) = app
        .operator(
            reqwest::Method::POST,
            &path,
            Some(serde_json::json!({"points": 50, "reason": " "})),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("invalid_request"))
    );
    let (status, body) = app
        .operator(
            reqwest::Method::POST,
            &path,
            Some(serde_json::json!({"points": 50, "reason": "parcel lost"})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(app.balance(&token).await.available_points, 50);
    let (status, body) = app
        .operator(
            reqwest::Method::POST,
            &path,
            Some(serde_json::json!({"points": -80, "reason": "correction"})),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("insufficient_points"))
    );
    assert_eq!(app.balance(&token).await.available_points, 50);
}
both_backends!(operator_adjustment_needs_a_reason_and_is_audited);
