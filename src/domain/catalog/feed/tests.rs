//! The feed reader's unit tests: every format, every refusal.

use super::*;

fn resolve(text: &str) -> Option<CategoryId> {
    match text {
        "632" | "Hardware" | "Quincaillerie" => Some(CategoryId::from(632)),
        "1169" | "Hardware > Tools > Drills" => Some(CategoryId::from(1169)),
        _ => None,
    }
}

fn read(format: FeedFormat, text: &[u8]) -> (FeedSummary, Vec<Product>) {
    let mut products = Vec::new();
    let summary = read_feed::<_, ()>(format, text, &resolve, &mut |p| {
        products.push(p);
        Ok(())
    })
    .unwrap();
    (summary, products)
}

fn problems(summary: &FeedSummary) -> Vec<(u64, &str)> {
    summary
        .problems
        .iter()
        .map(|p| (p.row, p.field.as_str()))
        .collect()
}

#[test]
fn merchant_center_prices_become_minor_units() {
    let ok = |t: &str| parse_price(t).map(|(m, c)| (m.get(), c));
    assert_eq!(ok("15.00 EUR"), Ok((1500, "EUR".into())));
    assert_eq!(ok("15 EUR"), Ok((1500, "EUR".into())));
    assert_eq!(ok("15.5 EUR"), Ok((1550, "EUR".into())));
    assert_eq!(ok("1500 JPY"), Ok((1500, "JPY".into())));
    assert_eq!(ok("0.001 KWD"), Ok((1, "KWD".into())));
    assert_eq!(ok("0.00 EUR"), Ok((0, "EUR".into())));
    for bad in [
        "-1.00 EUR",
        "15,00 EUR",
        "15.001 EUR",
        "1.5 JPY",
        "EUR 15",
        "15.00",
        "15.00 eur",
        ".5 EUR",
        "5. EUR",
        "1e3 EUR",
        "99999999999999999999 EUR",
        "1000000001 EUR",
        "",
        "+5 EUR",
        "15.00  EUR",
    ] {
        assert!(parse_price(bad).is_err(), "{bad:?} accepted");
    }
}

#[test]
fn a_merchant_center_tsv_feed_reads_with_its_header_and_extra_columns() {
    let feed = "id\ttitle\tdescription\tprice\tgoogle_product_category\n\
                D-1\tCordless \"Pro\" drill\tA drill\t89.90 EUR\t1169\n\
                \n\
                D-2\tHammer\tA hammer\t12.00 EUR\tQuincaillerie\n\
                D-3\tGift wrap\t\t1.00 EUR\t\n";
    let (summary, products) = read(FeedFormat::Tsv, feed.as_bytes());
    assert!(summary.is_clean(), "{:?}", summary.problems);
    assert_eq!(summary.products, 3);
    assert_eq!(summary.unmapped, 1);
    assert_eq!(summary.counts.get(&CategoryId::from(1169)), Some(&1));
    assert_eq!(products[0].title, "Cordless \"Pro\" drill");
    assert_eq!(products[0].price.get(), 8990);
    assert_eq!(products[1].row, 4);
    assert_eq!(products[2].category, None);
}

#[test]
fn every_bad_row_is_reported_with_its_field_and_nothing_is_passed_on_after() {
    let feed = "g:id\tg:title\tg:price\tg:google_product_category\n\
                A\tGood\t1.00 EUR\t632\n\
                A\tDuplicate\t1.00 EUR\t632\n\
                B\t\t1.00 EUR\t632\n\
                C\tBad price\t-1.00 EUR\t632\n\
                D\tUnknown category\t1.00 EUR\tGarden > Rakes\n\
                E\tGood too\t2.00 EUR\t1169\n\
                \tNo sku\t1.00 EUR\t632\n";
    let (summary, products) = read(FeedFormat::Tsv, feed.as_bytes());
    assert_eq!(
        problems(&summary),
        vec![
            (3, "sku"),
            (4, "title"),
            (5, "price"),
            (6, "category"),
            (8, "sku")
        ]
    );
    assert_eq!(summary.problems_total, 5);
    assert_eq!(products.len(), 1, "only the rows before the first bad one");
}

#[test]
fn bad_utf8_is_a_problem_of_its_row() {
    let mut feed = b"id\ttitle\tprice\tgoogle_product_category\nA\tCaf".to_vec();
    feed.extend_from_slice(&[0xe9]);
    feed.extend_from_slice(b"\t1.00 EUR\t632\nB\tTea\t1.00 EUR\t632\n");
    let (summary, _) = read(FeedFormat::Tsv, &feed);
    assert_eq!(problems(&summary), vec![(2, "title")]);
    assert_eq!(summary.problems[0].reason, "is not UTF-8 text");
}

#[test]
fn a_file_without_a_header_or_without_rows_is_refused_as_a_whole() {
    let (summary, _) = read(FeedFormat::Csv, b"A-1,Drill,1169,8990,EUR\n");
    assert_eq!(problems(&summary), vec![(1, "")]);
    assert!(summary.problems[0].reason.contains("missing: id (or sku)"));
    let (summary, _) = read(FeedFormat::Csv, b"");
    assert_eq!(summary.problems[0].reason, "the file holds no product");
    let (summary, _) = read(
        FeedFormat::Csv,
        b"sku,title,category,price_minor,currency\n",
    );
    assert_eq!(summary.problems[0].reason, "the file holds no product");
    let (summary, _) = read(
        FeedFormat::Csv,
        b"sku,title,category,price_minor\nA,B,632,1\n",
    );
    assert!(summary.problems[0]
        .reason
        .contains("price (or price_minor and currency)"));
    let (summary, _) = read(FeedFormat::Csv, b"sku,id,title,category,price\n");
    assert!(summary.problems[0].reason.contains("twice"));
}

#[test]
fn plain_csv_reads_quoted_titles_and_minor_units() {
    let feed = "sku,title,category,price_minor,currency\r\n\
                K-1,\"Pan, 28 cm\",Hardware > Tools > Drills,2999,EUR\r\n\
                K-2,Lid,632,abc,EUR\r\n\
                K-3,Lid,632,100,eur\r\n\
                K-4,Lid,632,100,\r\n";
    let (summary, products) = read(FeedFormat::Csv, feed.as_bytes());
    assert_eq!(products[0].title, "Pan, 28 cm");
    assert_eq!(
        problems(&summary),
        vec![(3, "price_minor"), (4, "currency"), (5, "currency")]
    );
}

#[test]
fn a_json_array_streams_and_wrong_shapes_are_reported() {
    let feed = r#"[{"sku":"J-1","title":"Book","category":1169,"price_minor":1000,"currency":"EUR"},
                   {"sku":"J-2","title":"Book","category":"632","price_minor":"x","currency":"EUR"},
                   [1,2],
                   {"sku":"J-4","title":7,"price_minor":5,"currency":"EUR"}]"#;
    let (summary, products) = read(FeedFormat::Json, feed.as_bytes());
    assert_eq!(products.len(), 1);
    assert_eq!(
        problems(&summary),
        vec![(2, "price_minor"), (3, ""), (4, "title")]
    );
    let (summary, _) = read(FeedFormat::Json, br#"{"sku":"x"}"#);
    assert_eq!(
        summary.problems[0].reason,
        "the file must be a JSON array of products"
    );
    let (summary, _) = read(
        FeedFormat::Json,
        br#"[{"sku":"x","title":"t","price_minor":1,"currency":"EUR"}, {"#,
    );
    assert_eq!(summary.problems[0].row, 2);
    assert!(summary.problems[0].reason.starts_with("not valid JSON"));
    let (summary, _) = read(FeedFormat::Json, b"[]");
    assert_eq!(summary.problems[0].reason, "the file holds no product");
}

#[test]
fn the_rss_feed_reads_g_fields_entities_and_ignores_nested_prices() {
    let feed = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:g="http://base.google.com/ns/1.0"><channel><title>Shop</title>
<item>
  <g:id>X-1</g:id>
  <title>Saw &amp; blade &#233;t&#xE9;</title>
  <g:price>9.99 EUR</g:price>
  <g:shipping><g:country>FR</g:country><g:price>4.90 EUR</g:price></g:shipping>
  <g:google_product_category>Hardware &gt; Tools &gt; Drills</g:google_product_category>
</item>
<item><g:id><![CDATA[X-2]]></g:id><g:title>Nail</g:title><g:price>0.10 EUR</g:price></item>
<item><g:id>X-3</g:id><g:title>Bad</g:title><g:price>ten EUR</g:price></item>
</channel></rss>"#;
    let (summary, products) = read(FeedFormat::Xml, feed.as_bytes());
    assert_eq!(problems(&summary), vec![(3, "price")]);
    assert_eq!(products.len(), 2);
    assert_eq!(products[0].title, "Saw & blade été");
    assert_eq!(products[0].price.get(), 999);
    assert_eq!(products[0].category, Some(CategoryId::from(1169)));
    assert_eq!(products[1].sku, "X-2");
    let (summary, _) = read(FeedFormat::Xml, b"<rss><channel><item><g:id>A</g:id>");
    assert!(!summary.is_clean());
    let (summary, _) = read(FeedFormat::Xml, b"not xml at all");
    assert_eq!(summary.problems[0].reason, "the file holds no product");
}

#[test]
fn more_than_the_maximum_stops_the_reading() {
    let mut feed = String::from("sku,title,category,price_minor,currency\n");
    for i in 0..=PRODUCTS_MAX {
        feed.push_str(&format!("S{i},T,632,1,EUR\n"));
    }
    let mut passed = 0_u64;
    let summary = read_feed::<_, ()>(FeedFormat::Csv, feed.as_bytes(), &resolve, &mut |_| {
        passed += 1;
        Ok(())
    })
    .unwrap();
    assert_eq!(problems(&summary), vec![(PRODUCTS_MAX + 2, "")]);
    assert_eq!(
        passed, PRODUCTS_MAX,
        "the sink saw the products before the limit"
    );
}

#[test]
fn the_sinks_error_stops_the_reading() {
    let feed = b"sku,title,category,price_minor,currency\nA,T,632,1,EUR\nB,T,632,1,EUR\n";
    let mut calls = 0;
    let result = read_feed(FeedFormat::Csv, &feed[..], &resolve, &mut |_| {
        calls += 1;
        Err("disk full")
    });
    assert_eq!(result.unwrap_err(), "disk full");
    assert_eq!(calls, 1);
}

#[test]
fn hostile_shapes_stay_problems_of_their_row_and_memory_stays_bounded() {
    // A line of two megabytes is not a feed line.
    let mut long = b"id\ttitle\tprice\tgoogle_product_category\n".to_vec();
    long.extend(std::iter::repeat_n(b'\t', 2 * 1024 * 1024));
    let (summary, _) = read(FeedFormat::Tsv, &long);
    assert!(
        summary.problems[0].reason.contains("longer than"),
        "{:?}",
        summary.problems
    );
    // Unknown fields are skipped unread, whatever they hold; wrong shapes are this row's.
    let nested = format!(
        r#"[{{"sku":"A","title":"T","price_minor":1,"currency":"EUR","x":{}}},
            {{"sku":"B","id":"C","title":"T","price_minor":1,"currency":"EUR"}},
            {{"sku":"D","title":["T"],"price_minor":1,"currency":"EUR"}},
            {{"sku":"E","title":"T","price_minor":"+5","currency":"EUR"}},
            "not an object",
            {{"sku":"F","title":"T","price_minor":1,"currency":"EUR"}}]"#,
        "[".repeat(100) + &"]".repeat(100)
    );
    let (summary, products) = read(FeedFormat::Json, nested.as_bytes());
    assert_eq!(
        problems(&summary),
        vec![(2, "sku"), (3, "title"), (4, "price_minor"), (5, "")]
    );
    assert_eq!(summary.products, 6);
    assert_eq!(
        products.len(),
        1,
        "only the first, before the first bad row"
    );
    // An entity the feed does not define, in a field the catalog does not read, is ignored.
    let xml = "<rss><channel><item><g:id>A</g:id><title>T</title><g:price>1.00 EUR</g:price>\
               <description>&nbsp;</description></item></channel></rss>";
    let (summary, products) = read(FeedFormat::Xml, xml.as_bytes());
    assert!(summary.is_clean(), "{:?}", summary.problems);
    assert_eq!(products.len(), 1);
}
