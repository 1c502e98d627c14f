//! Redemptions in the wrong state, and wrong codes, change nothing.

use partner_sdk::types::{AuthorizeRequest, CaptureRequest};

use crate::both_backends;
use crate::helpers::fixtures::{setup, unchanged};
use crate::helpers::{code_of, TestApp};

async fn redemption_state_errors_change_nothing(app: &TestApp) {
    let s = setup(app).await;
    let auth = |code: String, points: i64| AuthorizeRequest {
        member_number: s.number.clone(),
        code,
        points,
        order_id: None,
        currency: Default::default(),
    };
    // More than available, zero, negative.
    let code = app.code(&s.token).await;
    assert_eq!(
        code_of(s.shop.client.authorize(&auth(code, 101)).await),
        "insufficient_points"
    );
    let code = app.code(&s.token).await;
    assert_eq!(
        code_of(s.shop.client.authorize(&auth(code, 0)).await),
        "invalid_amount"
    );
    let code = app.code(&s.token).await;
    assert_eq!(
        code_of(s.shop.client.authorize(&auth(code, -3)).await),
        "invalid_amount"
    );

    let code = app.code(&s.token).await;
    let hold = s
        .shop
        .client
        .authorize(&auth(code, 40))
        .await
        .expect("hold");
    let held = app.balance(&s.token).await;
    assert_eq!((held.available_points, held.held_points), (60, 40));
    // Capture above the hold, then void, then capture after void.
    assert_eq!(
        code_of(
            s.shop
                .client
                .capture(hold.redemption_id, &CaptureRequest { points: Some(41) })
                .await
        ),
        "capture_exceeds_hold"
    );
    assert_eq!(
        code_of(
            s.shop
                .client
                .capture(hold.redemption_id, &CaptureRequest { points: Some(0) })
                .await
        ),
        "invalid_amount"
    );
    s.shop.client.void(hold.redemption_id).await.expect("void");
    let before = app.balance(&s.token).await;
    assert_eq!((before.available_points, before.held_points), (100, 0));
    assert_eq!(
        code_of(
            s.shop
                .client
                .capture(hold.redemption_id, &CaptureRequest { points: None })
                .await
        ),
        "redemption_voided"
    );
    assert_eq!(
        code_of(
            s.shop
                .client
                .reverse(
                    hold.redemption_id,
                    &partner_sdk::types::ReverseRequest { points: 1 }
                )
                .await
        ),
        "redemption_not_captured"
    );

    // Void after capture; reversal beyond the capture.
    let code = app.code(&s.token).await;
    let hold = s
        .shop
        .client
        .authorize(&auth(code, 10))
        .await
        .expect("hold");
    s.shop
        .client
        .capture(hold.redemption_id, &CaptureRequest { points: None })
        .await
        .expect("capture");
    let before = app.balance(&s.token).await;
    assert_eq!(
        code_of(s.shop.client.void(hold.redemption_id).await),
        "redemption_captured"
    );
    assert_eq!(
        code_of(
            s.shop
                .client
                .capture(hold.redemption_id, &CaptureRequest { points: None })
                .await
        ),
        "redemption_captured"
    );
    assert_eq!(
        code_of(
            s.shop
                .client
                .reverse(
                    hold.redemption_id,
                    &partner_sdk::types::ReverseRequest { points: 11 }
                )
                .await
        ),
        "reversal_exceeds_capture"
    );
    assert_eq!(
        code_of(s.shop.client.redemption(999_999).await),
        "redemption_not_found"
    );
    unchanged(app, &s, &before).await;

    // An expired hold: its points went back; capturing it is refused.
    let code = app.code(&s.token).await;
    let hold = s.shop.client.authorize(&auth(code, 5)).await.expect("hold");
    app.advance_s(3_600);
    let before = app.balance(&s.token).await;
    assert_eq!((before.available_points, before.held_points), (90, 0));
    assert_eq!(
        code_of(
            s.shop
                .client
                .capture(hold.redemption_id, &CaptureRequest { points: None })
                .await
        ),
        "hold_expired"
    );
    let seen = s
        .shop
        .client
        .redemption(hold.redemption_id)
        .await
        .expect("get");
    assert_eq!(seen.status, partner_sdk::types::RedemptionStatus::Expired);
    unchanged(app, &s, &before).await;
}
both_backends!(redemption_state_errors_change_nothing);

async fn wrong_codes_lock_the_member_out(app: &TestApp) {
    let s = setup(app).await;
    let auth = |code: &str| AuthorizeRequest {
        member_number: s.number.clone(),
        code: code.into(),
        points: 1,
        order_id: None,
        currency: Default::default(),
    };
    for _ in 0..4 {
        assert_eq!(
            code_of(s.shop.client.authorize(&auth("000000")).await),
            "invalid_code"
        );
    }
    assert_eq!(
        code_of(s.shop.client.authorize(&auth("000000")).await),
        "code_locked"
    );
    // Even a right code is refused while locked.
    let res = app
        .http
        .post(format!("{}/v1/member/codes", app.address))
        .bearer_auth(&s.token)
        .send()
        .await
        .expect("code");
    assert_eq!(res.status().as_u16(), 429);
    // A used code cannot be used twice.
    app.advance_s(901);
    let code = app.code(&s.token).await;
    s.shop
        .client
        .authorize(&auth(&code))
        .await
        .expect("first use");
    assert_eq!(
        code_of(s.shop.client.authorize(&auth(&code)).await),
        "invalid_code"
    );
}
both_backends!(wrong_codes_lock_the_member_out);
