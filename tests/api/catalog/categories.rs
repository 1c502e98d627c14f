//! The category tree: Google's whole taxonomy on a fresh database, searched in English and
//! French by anyone; network categories and restrictions by the operator only.

use reqwest::Method;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::TestApp;

async fn the_tree_is_googles_with_the_networks_additions(app: &TestApp) {
    let (status, top) = app.public_get("/v1/network/categories").await;
    assert_eq!(status, 200);
    assert_eq!(top["items"].as_array().map(Vec::len), Some(21));
    let (_, found) = app
        .public_get("/v1/network/categories?search=perceuses")
        .await;
    let drills = found["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|c| c["id"] == 1217)
        .expect("drills found by their French name");
    assert_eq!(drills["path"], "Hardware > Tools > Drills");
    let (_, detail) = app.public_get("/v1/network/categories/543703").await;
    assert!(
        detail["category"]["name_fr"]
            .as_str()
            .is_some_and(|n| n.contains(" > ")),
        "{detail}"
    );
    let (_, wine) = app.public_get("/v1/network/categories/421").await;
    assert_eq!(wine["category"]["restricted_by"], 499676);
    assert_eq!(wine["ancestors"].as_array().map(Vec::len), Some(3));
    let (status, body) = app.public_get("/v1/network/categories/123456789").await;
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
    let (_, found) = app
        .public_get("/v1/network/categories?search=perceuses%20du%20r%C3%A9seau")
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
    let (_, child) = app.public_get("/v1/network/categories/1000000005").await;
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
    let (_, child) = app.public_get("/v1/network/categories/1000000005").await;
    assert_eq!(child["category"]["restricted_by"], Value::Null);
}

both_backends!(the_tree_is_googles_with_the_networks_additions);

async fn a_newer_google_file_adds_renames_and_retires_but_never_deletes(app: &TestApp) {
    use loyalty_server::domain::catalog::taxonomy::EMBEDDED_EN;
    use loyalty_server::service::catalog::taxonomy;
    let shop = app.partner("shop", 10_000, 14).await;
    let anvils = "sku,title,category,price_minor,currency\nA1,Enclume,1169,9900,EUR\n";
    crate::catalog::upload_ok(&shop, "csv", anvils.into()).await;
    // Google's next file: anvils gone, drills renamed, a new category under tools.
    let newer: String = EMBEDDED_EN
        .lines()
        .filter(|l| !l.starts_with("1169 - "))
        .map(|l| {
            if l.starts_with('#') {
                "# Google_Product_Taxonomy_Version: 2027-01-15".to_owned()
            } else if l.contains(" - Hardware > Tools > Drills") {
                // The category and its five children: one renamed, five paths moved with it.
                l.replace(
                    " - Hardware > Tools > Drills",
                    " - Hardware > Tools > Drills & Drivers",
                )
            } else {
                l.to_owned()
            }
        })
        .chain(std::iter::once(
            "600001 - Hardware > Tools > Laser Measures".to_owned(),
        ))
        .collect::<Vec<_>>()
        .join("\n");
    let state = app.state.clone();
    let now = app.state.clock.now_naive();
    let text = newer.clone();
    let summary = tokio::task::spawn_blocking(move || {
        let mut conn = state.pool.get().expect("conn");
        taxonomy::import(&mut conn, now, &text, None)
    })
    .await
    .expect("join")
    .expect("import");
    assert_eq!(summary.version, "2027-01-15");
    assert_eq!(
        (
            summary.added,
            summary.renamed,
            summary.retired,
            summary.restored
        ),
        (1, 1, 1, 0)
    );
    let (_, anvil) = app.public_get("/v1/network/categories/1169").await;
    assert_eq!(anvil["category"]["retired"], true, "kept, retired");
    let page = shop
        .client
        .products(&partner_sdk::ProductQuery::default())
        .await
        .expect("products");
    assert_eq!(page.items[0].category.as_ref().map(|c| c.id), Some(1169));
    let (_, drills) = app.public_get("/v1/network/categories/1217").await;
    assert_eq!(
        drills["category"]["path"],
        "Hardware > Tools > Drills & Drivers"
    );
    assert_eq!(
        drills["category"]["name_fr"], "Perceuses",
        "the French name is kept"
    );
    let lasers = "sku,title,category,price_minor,currency\nL1,Télémètre,Hardware > Tools > Laser Measures,4900,EUR\n";
    crate::catalog::upload_ok(&shop, "csv", lasers.into()).await;
    // The same file again changes nothing; a file with a network id is refused.
    let state = app.state.clone();
    let again = tokio::task::spawn_blocking(move || {
        let mut conn = state.pool.get().expect("conn");
        let same = taxonomy::import(&mut conn, now, &newer, None);
        let hostile = taxonomy::import(&mut conn, now, "1000000001 - Mine", None);
        (same, hostile.map(|_| ()))
    })
    .await
    .expect("join");
    let same = again.0.expect("import");
    assert_eq!(
        (same.added, same.renamed, same.moved, same.retired),
        (0, 0, 0, 0)
    );
    assert!(again.1.is_err());
}

both_backends!(a_newer_google_file_adds_renames_and_retires_but_never_deletes);
