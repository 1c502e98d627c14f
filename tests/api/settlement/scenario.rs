//! Three partners settle to the cent, line by line.

use reqwest::Method;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{link, sale, TestApp};

use super::payments::payments_and_disputes;
use super::{close, flows, line, statement};

async fn three_partners_settle_to_the_cent(app: &TestApp) {
    let books = app
        .partner_with(
            "books",
            json!({"earn_rate_bp": 10_000, "issuance_price_micros": 8000,
            "redemption_price_micros": 6000, "return_window_days": 0}),
        )
        .await;
    let coffee = app
        .partner_with(
            "coffee",
            json!({"earn_rate_bp": 20_000, "issuance_price_micros": 7000,
            "redemption_price_micros": 5000, "return_window_days": 0, "period_fee_minor": 1000}),
        )
        .await;
    let cinema = app
        .partner_with(
            "cinema",
            json!({"earn_rate_bp": 10_000, "issuance_price_micros": 9000,
            "redemption_price_micros": 6500, "return_window_days": 0}),
        )
        .await;
    let (m1, t1) = app.member("m1@example.com").await;
    let (m2, t2) = app.member("m2@example.com").await;
    for shop in [&books, &coffee, &cinema] {
        link(shop, &m1).await;
        link(shop, &m2).await;
    }
    // 1. books: m1 spends 100.00 EUR -> 100 points at 8,000 micros.
    books.client.earn(&sale(&m1, "A-1", 10_000)).await.unwrap();
    // 2. coffee: m2 spends 25.05 EUR at x2 -> 50.1 -> 50 points at 7,000.
    coffee.client.earn(&sale(&m2, "B-1", 2505)).await.unwrap();
    // 3. cinema: m1 spends 33.33 EUR -> 33 points at 9,000.
    cinema.client.earn(&sale(&m1, "C-1", 3333)).await.unwrap();
    // 4. m1 spends 120 at coffee: 100 from the books lot (earliest expiry), 20 from cinema's.
    let r4 = app.spend(&coffee, &m1, &t1, 120, None).await;
    // 5. m2 holds 30 at cinema, captures 25 (coffee's points); 5 go back.
    app.spend(&cinema, &m2, &t2, 30, Some(25)).await;
    // 6. books refunds half of A-1: 50 points clawed back, credited at 8,000; m1 had 13 left
    //    (cinema's lot), so 37 become a negative balance.
    let refund = books
        .client
        .refund(&partner_sdk::types::RefundRequest {
            order_id: "A-1".into(),
            refund_id: "A-1-R".into(),
            amount_minor: 5000,
            currency: "EUR".into(),
            lines: None,
        })
        .await
        .unwrap();
    assert_eq!(
        (refund.points_clawed_back, refund.uncovered_points),
        (50, 37)
    );
    // 7. coffee reverses 20 of r4: they come back from cinema's lot (latest expiry first) and
    //    repay m1's debt (-37 -> -17).
    coffee
        .client
        .reverse(r4, &partner_sdk::types::ReverseRequest { points: 20 })
        .await
        .unwrap();
    // 8. the operator gives m2 10 points of its own (price 0 to partners).
    let (status, body) = app
        .operator(
            Method::POST,
            &format!("/v1/operator/members/{m2}/adjustments"),
            Some(json!({"points": 10, "reason": "welcome bonus"})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    // 9. m2 spends 30 at books: 25 left of coffee's B-1 lot, then 5 of the operator's.
    app.spend(&books, &m2, &t2, 30, None).await;
    // 10. coffee: m2 spends 5.00 EUR at x2 -> 10 points at 7,000.
    coffee.client.earn(&sale(&m2, "B-2", 500)).await.unwrap();
    assert_eq!(app.balance(&t1).await.available_points, -17);
    assert_eq!(app.balance(&t2).await.available_points, 15);

    // Too recent a cut-off is refused; then the period closes.
    let (status, body) = close(app, 10).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("cutoff_too_recent"))
    );
    app.advance_s(3600);
    let (status, run) = close(app, 1800).await;
    assert_eq!(status, 201, "{run}");
    let run_id = run["run_id"].as_i64().unwrap();
    let id_of = |partner: i64| -> i64 {
        run["summary"]["partners"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["partner_id"] == partner)
            .unwrap()["statement_id"]
            .as_i64()
            .unwrap()
    };

    // books: issued 100 x 8,000 = 800,000 micros; clawed back 50 x 8,000 = 400,000; redeemed
    // 30 x 6,000 = 180,000 (25 of coffee's points, 5 of the operator's). Net 220,000 micros =
    // 22 cents owed to the network.
    let a = statement(&books, id_of(books.id)).await;
    assert_eq!(
        (&a.issued, &a.clawed_back, &a.redeemed, &a.reversed),
        (
            &line(100, 800_000),
            &line(50, 400_000),
            &line(30, 180_000),
            &line(0, 0)
        )
    );
    assert_eq!(
        (a.fees_minor, a.net_micros, a.net_minor, a.rounding_micros),
        (0, 220_000, 22, 0)
    );
    assert_eq!(a.direction, "partner_pays");
    assert_eq!(flows(&a.my_points_redeemed_at), [("coffee".into(), 100)]);
    assert_eq!(
        flows(&a.redeemed_here_by_issuer),
        [("operator".into(), 5), ("coffee".into(), 25)]
    );
    // coffee: issued 60 x 7,000 = 420,000; redeemed 120 x 5,000 = 600,000; reversed 20 x 5,000
    // = 100,000; fee 10.00 EUR = 10,000,000 micros. Net 420,000 - 600,000 + 100,000 +
    // 10,000,000 = 9,920,000 micros = 992 cents.
    let b = statement(&coffee, id_of(coffee.id)).await;
    assert_eq!(
        (&b.issued, &b.clawed_back, &b.redeemed, &b.reversed),
        (
            &line(60, 420_000),
            &line(0, 0),
            &line(120, 600_000),
            &line(20, 100_000)
        )
    );
    assert_eq!(
        (b.fees_minor, b.net_micros, b.net_minor, b.rounding_micros),
        (1000, 9_920_000, 992, 0)
    );
    assert_eq!(
        flows(&b.my_points_redeemed_at),
        [("books".into(), 25), ("cinema".into(), 25)]
    );
    // cinema's 20 points spent at coffee came back: the net flow is 0 and not listed.
    assert_eq!(flows(&b.redeemed_here_by_issuer), [("books".into(), 100)]);
    // cinema: issued 33 x 9,000 = 297,000; redeemed 25 x 6,500 = 162,500. Net 134,500 micros
    // = 13.45 cents, rounded to 13; the 4,500 micros left are the operator's.
    let c = statement(&cinema, id_of(cinema.id)).await;
    assert_eq!(
        (&c.issued, &c.redeemed),
        (&line(33, 297_000), &line(25, 162_500))
    );
    assert_eq!(
        (c.net_micros, c.net_minor, c.rounding_micros),
        (134_500, 13, 4_500)
    );
    assert!(c.my_points_redeemed_at.is_empty());
    assert_eq!(flows(&c.redeemed_here_by_issuer), [("coffee".into(), 25)]);

    // The network: margin 22 + 992 + 13 = 1,027 cents; the operator paid books for its own 5
    // points (5 x 6,000 = 30,000 micros).
    let summary = &run["summary"];
    assert_eq!(summary["operator_margin_minor"], 1027);
    assert_eq!(summary["fees_minor"], 1000);
    assert_eq!(summary["rounding_micros"], 4500);
    assert_eq!(
        summary["operator_funded_redeemed"],
        json!({"points": 5, "amount_micros": 30_000})
    );
    // The matrix: rows fund, columns redeem (books, coffee, cinema), net of reversals.
    let (status, m) = app
        .operator(
            Method::GET,
            &format!("/v1/operator/settlement/runs/{run_id}/matrix"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let rows: Vec<(String, Value)> = m["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["party"].as_str().unwrap().to_owned(), r["cells"].clone()))
        .collect();
    assert_eq!(
        rows,
        [
            ("operator".into(), json!([5, 0, 0])),
            ("books".into(), json!([0, 100, 0])),
            ("coffee".into(), json!([25, 0, 25])),
            ("cinema".into(), json!([0, 0, 0])),
        ]
    );
    assert_eq!(m["column_totals"], json!([30, 100, 25]));
    assert_eq!(m["total"], 155);

    // Closing the same cut-off again answers the same run and the same signed bytes.
    let first = coffee
        .client
        .statement_envelope(b.statement_id)
        .await
        .unwrap();
    let until = run["period_end"].as_str().unwrap().to_owned();
    let (status, again) = app
        .operator(
            Method::POST,
            "/v1/operator/settlement/runs",
            Some(json!({ "until": until })),
        )
        .await;
    assert_eq!((status, again["run_id"].as_i64()), (200, Some(run_id)));
    assert_eq!(
        coffee
            .client
            .statement_envelope(b.statement_id)
            .await
            .unwrap(),
        first
    );
    // An earlier cut-off is refused.
    let (status, body) = close(app, 3000).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("period_already_closed"))
    );

    // CSV export.
    let csv = coffee.client.statement_csv(b.statement_id).await.unwrap();
    assert!(csv.starts_with("section,party,points,amount_micros,amount_minor\n"));
    assert!(csv.contains("\nnet,partner_pays,,9920000,992\n"), "{csv}");
    assert!(csv.contains("\nfees,,,,1000\n"), "{csv}");

    // Outstanding now: m2 holds 10 of coffee's points (B-2) and 5 of the operator's; m1 owes 17
    // back. Valued at the highest redemption price in force (cinema's 6,500 micros).
    let (status, liability) = app
        .operator(Method::GET, "/v1/operator/liability", None)
        .await;
    assert_eq!(status, 200, "{liability}");
    let lines: Vec<(String, i64)> = liability["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["party"].as_str().unwrap().to_owned(),
                l["points"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(lines, [("operator".into(), 5), ("coffee".into(), 10)]);
    assert_eq!(
        (
            &liability["total_points"],
            &liability["total_micros"],
            &liability["at_risk_points"]
        ),
        (&json!(15), &json!(97_500), &json!(17))
    );

    payments_and_disputes(app, &books, &coffee, &cinema, [a, b, c]).await;
}
both_backends!(three_partners_settle_to_the_cent);
