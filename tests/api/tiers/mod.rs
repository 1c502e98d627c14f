//! Network tiers: the operator's table, qualification on rolling spend, the multiplier from the
//! sale after crossing a threshold, a downgrade only after the grace period.

use reqwest::Method;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::requests::refund;
use crate::helpers::{link, sale, TestApp};

mod paid;

pub(super) async fn tier_of(app: &TestApp, token: &str) -> Value {
    let res = app
        .http
        .get(format!("{}/v1/member/tier", app.address))
        .bearer_auth(token)
        .send()
        .await
        .expect("tier");
    assert_eq!(res.status().as_u16(), 200);
    res.json().await.expect("json")
}

fn table(silver: i64, gold: i64) -> Value {
    json!({"window_months": 12, "grace_days": 30, "tiers": [
        {"code": "member", "name": {"fr-FR": "Membre", "en-GB": "Member"}, "threshold_minor": 0, "multiplier_bp": 10000},
        {"code": "silver", "name": {"fr-FR": "Argent", "en-GB": "Silver"}, "threshold_minor": silver, "multiplier_bp": 12500},
        {"code": "gold", "name": {"fr-FR": "Or", "en-GB": "Gold"}, "threshold_minor": gold, "multiplier_bp": 15000}
    ]})
}

async fn a_member_crossing_to_gold_earns_its_multiplier_from_the_next_sale(app: &TestApp) {
    let cafe = app.partner("cafe", 10_000, 0).await;
    let (number, token) = app.member("ada@example.com").await;
    link(&cafe, &number).await;

    // Bad tables are refused and change nothing.
    let (_, before) = app.operator(Method::GET, "/v1/operator/tiers", None).await;
    assert_eq!(
        before["tiers"].as_array().map(Vec::len),
        Some(3),
        "{before}"
    );
    let mut no_base = table(10_000, 30_000);
    no_base["tiers"][0]["threshold_minor"] = json!(5);
    let mut dup = table(10_000, 30_000);
    dup["tiers"][2]["code"] = json!("silver");
    let window = json!({"window_months": 0, "grace_days": 30, "tiers": []});
    for (bad, want, code) in [
        (table(30_000, 10_000), 400, "invalid_request"),
        (no_base, 400, "invalid_request"),
        (dup, 400, "invalid_request"),
        (window, 422, "invalid_amount"),
    ] {
        let (status, body) = app
            .operator(Method::PUT, "/v1/operator/tiers", Some(bad))
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (want, Some(code)),
            "{body}"
        );
    }
    let (_, unchanged) = app.operator(Method::GET, "/v1/operator/tiers", None).await;
    assert_eq!(unchanged, before);
    let (status, set) = app
        .operator(
            Method::PUT,
            "/v1/operator/tiers",
            Some(table(10_000, 30_000)),
        )
        .await;
    assert_eq!(status, 200, "{set}");

    // 80.00: a member; 50.00 more earns at x1 and crosses to silver (130.00).
    let earn = |order: &str, minor: i64| {
        let req = sale(&number, order, minor);
        let client = cafe.client.clone();
        async move { client.earn(&req).await }
    };
    assert_eq!(earn("o-1", 8_000).await.expect("earn").points, 80);
    let t = tier_of(app, &token).await;
    assert_eq!(
        (t["tier"].as_str(), t["next"]["missing_minor"].as_i64()),
        (Some("member"), Some(2_000)),
        "{t}"
    );
    assert_eq!(earn("o-2", 5_000).await.expect("earn").points, 50);
    assert_eq!(tier_of(app, &token).await["tier"], "silver");
    // The next sale earns x1.25 and crosses to gold (330.00); the one after, x1.5.
    let silver = earn("o-3", 20_000).await.expect("earn");
    assert_eq!(silver.points, 250);
    assert!(
        silver
            .rules
            .iter()
            .any(|r| r.rule == "tier" && r.description == "x1.25 (Silver tier)"),
        "{:?}",
        silver.rules
    );
    assert_eq!(earn("o-4", 1_000).await.expect("earn").points, 15);
    let t = tier_of(app, &token).await;
    assert_eq!(
        (
            t["tier"].as_str(),
            t["multiplier_bp"].as_i64(),
            t["qualifying_minor"].as_i64()
        ),
        (Some("gold"), Some(15_000), Some(34_000))
    );
    assert!(t["next"].is_null() && t["downgrade_at"].is_null(), "{t}");

    // A refund takes the spend below gold: the member keeps gold for the 30 days of grace.
    cafe.client
        .refund(&refund("o-3", "r-1", 20_000))
        .await
        .expect("refund");
    let t = tier_of(app, &token).await;
    assert_eq!(t["tier"], "gold");
    assert!(t["downgrade_at"].is_string(), "{t}");
    assert_eq!(
        earn("o-5", 1_000).await.expect("earn").points,
        15,
        "still gold in the grace period"
    );
    app.advance_days(31);
    let t = tier_of(app, &token).await;
    assert_eq!(
        (t["tier"].as_str(), t["qualifying_minor"].as_i64()),
        (Some("silver"), Some(15_000))
    );
    let moves: Vec<(&str, &str)> = t["history"]
        .as_array()
        .expect("history")
        .iter()
        .map(|c| {
            (
                c["from_tier"].as_str().unwrap_or(""),
                c["to_tier"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        moves,
        [("gold", "silver"), ("silver", "gold"), ("member", "silver")]
    );
    // 10.00 at silver: 12.5, rounded down.
    assert_eq!(earn("o-6", 1_000).await.expect("earn").points, 12);
    // The partner's site reads the tier in its view of the member, never their spend.
    let view = cafe.client.member_view(&number).await.expect("view");
    assert_eq!(
        (view.tier.tier.as_str(), view.tier.multiplier_bp),
        ("silver", 12_500)
    );
    let raw = serde_json::to_value(&view).expect("json");
    assert!(raw["tier"].get("qualifying_minor").is_none(), "{raw}");
    let report = app.verify().await;
    assert!(report.problems.is_empty(), "{:?}", report.problems);
}

both_backends!(a_member_crossing_to_gold_earns_its_multiplier_from_the_next_sale);

async fn spend_leaving_the_window_starts_the_grace_period_at_the_daily_sweep(app: &TestApp) {
    let cafe = app.partner("cafe", 10_000, 0).await;
    let (number, _) = app.member("bea@example.com").await;
    link(&cafe, &number).await;
    let (status, _) = app
        .operator(
            Method::PUT,
            "/v1/operator/tiers",
            Some(table(10_000, 30_000)),
        )
        .await;
    assert_eq!(status, 200);
    cafe.client
        .earn(&sale(&number, "big", 30_000))
        .await
        .expect("earn");
    // A year and a day later the purchase has left the window; the daily sweep notices.
    app.advance_days(366);
    let swept = app
        .state
        .run(|conn, s| loyalty_server::service::tiers::sweep(conn, s.clock.now_naive()))
        .await
        .expect("sweep");
    assert_eq!(swept, 1);
    // The grace period started at the sweep: 31 days on, the next sale earns at x1, not x1.5.
    app.advance_days(31);
    let earned = cafe
        .client
        .earn(&sale(&number, "small", 1_000))
        .await
        .expect("earn");
    assert_eq!(earned.points, 10);
    let report = app.verify().await;
    assert!(report.problems.is_empty(), "{:?}", report.problems);
}

both_backends!(spend_leaving_the_window_starts_the_grace_period_at_the_daily_sweep);

async fn thresholds_follow_revenue_concentration_and_may_count_points(app: &TestApp) {
    let cafe = app.partner("cafe", 10_000, 0).await;
    let mut tokens = Vec::new();
    for (i, spend) in [50_000_i64, 30_000, 15_000, 5_000].into_iter().enumerate() {
        let (number, token) = app.member(&format!("m{i}@example.com")).await;
        link(&cafe, &number).await;
        cafe.client
            .earn(&sale(&number, &format!("o-{i}"), spend))
            .await
            .expect("earn");
        tokens.push(token);
    }
    // 1,000.00 in all: the best member alone brings 50 % (enough for 40 %), two bring 80 %.
    for (share, want) in [(40, (50_000, 1, 500_000)), (80, (30_000, 2, 800_000))] {
        let (status, s) = app
            .operator(
                Method::GET,
                &format!("/v1/operator/tiers/suggestion?share_percent={share}"),
                None,
            )
            .await;
        assert_eq!(status, 200, "{s}");
        assert_eq!(
            (
                s["threshold"].as_i64(),
                s["members"].as_i64(),
                s["share_ppm"].as_i64()
            ),
            (Some(want.0), Some(want.1), Some(want.2)),
            "{s}"
        );
        assert_eq!(s["qualifying_members"], 4);
    }
    let (status, _) = app
        .operator(
            Method::GET,
            "/v1/operator/tiers/suggestion?share_percent=0",
            None,
        )
        .await;
    assert_eq!(status, 422);
    // Qualifying on points earned instead: silver at 400 points.
    let mut points = table(40_000, 100_000);
    points["qualify_on"] = json!("points");
    let (status, set) = app
        .operator(Method::PUT, "/v1/operator/tiers", Some(points))
        .await;
    assert_eq!(
        (status, set["qualify_on"].as_str()),
        (200, Some("points")),
        "{set}"
    );
    // The best member was silver on spend; their 500 points are below silver's 40,000: the
    // grace period starts.
    let best = tier_of(app, &tokens[0]).await;
    assert_eq!(
        (
            best["tier"].as_str(),
            best["qualifying_minor"].as_i64(),
            best["qualify_on"].as_str(),
            best["downgrade_at"].is_string()
        ),
        (Some("silver"), Some(500), Some("points"), true),
        "{best}"
    );
    let mut low = table(400, 1_000);
    low["qualify_on"] = json!("points");
    app.operator(Method::PUT, "/v1/operator/tiers", Some(low))
        .await;
    let best = tier_of(app, &tokens[0]).await;
    assert_eq!(
        (best["tier"].as_str(), best["downgrade_at"].is_null()),
        (Some("silver"), true),
        "500 points keep silver at 400: {best}"
    );
    assert_eq!(
        tier_of(app, &tokens[1]).await["tier"],
        "member",
        "300 points"
    );
    let mut bad = table(400, 1_000);
    bad["qualify_on"] = json!("visits");
    let (status, _) = app
        .operator(Method::PUT, "/v1/operator/tiers", Some(bad))
        .await;
    assert_eq!(status, 400);
}

both_backends!(thresholds_follow_revenue_concentration_and_may_count_points);
