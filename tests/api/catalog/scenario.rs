//! Eight realistic partners and five candidates, each catalog mapped to real Google categories
//! (`tests/fixtures/catalogs`): the reports reproduce, to the ppm, the numbers `check.py`
//! computes independently in Python, and the operator admits and refuses on them.

use partner_sdk::catalog::{CompatibilityReport, PairReport};
use reqwest::Method;
use serde_json::{json, Value};

use super::{applicant, fixture, format_of, set_status, upload_ok};
use crate::both_backends;
use crate::helpers::{TestApp, TestPartner};

/// The active partners: (slug, display name, fixture).
const ACTIVE: [(&str, &str, &str); 8] = [
    ("diy", "Brico Centre", "diy.tsv"),
    ("garden", "Jardinerie des Lilas", "garden.xml"),
    ("furniture", "Meubles Martin", "furniture.csv"),
    ("supermarket", "Marché Plus", "supermarket.tsv"),
    ("fashion", "Mode Lumière", "fashion.json"),
    ("sports", "Sport Avenue", "sports.tsv"),
    ("fuel", "Station Relais", "fuel.csv"),
    ("travel", "Valises & Voyages", "travel.tsv"),
];

/// `Sporting Goods > Outdoor Recreation > Cycling`, which the sports partner holds exclusively.
const CYCLING: i64 = 1025;

async fn active_partners(app: &TestApp) -> Vec<TestPartner> {
    let mut partners = Vec::new();
    for (slug, name, file) in ACTIVE {
        let rules = if slug == "sports" {
            json!([{"category_id": CYCLING, "exclusive": true}])
        } else {
            json!([])
        };
        let partner = app
            .partner_created(json!({
                "slug": slug, "name": name, "universe": "retail",
                "contract": {"earn_rate_bp": 10000, "issuance_price_micros": 8000,
                             "redemption_price_micros": 6000, "return_window_days": 14,
                             "category_rules": rules}
            }))
            .await;
        let done = upload_ok(&partner, format_of(file), fixture(file)).await;
        assert_ne!(
            done.report.verdict, "conflict",
            "{slug}: {}",
            done.report.summary
        );
        partners.push(partner);
    }
    partners
}

fn pair<'a>(report: &'a CompatibilityReport, name: &str) -> &'a PairReport {
    report
        .pairs
        .iter()
        .find(|p| p.partner_name.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("no pair with {name}: {report:#?}"))
}

/// The operator's report, by uploading on the applicant's behalf.
async fn upload_by_operator(app: &TestApp, id: i64, file: &str) -> CompatibilityReport {
    let res = app
        .http
        .put(format!(
            "{}/v1/operator/partners/{id}/catalog?format={}",
            app.address,
            format_of(file)
        ))
        .bearer_auth(&app.operator_token)
        .body(fixture(file))
        .send()
        .await
        .expect("upload");
    assert_eq!(res.status().as_u16(), 200);
    let body: Value = res.json().await.expect("json");
    serde_json::from_value(body["report"].clone()).expect("report")
}

async fn operator_report(app: &TestApp, id: i64) -> CompatibilityReport {
    let (status, page) = app
        .operator(
            Method::GET,
            &format!("/v1/operator/partners/{id}/compatibility-reports?limit=1"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{page}");
    serde_json::from_value(page["items"][0].clone()).expect("report")
}

async fn eight_partners_and_five_candidates(app: &TestApp) {
    active_partners(app).await;
    let (_, alerts) = app
        .operator(Method::GET, "/v1/operator/compatibility-alerts", None)
        .await;
    assert_eq!(
        alerts["items"],
        json!([]),
        "no active partner conflicts another"
    );

    // A second DIY chain, with its feed in French paths: a direct competitor of the DIY store.
    let diy2 = applicant(app, "diy2", "Brico Discount").await;
    let own = upload_ok(&diy2, "tsv", fixture("diy2.tsv")).await.report;
    assert_eq!(own.verdict, "conflict");
    assert!(own
        .pairs
        .iter()
        .all(|p| p.partner_id.is_none() && p.partner_name.is_none()));
    assert!(!own.summary.contains("Brico Centre"), "{}", own.summary);
    let report = operator_report(app, diy2.id).await;
    let with_diy = pair(&report, "Brico Centre");
    assert_eq!(
        (with_diy.overlap_ppm, with_diy.proximity_ppm),
        (704_922, 881_431)
    );
    assert_eq!(with_diy.complementarity_ppm, 176_509);
    assert_eq!(with_diy.verdict, "conflict");
    assert_eq!(
        report
            .pairs
            .iter()
            .filter(|p| p.verdict == "conflict")
            .count(),
        1
    );
    assert_eq!(pair(&report, "Station Relais").proximity_ppm, 18_181);
    assert!(
        report.summary.contains("Brico Centre"),
        "{}",
        report.summary
    );

    // A kitchenware shop, sent by the operator: complementary with the garden centre.
    let kitchen = applicant(app, "kitchen", "Cuisine & Co").await;
    let report = upload_by_operator(app, kitchen.id, "kitchenware.xml").await;
    assert_eq!(report.verdict, "complementary", "{}", report.summary);
    let with_garden = pair(&report, "Jardinerie des Lilas");
    assert_eq!(with_garden.verdict, "complementary");
    assert_eq!(
        (with_garden.overlap_ppm, with_garden.complementarity_ppm),
        (0, 311_769)
    );
    assert_eq!(pair(&report, "Meubles Martin").proximity_ppm, 29_594);

    // A casino operator: refused for restricted categories.
    let casino = applicant(app, "casino", "Casino Royal").await;
    let report = upload_ok(&casino, "csv", fixture("casino.csv"))
        .await
        .report;
    assert_eq!(
        (report.verdict.as_str(), report.restricted_ppm),
        ("restricted", 925_000)
    );
    assert_eq!(report.restricted[0].category_id, 1_000_000_001);

    // A bike shop whose only overlap is with the holder of the cycling exclusivity.
    let bikes = applicant(app, "bikes", "Vélo Passion").await;
    upload_ok(&bikes, "tsv", fixture("bikeshop.tsv")).await;
    let report = operator_report(app, bikes.id).await;
    let with_sports = pair(&report, "Sport Avenue");
    assert_eq!(with_sports.verdict, "conflict");
    assert_eq!(
        with_sports.overlap_ppm, 136_260,
        "below the conflict threshold"
    );
    assert_eq!(with_sports.exclusivity_breaches[0].category_id, CYCLING);
    assert_eq!(with_sports.exclusivity_breaches[0].share_ppm, 999_986);
    assert!(report.summary.contains("exclusively"), "{}", report.summary);

    // A bookshop: distant from everyone.
    let books = applicant(app, "books", "Librairie du Port").await;
    let report = upload_ok(&books, "json", fixture("bookshop.json"))
        .await
        .report;
    assert_eq!(report.verdict, "distant");
    assert!(report.pairs.iter().all(|p| p.proximity_ppm == 0));

    admissions(app, &diy2, &kitchen, &casino, &books).await;
}

/// The operator decides on the reports: a conflict needs an override with its reason.
async fn admissions(
    app: &TestApp,
    diy2: &TestPartner,
    kitchen: &TestPartner,
    casino: &TestPartner,
    books: &TestPartner,
) {
    let (status, body) = set_status(
        app,
        diy2.id,
        json!({"status": "active", "reason": "strong local brand"}),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("override_required")),
        "{body}"
    );
    let (_, partner) = app
        .operator(
            Method::GET,
            &format!("/v1/operator/partners/{}", diy2.id),
            None,
        )
        .await;
    assert_eq!(
        partner["status"], "applied",
        "a refused admission changes nothing"
    );
    let (status, _) = set_status(
        app,
        diy2.id,
        json!({"status": "rejected", "reason": "direct competitor of Brico Centre"}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, body) = set_status(
        app,
        casino.id,
        json!({"status": "active", "reason": "board decision 2026-12", "override_conflict": true}),
    )
    .await;
    assert_eq!(
        (status, body["status"].as_str()),
        (200, Some("active")),
        "{body}"
    );
    for p in [kitchen, books] {
        let (status, body) =
            set_status(app, p.id, json!({"status": "active", "reason": "fits"})).await;
        assert_eq!(status, 200, "{body}");
    }
    let (_, events) = app
        .operator(
            Method::GET,
            &format!("/v1/operator/partners/{}/events", casino.id),
            None,
        )
        .await;
    let last = &events["items"][1];
    assert_eq!(
        (last["from_status"].as_str(), last["to_status"].as_str()),
        (Some("applied"), Some("active"))
    );
    assert_eq!(last["override_conflict"], true);
    assert_eq!(last["reason"], "board decision 2026-12");
    assert!(last["report_id"].as_i64().is_some());
    // The rejected chain's key no longer opens anything.
    let refused = diy2.client.catalog().await.expect_err("rejected");
    assert_eq!(refused.code(), Some("partner_not_active"));
}

both_backends!(eight_partners_and_five_candidates);
