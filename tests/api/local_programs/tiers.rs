//! A partner's own tiers on its local program: qualified on the stars a member earned at the
//! partner over the window, multiplying the stars of the next sales, shown on the partner's
//! view of the member; refused without a program or with a bad table.

use partner_sdk::branding::PointsLabel;
use partner_sdk::local_program::{LocalTierDefinition, LocalTierTable};

use super::program;
use crate::both_backends;
use crate::helpers::requests::refund;
use crate::helpers::{code_of, link, sale, TestApp};

fn tier(code: &str, threshold_points: i64, multiplier_bp: i64) -> LocalTierDefinition {
    LocalTierDefinition {
        code: code.into(),
        name: PointsLabel {
            fr_fr: code.into(),
            en_gb: code.into(),
        },
        threshold_points,
        multiplier_bp,
    }
}

async fn a_partners_own_tiers_multiply_its_local_points(app: &TestApp) {
    let cafe = app.partner("cafe", 10_000, 0).await;
    let books = app.partner("books", 10_000, 0).await;
    let table = LocalTierTable {
        window_months: 6,
        tiers: vec![tier("guest", 0, 10_000), tier("regular", 30, 15_000)],
    };
    assert_eq!(
        code_of(books.client.set_local_tiers(&table).await),
        "local_program_not_found"
    );
    cafe.client
        .set_local_program(&program(1_000, None))
        .await
        .expect("program");
    for bad in [
        LocalTierTable {
            window_months: 0,
            ..table.clone()
        },
        LocalTierTable {
            window_months: 6,
            tiers: vec![tier("guest", 5, 10_000)],
        },
        LocalTierTable {
            window_months: 6,
            tiers: vec![tier("guest", 0, 10_000), tier("regular", 30, 9_000)],
        },
    ] {
        assert!(cafe.client.set_local_tiers(&bad).await.is_err(), "{bad:?}");
    }
    assert_eq!(
        cafe.client.set_local_tiers(&table).await.expect("set"),
        table
    );
    assert_eq!(cafe.client.local_tiers().await.expect("get"), table);

    let (number, _) = app.member("ada@example.com").await;
    link(&cafe, &number).await;
    // 30.00 earns 30 stars as a guest and makes Ada a regular; 10.00 then earns 15 stars.
    let first = cafe
        .client
        .earn(&sale(&number, "c-1", 3_000))
        .await
        .expect("earn");
    assert_eq!(first.local_points, 30);
    let view = cafe.client.member_view(&number).await.expect("view");
    assert_eq!(view.local_tier.map(|t| t.tier), Some("regular".into()));
    let second = cafe
        .client
        .earn(&sale(&number, "c-2", 1_000))
        .await
        .expect("earn");
    assert_eq!((second.points, second.local_points), (10, 15));
    assert!(
        second
            .rules
            .iter()
            .any(|r| r.rule == "local_tier" && r.description == "x1.5 local points (regular tier)"),
        "{:?}",
        second.rules
    );
    // The café's pages show the member's level there, beside its stars.
    cafe.client
        .set_brand(&partner_sdk::branding::BrandRequest {
            slug: "bean-there".into(),
            display_name: "Bean There".into(),
            primary_color: "#003366".into(),
            accent_color: "#ffd700".into(),
            text_color: None,
            points_label: PointsLabel {
                fr_fr: "grains".into(),
                en_gb: "beans".into(),
            },
            default_locale: "en-GB".into(),
            rules_markdown: "Rules.".into(),
        })
        .await
        .expect("brand");
    let mut browser = crate::branding::page_client::Browser::new(app);
    assert_eq!(
        browser
            .sign_in("/p/bean-there", "ada@example.com")
            .await
            .status,
        303
    );
    let page = browser.get("/p/bean-there/account?lang=en").await;
    assert!(
        page.body
            .contains("<strong class=\"local-tier\">regular (×1.5)</strong>"),
        "{}",
        page.body
    );
    // A refund of the first sale takes its stars back: Ada is a guest again.
    cafe.client
        .refund(&refund("c-1", "r-1", 3_000))
        .await
        .expect("refund");
    let third = cafe
        .client
        .earn(&sale(&number, "c-3", 1_000))
        .await
        .expect("earn");
    assert_eq!(third.local_points, 10);
    // Removing the tiers: none shown.
    cafe.client
        .set_local_tiers(&LocalTierTable {
            window_months: 6,
            tiers: Vec::new(),
        })
        .await
        .expect("remove");
    let view = cafe.client.member_view(&number).await.expect("view");
    assert!(view.local_tier.is_none());
}

both_backends!(a_partners_own_tiers_multiply_its_local_points);
