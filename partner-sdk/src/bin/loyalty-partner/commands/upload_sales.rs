//! `upload-sales`: earns every row of a CSV file of sales, 1,000 sales per request (the batch
//! endpoint), with a progress bar on stderr and one line per row on stdout. Re-running it
//! after a crash is safe: each sale earns once by its order id, and a sale that earned before
//! is counted as already done.

use std::io::Write as _;
use std::path::Path;

use partner_sdk::batch::{EarnBatchRequest, SaleOutcome, SaleResult, BATCH_SALES_MAX};
use partner_sdk::types::EarnRequest;
use partner_sdk::{Client, Error};
use serde::Deserialize;

use chrono::{DateTime, Utc};

use crate::{Failure, MAX_CONSECUTIVE_TRANSPORT_FAILURES, MAX_UPLOAD_ROWS};

/// One row of an `upload-sales` file.
#[derive(Debug, Deserialize)]
struct SaleRow {
    member_number: String,
    order_id: String,
    amount_minor: i64,
    currency: String,
    #[serde(default)]
    occurred_at: Option<DateTime<Utc>>,
}

/// How many times the sales a batch answered with a 503 (not kept) are sent again.
const NOT_KEPT_RETRIES: u32 = 2;

/// A sale read from the file, with its line (for messages).
type Row = (u64, EarnRequest);

/// Earns every row of a CSV file of sales, printing one line per row and a summary.
pub(crate) async fn upload_sales(client: &Client, path: &Path) -> Result<(), Failure> {
    let rows = count_rows(path)?;
    let mut tally = Tally::default();
    let mut failures_in_a_row = 0u32;
    let mut batch: Vec<Row> = Vec::with_capacity(BATCH_SALES_MAX);
    let mut done = 0usize;
    let mut reader = open(path)?;
    let headers = reader
        .headers()
        .map_err(|e| Failure::Other(format!("{}: {e}", path.display())))?
        .clone();
    let mut record = csv::StringRecord::new();
    loop {
        // The first pass read the whole file without an error.
        let more = reader
            .read_record(&mut record)
            .map_err(|e| Failure::Other(format!("{}: {e}", path.display())))?;
        if more {
            let line = record.position().map_or(0, csv::Position::line);
            match record.deserialize::<SaleRow>(Some(&headers)) {
                Ok(row) => batch.push((line, row.into_sale())),
                Err(e) => {
                    println!("line {line}\tinvalid_row");
                    eprintln!("\rline {line}: {e}");
                    tally.failed = tally.failed.saturating_add(1);
                    done = done.saturating_add(1);
                }
            }
            if batch.len() < BATCH_SALES_MAX {
                continue;
            }
        }
        if !batch.is_empty() {
            let sent = std::mem::take(&mut batch);
            done = done.saturating_add(sent.len());
            if send(client, sent, &mut tally).await {
                failures_in_a_row = 0;
            } else {
                failures_in_a_row = failures_in_a_row.saturating_add(1);
            }
            progress(done, rows);
        }
        if !more {
            break;
        }
        if failures_in_a_row >= MAX_CONSECUTIVE_TRANSPORT_FAILURES {
            eprintln!(
                "\nstopping: {failures_in_a_row} batches failed in a row; re-run the upload to \
                 resume (rows already earned are recognised)"
            );
            break;
        }
    }
    eprintln!();
    println!(
        "{} earned, {} already done, {} failed",
        tally.earned, tally.already_done, tally.failed
    );
    if tally.failed > 0 || failures_in_a_row >= MAX_CONSECUTIVE_TRANSPORT_FAILURES {
        // The rows were reported line by line already.
        return Err(Failure::Other(String::new()));
    }
    Ok(())
}

impl SaleRow {
    fn into_sale(self) -> EarnRequest {
        EarnRequest {
            member_number: self.member_number,
            order_id: self.order_id,
            occurred_at: self.occurred_at,
            amount_minor: self.amount_minor,
            currency: self.currency,
            lines: None,
        }
    }
}

/// Sends one batch and records each sale's result; the sales answered 503 (not kept) are sent
/// again, up to [`NOT_KEPT_RETRIES`] times. False when the request itself failed.
async fn send(client: &Client, mut pending: Vec<Row>, tally: &mut Tally) -> bool {
    for attempt in 0..=NOT_KEPT_RETRIES {
        let sales = pending.iter().map(|(_, sale)| sale.clone()).collect();
        let answer = match client.earn_batch(&EarnBatchRequest { sales }).await {
            Ok(answer) => answer,
            Err(e) => {
                tally.batch_failed(&pending, &e);
                return false;
            }
        };
        let mut again = Vec::new();
        for result in &answer.results {
            let Some(row) = pending.get(result.index) else {
                continue;
            };
            let not_kept = result.problem.as_ref().is_some_and(|p| p.status == 503);
            if not_kept && attempt < NOT_KEPT_RETRIES {
                again.push(row.clone());
            } else {
                tally.record(row.0, result);
            }
        }
        if again.is_empty() {
            break;
        }
        pending = again;
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
    true
}

fn open(path: &Path) -> Result<csv::Reader<std::fs::File>, Failure> {
    csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .map_err(|e| Failure::Other(format!("{}: {e}", path.display())))
}

/// Checks the header and counts the rows without keeping anything, so that a file too large
/// or malformed is refused before any sale is earned.
fn count_rows(path: &Path) -> Result<usize, Failure> {
    let mut reader = open(path)?;
    let headers = reader
        .headers()
        .map_err(|e| Failure::Other(format!("{}: {e}", path.display())))?
        .clone();
    for column in ["member_number", "order_id", "amount_minor", "currency"] {
        if !headers.iter().any(|h| h == column) {
            return Err(Failure::Other(format!(
                "{}: the header has no `{column}` column (expected \
                 member_number,order_id,amount_minor,currency[,occurred_at])",
                path.display()
            )));
        }
    }
    let mut record = csv::ByteRecord::new();
    let mut rows = 0usize;
    while reader
        .read_byte_record(&mut record)
        .map_err(|e| Failure::Other(format!("{}: {e}", path.display())))?
    {
        rows = rows.saturating_add(1);
        if rows > MAX_UPLOAD_ROWS {
            return Err(Failure::Other(format!(
                "{}: more than {MAX_UPLOAD_ROWS} rows; split the file",
                path.display()
            )));
        }
    }
    Ok(rows)
}

/// `[#####.........................]  16%  1000 / 6000 sales`, redrawn on stderr.
fn progress(done: usize, total: usize) {
    let (done, total) = (
        u64::try_from(done).unwrap_or(u64::MAX),
        u64::try_from(total).unwrap_or(u64::MAX),
    );
    let mut err = std::io::stderr();
    let _ = write!(
        err,
        "\r{}  {done} / {total} sales",
        super::upload_catalog::bar_of(done, total)
    );
    let _ = err.flush();
}

/// The outcome counts of `upload-sales`.
#[derive(Debug, Default)]
struct Tally {
    earned: u64,
    already_done: u64,
    failed: u64,
}

impl Tally {
    /// Prints and counts the result of one row.
    fn record(&mut self, line: u64, result: &SaleResult) {
        let order_id = result.order_id.as_deref().unwrap_or("");
        match (&result.outcome, &result.earn, &result.problem) {
            (SaleOutcome::Earned, Some(earn), _) => {
                println!("{order_id}\t{}", earn.points);
                self.earned = self.earned.saturating_add(1);
            }
            (SaleOutcome::AlreadyEarned, _, _) => {
                println!("{order_id}\torder_already_earned");
                self.already_done = self.already_done.saturating_add(1);
            }
            (_, _, problem) => {
                let code = problem.as_ref().map_or("refused", |p| p.code.as_str());
                let detail = problem
                    .as_ref()
                    .and_then(|p| p.detail.as_deref())
                    .unwrap_or("");
                println!("{order_id}\t{code}");
                eprintln!("\rline {line} ({order_id}): {code}: {detail}");
                self.failed = self.failed.saturating_add(1);
            }
        }
    }

    /// Prints and counts the rows of a batch whose request failed as a whole.
    fn batch_failed(&mut self, sent: &[Row], error: &Error) {
        let code = match (error.code(), error.status()) {
            (Some(code), _) => code.to_owned(),
            (None, Some(status)) => format!("http_{status}"),
            (None, None) => "transport_error".to_owned(),
        };
        eprintln!(
            "\rlines {} to {}: {error}",
            sent.first().map_or(0, |(line, _)| *line),
            sent.last().map_or(0, |(line, _)| *line)
        );
        for (_, sale) in sent {
            println!("{}\t{code}", sale.order_id);
        }
        let n = u64::try_from(sent.len()).unwrap_or(u64::MAX);
        self.failed = self.failed.saturating_add(n);
    }
}

#[cfg(test)]
#[path = "upload_sales_tests.rs"]
mod tests;
