//! Category rules at earn: a line's SKU takes its category from the partner's catalog (or the
//! line names one), restricted lines earn nothing and say so, contract multipliers apply and
//! are explained; contract rules are checked.

use partner_sdk::types::{RefundRequest, SaleLine};
use serde_json::json;

use super::upload_ok;
use crate::both_backends;
use crate::helpers::{link, sale, TestApp, TestPartner};

/// `Hardware > Tools`.
const TOOLS: i64 = 1167;

fn line(sku: Option<&str>, category: Option<&str>, amount_minor: i64) -> SaleLine {
    SaleLine {
        sku: sku.map(str::to_owned),
        category: category.map(str::to_owned),
        amount_minor,
    }
}

/// A shop whose contract doubles points on tools, selling wine (restricted) and a drill.
async fn wine_and_drills_shop(app: &TestApp) -> TestPartner {
    let shop = app
        .partner_with(
            "shop",
            json!({"earn_rate_bp": 10000, "issuance_price_micros": 8000,
                   "redemption_price_micros": 6000, "return_window_days": 0,
                   "category_rules": [{"category_id": TOOLS, "multiplier_bp": 20000}]}),
        )
        .await;
    let catalog = "sku,title,category,price_minor,currency\n\
                   W-1,Bordeaux rouge 75 cl,421,2000,EUR\n\
                   D-1,Perceuse sans fil,1217,3000,EUR\n";
    upload_ok(&shop, "csv", catalog.into()).await;
    shop
}

async fn restricted_lines_earn_nothing_and_multipliers_apply(app: &TestApp) {
    let shop = wine_and_drills_shop(app).await;
    let (number, _) = app.member("noe@example.com").await;
    link(&shop, &number).await;
    let mut req = sale(&number, "O-1", 10_000);
    req.lines = Some(vec![
        line(Some("W-1"), None, 2_000),
        line(Some("D-1"), None, 3_000),
        line(None, Some("Home & Garden > Plants"), 1_000),
        line(Some("NOT-IN-CATALOG"), Some("not a category"), 500),
    ]);
    let earned = shop.client.earn(&req).await.expect("earn");
    // 20.00 of wine earns 0; 30.00 of drills at x2 earns 60; 10.00 + 5.00 of plain lines and
    // the 35.00 no line covers earn 50: 110 points.
    assert_eq!(earned.points, 110);
    let rules: Vec<(&str, &str)> = earned
        .rules
        .iter()
        .map(|r| (r.rule.as_str(), r.description.as_str()))
        .collect();
    assert!(
        rules.contains(&(
            "category_multiplier",
            "x2 on Hardware > Tools (1 line(s), 30 EUR)"
        )),
        "{rules:?}"
    );
    assert!(
        rules.contains(&(
            "restricted_category",
            "1 line(s), 20 EUR, in Food, Beverages & Tobacco > Beverages > Alcoholic Beverages: a restricted category earns nothing"
        )),
        "{rules:?}"
    );
    // A sale of restricted goods only earns nothing at all.
    let mut req = sale(&number, "O-2", 2_000);
    req.lines = Some(vec![line(None, Some("435"), 2_000)]);
    let earned = shop.client.earn(&req).await.expect("earn");
    assert_eq!((earned.points, earned.entry_id), (0, None));
    // Without lines, nothing changes: the plain rate on the whole amount.
    let earned = shop
        .client
        .earn(&sale(&number, "O-3", 2_000))
        .await
        .expect("earn");
    assert_eq!(earned.points, 20);
}

async fn contract_category_rules_are_checked(app: &TestApp) {
    let terms = |rules: serde_json::Value| {
        json!({"slug": "xy", "name": "X", "universe": "u",
               "contract": {"earn_rate_bp": 10000, "issuance_price_micros": 8000,
                            "redemption_price_micros": 6000, "return_window_days": 0,
                            "category_rules": rules}})
    };
    for (rules, code) in [
        (
            json!([{"category_id": 999_999_999, "exclusive": true}]),
            "category_not_found",
        ),
        (json!([{"category_id": TOOLS}]), "invalid_request"),
        (
            json!([{"category_id": TOOLS, "multiplier_bp": -1}]),
            "invalid_amount",
        ),
        (
            json!([{"category_id": TOOLS, "multiplier_bp": 1_000_001}]),
            "invalid_amount",
        ),
        (
            json!([{"category_id": TOOLS, "exclusive": true}, {"category_id": TOOLS, "multiplier_bp": 5}]),
            "invalid_request",
        ),
        (
            json!([{"category_id": TOOLS, "exclusive": "yes"}]),
            "invalid_body",
        ),
    ] {
        let (status, body) = app
            .operator(
                reqwest::Method::POST,
                "/v1/operator/partners",
                Some(terms(rules.clone())),
            )
            .await;
        assert_eq!(
            body["code"].as_str(),
            Some(code),
            "{rules}: {status} {body}"
        );
    }
    let (_, page) = app
        .operator(reqwest::Method::GET, "/v1/operator/partners", None)
        .await;
    assert_eq!(page["items"], json!([]), "nothing was created");
    let (status, created) = app
        .operator(
            reqwest::Method::POST,
            "/v1/operator/partners",
            Some(terms(
                json!([{"category_id": TOOLS, "multiplier_bp": 15000, "exclusive": true}]),
            )),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(
        created["contract"]["category_rules"],
        json!([{"category_id": TOOLS, "multiplier_bp": 15000, "exclusive": true}])
    );
}

async fn refunds_claw_back_what_the_returned_lines_earned(app: &TestApp) {
    let shop = wine_and_drills_shop(app).await;
    let (number, token) = app.member("ines@example.com").await;
    link(&shop, &number).await;
    let mut req = sale(&number, "O-1", 10_000);
    req.lines = Some(vec![
        line(Some("W-1"), None, 2_000),
        line(Some("D-1"), None, 3_000),
    ]);
    // 0 for the wine, 60 for the drill at x2, 50 for the other 50.00: 110.
    assert_eq!(shop.client.earn(&req).await.expect("earn").points, 110);
    let refund = |id: &str, amount: i64, lines: Option<Vec<SaleLine>>| RefundRequest {
        order_id: "O-1".into(),
        refund_id: id.into(),
        amount_minor: amount,
        currency: "EUR".into(),
        lines,
    };
    // The wine comes back: it earned nothing, nothing is taken back.
    let wine = refund("R-1", 2_000, Some(vec![line(Some("W-1"), None, 2_000)]));
    assert_eq!(
        shop.client
            .refund(&wine)
            .await
            .expect("refund")
            .points_clawed_back,
        0
    );
    // The drill comes back: the 60 points it earned, not 30% of the order's 110.
    let drill = refund("R-2", 3_000, Some(vec![line(Some("D-1"), None, 3_000)]));
    assert_eq!(
        shop.client
            .refund(&drill)
            .await
            .expect("refund")
            .points_clawed_back,
        60
    );
    // The rest comes back without lines: all that is left.
    let rest = refund("R-3", 5_000, None);
    assert_eq!(
        shop.client
            .refund(&rest)
            .await
            .expect("refund")
            .points_clawed_back,
        50
    );
    assert_eq!(app.balance(&token).await.available_points, 0);
}

both_backends!(restricted_lines_earn_nothing_and_multipliers_apply);
both_backends!(refunds_claw_back_what_the_returned_lines_earned);
both_backends!(contract_category_rules_are_checked);
