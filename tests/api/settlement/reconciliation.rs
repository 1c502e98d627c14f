//! Reconciliation files: a CSV needs its header.

use crate::both_backends;
use crate::helpers::requests::signed_csv;
use crate::helpers::{link, sale, TestApp};

async fn a_reconciliation_csv_without_its_header_is_refused(app: &TestApp) {
    let shop = app.partner("shop", 10_000, 0).await;
    let (number, _) = app.member("rec@example.com").await;
    link(&shop, &number).await;
    shop.client
        .earn(&sale(&number, "A-1", 100))
        .await
        .expect("earn");
    app.advance_s(3_600);
    let (status, run) = crate::settlement::close(app, 120).await;
    assert_eq!(status, 201, "{run}");
    let statements = shop.client.statements(None, None).await.expect("list");
    let id = statements[0].statement_id;
    for file in ["A-1,earn,1\n", "", "order,kind,points\nA-1,earn,1\n"] {
        let (status, json) = signed_csv(app, &shop, id, file).await;
        assert_eq!(
            (status, json["code"].as_str()),
            (422, Some("invalid_reconciliation_file")),
            "{file:?}"
        );
        let detail = json["detail"].as_str().unwrap_or_default();
        assert!(detail.contains("order_id,kind,points"), "{detail}");
    }
    let (status, report) = signed_csv(app, &shop, id, "kind,order_id,points\nearn,A-1,1\n").await;
    assert_eq!(status, 200, "columns in any order: {report}");
    assert_eq!(report["file_records"], 1);
}
both_backends!(a_reconciliation_csv_without_its_header_is_refused);
