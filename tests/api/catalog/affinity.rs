//! What members buy, by category: a partner competes where it sells (its earns' categorised
//! lines), not only where it lists, and the report measures how the buyers of a candidate's
//! categories shop at each partner (observed affinity).

use partner_sdk::types::{EnrolMemberRequest, SaleLine};
use reqwest::Method;

use super::{applicant, upload_ok};
use crate::both_backends;
use crate::helpers::{link, sale, TestApp};

/// `Home & Garden > Kitchen & Dining > Cookware & Bakeware > Cookware`.
const COOKWARE: &str = "654";

async fn sales_weigh_the_overlap_and_affinity_is_observed(app: &TestApp) {
    let market = app.partner("market", 10_000, 0).await;
    let garden = app.partner("garden", 10_000, 0).await;
    // The supermarket lists one pan among ten products...
    let mut listing = String::from("sku,title,category,price_minor,currency\n");
    for i in 0..9 {
        listing.push_str(&format!("F{i},Pâtes {i},422,150,EUR\n"));
    }
    listing.push_str(&format!("P1,Poêle 28 cm,{COOKWARE},2500,EUR\n"));
    upload_ok(&market, "csv", listing.into_bytes()).await;
    upload_ok(
        &garden,
        "csv",
        "sku,title,category,price_minor,currency\nG1,Rosier,Home & Garden > Plants,1500,EUR\n"
            .into(),
    )
    .await;
    // ...but forty members shop there, thirty of them for pans (sold by SKU);
    // members 0 to 19 and 30 to 39 also shop at the garden centre.
    for i in 0..40 {
        let member = market
            .client
            .enrol_member(&EnrolMemberRequest {
                customer_ref: Some(format!("c{i}")),
                display_name: None,
            })
            .await
            .expect("enrol");
        let number = member.member_number;
        let mut req = sale(&number, &format!("M-{i}"), 3_000);
        if i < 30 {
            req.lines = Some(vec![SaleLine {
                sku: Some("P1".into()),
                category: None,
                amount_minor: 2_500,
            }]);
        }
        market.client.earn(&req).await.expect("earn at the market");
        if !(20..30).contains(&i) {
            link(&garden, &number).await;
            garden
                .client
                .earn(&sale(&number, &format!("G-{i}"), 1_500))
                .await
                .expect("earn at the garden");
        }
    }

    let kitchen = applicant(app, "kitchen", "Cuisine & Co").await;
    let pans = format!("sku,title,category,price_minor,currency\nK1,Poêle,{COOKWARE},3000,EUR\nK2,Casserole,{COOKWARE},4000,EUR\n");
    let own = upload_ok(&kitchen, "csv", pans.into_bytes()).await.report;
    assert!(
        own.pairs.is_empty(),
        "no other partner, no member counts in its own view"
    );
    let (_, page) = app
        .operator(
            Method::GET,
            &format!(
                "/v1/operator/partners/{}/compatibility-reports?limit=1",
                kitchen.id
            ),
            None,
        )
        .await;
    let report = &page["items"][0];
    let pair = |name: &str| {
        report["pairs"]
            .as_array()
            .expect("pairs")
            .iter()
            .find(|p| p["partner_name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no pair with {name}: {report}"))
    };
    let with_market = pair("market");
    // One pan in ten listed products: 10% overlap by catalog; all its categorised sales are pans.
    assert_eq!(with_market["overlap_ppm"], 100_000);
    assert_eq!(with_market["sales_overlap_ppm"], 1_000_000);
    assert_eq!(
        with_market["verdict"], "conflict",
        "it competes where it sells"
    );
    // 30 pan buyers, all at the market: none bought pans elsewhere, lift 0 there. At the garden
    // centre: 20 of the 30 pan buyers against 30 of all 40 members: (20/30) / (30/40) = 0.888.
    assert_eq!(
        with_market["affinity"]["lift_milli"], 0,
        "its own pan buyers do not count"
    );
    let with_garden = pair("garden");
    assert_eq!(
        with_garden["sales_overlap_ppm"],
        serde_json::Value::Null,
        "no categorised sales"
    );
    assert_eq!(
        (
            &with_garden["affinity"]["members_in_categories"],
            &with_garden["affinity"]["members_both"],
            &with_garden["affinity"]["members_at_partner"],
            &with_garden["affinity"]["members_total"],
            &with_garden["affinity"]["lift_milli"],
        ),
        (&30.into(), &20.into(), &30.into(), &40.into(), &888.into())
    );
}

both_backends!(sales_weigh_the_overlap_and_affinity_is_observed);
