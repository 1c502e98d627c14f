//! Concurrent uploads of one partner's catalog: each replaces the catalog whole, so the
//! catalog that stands is exactly one of them, never a mix, and the versions count them all.

use futures::future::join_all;
use partner_sdk::{CatalogUpload, ProductQuery};

use crate::both_backends;
use crate::helpers::TestApp;

async fn concurrent_uploads_leave_exactly_one_of_them(app: &TestApp) {
    let shop = app.partner("shop", 10_000, 14).await;
    let feeds: Vec<Vec<u8>> = (0..6)
        .map(|k| {
            let mut feed = String::from("sku,title,category,price_minor,currency\n");
            for i in 0..(100 + k * 10) {
                feed.push_str(&format!("U{k}-{i:04},Article {i},1217,{},EUR\n", 100 + i));
            }
            feed.into_bytes()
        })
        .collect();
    let answers = join_all(feeds.iter().map(|feed| {
        let client = shop.client.clone();
        let feed = feed.clone();
        async move { client.upload_catalog("csv", feed).await }
    }))
    .await;
    let mut versions = Vec::new();
    for answer in answers {
        match answer.expect("upload") {
            CatalogUpload::Applied(done) => versions.push(done.version.id),
            CatalogUpload::Refused(refused) => panic!("refused: {:?}", refused.problems),
        }
    }
    versions.sort_unstable();
    versions.dedup();
    assert_eq!(versions.len(), 6, "six versions, one per upload");
    let current = shop.client.catalog().await.expect("catalog");
    assert_eq!(
        current.id,
        *versions.last().expect("a version"),
        "the last applied stands"
    );
    let mut skus = Vec::new();
    let mut cursor = None;
    loop {
        let query = ProductQuery {
            cursor: cursor.clone(),
            limit: Some(200),
            ..ProductQuery::default()
        };
        let page = shop.client.products(&query).await.expect("page");
        skus.extend(page.items.into_iter().map(|p| p.sku));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let prefixes: std::collections::BTreeSet<&str> =
        skus.iter().filter_map(|s| s.split('-').next()).collect();
    assert_eq!(
        prefixes.len(),
        1,
        "one upload's products only: {prefixes:?}"
    );
    assert_eq!(i64::try_from(skus.len()).expect("count"), current.products);
}

both_backends!(concurrent_uploads_leave_exactly_one_of_them);
