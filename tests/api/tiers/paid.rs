//! Paid tiers: a member buys gold at a partner, earns its multiplier at once, the fee owed to
//! the operator is billed on that partner's statement, a fee kept by the seller is not; the
//! tier ends after its months; bad purchases refused.

use reqwest::Method;
use serde_json::json;

use super::tier_of;
use crate::both_backends;
use crate::helpers::{code_of, link, sale, TestApp};
use crate::settlement::{close, statement};
use partner_sdk::tiers::{FeeTo, PaidTierRequest};

fn purchase(number: &str, tier: &str, order: &str, amount_minor: i64) -> PaidTierRequest {
    PaidTierRequest {
        member_number: number.to_owned(),
        tier: tier.to_owned(),
        order_id: order.to_owned(),
        amount_minor,
        currency: "EUR".into(),
    }
}

async fn a_member_buys_gold_and_the_fee_is_billed_to_the_seller(app: &TestApp) {
    let (status, body) = app
        .operator(
            Method::PUT,
            "/v1/operator/tiers",
            Some(json!({"window_months": 12, "grace_days": 30, "tiers": [
                {"code": "member", "name": {"fr-FR": "Membre", "en-GB": "Member"}, "threshold_minor": 0, "multiplier_bp": 10000},
                {"code": "silver", "name": {"fr-FR": "Argent", "en-GB": "Silver"}, "threshold_minor": 50000, "multiplier_bp": 12500,
                 "price_minor": 2000, "paid_months": 6, "fee_to": "seller"},
                {"code": "gold", "name": {"fr-FR": "Or", "en-GB": "Gold"}, "threshold_minor": 150000, "multiplier_bp": 15000,
                 "price_minor": 5000}
            ]})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["tiers"][2]["paid_months"], 12, "{body}");
    assert_eq!(body["tiers"][2]["fee_to"], "operator");
    let cafe = app.partner("cafe", 10_000, 0).await;
    let books = app.partner("books", 10_000, 0).await;
    let (number, token) = app.member("ada@example.com").await;
    link(&cafe, &number).await;
    link(&books, &number).await;
    let (stranger, _) = app.member("bob@example.com").await;

    for (req, code) in [
        (purchase(&number, "member", "x-1", 1), "invalid_request"),
        (
            purchase(&number, "platinum", "x-2", 5000),
            "invalid_request",
        ),
        (purchase(&number, "gold", "x-3", 4999), "invalid_amount"),
        (purchase(&stranger, "gold", "x-4", 5000), "member_not_found"),
        (
            PaidTierRequest {
                currency: "USD".into(),
                ..purchase(&number, "gold", "x-5", 5000)
            },
            "currency_mismatch",
        ),
    ] {
        assert_eq!(
            code_of(cafe.client.sell_paid_tier(&req).await),
            code,
            "{req:?}"
        );
    }

    let gold = cafe
        .client
        .sell_paid_tier(&purchase(&number, "gold", "g-1", 5000))
        .await
        .expect("buy gold");
    assert_eq!((gold.tier.as_str(), gold.fee_to), ("gold", FeeTo::Operator));
    let t = tier_of(app, &token).await;
    assert_eq!(
        (t["tier"].as_str(), t["paid_until"].as_str().is_some()),
        (Some("gold"), true),
        "{t}"
    );
    assert_eq!(
        cafe.client
            .earn(&sale(&number, "o-1", 1_000))
            .await
            .expect("earn")
            .points,
        15,
        "gold's x1.5 from the next sale"
    );
    assert_eq!(
        code_of(
            cafe.client
                .sell_paid_tier(&purchase(&number, "gold", "g-1", 5000))
                .await
        ),
        "conflict",
        "one order buys once"
    );
    // The table cannot drop gold while a member's paid gold runs.
    let (status, refused) = app
        .operator(
            Method::PUT,
            "/v1/operator/tiers",
            Some(json!({"window_months": 12, "grace_days": 30, "tiers": [
                {"code": "member", "name": {"fr-FR": "Membre", "en-GB": "Member"}, "threshold_minor": 0, "multiplier_bp": 10000}
            ]})),
        )
        .await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (409, Some("conflict")),
        "{refused}"
    );
    // Silver bought at the bookshop (its fee is the bookshop's): gold stays in force.
    let silver = books
        .client
        .sell_paid_tier(&purchase(&number, "silver", "s-1", 2000))
        .await
        .expect("buy silver");
    assert_eq!(silver.fee_to, FeeTo::Seller);
    assert_eq!(tier_of(app, &token).await["tier"], "gold");

    // The cafe's statement bills the gold fee (50.00) besides the 10 points it issued.
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
        if id == cafe.id {
            assert_eq!((s.paid_tier_fees_minor, s.net_minor), (5000, 5000 + 12));
        } else {
            assert_eq!((s.paid_tier_fees_minor, s.net_minor), (0, 0));
        }
    }
    assert_eq!(nets - summary["operator_margin_minor"].as_i64().unwrap(), 0);

    // Twelve months on, the paid gold has ended; the spend keeps nothing above the base tier.
    app.advance_days(370);
    let t = tier_of(app, &token).await;
    assert_eq!(
        (t["tier"].as_str(), t["paid_until"].is_null()),
        (Some("member"), true),
        "{t}"
    );
}

both_backends!(a_member_buys_gold_and_the_fee_is_billed_to_the_seller);
