//! Walks the OpenAPI document: every secured operation answers 401 (problem+json) without
//! credentials, with garbage credentials, and with another audience's credentials.

use reqwest::Method;
use serde_json::Value;

use crate::both_backends;
use crate::helpers::{unused_member_number, TestApp, TestPartner};

/// The credentials a request carries.
#[derive(Clone, Copy)]
enum Credentials<'a> {
    None,
    Bearer(&'a str),
    Signed(&'a TestPartner),
    GarbageSignature,
}

/// Every operation of the document with its security scheme: (method, path, scheme).
fn secured_operations() -> Vec<(Method, String, String)> {
    let doc: Value = serde_json::from_str(
        &loyalty_server::startup::openapi_json().expect("the OpenAPI document"),
    )
    .expect("json");
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            let Some(scheme) = op["security"]
                .as_array()
                .and_then(|s| s.first())
                .and_then(|s| s.as_object())
                .and_then(|s| s.keys().next().cloned())
            else {
                continue;
            };
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            out.push((method, path.clone(), scheme));
        }
    }
    out
}

/// The path with every parameter filled with a plausible value.
fn concrete(path: &str, member_number: &str) -> String {
    let mut out = String::new();
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        out.push('/');
        match segment {
            "{member_number}" => out.push_str(member_number),
            "{key_id}" => out.push_str("lk_0123456789abcdef"),
            s if s.starts_with('{') => out.push('1'),
            s => out.push_str(s),
        }
    }
    out
}

async fn send(app: &TestApp, method: Method, path: &str, creds: Credentials<'_>) -> (u16, String) {
    let body = if method == Method::GET || method == Method::DELETE {
        None
    } else {
        Some(serde_json::json!({}))
    };
    let res = match creds {
        Credentials::Signed(p) => {
            let res = p
                .client
                .send_raw(method, path, body.as_ref(), Some("auth-matrix"))
                .await
                .expect("send");
            let content_type = res
                .headers
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned();
            return (res.status, content_type);
        }
        other => {
            let mut req = app.http.request(method, format!("{}{path}", app.address));
            if let Some(b) = &body {
                req = req.json(b);
            }
            match other {
                Credentials::Bearer(token) => req = req.bearer_auth(token),
                Credentials::GarbageSignature => {
                    req = req
                        .header("Loyalty-Key-Id", "lk_garbage")
                        .header(
                            "Loyalty-Timestamp",
                            chrono::Utc::now().timestamp().to_string(),
                        )
                        .header("Loyalty-Nonce", partner_sdk::signing::new_nonce())
                        .header("Loyalty-Signature", format!("v1={}", "0".repeat(64)))
                        .header("Idempotency-Key", "auth-matrix");
                }
                _ => {}
            }
            req.send().await.expect("send")
        }
    };
    let content_type = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    (res.status().as_u16(), content_type)
}

async fn every_secured_operation_refuses_missing_garbage_and_foreign_credentials(app: &TestApp) {
    let partner = app.partner("matrix", 10_000, 0).await;
    let (number, member_token) = app.member("matrix@example.com").await;
    let unknown = unused_member_number(&number);
    let operations = secured_operations();
    assert!(
        operations.len() >= 30,
        "{} secured operations",
        operations.len()
    );
    for (method, path, scheme) in operations {
        let url = concrete(&path, &unknown);
        let attempts: Vec<(&str, Credentials<'_>)> = match scheme.as_str() {
            "partner_signature" => vec![
                ("none", Credentials::None),
                ("garbage", Credentials::GarbageSignature),
                ("operator token", Credentials::Bearer(&app.operator_token)),
                ("member token", Credentials::Bearer(&member_token)),
            ],
            "operator_token" => vec![
                ("none", Credentials::None),
                ("garbage", Credentials::Bearer("garbage")),
                ("member token", Credentials::Bearer(&member_token)),
                ("partner signature", Credentials::Signed(&partner)),
            ],
            "member_token" => vec![
                ("none", Credentials::None),
                ("garbage", Credentials::Bearer("lms_garbage")),
                ("operator token", Credentials::Bearer(&app.operator_token)),
                ("partner signature", Credentials::Signed(&partner)),
            ],
            other => panic!("unknown security scheme {other} on {method} {path}"),
        };
        for (what, creds) in attempts {
            let (status, content_type) = send(app, method.clone(), &url, creds).await;
            assert_eq!(
                (status, content_type.as_str()),
                (401, "application/problem+json"),
                "{method} {path} with {what}"
            );
        }
    }
}
both_backends!(every_secured_operation_refuses_missing_garbage_and_foreign_credentials);
