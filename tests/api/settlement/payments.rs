//! Payments against statements and disputes, continuing the three-partner scenario.

use partner_sdk::statement::{DisputeRequest, Statement};
use reqwest::Method;
use serde_json::json;

use crate::helpers::{code_of, TestApp, TestPartner};

use super::{close, statement};

pub(super) async fn payments_and_disputes(
    app: &TestApp,
    books: &TestPartner,
    coffee: &TestPartner,
    cinema: &TestPartner,
    [a, b, c]: [Statement; 3],
) {
    let pay = |id: i64, direction: &str, amount: i64, reference: &str| {
        let body =
            json!({"direction": direction, "amount_minor": amount, "bank_reference": reference});
        async move {
            app.operator(
                Method::POST,
                &format!("/v1/operator/statements/{id}/payments"),
                Some(body),
            )
            .await
        }
    };
    let (status, s) = pay(b.statement_id, "received", 500, "BANK-1").await;
    assert_eq!(status, 201, "{s}");
    assert_eq!(
        (s["status"].as_str(), s["outstanding_minor"].as_i64()),
        (Some("partially_paid"), Some(492))
    );
    let (_, s) = pay(b.statement_id, "received", 492, "BANK-2").await;
    assert_eq!(
        (s["status"].as_str(), s["outstanding_minor"].as_i64()),
        (Some("paid"), Some(0))
    );
    let (status, s) = pay(b.statement_id, "received", 1, "BANK-2").await;
    assert_eq!(
        (status, s["code"].as_str()),
        (409, Some("bank_reference_reused"))
    );
    let (_, s) = pay(a.statement_id, "received", 30, "BANK-3").await;
    assert_eq!(
        (s["status"].as_str(), s["outstanding_minor"].as_i64()),
        (Some("overpaid"), Some(-8))
    );
    for bad in [
        json!({"direction": "received", "amount_minor": 0, "bank_reference": "X-1"}),
        json!({"direction": "sideways", "amount_minor": 5, "bank_reference": "X-2"}),
        json!({"direction": "sent", "amount_minor": 5, "bank_reference": "has space"}),
    ] {
        let (status, body) = app
            .operator(
                Method::POST,
                &format!("/v1/operator/statements/{}/payments", a.statement_id),
                Some(bad),
            )
            .await;
        assert!((400..500).contains(&status), "{body}");
    }

    // cinema disputes its statement; the operator waives it in the next period.
    let dispute = cinema
        .client
        .dispute_statement(
            c.statement_id,
            &DisputeRequest {
                reason: "the 25 points at our till were a staff test".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        code_of(
            cinema
                .client
                .dispute_statement(
                    c.statement_id,
                    &DisputeRequest {
                        reason: "again".into()
                    }
                )
                .await
        ),
        "dispute_already_open"
    );
    let mine = cinema.client.statements(None, None).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].status, "disputed");
    let (status, resolved) = app
        .operator(
            Method::POST,
            &format!("/v1/operator/disputes/{}/resolution", dispute.dispute_id),
            Some(json!({"resolution": "waived as a goodwill gesture", "adjustment_minor": -13})),
        )
        .await;
    assert_eq!(status, 200, "{resolved}");
    assert_eq!(
        cinema.client.statements(None, None).await.unwrap()[0].status,
        "open"
    );

    app.advance_s(86_400);
    let (status, run2) = close(app, 3600).await;
    assert_eq!(status, 201, "{run2}");
    let nets: Vec<(String, i64)> = run2["summary"]["partners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["slug"].as_str().unwrap().to_owned(),
                p["net_minor"].as_i64().unwrap(),
            )
        })
        .collect();
    // Nothing moved: books owes nothing, coffee its fee, cinema is owed the waived 13 cents.
    assert_eq!(
        nets,
        [
            ("books".into(), 0),
            ("coffee".into(), 1000),
            ("cinema".into(), -13)
        ]
    );
    let latest = cinema.client.statements(None, None).await.unwrap();
    let c2 = statement(cinema, latest[0].statement_id).await;
    assert_eq!(c2.adjustments.len(), 1);
    assert_eq!(
        (c2.adjustments[0].amount_minor, c2.direction.as_str()),
        (-13, "network_pays")
    );
    assert_eq!(run2["summary"]["operator_margin_minor"], 987);
    let _ = (books, coffee);
}
