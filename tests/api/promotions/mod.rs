//! Promotions: a "10th coffee free" at Bean There, a double-points weekend billed on one
//! partner's statement and clawed back by a refund, a win-back bonus for a lapsed segment,
//! welcome bonuses, stacking and caps, a budget exhausted exactly under 50 concurrent earns,
//! bad promotions refused, and one partner never seeing another's.

mod budget;
mod referrals;
mod stacking;
mod targeting;
mod urgency;

use chrono::{DateTime, Duration, Utc};
use partner_sdk::promotions::{DryRunRequest, Funder, Promotion, PromotionRequest};
use reqwest::Method;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::requests::refund;
use crate::helpers::{code_of, link, sale, TestApp, TestPartner};
use crate::settlement::{close, statement};

/// A promotion request from its rule and target, running from `start` for `days`.
pub fn request(name: &str, rule: Value, target: Value, start: DateTime<Utc>, days: i64) -> Value {
    json!({
        "name": name,
        "starts_at": start.to_rfc3339(),
        "ends_at": (start + Duration::days(days)).to_rfc3339(),
        "rule": rule,
        "target": target,
    })
}

/// Creates a partner's promotion.
pub async fn create(partner: &TestPartner, body: Value) -> Promotion {
    let req: PromotionRequest = serde_json::from_value(body).expect("promotion request");
    partner
        .client
        .create_promotion(&req)
        .await
        .expect("create promotion")
}

async fn ten_coffees_and_a_double_points_weekend(app: &TestApp) {
    let cafe = app.partner("bean-there", 10_000, 0).await;
    let books = app.partner("books", 10_000, 14).await;
    let (number, _) = app.member("ada@example.com").await;
    link(&cafe, &number).await;
    link(&books, &number).await;
    let now = app.state.clock.now();

    // Bean There: every 10th coffee earns 400 points (a coffee's worth), paid by the cafe.
    let coffee = create(
        &cafe,
        request(
            "10th coffee free",
            json!({"kind": "nth_purchase", "n": 10, "points": 400}),
            json!({"kind": "all"}),
            now - Duration::seconds(1),
            30,
        ),
    )
    .await;
    assert_eq!(coffee.funder, Funder::Partner);
    for i in 1..=11 {
        let earned = cafe
            .client
            .earn(&sale(&number, &format!("coffee-{i}"), 400))
            .await
            .expect("earn");
        assert_eq!(earned.points, 4);
        let expected = if i == 10 { 400 } else { 0 };
        assert_eq!(
            earned.bonus_points, expected,
            "coffee {i}: {:?}",
            earned.bonuses
        );
        if i == 10 {
            let bonus = &earned.bonuses[0];
            assert_eq!(
                (bonus.promotion_id, bonus.funder, bonus.points),
                (coffee.promotion_id, Funder::Partner, 400)
            );
            assert!(
                bonus.description.contains("purchase number 10"),
                "{bonus:?}"
            );
        }
    }
    // The cafe's promotion does not run at the bookshop, which cannot even see it.
    assert_eq!(
        code_of(books.client.promotion(coffee.promotion_id).await),
        "promotion_not_found"
    );
    assert_eq!(
        code_of(books.client.end_promotion(coffee.promotion_id).await),
        "promotion_not_found"
    );
    assert!(books
        .client
        .promotions()
        .await
        .expect("list")
        .items
        .is_empty());

    // Books: double points from now for two days, paid by books.
    let weekend = create(
        &books,
        request(
            "Double points weekend",
            json!({"kind": "multiplier", "multiplier_bp": 20_000}),
            json!({"kind": "all"}),
            now,
            2,
        ),
    )
    .await;
    // The dry run says what the earn then gives.
    let dry = books
        .client
        .dry_run(&DryRunRequest {
            member_number: number.clone(),
            occurred_at: None,
            amount_minor: 5_000,
            currency: "EUR".into(),
            lines: None,
        })
        .await
        .expect("dry run");
    assert_eq!((dry.points, dry.total_points), (50, 100));
    let earned = books
        .client
        .earn(&sale(&number, "book-1", 5_000))
        .await
        .expect("earn");
    assert_eq!((earned.points, earned.bonus_points), (50, 50));
    assert_eq!(earned.bonuses, dry.bonuses);
    // The sale's points and the bonus are pending together for the 14-day return window.
    let balance = books.client.member_balance(&number).await.expect("balance");
    assert_eq!(balance.pending_points, 100);
    // The site lists the promotion as ending within 7 days; the cafe's list shows its own.
    let ending = books.client.ending_promotions(7).await.expect("ending");
    assert_eq!(
        ending
            .items
            .iter()
            .map(|e| e.promotion_id)
            .collect::<Vec<_>>(),
        vec![weekend.promotion_id]
    );
    // Half the order comes back: half the sale's points and half the bonus.
    let refunded = books
        .client
        .refund(&refund("book-1", "r-1", 2_500))
        .await
        .expect("refund");
    assert_eq!(
        (
            refunded.points_clawed_back,
            refunded.bonus_points_clawed_back
        ),
        (25, 25)
    );
    // After the weekend, a sale earns its points only.
    app.advance_days(3);
    let later = books
        .client
        .earn(&sale(&number, "book-2", 1_000))
        .await
        .expect("earn");
    assert_eq!((later.points, later.bonus_points), (10, 0));
    let got = books
        .client
        .promotion(weekend.promotion_id)
        .await
        .expect("promotion");
    assert_eq!((got.granted_points, got.grants), (25, 1));
    // Program figures show the promotions apart: books funded 25 bonus points net.
    let figures = books.client.analytics().await.expect("analytics");
    assert_eq!(
        (
            figures.promotions.partner_funded_points,
            figures.promotions.partner_funded_cost_micros,
            figures.points_issued
        ),
        (25, 25 * 8_000, 60 - 25 + 25)
    );

    // The statements: books pays for its weekend's 50 bonus points and is credited the 25 the
    // refund took back, apart from its sales; the cafe pays for its 400.
    app.advance_s(120);
    let (status, run) = close(app, 60).await;
    assert_eq!(status, 201, "{run}");
    let summary = &run["summary"];
    let mut nets = 0;
    for p in summary["partners"].as_array().expect("partners") {
        let id = p["partner_id"].as_i64().unwrap();
        let shop = if id == cafe.id { &cafe } else { &books };
        let s = statement(shop, p["statement_id"].as_i64().unwrap()).await;
        nets += s.net_minor;
        let figures = (
            s.issued.points,
            s.clawed_back.points,
            s.promotions_issued.points,
            s.promotions_clawed_back.points,
        );
        if id == books.id {
            assert_eq!(figures, (60, 25, 50, 25));
            assert_eq!(s.promotions_issued.amount_micros, 50 * 8_000);
            // (60 - 25 + 50 - 25) x 0.008 EUR = 0.48 EUR.
            assert_eq!(s.net_minor, 48);
        } else {
            assert_eq!(figures, (44, 0, 400, 0));
            assert_eq!(s.net_minor, 444 * 8 / 10);
        }
        let csv = shop
            .client
            .statement_csv(s.statement_id)
            .await
            .expect("csv");
        assert!(csv.contains("promotions_issued"), "{csv}");
    }
    assert_eq!(nets - summary["operator_margin_minor"].as_i64().unwrap(), 0);
    // The operator sees both promotions.
    let (_, all) = app
        .operator(Method::GET, "/v1/operator/promotions", None)
        .await;
    assert_eq!(all["items"].as_array().map(Vec::len), Some(2), "{all}");
}

both_backends!(ten_coffees_and_a_double_points_weekend);
