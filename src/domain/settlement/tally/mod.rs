//! The arithmetic of a close: from the period's clearing-event totals, each partner's exact
//! figures (points and their value in micros), the flows between partners, the operator's
//! redeemed points and breakage, and the flow matrix of who funded the points redeemed where.
//! Pure: the service reads the totals and renders the result.

use std::collections::{BTreeMap, BTreeSet};

use partner_sdk::statement::StatementLine;

pub use super::clearing::ClearingKind;
use crate::domain::ids::PartnerId;
use crate::domain::money::{MoneyMicros, Points, PriceMicros};

/// The events of one kind, shop, funding partner and price in a period, summed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClearingTotal {
    /// What they record.
    pub kind: ClearingKind,
    /// The partner billed or reimbursed (none for breakage).
    pub partner: Option<PartnerId>,
    /// The partner that funded the points (none: the operator).
    pub issuer: Option<PartnerId>,
    /// The price per point they were cleared at.
    pub price: PriceMicros,
    /// Their points.
    pub points: Points,
    /// How many events.
    pub events: i64,
    /// Whether they are a promotion's bonus points (issued or clawed back).
    pub promotion: bool,
}

/// Why a period cannot be tallied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TallyError {
    /// A sum leaves the 64-bit range (points, counts, or a value in micros).
    Overflow,
    /// An event that must name its partner does not.
    EventWithoutPartner(ClearingKind),
}

type Tally<T> = Result<T, TallyError>;

/// Exact sums of one statement line.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Acc {
    /// Points.
    pub points: Points,
    /// Their value at the prices they were cleared at.
    pub value: MoneyMicros,
}

impl Acc {
    fn add(&mut self, t: &ClearingTotal) -> Tally<()> {
        self.points = self
            .points
            .checked_add(t.points)
            .ok_or(TallyError::Overflow)?;
        self.value = self
            .value
            .checked_add(t.points.value_at(t.price))
            .ok_or(TallyError::Overflow)?;
        Ok(())
    }

    fn remove(&mut self, t: &ClearingTotal) -> Tally<()> {
        self.points = self
            .points
            .checked_sub(t.points)
            .ok_or(TallyError::Overflow)?;
        self.value = self
            .value
            .checked_sub(t.points.value_at(t.price))
            .ok_or(TallyError::Overflow)?;
        Ok(())
    }

    /// The line as a statement shows it; refused when the value does not fit 64 bits.
    pub fn line(self) -> Tally<StatementLine> {
        Ok(StatementLine {
            points: self.points.get(),
            amount_micros: i64::try_from(self.value.get()).map_err(|_| TallyError::Overflow)?,
        })
    }
}

/// Adds `n` to a running total, refusing overflow.
fn add_to(total: &mut i64, n: i64) -> Tally<()> {
    *total = total.checked_add(n).ok_or(TallyError::Overflow)?;
    Ok(())
}

/// A partner's figures before rounding.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Figures {
    /// Points it issued.
    pub issued: Acc,
    /// Points its refunds clawed back.
    pub clawed_back: Acc,
    /// Bonus points of its promotions.
    pub promotions_issued: Acc,
    /// Bonus points of its promotions clawed back by refunds.
    pub promotions_clawed_back: Acc,
    /// Points redeemed at its shop.
    pub redeemed: Acc,
    /// Redemptions at its shop reversed.
    pub reversed: Acc,
    /// Its points that expired.
    pub breakage: Acc,
    /// Shop -> net points of this partner's points redeemed there.
    pub out_flows: BTreeMap<PartnerId, i64>,
    /// Funding party (none: the operator) -> net points redeemed here.
    pub in_flows: BTreeMap<Option<PartnerId>, i64>,
}

impl Figures {
    /// What the partner owes the network (positive) or is owed, exactly, before its flat fee
    /// and adjustments: issued less clawed back (sales and promotions), less redeemed here,
    /// plus reversed here.
    pub fn net_value(&self) -> Option<MoneyMicros> {
        self.issued
            .value
            .checked_sub(self.clawed_back.value)?
            .checked_add(self.promotions_issued.value)?
            .checked_sub(self.promotions_clawed_back.value)?
            .checked_sub(self.redeemed.value)?
            .checked_add(self.reversed.value)
    }
}

/// Everything a close computes from the events.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PeriodFigures {
    /// Each partner's figures.
    pub by_partner: BTreeMap<PartnerId, Figures>,
    /// (funding party, shop) -> net points.
    pub matrix: BTreeMap<(Option<PartnerId>, PartnerId), i64>,
    /// Funding party -> points that expired.
    pub breakage: BTreeMap<Option<PartnerId>, Acc>,
    /// Points the operator funded that were redeemed, net of reversals.
    pub operator_redeemed: Acc,
    /// How many events the period holds.
    pub events: i64,
}

/// Tallies a period's totals.
pub fn tally(totals: &[ClearingTotal]) -> Tally<PeriodFigures> {
    let mut f = PeriodFigures::default();
    for t in totals {
        add_to(&mut f.events, t.events)?;
        match (t.kind, t.partner) {
            (ClearingKind::Breakage, _) => {
                f.breakage.entry(t.issuer).or_default().add(t)?;
                if let Some(issuer) = t.issuer {
                    f.by_partner.entry(issuer).or_default().breakage.add(t)?;
                }
            }
            (ClearingKind::Issue, Some(p)) => {
                let partner = f.by_partner.entry(p).or_default();
                if t.promotion {
                    partner.promotions_issued.add(t)?
                } else {
                    partner.issued.add(t)?
                }
            }
            (ClearingKind::Clawback, Some(p)) => {
                let partner = f.by_partner.entry(p).or_default();
                if t.promotion {
                    partner.promotions_clawed_back.add(t)?
                } else {
                    partner.clawed_back.add(t)?
                }
            }
            (ClearingKind::Redeem | ClearingKind::Reverse, Some(shop)) => {
                redemption(&mut f, t, shop)?
            }
            (kind, None) => return Err(TallyError::EventWithoutPartner(kind)),
        }
    }
    Ok(f)
}

/// A redemption or its reversal at `shop`: the shop's line, the flows both ways, the matrix.
fn redemption(f: &mut PeriodFigures, t: &ClearingTotal, shop: PartnerId) -> Tally<()> {
    let reversal = t.kind == ClearingKind::Reverse;
    let signed = if reversal {
        t.points.checked_neg().ok_or(TallyError::Overflow)?.get()
    } else {
        t.points.get()
    };
    let here = f.by_partner.entry(shop).or_default();
    if reversal {
        here.reversed.add(t)?;
    } else {
        here.redeemed.add(t)?;
    }
    add_to(here.in_flows.entry(t.issuer).or_insert(0), signed)?;
    match t.issuer {
        Some(issuer) => {
            let issuer_flows = &mut f.by_partner.entry(issuer).or_default().out_flows;
            add_to(issuer_flows.entry(shop).or_insert(0), signed)?;
        }
        None if reversal => f.operator_redeemed.remove(t)?,
        None => f.operator_redeemed.add(t)?,
    }
    add_to(f.matrix.entry((t.issuer, shop)).or_insert(0), signed)
}

/// The flow matrix of a period: rows are the funding parties (none: the operator), columns the
/// shops, each cell the net points; with each row's, each column's and the overall total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matrix {
    /// The shops, in id order.
    pub columns: Vec<PartnerId>,
    /// (funding party, cells in column order, row total).
    pub rows: Vec<(Option<PartnerId>, Vec<i64>, i64)>,
    /// Each column's sum.
    pub column_totals: Vec<i64>,
    /// Everything redeemed, net.
    pub total: i64,
}

fn sum(mut values: impl Iterator<Item = i64>) -> Tally<i64> {
    values
        .try_fold(0_i64, i64::checked_add)
        .ok_or(TallyError::Overflow)
}

/// Lays out the matrix cells; refused when a total leaves the 64-bit range.
pub fn matrix(cells: &BTreeMap<(Option<PartnerId>, PartnerId), i64>) -> Tally<Matrix> {
    let issuers: BTreeSet<Option<PartnerId>> = cells.keys().map(|(i, _)| *i).collect();
    let columns: Vec<PartnerId> = cells
        .keys()
        .map(|(_, s)| *s)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut rows = Vec::with_capacity(issuers.len());
    for issuer in issuers {
        let row: Vec<i64> = columns
            .iter()
            .map(|s| cells.get(&(issuer, *s)).copied().unwrap_or(0))
            .collect();
        let total = sum(row.iter().copied())?;
        rows.push((issuer, row, total));
    }
    let mut column_totals = Vec::with_capacity(columns.len());
    for shop in &columns {
        column_totals.push(sum(cells
            .iter()
            .filter(|((_, s), _)| s == shop)
            .map(|(_, n)| *n))?);
    }
    let total = sum(column_totals.iter().copied())?;
    Ok(Matrix {
        columns,
        rows,
        column_totals,
        total,
    })
}

#[cfg(test)]
mod tests;
