//! Concurrent spends never overdraw; concurrent duplicates write one entry.

use partner_sdk::types::{AuthorizeRequest, CaptureRequest};

use crate::both_backends;
use crate::helpers::{link, sale, TestApp};

async fn fifty_concurrent_spends_capture_exactly_what_the_member_can_afford(app: &TestApp) {
    let shop = app.partner("shop", 10_000, 0).await;
    let (number, token) = app.member("gus@example.com").await;
    link(&shop, &number).await;
    shop.client
        .earn(&sale(&number, "BIG", 10_000))
        .await
        .expect("earn");
    assert_eq!(app.balance(&token).await.available_points, 100);
    let mut codes = Vec::new();
    for _ in 0..50 {
        codes.push(app.code(&token).await);
    }
    let tasks: Vec<_> = codes
        .into_iter()
        .map(|code| {
            let client = shop.client.clone();
            let number = number.clone();
            tokio::spawn(async move {
                let hold = client
                    .authorize(&AuthorizeRequest {
                        member_number: number,
                        code,
                        points: 10,
                        order_id: None,
                        currency: Default::default(),
                    })
                    .await?;
                client
                    .capture(hold.redemption_id, &CaptureRequest { points: None })
                    .await
            })
        })
        .collect();
    let mut captured = 0;
    for task in tasks {
        match task.await.expect("join") {
            Ok(r) => {
                assert_eq!(r.points_captured, 10);
                captured += 1;
            }
            Err(e) => assert_eq!(e.code(), Some("insufficient_points"), "{e}"),
        }
    }
    assert_eq!(captured, 10);
    let balance = app.balance(&token).await;
    assert_eq!((balance.available_points, balance.held_points), (0, 0));
}
both_backends!(fifty_concurrent_spends_capture_exactly_what_the_member_can_afford);

async fn fifty_concurrent_earns_with_one_key_write_one_entry(app: &TestApp) {
    let shop = app.partner("shop", 10_000, 0).await;
    let (number, token) = app.member("hal@example.com").await;
    link(&shop, &number).await;
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let client = shop.client.clone();
            let req = sale(&number, "SAME", 1234);
            tokio::spawn(async move {
                let options = partner_sdk::RequestOptions::new().idempotency_key("one-key");
                client.earn_with(&req, &options).await.map(|a| a.value)
            })
        })
        .collect();
    let mut ids = std::collections::BTreeSet::new();
    for task in tasks {
        let earned = task
            .await
            .expect("join")
            .expect("every duplicate gets the first answer");
        ids.insert(earned.entry_id);
    }
    assert_eq!(ids.len(), 1);
    assert_eq!(app.balance(&token).await.available_points, 12);
    let earns = shop.client.all_entries().await.expect("list");
    assert_eq!(earns.iter().filter(|t| t.kind == "earn").count(), 1);
}
both_backends!(fifty_concurrent_earns_with_one_key_write_one_entry);
