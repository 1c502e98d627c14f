//! A day's sales in one request: each sale is earned as a single earn would be, in its own
//! savepoint, so that a refused sale fails alone; the results come back one per sale.

use chrono::NaiveDateTime;
use partner_sdk::batch::{SaleOutcome, SaleResult};
use partner_sdk::types::{EarnRequest, Problem};

use crate::db::queries::earning as earn_rows;
use crate::db::{write_tx, DbConn, TxError};
use crate::domain::ids::PartnerId;
use crate::error::{ApiError, ApiResult, Code};
use crate::service::catalog::taxonomy::TreeCache;

/// One sale of a batch as read from the request: the sale, or why it could not be read.
#[derive(Debug, Clone)]
pub struct BatchSale {
    /// Its position in the request.
    pub index: usize,
    /// Its order id, when one could be read.
    pub order_id: Option<String>,
    /// The sale, or the problem of reading it.
    pub sale: Result<EarnRequest, Problem>,
}

/// Earns the sales of one chunk of a batch, in order, in one transaction (a savepoint when a
/// writer runs it among others). A conflict with a concurrent transaction or a lost database
/// is the chunk's error (the writer runs it again, or answers each of its sales with a 503);
/// any other refusal is the sale's own result.
pub fn earn_chunk(
    conn: &mut DbConn,
    categories: &TreeCache,
    now: NaiveDateTime,
    partner_id: PartnerId,
    sales: &[BatchSale],
) -> ApiResult<Vec<SaleResult>> {
    write_tx(conn, |conn| {
        let mut results = Vec::with_capacity(sales.len());
        for sale in sales {
            let outcome = match &sale.sale {
                Err(problem) => Earned::Refused(Box::new(problem.clone())),
                Ok(req) => match super::earn(conn, categories, now, partner_id, req) {
                    Ok(earn) => Earned::Now(Box::new(earn)),
                    Err(e) if e.code() == Code::OrderAlreadyEarned => {
                        already_earned(conn, partner_id, &req.order_id)
                    }
                    Err(e) if e.is_transient() || e.code() == Code::DatabaseUnavailable => {
                        return Err(e)
                    }
                    Err(e) => Earned::Refused(Box::new(e.problem())),
                },
            };
            results.push(result_of(sale, outcome));
        }
        Ok(results)
    })
}

/// What became of a sale: earned now, earned before (earn id and points), or refused.
enum Earned {
    Now(Box<partner_sdk::types::EarnResponse>),
    Before(i64, i64),
    Refused(Box<Problem>),
}

fn already_earned(conn: &mut DbConn, partner_id: PartnerId, order_id: &str) -> Earned {
    let refused = |e: ApiError| Earned::Refused(Box::new(e.problem()));
    match earn_rows::earn_by_order(conn, partner_id, order_id) {
        Ok(Some(row)) => Earned::Before(row.id.get(), row.points.get()),
        Ok(None) => refused(ApiError::internal("an order refused as earned has no earn")),
        Err(e) => refused(ApiError::from(e)),
    }
}

fn result_of(sale: &BatchSale, outcome: Earned) -> SaleResult {
    let mut result = SaleResult {
        index: sale.index,
        order_id: sale.order_id.clone(),
        outcome: SaleOutcome::Refused,
        earn: None,
        earn_id: None,
        points: None,
        problem: None,
    };
    match outcome {
        Earned::Now(earn) => {
            result.outcome = SaleOutcome::Earned;
            result.earn = Some(*earn);
        }
        Earned::Before(earn_id, points) => {
            result.outcome = SaleOutcome::AlreadyEarned;
            result.earn_id = Some(earn_id);
            result.points = Some(points);
        }
        Earned::Refused(problem) => result.problem = Some(*problem),
    }
    result
}

/// The result of each sale of a chunk that could not be committed.
pub fn not_kept(sales: &[BatchSale], error: &ApiError) -> Vec<SaleResult> {
    let problem = error.problem();
    sales
        .iter()
        .map(|sale| result_of(sale, Earned::Refused(Box::new(problem.clone()))))
        .collect()
}
