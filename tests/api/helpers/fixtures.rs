//! A shop, another partner and a member with 100 available points at the shop: the start of
//! the bad-input tests, with the checks that a refusal changed nothing.

use partner_sdk::types::Balance;

use super::{link, sale, TestApp, TestPartner};

pub struct Setup {
    pub shop: TestPartner,
    pub other: TestPartner,
    pub number: String,
    pub token: String,
}

pub async fn setup(app: &TestApp) -> Setup {
    let shop = app.partner("shop", 10_000, 0).await;
    let other = app.partner("other", 10_000, 0).await;
    let (number, token) = app.member("dan@example.com").await;
    link(&shop, &number).await;
    shop.client
        .earn(&sale(&number, "SEED", 10_000))
        .await
        .expect("seed earn");
    Setup {
        shop,
        other,
        number,
        token,
    }
}

/// Sends raw JSON as a signed partner request and returns (status, problem code).
pub async fn raw(p: &TestPartner, path: &str, body: serde_json::Value) -> (u16, String) {
    let (status, code, _) = super::requests::signed_post(p, path, body).await;
    (status, code)
}

pub async fn unchanged(app: &TestApp, s: &Setup, before: &Balance) {
    let after = app.balance(&s.token).await;
    assert_eq!(
        (
            after.available_points,
            after.pending_points,
            after.held_points
        ),
        (
            before.available_points,
            before.pending_points,
            before.held_points
        )
    );
}
