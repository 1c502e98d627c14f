//! Bad catalog files get a complete, precise report and change nothing: wrong and missing
//! columns, bad UTF-8, unknown categories, negative and malformed prices, duplicate SKUs, one
//! product too many, an empty file; a good upload replaces the catalog whole.

use partner_sdk::ProductQuery;

use super::{upload_ok, upload_refused};
use crate::both_backends;
use crate::helpers::TestApp;

const HEADER: &str = "id\ttitle\tprice\tgoogle_product_category\n";

fn problems(refused: &partner_sdk::catalog::InvalidCatalog) -> Vec<(u64, String)> {
    refused
        .problems
        .iter()
        .map(|p| (p.row, p.field.clone()))
        .collect()
}

async fn bad_files_are_refused_whole_with_every_bad_row(app: &TestApp) {
    let shop = app.partner("shop", 10_000, 14).await;
    let good = format!("{HEADER}D-1\tPerceuse\t89.90 EUR\t1217\nD-2\tMarteau\t12.00 EUR\tHardware > Tools > Hammers\n");
    let first = upload_ok(&shop, "tsv", good.into_bytes()).await;
    assert_eq!(first.version.products, 2);

    let mut bad = format!(
        "{HEADER}A\tGood\t1.00 EUR\t632\n\
         A\tDuplicate SKU\t1.00 EUR\t632\n\
         B\tNegative\t-1.00 EUR\t632\n\
         C\tMalformed\t1,00 EUR\t632\n\
         D\tUnknown category\t1.00 EUR\tGarden > Rakes > Golden\n\
         E\t\t1.00 EUR\t632\n"
    )
    .into_bytes();
    bad.extend_from_slice(b"F\tCaf\xe9\t1.00 EUR\t632\n");
    let refused = upload_refused(&shop, "tsv", bad).await;
    assert_eq!(
        problems(&refused),
        vec![
            (3, "sku".to_owned()),
            (4, "price".to_owned()),
            (5, "price".to_owned()),
            (6, "category".to_owned()),
            (7, "title".to_owned()),
            (8, "title".to_owned()),
        ]
    );
    assert_eq!((refused.problems_total, refused.products), (6, 7));
    assert_eq!(refused.code, "invalid_catalog");
    assert!(refused.problems[3]
        .reason
        .contains("Garden > Rakes > Golden"));
    assert_eq!(refused.problems[5].reason, "is not UTF-8 text");

    let wrong_columns = "sku;title;category;price\nA;B;632;1.00 EUR\n";
    let refused = upload_refused(&shop, "csv", wrong_columns.into()).await;
    assert_eq!(problems(&refused), vec![(1, String::new())]);
    assert!(
        refused.detail.contains("missing: id (or sku)"),
        "{}",
        refused.detail
    );
    let missing_price = "id\ttitle\tgoogle_product_category\nA\tB\t632\n";
    let refused = upload_refused(&shop, "tsv", missing_price.into()).await;
    assert!(refused.detail.contains("price"), "{}", refused.detail);
    for empty in ["", HEADER] {
        let refused = upload_refused(&shop, "tsv", empty.into()).await;
        assert_eq!(refused.detail, "the file holds no product");
    }
    let refused = upload_refused(&shop, "json", br#"{"sku": "x"}"#.to_vec()).await;
    assert_eq!(refused.detail, "the file must be a JSON array of products");
    let refused = upload_refused(&shop, "xml", b"<rss><channel><item><g:id>A".to_vec()).await;
    assert!(refused.problems_total > 0);

    let mut huge = String::from("sku,title,category,price_minor,currency\n");
    for i in 0..200_001 {
        huge.push_str(&format!("S{i},Vis {i},632,10,EUR\n"));
    }
    let refused = upload_refused(&shop, "csv", huge.into_bytes()).await;
    assert_eq!(problems(&refused), vec![(200_002, String::new())]);
    assert!(refused.problems[0].reason.contains("more than 200000"));

    // Nothing of all that was applied: the first catalog stands.
    let current = shop.client.catalog().await.expect("catalog");
    assert_eq!((current.id, current.products), (first.version.id, 2));
    let page = shop
        .client
        .products(&ProductQuery::default())
        .await
        .expect("products");
    let skus: Vec<&str> = page.items.iter().map(|p| p.sku.as_str()).collect();
    assert_eq!(skus, ["D-1", "D-2"]);
    assert_eq!(page.items[0].category.as_ref().map(|c| c.id), Some(1217));
}

async fn a_good_upload_replaces_the_catalog_and_pages_by_cursor(app: &TestApp) {
    let shop = app.partner("shop", 10_000, 14).await;
    let other = app.partner("other", 10_000, 14).await;
    let mut feed = String::from("sku,title,category,price_minor,currency\n");
    for i in 0..250 {
        let category = if i % 2 == 0 { "1169" } else { "" };
        feed.push_str(&format!(
            "P{i:03},\"Produit {i}, modèle A\",{category},{},EUR\n",
            100 + i
        ));
    }
    upload_ok(&shop, "csv", feed.into_bytes()).await;
    let replaced = upload_ok(
        &shop,
        "json",
        br#"[{"sku":"Z-1","title":"Seul","category":"632","price_minor":5,"currency":"EUR"}]"#
            .to_vec(),
    )
    .await;
    assert_eq!(replaced.version.products, 1);
    assert_eq!(replaced.report.drift_ppm, Some(1_000_000));
    let page = shop
        .client
        .products(&ProductQuery::default())
        .await
        .expect("products");
    assert_eq!(page.items.len(), 1);

    let mut feed = String::from("sku,title,category,price_minor,currency\n");
    for i in 0..120 {
        feed.push_str(&format!("Q{i:03},Clou {i},1169,{i},EUR\n"));
    }
    let done = upload_ok(&shop, "csv", feed.into_bytes()).await;
    assert_eq!(done.version.unmapped, 0);
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let query = ProductQuery {
            cursor: cursor.clone(),
            limit: Some(50),
            ..ProductQuery::default()
        };
        let page = shop.client.products(&query).await.expect("page");
        seen.extend(page.items.into_iter().map(|p| p.sku));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(seen.len(), 120);
    assert_eq!(seen.first().map(String::as_str), Some("Q000"));
    let query = ProductQuery {
        search: Some("clou 11".into()),
        ..ProductQuery::default()
    };
    let found = shop.client.products(&query).await.expect("search");
    let skus: Vec<&str> = found.items.iter().map(|p| p.sku.as_str()).collect();
    assert_eq!(
        skus,
        ["Q011", "Q110", "Q111", "Q112", "Q113", "Q114", "Q115", "Q116", "Q117", "Q118", "Q119"]
    );
    let query = ProductQuery {
        search: Some("50%_\\".into()),
        ..ProductQuery::default()
    };
    assert!(shop
        .client
        .products(&query)
        .await
        .expect("search")
        .items
        .is_empty());
    // Another partner sees only its own (empty) catalog.
    let theirs = other.client.catalog().await.expect_err("no catalog");
    assert_eq!(theirs.code(), Some("catalog_not_found"));
    let page = other
        .client
        .products(&ProductQuery::default())
        .await
        .expect("products");
    assert!(page.items.is_empty());
}

both_backends!(bad_files_are_refused_whole_with_every_bad_row);
both_backends!(a_good_upload_replaces_the_catalog_and_pages_by_cursor);
