//! The category tree: Google's whole taxonomy on a fresh database, searched in English and
//! French by anyone; network categories and restrictions by the operator only.

use reqwest::Method;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::TestApp;

async fn public(app: &TestApp, path: &str) -> (u16, Value) {
    let res = app
        .http
        .get(format!("{}{path}", app.address))
        .send()
        .await
        .expect("get");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn the_tree_is_googles_with_the_networks_additions(app: &TestApp) {
    let (status, top) = public(app, "/v1/network/categories").await;
    assert_eq!(status, 200);
    assert_eq!(top["items"].as_array().map(Vec::len), Some(21));
    let (_, found) = public(app, "/v1/network/categories?search=perceuses").await;
    let drills = found["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|c| c["id"] == 1217)
        .expect("drills found by their French name");
    assert_eq!(drills["path"], "Hardware > Tools > Drills");
    let (_, detail) = public(app, "/v1/network/categories/543703").await;
    assert!(
        detail["category"]["name_fr"]
            .as_str()
            .is_some_and(|n| n.contains(" > ")),
        "{detail}"
    );
    let (_, wine) = public(app, "/v1/network/categories/421").await;
    assert_eq!(wine["category"]["restricted_by"], 499676);
    assert_eq!(wine["ancestors"].as_array().map(Vec::len), Some(3));
    let (status, body) = public(app, "/v1/network/categories/123456789").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (404, Some("category_not_found"))
    );

    let (status, created) = app
        .operator(
            Method::POST,
            "/v1/operator/categories",
            Some(json!({"parent_id": 1217, "name_en": "Hammer Drills", "name_fr": "Perceuses du réseau"})),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["id"], 1_000_000_005);
    assert_eq!(created["path"], "Hardware > Tools > Drills > Hammer Drills");
    assert_eq!(created["origin"], "network");
    for (body, code) in [
        (
            json!({"parent_id": 1217, "name_en": "hammer drills"}),
            "conflict",
        ),
        (
            json!({"parent_id": 1217, "name_en": "A > B"}),
            "invalid_request",
        ),
        (
            json!({"parent_id": 1217, "name_en": "Bad\u{0}"}),
            "invalid_request",
        ),
        (
            json!({"parent_id": 123456789, "name_en": "Orphan"}),
            "category_not_found",
        ),
    ] {
        let (_, answer) = app
            .operator(Method::POST, "/v1/operator/categories", Some(body))
            .await;
        assert_eq!(answer["code"].as_str(), Some(code), "{answer}");
    }
    let (_, found) = public(
        app,
        "/v1/network/categories?search=perceuses%20du%20r%C3%A9seau",
    )
    .await;
    assert_eq!(found["items"][0]["id"], 1_000_000_005);

    let (status, restricted) = app
        .operator(
            Method::PUT,
            "/v1/operator/category-restrictions/1217",
            Some(json!({"reason": "no points on power tools this year"})),
        )
        .await;
    assert_eq!(status, 200, "{restricted}");
    let (_, child) = public(app, "/v1/network/categories/1000000005").await;
    assert_eq!(child["category"]["restricted_by"], 1217);
    let (_, list) = app
        .operator(Method::GET, "/v1/operator/category-restrictions", None)
        .await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(7));
    let (status, _) = app
        .operator(
            Method::DELETE,
            "/v1/operator/category-restrictions/1217",
            None,
        )
        .await;
    assert_eq!(status, 204);
    let (status, body) = app
        .operator(
            Method::DELETE,
            "/v1/operator/category-restrictions/1217",
            None,
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (404, Some("category_not_found"))
    );
    let (_, child) = public(app, "/v1/network/categories/1000000005").await;
    assert_eq!(child["category"]["restricted_by"], Value::Null);
}

both_backends!(the_tree_is_googles_with_the_networks_additions);
