//! Statements are private to their partner, signed, and reconcilable.

use partner_sdk::statement::{
    verify_statement, DisputeRequest, ReconciliationRow, SignedStatement, StatementError,
};
use reqwest::Method;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{code_of, link, sale, TestApp};

use super::close;

async fn statements_are_private_signed_and_reconcilable(app: &TestApp) {
    let shop = app.partner("shop", 10_000, 0).await;
    let other = app.partner("other", 10_000, 0).await;
    let (number, token) = app.member("rec@example.com").await;
    link(&shop, &number).await;
    link(&other, &number).await;
    shop.client.earn(&sale(&number, "S-1", 4000)).await.unwrap();
    shop.client.earn(&sale(&number, "S-2", 2000)).await.unwrap();
    let rid = app.spend(&shop, &number, &token, 10, None).await;
    app.advance_s(3600);
    let (status, run) = close(app, 600).await;
    assert_eq!(status, 201, "{run}");
    let mine = shop.client.statements(None, None).await.unwrap();
    let id = mine[0].statement_id;

    // Another partner's key can neither read nor reconcile it, nor dispute it.
    assert_eq!(
        code_of(other.client.statement_envelope(id).await),
        "statement_not_found"
    );
    assert_eq!(
        code_of(other.client.statement_csv(id).await),
        "statement_not_found"
    );
    assert_eq!(
        code_of(other.client.reconcile(id, &[]).await),
        "statement_not_found"
    );
    assert_eq!(
        code_of(
            other
                .client
                .dispute_statement(
                    id,
                    &DisputeRequest {
                        reason: "not mine".into()
                    }
                )
                .await
        ),
        "statement_not_found"
    );
    assert!(other
        .client
        .statements(None, None)
        .await
        .unwrap()
        .iter()
        .all(|s| s.partner_id == other.id));

    // The envelope verifies offline; any change to it does not.
    let envelope = shop.client.statement_envelope(id).await.unwrap();
    let keys = shop.client.network_keys().await.unwrap();
    let signed: SignedStatement = verify_statement(&envelope, &keys[0]).unwrap();
    assert_eq!(signed.statement.issued.points, 60);
    let text = String::from_utf8(envelope.clone()).unwrap();
    let forged = text.replace("\"net_minor\":", "\"net_minor\":1");
    assert_ne!(forged, text);
    assert_eq!(
        verify_statement(forged.as_bytes(), &keys[0]).unwrap_err(),
        StatementError::BadSignature
    );
    // Reordering or re-spacing keeps the content: still valid (the signature covers content).
    let pretty =
        serde_json::to_vec_pretty(&serde_json::from_slice::<Value>(&envelope).unwrap()).unwrap();
    assert!(verify_statement(&pretty, &keys[0]).is_ok());
    let mut wrong = keys[0].clone();
    wrong.public_key_hex = "00".repeat(32);
    assert_eq!(
        verify_statement(&envelope, &wrong).unwrap_err(),
        StatementError::BadSignature
    );

    // Reconciliation: one match, one mismatch, one order the network never saw, one the file
    // forgot.
    let row = |order: &str, kind: &str, points: i64| ReconciliationRow {
        order_id: order.into(),
        kind: kind.into(),
        points,
    };
    let report = shop
        .client
        .reconcile(
            id,
            &[
                row("S-1", "earn", 40),
                row(&format!("redemption:{rid}"), "redemption", 9),
                row("S-404", "earn", 7),
            ],
        )
        .await
        .unwrap();
    assert_eq!((report.matched.count, report.matched.points), (1, 40));
    assert_eq!(report.mismatched.len(), 1);
    assert_eq!(
        (
            report.mismatched[0].file_points,
            report.mismatched[0].network_points
        ),
        (9, 10)
    );
    assert_eq!(report.missing_in_network[0].order_id, "S-404");
    assert_eq!(report.missing_in_file[0].order_id, "S-2");
    assert_eq!(report.network_records, 3);

    // A malformed file is refused and reconciles nothing.
    let res = shop
        .client
        .send_raw(
            Method::POST,
            &format!("/v1/partner/statements/{id}/reconciliation"),
            Some(&json!([{"order_id": "S-1", "kind": "earn", "points": "forty"}])),
            None,
        )
        .await
        .unwrap();
    assert_eq!(res.status, 422);

    // An upload without a signature from a known key is refused before its body is read.
    let res = app
        .http
        .post(format!(
            "{}/v1/partner/statements/{id}/reconciliation",
            app.address
        ))
        .header("Content-Type", "text/csv")
        .body(vec![b'x'; 9 * 1024 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 401);

    // A 100,000-row file: every row is checked off against the ledger's pages; the answer
    // lists the first 10,000 discrepancies and counts them all.
    let big: Vec<ReconciliationRow> = (0..100_000)
        .map(|i| row(&format!("BIG-{i}"), "earn", 1))
        .chain([row("S-1", "earn", 40)])
        .collect();
    let report = shop.client.reconcile(id, &big).await.unwrap();
    assert_eq!(report.file_records, 100_001);
    assert_eq!(report.matched.count, 1);
    assert_eq!(
        (
            report.missing_in_network_total.count,
            report.missing_in_network.len()
        ),
        (100_000, 10_000)
    );
    assert!(report.truncated);
    let _ = run;
}
both_backends!(statements_are_private_signed_and_reconcilable);
