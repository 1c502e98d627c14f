//! Local programs: a partner's own currency earned alongside network points, spent only at that
//! partner, clawed back by refunds, expired to the partner, converted into network points the
//! partner is billed for as issuance; the branded view a partner's site reads.

use partner_sdk::branding::PointsLabel;
use partner_sdk::local_program::{ConversionRequest, LocalProgramRequest};
use partner_sdk::types::{AuthorizeRequest, CaptureRequest, SpendCurrency};

use crate::both_backends;
use crate::helpers::requests::refund;
use crate::helpers::{code_of, link, sale};
use crate::helpers::{TestApp, TestPartner};
use crate::settlement::{close, statement};

mod tiers;

pub(super) fn program(rate: i64, conversion: Option<i64>) -> LocalProgramRequest {
    LocalProgramRequest {
        label: PointsLabel {
            fr_fr: "étoiles".into(),
            en_gb: "stars".into(),
        },
        earn_rate_millipoints: rate,
        expiry_months: 12,
        conversion_local_per_point: conversion,
    }
}

async fn authorize_local(
    app: &TestApp,
    shop: &TestPartner,
    number: &str,
    token: &str,
    points: i64,
) -> Result<partner_sdk::types::Redemption, partner_sdk::Error> {
    let code = app.code(token).await;
    shop.client
        .authorize(&AuthorizeRequest {
            member_number: number.to_owned(),
            code,
            points,
            order_id: None,
            currency: SpendCurrency::Local,
        })
        .await
}

fn local_of(balance: &partner_sdk::types::Balance) -> Vec<(i64, i64, i64)> {
    balance
        .local
        .iter()
        .map(|l| (l.partner_id, l.available_points, l.held_points))
        .collect()
}

async fn local_points_are_earned_spent_only_at_their_partner_and_converted_as_issuance(
    app: &TestApp,
) {
    let cafe = app.partner("cafe", 10_000, 0).await;
    let books = app.partner("books", 10_000, 0).await;
    let cinema = app.partner("cinema", 10_000, 0).await;
    let (number, token) = app.member("ada@example.com").await;
    for shop in [&cafe, &books, &cinema] {
        link(shop, &number).await;
    }
    // Bad programs are refused and change nothing.
    for bad in [
        program(-1, None),
        program(1_000_001, None),
        program(1_000, Some(0)),
    ] {
        assert_eq!(
            code_of(cafe.client.set_local_program(&bad).await),
            "invalid_amount"
        );
    }
    let mut control = program(1_000, None);
    control.label.fr_fr = "é\u{7}toiles".into();
    assert_eq!(
        code_of(cafe.client.set_local_program(&control).await),
        "invalid_request"
    );
    assert_eq!(
        code_of(cafe.client.local_program().await),
        "local_program_not_found"
    );

    let set = cafe
        .client
        .set_local_program(&program(2_000, Some(5)))
        .await
        .expect("program");
    assert_eq!(set.currency_code, format!("LOCAL-{}", cafe.id));
    cinema
        .client
        .set_local_program(&program(1_000, None))
        .await
        .expect("cinema program");

    // 25.00 EUR at the cafe: 25 network points and 50 stars, in one entry.
    let earned = cafe
        .client
        .earn(&sale(&number, "c-1", 2_500))
        .await
        .expect("earn");
    assert_eq!((earned.points, earned.local_points), (25, 50));
    let at_books = books
        .client
        .earn(&sale(&number, "b-1", 1_000))
        .await
        .expect("earn");
    assert_eq!((at_books.points, at_books.local_points), (10, 0));
    let mine = app.balance(&token).await;
    assert_eq!(
        (mine.available_points, local_of(&mine)),
        (35, vec![(cafe.id, 50, 0)])
    );
    // Another partner never sees the cafe's stars.
    let seen_by_books = books.client.member_balance(&number).await.expect("balance");
    assert_eq!(
        (seen_by_books.available_points, seen_by_books.local.len()),
        (35, 0)
    );

    // Stars cannot be spent at another partner: refused, nothing held.
    assert_eq!(
        code_of(authorize_local(app, &books, &number, &token, 10).await),
        "local_program_not_found"
    );
    assert_eq!(
        code_of(authorize_local(app, &cinema, &number, &token, 10).await),
        "insufficient_points"
    );
    let mine = app.balance(&token).await;
    assert_eq!(
        (mine.available_points, mine.held_points, local_of(&mine)),
        (35, 0, vec![(cafe.id, 50, 0)])
    );

    // At the cafe: hold 20 stars, capture 15 (5 go back); network points untouched.
    let hold = authorize_local(app, &cafe, &number, &token, 20)
        .await
        .expect("hold");
    assert_eq!(hold.currency, SpendCurrency::Local);
    assert_eq!(
        local_of(&app.balance(&token).await),
        vec![(cafe.id, 30, 20)]
    );
    cafe.client
        .capture(hold.redemption_id, &CaptureRequest { points: Some(15) })
        .await
        .expect("capture");
    let mine = app.balance(&token).await;
    assert_eq!(
        (mine.available_points, local_of(&mine)),
        (35, vec![(cafe.id, 35, 0)])
    );

    // Conversion: whole network points only, from a linked member, reference used once.
    let convert = |reference: &str, local_points: i64| ConversionRequest {
        member_number: number.clone(),
        reference: reference.into(),
        local_points,
    };
    assert_eq!(
        code_of(
            cafe.client
                .convert_local_points(&convert("x-1", i64::MAX - 2))
                .await
        ),
        "invalid_amount",
        "beyond the points limit"
    );
    let long = "r".repeat(54);
    assert_eq!(
        code_of(cafe.client.convert_local_points(&convert(&long, 10)).await),
        "invalid_request",
        "conversion:<reference> must stay a valid order id"
    );
    assert_eq!(
        code_of(cafe.client.convert_local_points(&convert("x-1", 12)).await),
        "invalid_amount"
    );
    assert_eq!(
        code_of(cafe.client.convert_local_points(&convert("x-1", 40)).await),
        "insufficient_points"
    );
    assert_eq!(
        code_of(books.client.convert_local_points(&convert("x-1", 10)).await),
        "local_program_not_found"
    );
    assert_eq!(
        code_of(
            cinema
                .client
                .convert_local_points(&convert("x-1", 10))
                .await
        ),
        "conversion_not_offered"
    );
    let converted = cafe
        .client
        .convert_local_points(&convert("x-1", 30))
        .await
        .expect("convert");
    assert_eq!((converted.points, converted.price_micros), (6, 8_000));
    assert_eq!(
        code_of(cafe.client.convert_local_points(&convert("x-1", 5)).await),
        "conversion_reference_reused"
    );
    let mine = app.balance(&token).await;
    assert_eq!(
        (mine.available_points, local_of(&mine)),
        (41, vec![(cafe.id, 5, 0)])
    );

    // A full refund of the cafe order takes back its 25 points and its 50 stars, though the
    // member spent or converted 45 and holds the last 5 at the till: the stars become a debt
    // (never forgiven, never lost in a hold), repaid by the released hold and the next stars.
    let hold = authorize_local(app, &cafe, &number, &token, 5)
        .await
        .expect("hold");
    let refunded = cafe
        .client
        .refund(&refund("c-1", "r-1", 2_500))
        .await
        .expect("refund");
    assert_eq!(
        (
            refunded.points_clawed_back,
            refunded.local_points_clawed_back
        ),
        (25, 50)
    );
    let mine = app.balance(&token).await;
    assert_eq!(
        (mine.available_points, local_of(&mine)),
        (16, vec![(cafe.id, -50, 5)])
    );
    assert_eq!(
        code_of(authorize_local(app, &cafe, &number, &token, 1).await),
        "insufficient_points"
    );
    cafe.client.void(hold.redemption_id).await.expect("void");
    assert_eq!(
        local_of(&app.balance(&token).await),
        vec![(cafe.id, -45, 0)]
    );

    // Settlement: the 6 converted points are the cafe's issuance, billed at 8,000 micros.
    app.advance_s(120);
    let (status, run) = close(app, 60).await;
    assert_eq!(status, 201, "{run}");
    let summary = &run["summary"];
    let mut nets = 0;
    for p in summary["partners"].as_array().expect("partners") {
        let id = p["partner_id"].as_i64().unwrap();
        let shop = [&cafe, &books, &cinema]
            .into_iter()
            .find(|s| s.id == id)
            .unwrap();
        let s = statement(shop, p["statement_id"].as_i64().unwrap()).await;
        nets += s.net_minor;
        if id == cafe.id {
            assert_eq!(
                (s.issued.points, s.clawed_back.points, s.redeemed.points),
                (31, 25, 0)
            );
            assert_eq!(s.issued.amount_micros, 31 * 8_000);
        }
    }
    assert_eq!(nets - summary["operator_margin_minor"].as_i64().unwrap(), 0);

    // The next stars repay the debt first.
    cafe.client
        .earn(&sale(&number, "c-2", 1_000))
        .await
        .expect("earn");
    assert_eq!(
        local_of(&app.balance(&token).await),
        vec![(cafe.id, -25, 0)]
    );
    // Stars expire after the program's 12 months, back to the cafe; network points stay.
    let (bob, bob_token) = app.member("bob@example.com").await;
    link(&cafe, &bob).await;
    cafe.client
        .earn(&sale(&bob, "c-3", 1_000))
        .await
        .expect("earn");
    assert_eq!(
        local_of(&app.balance(&bob_token).await),
        vec![(cafe.id, 20, 0)]
    );
    app.advance_days(370);
    let mine = app.balance(&token).await;
    assert_eq!(
        (mine.available_points, local_of(&mine)),
        (26, vec![(cafe.id, -25, 0)])
    );
    let bobs = app.balance(&bob_token).await;
    assert_eq!(
        (bobs.available_points, local_of(&bobs)),
        (10, vec![(cafe.id, 0, 0)])
    );
    let report = app.verify().await;
    assert!(report.problems.is_empty(), "{:?}", report.problems);
}

async fn a_partner_site_reads_its_branded_view_of_its_own_members_only(app: &TestApp) {
    let cafe = app.partner("cafe", 10_000, 14).await;
    let books = app.partner("books", 10_000, 14).await;
    let (number, _) = app.member("ada@example.com").await;
    let (stranger, _) = app.member("bob@example.com").await;
    link(&cafe, &number).await;
    link(&books, &number).await;
    cafe.client
        .set_local_program(&program(1_000, None))
        .await
        .expect("program");
    let mut brand = crate::branding::brands::request("bean-cafe");
    brand.points_label = PointsLabel {
        fr_fr: "grains".into(),
        en_gb: "beans".into(),
    };
    cafe.client.set_brand(&brand).await.expect("brand");
    cafe.client
        .earn(&sale(&number, "c-1", 1_200))
        .await
        .expect("earn");
    books
        .client
        .earn(&sale(&number, "b-1", 3_000))
        .await
        .expect("earn");

    let view = cafe.client.member_view(&number).await.expect("view");
    assert_eq!(
        (
            view.points_label.en_gb.as_str(),
            view.default_locale.as_str()
        ),
        ("beans", "fr-FR")
    );
    assert_eq!(
        (view.balance.pending_points, local_of(&view.balance)),
        (42, vec![(cafe.id, 12, 0)])
    );
    let refs: Vec<&str> = view
        .recent_activity
        .iter()
        .map(|e| e.reference.as_str())
        .collect();
    assert_eq!(refs, ["c-1"], "only what happened at the cafe");
    assert_eq!(view.recent_activity[0].local_available_change, 12);
    assert_eq!(view.recent_activity[0].pending_change, 12);
    let currencies: Vec<&str> = view
        .expiring
        .iter()
        .map(|e| e.currency_code.as_str())
        .collect();
    assert_eq!(
        currencies,
        [format!("LOCAL-{}", cafe.id).as_str(), "PTS", "PTS"],
        "stars expire in 12 months, network points by the network's longer policy"
    );

    // The bookshop, without a brand, shows the network's word and none of the cafe's stars.
    let view = books.client.member_view(&number).await.expect("view");
    assert_eq!(view.points_label.fr_fr, "points");
    assert!(view.balance.local.is_empty());
    let refs: Vec<&str> = view
        .recent_activity
        .iter()
        .map(|e| e.reference.as_str())
        .collect();
    assert_eq!(refs, ["b-1"]);
    // A member not linked to the partner is not found, like a number nobody has.
    assert_eq!(
        code_of(cafe.client.member_view(&stranger).await),
        "member_not_found"
    );
    let report = app.verify().await;
    assert!(report.problems.is_empty(), "{:?}", report.problems);
}

both_backends!(local_points_are_earned_spent_only_at_their_partner_and_converted_as_issuance);
both_backends!(a_partner_site_reads_its_branded_view_of_its_own_members_only);
