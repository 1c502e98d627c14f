//! Program analytics: RFM scores and segments, network-wide and per partner, against figures
//! worked out by hand (the same table as `domain::analytics::rfm`'s unit test), and the
//! program's figures ([`summary`]).

mod summary;

use reqwest::Method;
use serde_json::Value;

use crate::both_backends;
use crate::helpers::requests::refund;
use crate::helpers::{code_of, link, sale, TestApp, TestPartner};

/// Orders of one member at one partner: (order id prefix, amounts in minor units).
async fn buys(shop: &TestPartner, number: &str, prefix: &str, amounts: &[i64]) {
    for (i, amount) in amounts.iter().enumerate() {
        shop.client
            .earn(&sale(number, &format!("{prefix}-{i}"), *amount))
            .await
            .expect("earn");
    }
}

fn members_of(page: &Value) -> Vec<(String, i64, i64, i64, String)> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|m| {
            (
                m["member_number"].as_str().unwrap_or("").to_owned(),
                m["r"].as_i64().unwrap_or(0),
                m["f"].as_i64().unwrap_or(0),
                m["m"].as_i64().unwrap_or(0),
                m["segment"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

async fn segments_score_members_by_quintile_network_wide_and_per_partner(app: &TestApp) {
    let cafe = app.partner("cafe", 10_000, 0).await;
    let books = app.partner("books", 10_000, 0).await;
    let mut m = Vec::new();
    for name in ["one", "two", "three", "four", "five"] {
        let (number, _) = app.member(&format!("{name}@example.com")).await;
        link(&cafe, &number).await;
        link(&books, &number).await;
        m.push(number);
    }
    // Five, 400 days ago; four, 200 days ago; three, 40; two, 10; one, 2.
    buys(&cafe, &m[4], "m5", &[1_500]).await;
    app.advance_days(200);
    buys(
        &cafe,
        &m[3],
        "m4",
        &[
            3_000, 3_000, 3_000, 3_000, 3_000, 3_000, 3_000, 3_000, 6_000,
        ],
    )
    .await;
    app.advance_days(160);
    buys(&books, &m[2], "m3", &[2_500; 6]).await;
    // A wholly refunded order does not count: three has 5 orders and 125.00.
    books
        .client
        .refund(&refund("m3-5", "r-1", 2_500))
        .await
        .expect("refund");
    app.advance_days(30);
    buys(&cafe, &m[1], "m2", &[2_000]).await;
    app.advance_days(8);
    buys(&cafe, &m[0], "m1c", &[4_000; 6]).await;
    buys(
        &books,
        &m[0],
        "m1b",
        &[4_000, 4_000, 4_000, 4_000, 4_000, 6_000],
    )
    .await;
    app.advance_days(2);

    // Before any computation: empty, and said so.
    let (status, summary) = app
        .operator(Method::GET, "/v1/operator/segments", None)
        .await;
    assert_eq!(
        (status, summary["computed_at"].is_null()),
        (200, true),
        "{summary}"
    );
    let (status, report) = app
        .operator(Method::POST, "/v1/operator/segments/recompute", None)
        .await;
    assert_eq!(
        (
            status,
            report["scopes"].as_i64(),
            report["members"].as_i64()
        ),
        (200, Some(3), Some(5)),
        "{report}"
    );

    // Network-wide: the hand-computed table.
    let mut network = Vec::new();
    for segment in ["champions", "new", "loyal", "at_risk", "lost"] {
        let (status, page) = app
            .operator(
                Method::GET,
                &format!("/v1/operator/segments/{segment}"),
                None,
            )
            .await;
        assert_eq!(status, 200, "{page}");
        network.extend(members_of(&page));
    }
    let expected = |i: usize, r, f, mm, s: &str| (m[i].clone(), r, f, mm, s.to_owned());
    assert_eq!(
        network,
        [
            expected(0, 5, 5, 5, "champions"),
            expected(1, 4, 1, 2, "new"),
            expected(2, 3, 3, 3, "loyal"),
            expected(3, 2, 4, 4, "at_risk"),
            expected(4, 1, 1, 1, "lost"),
        ]
    );
    let (_, page) = app
        .operator(Method::GET, "/v1/operator/segments/loyal", None)
        .await;
    assert_eq!(
        (
            page["items"][0]["frequency"].as_i64(),
            page["items"][0]["monetary_minor"].as_i64()
        ),
        (Some(5), Some(12_500))
    );

    // The cafe's own scope: its four customers, scored on their purchases at the cafe only.
    let summary = cafe.client.segments().await.expect("segments");
    let sizes: Vec<(String, i64)> = summary
        .segments
        .iter()
        .map(|s| (s.segment.clone(), s.members))
        .collect();
    assert_eq!(
        sizes,
        [
            ("champions", 0),
            ("loyal", 1),
            ("new", 0),
            ("potential", 1),
            ("at_risk", 1),
            ("hibernating", 0),
            ("lost", 1)
        ]
        .map(|(s, n)| (s.to_owned(), n))
    );
    let loyal = cafe
        .client
        .segment_members("loyal", None)
        .await
        .expect("loyal");
    assert_eq!(
        loyal
            .items
            .iter()
            .map(|i| (i.member_number.as_str(), i.r, i.f))
            .collect::<Vec<_>>(),
        [(m[0].as_str(), 4, 3)]
    );
    // The bookshop never sees the cafe's customers: member two bought only at the cafe.
    let books_members: usize = books
        .client
        .segments()
        .await
        .expect("segments")
        .segments
        .iter()
        .map(|s| usize::try_from(s.members).unwrap_or(0))
        .sum();
    assert_eq!(books_members, 2);
    for segment in ["potential", "new", "at_risk"] {
        let page = books
            .client
            .segment_members(segment, None)
            .await
            .expect("page");
        assert!(
            page.items.iter().all(|i| i.member_number != m[1]),
            "{segment}"
        );
    }
    // Paging and refusals.
    let (status, first) = app
        .operator(
            Method::GET,
            &format!("/v1/operator/partners/{}/segments/lost?limit=1", books.id),
            None,
        )
        .await;
    assert_eq!(
        (status, first["items"].as_array().map(Vec::len)),
        (200, Some(1)),
        "{first}"
    );
    assert!(
        first["next_cursor"].is_null(),
        "one member, one page: {first}"
    );
    assert_eq!(
        code_of(cafe.client.segment_members("whales", None).await),
        "not_found"
    );
    let (status, _) = app
        .operator(Method::GET, "/v1/operator/partners/9999/segments", None)
        .await;
    assert_eq!(status, 404);
    // Two recomputes at once take turns: both answer, neither collides.
    let (one, two) = futures::join!(
        app.operator(Method::POST, "/v1/operator/segments/recompute", None),
        app.operator(Method::POST, "/v1/operator/segments/recompute", None)
    );
    assert_eq!((one.0, two.0), (200, 200), "{} {}", one.1, two.1);
    let (_, summary) = app
        .operator(Method::GET, "/v1/operator/segments", None)
        .await;
    let total: i64 = summary["segments"]
        .as_array()
        .expect("segments")
        .iter()
        .map(|s| s["members"].as_i64().unwrap_or(0))
        .sum();
    assert_eq!(total, 5);
    let report = app.verify().await;
    assert!(report.problems.is_empty(), "{:?}", report.problems);
}

both_backends!(segments_score_members_by_quintile_network_wide_and_per_partner);
