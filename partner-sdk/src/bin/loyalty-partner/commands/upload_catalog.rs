//! `upload-catalog`: sends a feed file (the Merchant Center feed a shop already produces for
//! Google Shopping, or plain CSV or JSON) with a progress bar, then prints the new catalog and
//! its compatibility report, or every bad row of a refused file.

use std::io::Write as _;
use std::path::Path;
use std::sync::Arc;

use partner_sdk::{CatalogUpload, Client};

use crate::{pretty, Failure};

/// Width of the progress bar, in characters.
const BAR_WIDTH: u64 = 30;

/// The format a file's extension says, if it says one.
fn format_of(file: &Path) -> Option<&'static str> {
    match file.extension()?.to_str()?.to_ascii_lowercase().as_str() {
        "tsv" | "txt" => Some("tsv"),
        "xml" | "rss" => Some("xml"),
        "csv" => Some("csv"),
        "json" => Some("json"),
        _ => None,
    }
}

/// `[#####.....]  45%`: how much of `total` is done (all of it when `total` is 0).
pub(crate) fn bar_of(done: u64, total: u64) -> String {
    let filled = done
        .saturating_mul(BAR_WIDTH)
        .checked_div(total)
        .unwrap_or(BAR_WIDTH)
        .min(BAR_WIDTH);
    let percent = done
        .saturating_mul(100)
        .checked_div(total)
        .unwrap_or(100)
        .min(100);
    format!(
        "[{}{}] {percent:>3}%",
        "#".repeat(usize::try_from(filled).unwrap_or(0)),
        ".".repeat(usize::try_from(BAR_WIDTH.saturating_sub(filled)).unwrap_or(0)),
    )
}

/// `[#####.....]  45%  12.3 / 27.1 MB`
fn bar(sent: u64, total: u64) -> String {
    let mb = |b: u64| format!("{}.{}", b / 1_000_000, (b % 1_000_000) / 100_000);
    format!("{}  {} / {} MB", bar_of(sent, total), mb(sent), mb(total))
}

/// Uploads the file; a refused file prints its bad rows and fails.
pub(crate) async fn upload_catalog(
    client: &Client,
    file: &Path,
    format: Option<String>,
) -> Result<(), Failure> {
    let format = match format.as_deref().or_else(|| format_of(file)) {
        Some(f) => f.to_owned(),
        None => {
            return Err(Failure::Other(
                "say the file's format with --format tsv|xml|csv|json".into(),
            ))
        }
    };
    let bytes = std::fs::read(file)
        .map_err(|e| Failure::Other(format!("reading {}: {e}", file.display())))?;
    let progress: partner_sdk::client::Progress = Arc::new(|sent, total| {
        let mut err = std::io::stderr();
        let _ = write!(err, "\r{}", bar(sent, total));
        let _ = err.flush();
    });
    let result = client
        .upload_catalog_with_progress(&format, bytes, Some(progress))
        .await;
    eprintln!();
    match result? {
        CatalogUpload::Applied(done) => {
            eprintln!(
                "catalog version {}: {} products ({} without a category); compatibility: {} ({})",
                done.version.id,
                done.version.products,
                done.version.unmapped,
                done.report.verdict,
                done.report.summary
            );
            println!("{}", pretty(&done)?);
            Ok(())
        }
        CatalogUpload::Refused(refused) => {
            for p in &refused.problems {
                let place = if p.row == 0 {
                    "file".to_owned()
                } else if matches!(format.as_str(), "tsv" | "csv") {
                    format!("line {}", p.row)
                } else {
                    format!("product {}", p.row)
                };
                let field = if p.field.is_empty() {
                    String::new()
                } else {
                    format!(" {}", p.field)
                };
                eprintln!("{place}{field}: {}", p.reason);
            }
            let unlisted = refused
                .problems_total
                .saturating_sub(u64::try_from(refused.problems.len()).unwrap_or(0));
            if unlisted > 0 {
                eprintln!("... and {unlisted} more");
            }
            Err(Failure::Other(format!(
                "catalog refused, nothing applied: {}",
                refused.detail
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_fills_with_the_bytes_sent() {
        assert_eq!(
            bar(0, 100),
            format!("[{}]   0%  0.0 / 0.0 MB", ".".repeat(30))
        );
        assert_eq!(
            bar(1_500_000, 3_000_000),
            format!("[{}{}]  50%  1.5 / 3.0 MB", "#".repeat(15), ".".repeat(15))
        );
        assert_eq!(format_of(Path::new("feed.txt")), Some("tsv"));
        assert_eq!(format_of(Path::new("products.JSON")), Some("json"));
        assert_eq!(format_of(Path::new("feed")), None);
    }
}
