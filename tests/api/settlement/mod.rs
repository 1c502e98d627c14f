//! Clearing and settlement: a three-partner scenario checked against figures derived by hand,
//! payments and disputes, statements (private, signed, reconcilable), the scheduled close, a
//! property test over random operations, and reconciliation files.

mod payments;
mod property;
mod reconciliation;
mod scenario;
mod scheduled;
mod statements;

use partner_sdk::statement::{Statement, StatementLine};
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{TestApp, TestPartner};

/// Closes the period ending `back_s` seconds before the network's clock.
pub async fn close(app: &TestApp, back_s: i64) -> (u16, Value) {
    let until = app.state.clock.now() - chrono::Duration::seconds(back_s);
    app.operator(
        Method::POST,
        "/v1/operator/settlement/runs",
        Some(json!({ "until": until.to_rfc3339() })),
    )
    .await
}

/// A partner's statement, verified with the network's published key.
pub async fn statement(shop: &TestPartner, id: i64) -> Statement {
    shop.client
        .verified_statement(id)
        .await
        .expect("verified statement")
        .statement
}

pub fn line(points: i64, amount_micros: i64) -> StatementLine {
    StatementLine {
        points,
        amount_micros,
    }
}

pub fn flows(lines: &[partner_sdk::statement::FlowLine]) -> Vec<(String, i64)> {
    lines.iter().map(|f| (f.party.clone(), f.points)).collect()
}
