//! The partner lifecycle: only an active partner earns and redeems; a suspended one finishes
//! what it started; every transition is audited; an active partner whose catalog drifts into
//! a conflict raises an alert.

use reqwest::Method;
use serde_json::json;

use super::{applicant, set_status, upload_ok};
use crate::both_backends;
use crate::helpers::requests::refund;
use crate::helpers::{link, sale, TestApp};

async fn only_active_partners_earn_and_every_transition_is_audited(app: &TestApp) {
    let (number, _) = app.member("lea@example.com").await;
    let shop = applicant(app, "shop", "Boutique").await;
    let refused = shop
        .client
        .earn(&sale(&number, "O-1", 1_000))
        .await
        .expect_err("applied");
    assert_eq!(refused.code(), Some("partner_not_active"));
    let (status, body) =
        set_status(app, shop.id, json!({"status": "suspended", "reason": "x"})).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("transition_refused"))
    );
    let (status, body) = set_status(app, shop.id, json!({"status": "paused", "reason": "x"})).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("invalid_request"))
    );
    let (status, body) = set_status(app, shop.id, json!({"status": "active", "reason": " "})).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("invalid_request")),
        "a reason is mandatory"
    );
    let (status, body) = set_status(
        app,
        shop.id,
        json!({"status": "active", "reason": "no catalog: services"}),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("override_required")),
        "nothing to check without a catalog"
    );
    let (status, _) = set_status(
        app,
        shop.id,
        json!({"status": "active", "reason": "no catalog: services", "override_conflict": true}),
    )
    .await;
    assert_eq!(status, 200);
    link(&shop, &number).await;
    shop.client
        .earn(&sale(&number, "O-1", 1_000))
        .await
        .expect("active earns");

    let (status, _) = set_status(
        app,
        shop.id,
        json!({"status": "suspended", "reason": "unpaid statement"}),
    )
    .await;
    assert_eq!(status, 200);
    let refused = shop
        .client
        .earn(&sale(&number, "O-2", 1_000))
        .await
        .expect_err("suspended");
    assert_eq!(refused.code(), Some("partner_suspended"));
    // A suspended partner still takes back the points of a return.
    shop.client
        .refund(&refund("O-1", "R-1", 500))
        .await
        .expect("refund while suspended");
    let (status, _) = set_status(
        app,
        shop.id,
        json!({"status": "active", "reason": "paid", "override_conflict": true}),
    )
    .await;
    assert_eq!(status, 200);
    shop.client
        .earn(&sale(&number, "O-2", 1_000))
        .await
        .expect("reinstated");
    set_status(
        app,
        shop.id,
        json!({"status": "suspended", "reason": "closing"}),
    )
    .await;
    let (status, _) = set_status(
        app,
        shop.id,
        json!({"status": "terminated", "reason": "closed"}),
    )
    .await;
    assert_eq!(status, 200);
    let refused = shop
        .client
        .member_balance(&number)
        .await
        .expect_err("terminated");
    assert_eq!(refused.code(), Some("partner_not_active"));
    let (status, body) =
        set_status(app, shop.id, json!({"status": "active", "reason": "again"})).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("transition_refused"))
    );

    let (_, events) = app
        .operator(
            Method::GET,
            &format!("/v1/operator/partners/{}/events", shop.id),
            None,
        )
        .await;
    let trail: Vec<(Option<&str>, &str, &str)> = events["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| {
            (
                e["from_status"].as_str(),
                e["to_status"].as_str().unwrap_or(""),
                e["reason"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        trail,
        [
            (None, "applied", "application registered"),
            (Some("applied"), "active", "no catalog: services"),
            (Some("active"), "suspended", "unpaid statement"),
            (Some("suspended"), "active", "paid"),
            (Some("active"), "suspended", "closing"),
            (Some("suspended"), "terminated", "closed"),
        ]
    );
    assert!(events["items"]
        .as_array()
        .expect("items")
        .iter()
        .all(|e| e["actor"] == "test"));
}

async fn a_catalog_drifting_into_a_conflict_raises_an_alert(app: &TestApp) {
    let tools = app.partner("tools", 10_000, 14).await;
    let garden = app.partner("garden", 10_000, 14).await;
    let drills = |prefix: &str| {
        let mut feed = String::from("sku,title,category,price_minor,currency\n");
        for i in 0..20 {
            feed.push_str(&format!("{prefix}{i},Perceuse {i},1217,9990,EUR\n"));
        }
        feed.into_bytes()
    };
    upload_ok(&tools, "csv", drills("T")).await;
    let plants =
        "sku,title,category,price_minor,currency\nG1,Rosier,Home & Garden > Plants,1500,EUR\n";
    let done = upload_ok(&garden, "csv", plants.into()).await;
    assert_eq!(done.report.verdict, "distant");
    let (_, alerts) = app
        .operator(Method::GET, "/v1/operator/compatibility-alerts", None)
        .await;
    assert_eq!(alerts["items"], json!([]));
    // The garden centre starts selling drills only: now a direct competitor of the tool shop.
    let drifted = upload_ok(&garden, "csv", drills("G")).await;
    assert_eq!(drifted.report.verdict, "conflict");
    assert_eq!(drifted.report.drift_ppm, Some(1_000_000));
    let (_, alerts) = app
        .operator(Method::GET, "/v1/operator/compatibility-alerts", None)
        .await;
    let alert = &alerts["items"][0];
    assert_eq!(alert["partner_id"].as_i64(), Some(garden.id));
    assert_eq!(
        (
            alert["previous_verdict"].as_str(),
            alert["verdict"].as_str()
        ),
        (Some("distant"), Some("conflict"))
    );
    let id = alert["id"].as_i64().expect("id");
    let (status, _) = app
        .operator(
            Method::POST,
            &format!("/v1/operator/compatibility-alerts/{id}/acknowledge"),
            None,
        )
        .await;
    assert_eq!(status, 204);
    let (status, body) = app
        .operator(
            Method::POST,
            &format!("/v1/operator/compatibility-alerts/{id}/acknowledge"),
            None,
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (404, Some("alert_not_found"))
    );
    let (_, open) = app
        .operator(Method::GET, "/v1/operator/compatibility-alerts", None)
        .await;
    assert_eq!(open["items"], json!([]));
    let (_, all) = app
        .operator(
            Method::GET,
            "/v1/operator/compatibility-alerts?all=true",
            None,
        )
        .await;
    assert_eq!(all["items"][0]["acknowledged_by"], "test");
    // The same conflict again raises no second alert.
    upload_ok(&garden, "csv", drills("H")).await;
    let (_, open) = app
        .operator(Method::GET, "/v1/operator/compatibility-alerts", None)
        .await;
    assert_eq!(open["items"], json!([]));
}

async fn restricting_a_subtree_reassesses_the_network(app: &TestApp) {
    let tools = app.partner("tools", 10_000, 14).await;
    let feed = "sku,title,category,price_minor,currency\nT1,Perceuse,1217,9990,EUR\nT2,Scie,1235,2990,EUR\n";
    upload_ok(&tools, "csv", feed.into()).await;
    let (status, _) = app
        .operator(
            Method::PUT,
            "/v1/operator/category-restrictions/1217",
            Some(json!({"reason": "no points on drills"})),
        )
        .await;
    assert_eq!(status, 200);
    let (_, alerts) = app
        .operator(Method::GET, "/v1/operator/compatibility-alerts", None)
        .await;
    assert_eq!(alerts["items"][0]["partner_id"].as_i64(), Some(tools.id));
    assert_eq!(alerts["items"][0]["verdict"], "restricted");
    let (_, page) = app
        .operator(
            Method::GET,
            &format!(
                "/v1/operator/partners/{}/compatibility-reports?limit=1",
                tools.id
            ),
            None,
        )
        .await;
    assert_eq!(page["items"][0]["restricted_ppm"], 500_000);
}

both_backends!(only_active_partners_earn_and_every_transition_is_audited);
both_backends!(restricting_a_subtree_reassesses_the_network);
both_backends!(a_catalog_drifting_into_a_conflict_raises_an_alert);
