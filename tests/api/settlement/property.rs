//! Thousands of random operations across partners and members, several closed periods, and
//! the properties every period must have: the nets and the operator's margin sum to zero to the
//! cent, each statement's net follows from its lines, the matrix adds up to what was redeemed,
//! re-closing gives byte-identical statements, and no journal entry counts in two periods (the
//! statements, read from clearing events, agree with the partners' journal entries, read from
//! the journal).

use std::collections::BTreeMap;

use partner_sdk::statement::Statement;
use partner_sdk::types::{AuthorizeRequest, CaptureRequest, RefundRequest, ReverseRequest};
use reqwest::Method;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{link, sale, TestApp, TestPartner};
use crate::settlement::{close, statement};

/// A small deterministic generator (xorshift64*), so a failure replays with its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + i64::try_from(self.below(u64::try_from(hi - lo + 1).unwrap())).unwrap()
    }
}

struct Order {
    shop: usize,
    id: String,
    amount: i64,
    refunded: i64,
}

struct Spent {
    shop: usize,
    id: i64,
    captured: i64,
    reversed: i64,
}

const OPERATIONS: usize = 2_000;
const PERIODS: usize = 4;

async fn random_operations_settle_consistently(app: &TestApp) {
    let seed = std::env::var("SETTLEMENT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5EED_2026_u64);
    eprintln!("settlement property test seed {seed} (SETTLEMENT_SEED replays it)");
    let mut rng = Rng(seed);
    let (status, body) = app
        .operator(Method::PUT, "/v1/operator/settings", Some(json!({
            "currency": "EUR", "base_rate_millipoints": 1000, "expiry_policy": "months_after_earn",
            "expiry_months": 1, "hold_ttl_s": 900, "code_ttl_s": 300
        })))
        .await;
    assert_eq!(status, 200, "{body}");
    let contracts = [
        json!({"earn_rate_bp": 10_000, "issuance_price_micros": 8_000, "redemption_price_micros": 6_000, "return_window_days": 0}),
        json!({"earn_rate_bp": 15_000, "issuance_price_micros": 7_333, "redemption_price_micros": 5_111, "return_window_days": 1, "period_fee_minor": 250}),
        json!({"earn_rate_bp": 5_000, "issuance_price_micros": 9_999, "redemption_price_micros": 6_667, "return_window_days": 2}),
    ];
    let mut shops: Vec<TestPartner> = Vec::new();
    for (i, c) in contracts.into_iter().enumerate() {
        shops.push(app.partner_with(&format!("shop{i}"), c).await);
    }
    let mut members = Vec::new();
    for i in 0..5 {
        let (number, token) = app.member(&format!("p{i}@example.com")).await;
        for shop in &shops {
            link(shop, &number).await;
        }
        members.push((number, token));
    }

    let mut orders: Vec<Order> = Vec::new();
    let mut spent: Vec<Spent> = Vec::new();
    let mut runs: Vec<Value> = Vec::new();
    for step in 0..OPERATIONS {
        let shop = usize::try_from(rng.below(3)).unwrap();
        let (number, token) = &members[usize::try_from(rng.below(5)).unwrap()];
        match rng.below(100) {
            0..=34 => {
                let id = format!("O-{step}");
                let amount = rng.range(1, 20_000);
                shops[shop]
                    .client
                    .earn(&sale(number, &id, amount))
                    .await
                    .unwrap();
                orders.push(Order {
                    shop,
                    id,
                    amount,
                    refunded: 0,
                });
            }
            35..=44 if !orders.is_empty() => {
                let i = usize::try_from(rng.below(orders.len() as u64)).unwrap();
                let o = &mut orders[i];
                if o.refunded < o.amount {
                    let part = rng.range(1, o.amount - o.refunded);
                    shops[o.shop]
                        .client
                        .refund(&RefundRequest {
                            order_id: o.id.clone(),
                            refund_id: format!("R-{step}"),
                            amount_minor: part,
                            currency: "EUR".into(),
                            lines: None,
                        })
                        .await
                        .unwrap();
                    o.refunded += part;
                }
            }
            45..=74 => {
                let available = app.balance(token).await.available_points;
                if available > 0 {
                    spend(
                        app,
                        &shops[shop],
                        number,
                        token,
                        available,
                        step,
                        &mut rng,
                        &mut spent,
                    )
                    .await;
                }
            }
            75..=82 if !spent.is_empty() => {
                let i = usize::try_from(rng.below(spent.len() as u64)).unwrap();
                let s = &mut spent[i];
                if s.reversed < s.captured {
                    let back = rng.range(1, s.captured - s.reversed);
                    shops[s.shop]
                        .client
                        .reverse(s.id, &ReverseRequest { points: back })
                        .await
                        .unwrap();
                    s.reversed += back;
                }
            }
            83..=96 => app.advance_s(rng.range(60, 3 * 86_400)),
            _ => app.advance_s(rng.range(20, 40) * 86_400), // lots expire
        }
        if (step + 1) % (OPERATIONS / PERIODS) == 0 {
            app.advance_s(120);
            let (status, run) = close(app, 61).await;
            assert_eq!(status, 201, "{run}");
            runs.push(run);
        }
    }
    check_runs(app, &shops, &runs).await;
}
both_backends!(random_operations_settle_consistently);

/// Holds part of what the member has at `shop`, then captures part of it, voids it, or leaves
/// it to expire.
#[allow(clippy::too_many_arguments, reason = "test helper")]
async fn spend(
    app: &TestApp,
    shop: &TestPartner,
    number: &str,
    token: &str,
    available: i64,
    step: usize,
    rng: &mut Rng,
    spent: &mut Vec<Spent>,
) {
    let points = rng.range(1, available);
    let code = app.code(token).await;
    let hold = shop
        .client
        .authorize(&AuthorizeRequest {
            member_number: number.to_owned(),
            code,
            points,
            order_id: (rng.below(2) == 0).then(|| format!("P-{step}")),
            currency: Default::default(),
        })
        .await
        .unwrap();
    match rng.below(10) {
        0..=6 => {
            let take = rng.range(1, points);
            shop.client
                .capture(hold.redemption_id, &CaptureRequest { points: Some(take) })
                .await
                .unwrap();
            spent.push(Spent {
                shop: usize::try_from(shop.id - 1).unwrap(),
                id: hold.redemption_id,
                captured: take,
                reversed: 0,
            });
        }
        7..=8 => {
            shop.client.void(hold.redemption_id).await.unwrap();
        }
        _ => {} // left to expire
    }
}

async fn check_runs(app: &TestApp, shops: &[TestPartner], runs: &[Value]) {
    let by_id: BTreeMap<i64, &TestPartner> = shops.iter().map(|s| (s.id, s)).collect();
    // Totals over all periods, per partner: (issued, clawed back, redeemed - reversed).
    let mut settled: BTreeMap<i64, (i64, i64, i64)> = BTreeMap::new();
    for run in runs {
        let summary = &run["summary"];
        let mut statements: Vec<Statement> = Vec::new();
        let mut envelopes = Vec::new();
        for p in summary["partners"].as_array().unwrap() {
            let shop = by_id[&p["partner_id"].as_i64().unwrap()];
            let id = p["statement_id"].as_i64().unwrap();
            envelopes.push(shop.client.statement_envelope(id).await.unwrap());
            statements.push(statement(shop, id).await);
        }
        // The nets and the operator's margin sum to zero, to the cent.
        let nets: i64 = statements.iter().map(|s| s.net_minor).sum();
        assert_eq!(nets - summary["operator_margin_minor"].as_i64().unwrap(), 0);
        let mut rounding = 0;
        for s in &statements {
            let adjustments: i64 = s.adjustments.iter().map(|a| a.amount_minor).sum();
            assert_eq!(
                s.net_micros,
                s.issued.amount_micros - s.clawed_back.amount_micros - s.redeemed.amount_micros
                    + s.reversed.amount_micros
                    + (s.fees_minor + adjustments) * 10_000,
                "statement {}",
                s.statement_id
            );
            assert_eq!(s.net_minor * 10_000 + s.rounding_micros, s.net_micros);
            assert!(s.rounding_micros.abs() <= 5_000);
            rounding += s.rounding_micros;
            let total = settled.entry(s.partner.id).or_default();
            total.0 += s.issued.points;
            total.1 += s.clawed_back.points;
            total.2 += s.redeemed.points - s.reversed.points;
        }
        assert_eq!(summary["rounding_micros"].as_i64().unwrap(), rounding);
        // The matrix: each shop's column is what it redeemed net; each partner's row is where
        // its points went; rows and columns give the same total.
        let matrix = &summary["matrix"];
        let columns = matrix["columns"].as_array().unwrap();
        for (i, column) in columns.iter().enumerate() {
            let s = statements
                .iter()
                .find(|s| s.partner.id == column["partner_id"].as_i64().unwrap())
                .unwrap();
            assert_eq!(
                matrix["column_totals"][i].as_i64().unwrap(),
                s.redeemed.points - s.reversed.points
            );
        }
        let mut row_sum = 0;
        for row in matrix["rows"].as_array().unwrap() {
            let total = row["total"].as_i64().unwrap();
            row_sum += total;
            if let Some(issuer) = row["issuer_partner_id"].as_i64() {
                let s = statements.iter().find(|s| s.partner.id == issuer).unwrap();
                let out: i64 = s.my_points_redeemed_at.iter().map(|f| f.points).sum();
                assert_eq!(total, out, "row of partner {issuer}");
            }
        }
        assert_eq!(row_sum, matrix["total"].as_i64().unwrap());
        // Re-closing the same cut-off: the same run, byte-identical statements.
        let (status, again) = app
            .operator(
                Method::POST,
                "/v1/operator/settlement/runs",
                Some(json!({ "until": run["period_end"] })),
            )
            .await;
        assert_eq!((status, &again["run_id"]), (200, &run["run_id"]));
        for (p, before) in summary["partners"]
            .as_array()
            .unwrap()
            .iter()
            .zip(&envelopes)
        {
            let shop = by_id[&p["partner_id"].as_i64().unwrap()];
            let id = p["statement_id"].as_i64().unwrap();
            assert_eq!(&shop.client.statement_envelope(id).await.unwrap(), before);
        }
    }
    // No entry in two periods, none missed: the periods together hold exactly what each
    // partner's journal shows before the last cut-off.
    let last_end: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(runs.last().unwrap()["period_end"].clone()).unwrap();
    for shop in shops {
        let mut journal = (0, 0, 0);
        for t in shop.client.all_entries().await.unwrap() {
            if t.posted_at >= last_end {
                continue;
            }
            match t.kind.as_str() {
                "earn" => journal.0 += t.points,
                "refund" => journal.1 -= t.points,
                "redemption_capture" | "redemption_reversal" => journal.2 -= t.points,
                _ => {}
            }
        }
        assert_eq!(settled[&shop.id], journal, "partner {}", shop.id);
    }
    // The run was not vacuous: points were issued, clawed back and redeemed, and some expired.
    let all = settled
        .values()
        .fold((0, 0, 0), |a, t| (a.0 + t.0, a.1 + t.1, a.2 + t.2));
    assert!(all.0 > 0 && all.1 > 0 && all.2 > 0, "{all:?}");
    assert!(
        runs.iter()
            .any(|r| !r["summary"]["breakage"].as_array().unwrap().is_empty()),
        "no breakage in any period"
    );
}
