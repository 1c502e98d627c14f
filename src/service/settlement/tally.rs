//! The arithmetic of a close over the period's clearing-event totals (read by the caller, no
//! query here): sums per partner (exact, in micros), and the flow matrix of who funded the
//! points redeemed where.

use std::collections::{BTreeMap, BTreeSet};

use partner_sdk::statement::StatementLine;

use super::{FlowMatrix, MatrixColumn, MatrixRow};
use crate::db::queries::settlement::EventTotal;
use crate::error::{ApiError, ApiResult, Code};
use crate::service::ledger::clearing::kind;

/// Exact sums of one statement line.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Acc {
    pub(super) points: i64,
    pub(super) micros: i128,
}

impl Acc {
    pub(super) fn add(&mut self, t: &EventTotal) -> ApiResult<()> {
        self.points = self.points.checked_add(t.points).ok_or_else(overflow)?;
        self.micros += i128::from(t.points) * i128::from(t.price_micros);
        Ok(())
    }
    pub(super) fn line(self) -> ApiResult<StatementLine> {
        Ok(StatementLine {
            points: self.points,
            amount_micros: i64::try_from(self.micros).map_err(|_| overflow())?,
        })
    }
}

/// Adds `n` to a running total, refusing overflow.
pub(super) fn add_to(total: &mut i64, n: i64) -> ApiResult<()> {
    *total = total.checked_add(n).ok_or_else(overflow)?;
    Ok(())
}

pub(super) fn overflow() -> ApiError {
    ApiError::new(
        Code::SettlementOverflow,
        "an amount of the period exceeds 9.2e18 micros",
    )
}

/// A partner's figures before rounding.
#[derive(Debug, Default)]
pub(super) struct Figures {
    pub(super) issued: Acc,
    pub(super) clawed_back: Acc,
    pub(super) redeemed: Acc,
    pub(super) reversed: Acc,
    pub(super) breakage: Acc,
    /// Shop -> net points of this partner's points redeemed there.
    pub(super) out_flows: BTreeMap<i64, i64>,
    /// Funding party -> net points redeemed here.
    pub(super) in_flows: BTreeMap<Option<i64>, i64>,
}

/// Everything a close computes from the events.
#[derive(Debug, Default)]
pub(super) struct PeriodFigures {
    pub(super) by_partner: BTreeMap<i64, Figures>,
    /// (funding party, shop) -> net points.
    pub(super) matrix: BTreeMap<(Option<i64>, i64), i64>,
    pub(super) breakage: BTreeMap<Option<i64>, Acc>,
    pub(super) operator_redeemed: Acc,
    pub(super) events: i64,
}

pub(super) fn tally(totals: &[EventTotal]) -> ApiResult<PeriodFigures> {
    let mut f = PeriodFigures::default();
    for t in totals {
        add_to(&mut f.events, t.events)?;
        let signed = match t.kind.as_str() {
            kind::REVERSE => -t.points,
            _ => t.points,
        };
        match (t.kind.as_str(), t.partner_id) {
            (kind::BREAKAGE, _) => {
                f.breakage.entry(t.issuer_partner_id).or_default().add(t)?;
                if let Some(issuer) = t.issuer_partner_id {
                    f.by_partner.entry(issuer).or_default().breakage.add(t)?;
                }
            }
            (kind::ISSUE, Some(p)) => f.by_partner.entry(p).or_default().issued.add(t)?,
            (kind::CLAWBACK, Some(p)) => f.by_partner.entry(p).or_default().clawed_back.add(t)?,
            (kind::REDEEM | kind::REVERSE, Some(shop)) => {
                let here = f.by_partner.entry(shop).or_default();
                if t.kind == kind::REDEEM {
                    here.redeemed.add(t)?;
                } else {
                    here.reversed.add(t)?;
                }
                add_to(
                    here.in_flows.entry(t.issuer_partner_id).or_insert(0),
                    signed,
                )?;
                if let Some(issuer) = t.issuer_partner_id {
                    let issuer_flows = &mut f.by_partner.entry(issuer).or_default().out_flows;
                    add_to(issuer_flows.entry(shop).or_insert(0), signed)?;
                } else if t.kind == kind::REDEEM {
                    f.operator_redeemed.add(t)?;
                } else {
                    add_to(&mut f.operator_redeemed.points, -t.points)?;
                    f.operator_redeemed.micros -= i128::from(t.points) * i128::from(t.price_micros);
                }
                add_to(
                    f.matrix.entry((t.issuer_partner_id, shop)).or_insert(0),
                    signed,
                )?;
            }
            (other, partner) => {
                return Err(ApiError::internal(format!(
                    "clearing event {other} without a partner ({partner:?})"
                )))
            }
        }
    }
    Ok(f)
}

/// The flow matrix of a period: rows are the funding parties, columns the shops.
pub(super) fn matrix(
    cells: &BTreeMap<(Option<i64>, i64), i64>,
    party: &dyn Fn(Option<i64>) -> String,
) -> FlowMatrix {
    let issuers: BTreeSet<Option<i64>> = cells.keys().map(|(i, _)| *i).collect();
    let shops: BTreeSet<i64> = cells.keys().map(|(_, s)| *s).collect();
    let columns: Vec<MatrixColumn> = shops
        .iter()
        .map(|s| MatrixColumn {
            partner_id: *s,
            party: party(Some(*s)),
        })
        .collect();
    let rows: Vec<MatrixRow> = issuers
        .iter()
        .map(|issuer| {
            let cells: Vec<i64> = shops
                .iter()
                .map(|s| cells.get(&(*issuer, *s)).copied().unwrap_or(0))
                .collect();
            MatrixRow {
                issuer_partner_id: *issuer,
                party: party(*issuer),
                total: cells.iter().sum(),
                cells,
            }
        })
        .collect();
    let column_totals: Vec<i64> = shops
        .iter()
        .map(|s| {
            cells
                .iter()
                .filter(|((_, shop), _)| shop == s)
                .map(|(_, n)| n)
                .sum()
        })
        .collect();
    FlowMatrix {
        total: column_totals.iter().sum(),
        columns,
        rows,
        column_totals,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(
        kind: &str,
        partner_id: Option<i64>,
        issuer: Option<i64>,
        price: i64,
        points: i64,
    ) -> EventTotal {
        EventTotal {
            kind: kind.into(),
            partner_id,
            issuer_partner_id: issuer,
            price_micros: price,
            points,
            events: 1,
        }
    }

    /// Books (1) issues 100 at 8,000 and claws 10 back; coffee (2) redeems 30 of them and 5 of
    /// the operator's at 6,000, then reverses 4 of books'; 7 of books' points expire.
    fn period() -> Vec<EventTotal> {
        vec![
            event(kind::ISSUE, Some(1), Some(1), 8_000, 100),
            event(kind::CLAWBACK, Some(1), Some(1), 8_000, 10),
            event(kind::REDEEM, Some(2), Some(1), 6_000, 30),
            event(kind::REDEEM, Some(2), None, 6_000, 5),
            event(kind::REVERSE, Some(2), Some(1), 6_000, 4),
            event(kind::BREAKAGE, None, Some(1), 8_000, 7),
        ]
    }

    #[test]
    fn each_partner_gets_its_lines_exactly_in_micros() {
        let f = tally(&period()).unwrap();
        assert_eq!(f.events, 6);
        let books = &f.by_partner[&1];
        assert_eq!((books.issued.points, books.issued.micros), (100, 800_000));
        assert_eq!(books.clawed_back.micros, 80_000);
        assert_eq!(books.breakage.micros, 56_000);
        assert_eq!(books.out_flows[&2], 26, "30 redeemed at coffee, 4 reversed");
        let coffee = &f.by_partner[&2];
        assert_eq!(
            (coffee.redeemed.points, coffee.redeemed.micros),
            (35, 210_000)
        );
        assert_eq!(
            (coffee.reversed.points, coffee.reversed.micros),
            (4, 24_000)
        );
        assert_eq!(coffee.in_flows[&Some(1)], 26);
        assert_eq!(coffee.in_flows[&None], 5);
        assert_eq!(
            (f.operator_redeemed.points, f.operator_redeemed.micros),
            (5, 30_000)
        );
        assert_eq!(f.breakage[&Some(1)].points, 7);
    }

    #[test]
    fn the_matrix_columns_add_up_to_what_each_shop_redeemed_net() {
        let f = tally(&period()).unwrap();
        let m = matrix(&f.matrix, &|id| match id {
            Some(id) => format!("p{id}"),
            None => "operator".into(),
        });
        assert_eq!(m.columns.len(), 1);
        assert_eq!(m.column_totals, vec![31]);
        assert_eq!(m.total, 31);
        let rows: Vec<(String, i64)> = m.rows.iter().map(|r| (r.party.clone(), r.total)).collect();
        assert_eq!(
            rows,
            vec![("operator".to_owned(), 5), ("p1".to_owned(), 26)]
        );
    }

    #[test]
    fn an_event_without_its_partner_or_beyond_i64_is_refused() {
        assert!(tally(&[event(kind::ISSUE, None, Some(1), 8_000, 1)]).is_err());
        let huge = event(kind::ISSUE, Some(1), Some(1), i64::MAX, i64::MAX);
        let f = tally(&[huge]).unwrap();
        assert!(
            f.by_partner[&1].issued.line().is_err(),
            "micros beyond i64 overflow"
        );
        let twice = [
            event(kind::ISSUE, Some(1), Some(1), 1, i64::MAX),
            event(kind::ISSUE, Some(1), Some(1), 1, 1),
        ];
        assert!(tally(&twice).is_err(), "points beyond i64");
    }
}
