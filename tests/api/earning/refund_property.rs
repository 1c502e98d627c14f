//! Property: random earns, partial refunds and redemptions on a few orders, sent concurrently in
//! bursts for one member, end with the same clawed totals and balances as the same operations
//! sent one after another for a twin member; the ledger verifies clean after both.

use std::collections::BTreeMap;

use futures::future::join_all;
use partner_sdk::types::{AuthorizeRequest, CaptureRequest, RefundRequest};

use crate::both_backends;
use crate::helpers::{link, sale, TestApp, TestPartner};

/// A small deterministic generator (64-bit LCG), so a failing seed can be replayed.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n.max(1)
    }
}

#[derive(Debug, Clone)]
enum Op {
    Earn {
        order: usize,
        amount_minor: i64,
    },
    Refund {
        order: usize,
        refund: usize,
        amount_minor: i64,
    },
    Redeem {
        points: i64,
    },
}

/// Bursts of operations whose outcome does not depend on their order inside a burst: refunds
/// never exceed their order, and a burst's redemptions fit in what is left even if every
/// refund of the burst claws first.
fn generate(rng: &mut Lcg) -> Vec<Vec<Op>> {
    let mut orders: Vec<(i64, i64)> = Vec::new(); // (amount, refunded) of orders earned before
    let mut available: i64 = 0;
    let mut refunds = 0;
    let mut bursts = Vec::new();
    for _ in 0..6 {
        let mut burst = Vec::new();
        let mut clawed_max = 0;
        let mut earned = 0;
        let earned_before = orders.len();
        for _ in 0..(3 + rng.below(6)) {
            match rng.below(3) {
                0 if earned_before > 0 => {
                    let order = usize::try_from(rng.below(earned_before as u64)).unwrap();
                    let (amount, refunded) = orders[order];
                    if refunded < amount {
                        let part =
                            1 + i64::try_from(rng.below((amount - refunded) as u64)).unwrap();
                        let part = part.min(amount - refunded);
                        orders[order].1 += part;
                        // The order's points (one per euro) clawed in proportion, rounded up.
                        clawed_max += (amount / 100 * part + amount - 1) / amount;
                        burst.push(Op::Refund {
                            order,
                            refund: refunds,
                            amount_minor: part,
                        });
                        refunds += 1;
                    }
                }
                1 => {
                    let amount_minor = 100 * (1 + i64::try_from(rng.below(40)).unwrap());
                    earned += amount_minor / 100;
                    burst.push(Op::Earn {
                        order: orders.len(),
                        amount_minor,
                    });
                    orders.push((amount_minor, 0));
                }
                _ => {
                    let points = 1 + i64::try_from(rng.below(5)).unwrap();
                    if available - clawed_max - points >= 0 {
                        available -= points;
                        burst.push(Op::Redeem { points });
                    }
                }
            }
        }
        available += earned - clawed_max;
        bursts.push(burst);
    }
    bursts
}

/// What one member's operations produced: points clawed per order, and the last refunded
/// total per order.
#[derive(Debug, Default, PartialEq, Eq)]
struct Tally {
    clawed: BTreeMap<usize, i64>,
    refunded: BTreeMap<usize, i64>,
}

async fn apply(
    app: &TestApp,
    shop: &TestPartner,
    cafe: &TestPartner,
    who: (&str, &str, &str),
    op: Op,
) -> Option<(usize, i64, i64)> {
    let (prefix, number, token) = who;
    match op {
        Op::Earn {
            order,
            amount_minor,
        } => {
            let order_id = format!("{prefix}-O{order}");
            shop.client
                .earn(&sale(number, &order_id, amount_minor))
                .await
                .expect("earn");
            None
        }
        Op::Refund {
            order,
            refund,
            amount_minor,
        } => {
            let answer = shop
                .client
                .refund(&RefundRequest {
                    order_id: format!("{prefix}-O{order}"),
                    refund_id: format!("{prefix}-R{refund}"),
                    amount_minor,
                    currency: "EUR".into(),
                    lines: None,
                })
                .await
                .expect("refund");
            Some((
                order,
                answer.points_clawed_back,
                answer.order_refunded_minor,
            ))
        }
        Op::Redeem { points } => {
            let code = app.code(token).await;
            let hold = cafe
                .client
                .authorize(&AuthorizeRequest {
                    member_number: number.to_owned(),
                    code,
                    points,
                    order_id: None,
                    currency: Default::default(),
                })
                .await
                .expect("authorize");
            cafe.client
                .capture(hold.redemption_id, &CaptureRequest { points: None })
                .await
                .expect("capture");
            None
        }
    }
}

fn record(tally: &mut Tally, outcome: Option<(usize, i64, i64)>) {
    if let Some((order, clawed, refunded)) = outcome {
        *tally.clawed.entry(order).or_insert(0) += clawed;
        let last = tally.refunded.entry(order).or_insert(0);
        *last = (*last).max(refunded);
    }
}

async fn concurrent_bursts_of_refunds_equal_their_serial_replay(app: &TestApp) {
    let shop = app.partner("shop", 10_000, 0).await;
    let cafe = app.partner("cafe", 10_000, 0).await;
    for seed in [7_u64, 1_234, 98_765] {
        let mut rng = Lcg(seed);
        let bursts = generate(&mut rng);
        let (burst_number, burst_token) = app.member(&format!("burst{seed}@example.com")).await;
        let (serial_number, serial_token) = app.member(&format!("serial{seed}@example.com")).await;
        for p in [&shop, &cafe] {
            link(p, &burst_number).await;
            link(p, &serial_number).await;
        }
        let burst_who = (
            format!("B{seed}"),
            burst_number.as_str(),
            burst_token.as_str(),
        );
        let serial_who = (
            format!("S{seed}"),
            serial_number.as_str(),
            serial_token.as_str(),
        );
        let mut concurrent = Tally::default();
        let mut serial = Tally::default();
        for burst in &bursts {
            let who = (burst_who.0.as_str(), burst_who.1, burst_who.2);
            let outcomes = join_all(
                burst
                    .iter()
                    .cloned()
                    .map(|op| apply(app, &shop, &cafe, who, op)),
            )
            .await;
            for outcome in outcomes {
                record(&mut concurrent, outcome);
            }
            for op in burst.iter().cloned() {
                let who = (serial_who.0.as_str(), serial_who.1, serial_who.2);
                record(&mut serial, apply(app, &shop, &cafe, who, op).await);
            }
        }
        assert_eq!(concurrent, serial, "seed {seed}: {bursts:?}");
        let (a, b) = (
            app.balance(&burst_token).await,
            app.balance(&serial_token).await,
        );
        assert_eq!(
            (a.available_points, a.pending_points, a.held_points),
            (b.available_points, b.pending_points, b.held_points),
            "seed {seed}"
        );
    }
}
both_backends!(concurrent_bursts_of_refunds_equal_their_serial_replay);
