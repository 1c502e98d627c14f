//! Concurrent partial refunds of one order behave as if run one after another.

use futures::future::join_all;

use crate::both_backends;
use crate::helpers::requests::refund;
use crate::helpers::{link, sale, TestApp, TestPartner};

/// Sends `count` refunds of `amount_minor` on one order at once; returns the successes'
/// (points clawed, order refunded so far) and the refusal codes.
async fn refund_burst(
    shop: &TestPartner,
    order: &str,
    count: usize,
    amount_minor: i64,
) -> (Vec<(i64, i64)>, Vec<String>) {
    let answers = join_all((0..count).map(|i| {
        let client = shop.client.clone();
        let req = refund(order, &format!("{order}-R{i}"), amount_minor);
        async move { client.refund(&req).await }
    }))
    .await;
    let mut ok = Vec::new();
    let mut refused = Vec::new();
    for answer in answers {
        match answer {
            Ok(r) => ok.push((r.points_clawed_back, r.order_refunded_minor)),
            Err(e) => refused.push(e.code().unwrap_or("no code").to_owned()),
        }
    }
    (ok, refused)
}

async fn concurrent_partial_refunds_of_one_order_equal_a_serial_replay(app: &TestApp) {
    let shop = app.partner("shop", 10_000, 0).await;
    let (number, token) = app.member("rita@example.com").await;
    link(&shop, &number).await;
    for order in ["BURST", "SERIAL"] {
        shop.client
            .earn(&sale(&number, order, 1_000))
            .await
            .expect("earn");
    }
    // Ten refunds of 1.50 EUR at once on a 10.00 EUR order: six fit.
    let (ok, refused) = refund_burst(&shop, "BURST", 10, 150).await;
    assert_eq!(ok.len(), 6, "successes {ok:?}, refusals {refused:?}");
    assert!(
        refused.iter().all(|c| c == "refund_exceeds_order"),
        "{refused:?}"
    );
    let mut totals: Vec<i64> = ok.iter().map(|(_, total)| *total).collect();
    totals.sort_unstable();
    assert_eq!(totals, vec![150, 300, 450, 600, 750, 900]);
    // The same refunds one after another.
    let mut serial = Vec::new();
    for i in 0..10 {
        match shop
            .client
            .refund(&refund("SERIAL", &format!("SERIAL-R{i}"), 150))
            .await
        {
            Ok(r) => serial.push(r.points_clawed_back),
            Err(e) => assert_eq!(e.code(), Some("refund_exceeds_order")),
        }
    }
    let burst_clawed: i64 = ok.iter().map(|(points, _)| points).sum();
    assert_eq!(serial.len(), 6);
    assert_eq!(burst_clawed, serial.iter().sum::<i64>());
    assert_eq!(
        burst_clawed, 9,
        "10 points less 1 kept for the 1.00 EUR not returned"
    );
    assert_eq!(app.balance(&token).await.available_points, 20 - 2 * 9);

    // Ten refunds of 60.00 EUR at once on a 100.00 EUR order: one succeeds.
    shop.client
        .earn(&sale(&number, "BIG", 10_000))
        .await
        .expect("earn");
    let (ok, refused) = refund_burst(&shop, "BIG", 10, 6_000).await;
    assert_eq!(ok, vec![(60, 6_000)]);
    assert_eq!(refused, vec!["refund_exceeds_order".to_owned(); 9]);
    // Three of 30.00 EUR at once: each sees the others.
    shop.client
        .earn(&sale(&number, "THIRDS", 10_000))
        .await
        .expect("earn");
    let (ok, _) = refund_burst(&shop, "THIRDS", 3, 3_000).await;
    let mut totals: Vec<i64> = ok.iter().map(|(_, total)| *total).collect();
    totals.sort_unstable();
    assert_eq!(totals, vec![3_000, 6_000, 9_000]);
}
both_backends!(concurrent_partial_refunds_of_one_order_equal_a_serial_replay);
