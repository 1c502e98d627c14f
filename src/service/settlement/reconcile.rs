//! Partner reconciliation: the partner's own records of a closed period (order id, kind,
//! points) against the network's, per (kind, order). The file is summed into a map; the
//! network's side is read in pages and checked off against it, so the ledger is never loaded
//! whole.

use std::collections::HashMap;

use partner_sdk::statement::{
    ReconciliationItem, ReconciliationMismatch, ReconciliationReport, ReconciliationRow,
    ReconciliationTotal,
};

use crate::db::queries::settlement as rows;
use crate::db::DbConn;
use crate::domain::ids::{PartnerId, StatementId};
use crate::domain::input::is_valid_ref;
use crate::domain::limits::{POINTS_MAX, RECONCILIATION_LISTED_MAX, RECONCILIATION_ROWS_MAX};
use crate::error::{ApiError, ApiResult, Code};
use crate::service::settlement::statements;

const PAGE: i64 = 5_000;
const KINDS: [&str; 3] = ["earn", "refund", "redemption"];

/// The CSV header, in any order of its columns.
const HEADER: [&str; 3] = ["order_id", "kind", "points"];

/// Refuses a CSV file whose first line is not the header: without this check, a file without
/// one had its first row taken as the header and its other rows refused or misread.
fn check_header(header: &csv::StringRecord) -> ApiResult<()> {
    let mut found: Vec<&str> = header.iter().collect();
    found.sort_unstable();
    let mut expected = HEADER;
    expected.sort_unstable();
    if found != expected {
        return Err(ApiError::new(
            Code::InvalidReconciliationFile,
            format!(
                "line 1 must be the header {}; found {:?}",
                HEADER.join(","),
                header.iter().collect::<Vec<_>>().join(",")
            ),
        ));
    }
    Ok(())
}

/// Parses an upload: a JSON array of rows, or CSV with the header `order_id,kind,points`.
pub fn parse(body: &[u8], is_csv: bool) -> ApiResult<Vec<ReconciliationRow>> {
    let bad = |m: String| ApiError::new(Code::InvalidReconciliationFile, m);
    let rows: Vec<ReconciliationRow> = if is_csv {
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(body);
        check_header(reader.headers().map_err(|e| bad(format!("line 1: {e}")))?)?;
        let mut out = Vec::new();
        for (i, rec) in reader.deserialize::<ReconciliationRow>().enumerate() {
            if i >= RECONCILIATION_ROWS_MAX {
                return Err(bad(format!("more than {RECONCILIATION_ROWS_MAX} rows")));
            }
            // Line numbers count the header as line 1.
            out.push(rec.map_err(|e| bad(format!("line {}: {e}", i + 2)))?);
        }
        out
    } else {
        serde_json::from_slice(body).map_err(|e| bad(format!("not a JSON array of rows: {e}")))?
    };
    if rows.len() > RECONCILIATION_ROWS_MAX {
        return Err(bad(format!("more than {RECONCILIATION_ROWS_MAX} rows")));
    }
    for (i, r) in rows.iter().enumerate() {
        if !KINDS.contains(&r.kind.as_str()) {
            return Err(bad(format!(
                "row {}: kind must be earn, refund or redemption",
                i + 1
            )));
        }
        if !is_valid_ref(&r.order_id) {
            return Err(bad(format!(
                "row {}: order_id must be 1 to 64 printable characters",
                i + 1
            )));
        }
        if r.points.unsigned_abs() > POINTS_MAX.unsigned_abs() {
            return Err(bad(format!("row {}: points beyond ±1,000,000,000", i + 1)));
        }
    }
    Ok(rows)
}

/// Checks one network record off against the file: matched, mismatched, or missing in it.
fn check_off(
    report: &mut ReconciliationReport,
    theirs: &mut HashMap<(String, String), i64>,
    net: rows::OrderTotal,
) {
    report.network_records += 1;
    let network = net.points.get();
    // Saturating: the file's numbers are the partner's, and a total must not overflow on them.
    match theirs.remove(&(net.kind.clone(), net.order_ref.clone())) {
        Some(points) if points == network => {
            report.matched.count += 1;
            report.matched.points = report.matched.points.saturating_add(network);
        }
        Some(file_points) => {
            report.mismatched_total.count += 1;
            report.mismatched_total.points = report
                .mismatched_total
                .points
                .saturating_add(network.saturating_sub(file_points));
            report.mismatched.push(ReconciliationMismatch {
                kind: net.kind,
                order_id: net.order_ref,
                file_points,
                network_points: network,
            });
        }
        None => {
            report.missing_in_file_total.count += 1;
            report.missing_in_file_total.points =
                report.missing_in_file_total.points.saturating_add(network);
            report.missing_in_file.push(ReconciliationItem {
                kind: net.kind,
                order_id: net.order_ref,
                points: network,
            });
        }
    }
}

/// Reconciles the partner's records against the period of its statement `statement_id`.
pub fn reconcile(
    conn: &mut DbConn,
    partner_id: PartnerId,
    statement_id: StatementId,
    file: Vec<ReconciliationRow>,
) -> ApiResult<ReconciliationReport> {
    let row = statements::readable(conn, statement_id, Some(partner_id))?;
    let doc = statements::content(&row)?;
    let mut theirs: HashMap<(String, String), i64> = HashMap::with_capacity(file.len());
    for r in file {
        let slot = theirs.entry((r.kind, r.order_id)).or_insert(0);
        *slot = slot.saturating_add(r.points);
    }
    let mut report = ReconciliationReport {
        statement_id: statement_id.get(),
        file_records: i64::try_from(theirs.len()).unwrap_or(i64::MAX),
        network_records: 0,
        matched: ReconciliationTotal::default(),
        missing_in_network_total: ReconciliationTotal::default(),
        missing_in_file_total: ReconciliationTotal::default(),
        mismatched_total: ReconciliationTotal::default(),
        missing_in_network: Vec::new(),
        missing_in_file: Vec::new(),
        mismatched: Vec::new(),
        truncated: false,
    };
    let (start, end) = (doc.period_start.naive_utc(), doc.period_end.naive_utc());
    let mut after = (String::new(), String::new());
    loop {
        let page =
            rows::order_totals_page(conn, partner_id, start, end, (&after.0, &after.1), PAGE)?;
        let Some(last) = page.last() else { break };
        after = (last.kind.clone(), last.order_ref.clone());
        for net in page {
            check_off(&mut report, &mut theirs, net);
        }
        cap(&mut report);
    }
    for ((kind, order_id), points) in theirs {
        report.missing_in_network_total.count += 1;
        report.missing_in_network_total.points += points;
        report.missing_in_network.push(ReconciliationItem {
            kind,
            order_id,
            points,
        });
    }
    report
        .missing_in_network
        .sort_by(|a, b| (&a.kind, &a.order_id).cmp(&(&b.kind, &b.order_id)));
    report
        .missing_in_file
        .sort_by(|a, b| (&a.kind, &a.order_id).cmp(&(&b.kind, &b.order_id)));
    report
        .mismatched
        .sort_by(|a, b| (&a.kind, &a.order_id).cmp(&(&b.kind, &b.order_id)));
    cap(&mut report);
    Ok(report)
}

/// Keeps each list within the listed maximum (the totals keep counting).
fn cap(report: &mut ReconciliationReport) {
    let max = RECONCILIATION_LISTED_MAX;
    if report.missing_in_network.len() > max
        || report.missing_in_file.len() > max
        || report.mismatched.len() > max
    {
        report.truncated = true;
        report.missing_in_network.truncate(max);
        report.missing_in_file.truncate(max);
        report.mismatched.truncate(max);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_and_json_uploads_parse_and_bad_rows_are_named() {
        let rows = parse(b"order_id,kind,points\nA-1,earn,42\nA-1,refund,21\n", true).unwrap();
        assert_eq!(rows.len(), 2);
        let rows = parse(br#"[{"order_id":"A-1","kind":"earn","points":42}]"#, false).unwrap();
        assert_eq!(rows[0].points, 42);
        let err = parse(b"order_id,kind,points\nA-1,earn,x\n", true).unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
        let err = parse(b"order_id,kind,points\nA-1,gift,1\n", true).unwrap_err();
        assert!(err.to_string().contains("row 1"), "{err}");
    }

    #[test]
    fn a_csv_file_needs_its_header_in_any_column_order() {
        assert!(parse(b"order_id,kind,points\nA-1,earn,1\n", true).is_ok());
        assert!(parse(b"points,order_id,kind\n1,A-1,earn\n", true).is_ok());
        for file in [&b"A-1,earn,1\n"[..], b"", b"order_id,kind\nA-1,earn\n"] {
            let err = parse(file, true).unwrap_err();
            assert!(err.to_string().contains("order_id,kind,points"), "{err}");
        }
    }

    #[test]
    fn at_most_200000_rows() {
        let mut file = String::from("order_id,kind,points\n");
        for i in 0..RECONCILIATION_ROWS_MAX {
            file.push_str(&format!("A-{i},earn,1\n"));
        }
        assert_eq!(
            parse(file.as_bytes(), true).unwrap().len(),
            RECONCILIATION_ROWS_MAX
        );
        file.push_str("A-last,earn,1\n");
        assert!(parse(file.as_bytes(), true).is_err());
    }
}
