//! Operator and member endpoints refuse bad input with a problem.

use reqwest::Method;
use serde_json::json;

use crate::both_backends;
use crate::helpers::TestApp;

async fn operator_and_member_endpoints_refuse_bad_input(app: &TestApp) {
    let (status, body) = app
        .operator(Method::GET, "/v1/operator/partners/999999", None)
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (404, Some("partner_not_found"))
    );
    let (status, body) = app
        .operator(Method::POST, "/v1/operator/partners/999999/keys", None)
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (404, Some("partner_not_found"))
    );
    let (status, body) = app
        .operator(Method::POST, "/v1/operator/partners", Some(json!({"slug": "Bad Slug", "name": "x", "universe": "y",
            "contract": {"earn_rate_bp": 1, "issuance_price_micros": 1, "redemption_price_micros": 2, "return_window_days": 0}})))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("invalid_request"))
    );
    let (status, body) = app
        .operator(Method::POST, "/v1/operator/partners", Some(json!({"slug": "ok", "name": "x", "universe": "y",
            "contract": {"earn_rate_bp": 1, "issuance_price_micros": 1, "redemption_price_micros": 2, "return_window_days": 0}})))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("invalid_request")),
        "redemption above issuance"
    );
    let res = app
        .http
        .get(format!("{}/v1/operator/partners", app.address))
        .send()
        .await
        .expect("get");
    assert_eq!(res.status().as_u16(), 401);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let res = app
        .http
        .get(format!("{}/v1/member/balance", app.address))
        .bearer_auth("lms_forged")
        .send()
        .await
        .expect("get");
    assert_eq!(res.status().as_u16(), 401);
    let res = app
        .http
        .delete(format!("{}/v1/member/balance", app.address))
        .send()
        .await
        .expect("delete");
    assert!(res.status().is_client_error());
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let res = app
        .http
        .post(format!("{}/v1/member/signin", app.address))
        .json(&json!({"email": "nobody@example.com", "password": "whatever-it-is"}))
        .send()
        .await
        .expect("signin");
    assert_eq!(res.status().as_u16(), 401);
    let (status, body) = app
        .operator(
            Method::POST,
            "/v1/operator/clock",
            Some(json!({"advance_s": -5})),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("invalid_amount"))
    );
}
both_backends!(operator_and_member_endpoints_refuse_bad_input);
