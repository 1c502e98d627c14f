//! Sign-in tokens expire on the network clock.

use crate::both_backends;
use crate::helpers::requests::problem_of;
use crate::helpers::TestApp;

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
