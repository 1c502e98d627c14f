//! Requests a well-behaved client would not send, signed or not: raw JSON, bodies signed by
//! hand with any Content-Type or timestamp, headers no HTTP library writes.

use partner_sdk::types::RefundRequest;
use reqwest::Method;
use serde_json::Value;

use super::{TestApp, TestPartner};

pub fn refund(order: &str, id: &str, amount_minor: i64) -> RefundRequest {
    RefundRequest {
        order_id: order.into(),
        refund_id: id.into(),
        amount_minor,
        currency: "EUR".into(),
        lines: None,
    }
}

/// (status, code, detail) of an operator or member request with a JSON body.
pub async fn bearer_post(
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

pub async fn problem_of(res: reqwest::Response) -> (u16, String, String) {
    let status = res.status().as_u16();
    let body: Value = res.json().await.unwrap_or_default();
    (
        status,
        body["code"].as_str().unwrap_or("").to_owned(),
        body["detail"].as_str().unwrap_or("").to_owned(),
    )
}

pub async fn signed_post(p: &TestPartner, path: &str, body: Value) -> (u16, String, String) {
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

/// Sends a signed earn without a body over a plain TCP socket, with an Idempotency-Key no HTTP
/// library sends. Without a body, the server can refuse at the headers and close cleanly.
pub async fn raw_earn_with_key(app: &TestApp, shop: &TestPartner, key: &str) -> u16 {
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

/// Uploads a CSV reconciliation file, signed by hand (the SDK sends JSON rows).
pub async fn signed_csv(app: &TestApp, shop: &TestPartner, id: i64, file: &str) -> (u16, Value) {
    let path = format!("/v1/partner/statements/{id}/reconciliation");
    let res = signed_by_hand(app, shop, &path, "text/csv", file, None).await;
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or_default())
}

/// Sends a POST signed by hand, with the body as is and the given Content-Type and timestamp.
pub async fn signed_by_hand(
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
