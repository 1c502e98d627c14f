//! `GET /metrics`: the Prometheus text, for the operator only.

use crate::both_backends;
use crate::helpers::{link, sale, TestApp};

async fn metrics_count_requests_batches_and_entries_for_the_operator_only(app: &TestApp) {
    let shop = app.partner("shop", 10_000, 0).await;
    let (ann, _) = app.member("ann@example.com").await;
    link(&shop, &ann).await;
    shop.client
        .earn(&sale(&ann, "M-1", 1_000))
        .await
        .expect("earn");

    let url = format!("{}/metrics", app.address);
    let anonymous = app.http.get(&url).send().await.expect("get");
    assert_eq!(anonymous.status().as_u16(), 401);
    let member = app
        .http
        .get(&url)
        .bearer_auth("not-a-token")
        .send()
        .await
        .expect("get");
    assert_eq!(member.status().as_u16(), 401);
    let partner = shop
        .client
        .send_raw(reqwest::Method::GET, "/metrics", None, None)
        .await
        .expect("get");
    assert_eq!(partner.status, 401);

    let res = app
        .http
        .get(&url)
        .bearer_auth(&app.operator_token)
        .send()
        .await
        .expect("get");
    assert_eq!(res.status().as_u16(), 200);
    let content_type = res.headers()["content-type"]
        .to_str()
        .unwrap_or("")
        .to_owned();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    let text = res.text().await.expect("text");
    for needle in [
        "loyalty_http_requests_total{method=\"POST\",route=\"/v1/partner/earns\",status=\"201\"}",
        "loyalty_http_request_duration_seconds_bucket{method=\"POST\",route=\"/v1/partner/earns\",le=\"0.005\"}",
        "loyalty_writer_batch_requests_count",
        "loyalty_writer_batch_duration_seconds_count",
        "loyalty_db_pool_wait_seconds_count",
        "loyalty_db_pool_connections{state=\"idle\"}",
        "loyalty_ledger_entries_posted_total{kind=\"earn\"}",
    ] {
        assert!(text.contains(needle), "{needle} missing from:\n{text}");
    }
    // Routes are counted by pattern: no member number or id becomes a series.
    assert!(!text.contains(&ann), "a member number in the metrics");
}

both_backends!(metrics_count_requests_batches_and_entries_for_the_operator_only);
