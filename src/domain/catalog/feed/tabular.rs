//! Tab- and comma-separated feeds (Merchant Center TSV, plain CSV), read one row at a time into
//! the [`Checker`].

use std::collections::HashSet;
use std::io::BufRead;

use super::{column_field, set_field, Checker, Next, RawProduct};

/// TSV and CSV.
pub(super) fn read_tabular<R: BufRead, E>(
    reader: R,
    delimiter: u8,
    checker: &mut Checker<'_, E>,
) -> Result<(), E> {
    let lines = LineCounter::new(reader);
    let newlines = lines.newlines.clone();
    // Rows are asked for in increasing byte order: line breaks before the asked byte are
    // counted and forgotten, so only those read ahead are kept.
    let passed = std::cell::Cell::new(0_u64);
    let line_of = |byte: u64| {
        let mut pending = newlines.borrow_mut();
        while pending.front().is_some_and(|n| *n < byte) {
            pending.pop_front();
            passed.set(passed.get().saturating_add(1));
        }
        passed.get().saturating_add(1)
    };
    let mut csv = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        // Merchant Center's text feeds do not quote: a `"` in a title is a character.
        .quoting(delimiter == b',')
        .from_reader(lines);
    let mut record = csv::ByteRecord::new();
    let mut columns: Vec<Option<&'static str>> = Vec::new();
    let mut header_seen = false;
    loop {
        match csv.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let row = e.position().map_or(0, |p| line_of(p.byte()));
                checker.problem(row, "", format!("unreadable row: {e}"));
                return Ok(());
            }
        }
        // The record's own position may point at blank lines skipped before it: its line is
        // the line of its last byte, less the line breaks quoted inside its fields.
        let embedded: usize = record
            .iter()
            .map(|f| f.iter().filter(|b| **b == b'\n').count())
            .sum();
        let row = line_of(csv.position().byte().saturating_sub(1))
            .saturating_sub(u64::try_from(embedded).unwrap_or(0));
        if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        if !header_seen {
            header_seen = true;
            match header_columns(&record) {
                Ok(found) => columns = found,
                Err(reason) => {
                    checker.problem(row, "", reason);
                    return Ok(());
                }
            }
            continue;
        }
        let mut raw = RawProduct::default();
        let mut bad_encoding = None;
        for (i, bytes) in record.iter().enumerate() {
            let Some(Some(field)) = columns.get(i) else {
                continue;
            };
            match std::str::from_utf8(bytes) {
                Ok(text) if !text.trim().is_empty() => set_field(&mut raw, field, text.to_owned()),
                Ok(_) => {}
                Err(_) => bad_encoding = Some(*field),
            }
        }
        if let Some(field) = bad_encoding {
            checker.summary.products += 1;
            checker.problem(row, field, "is not UTF-8 text");
            continue;
        }
        if checker.accept(row, raw)? == Next::Stop {
            return Ok(());
        }
    }
    Ok(())
}

/// Longest line of a text feed, in bytes: a Merchant Center row with a 5,000-character
/// description is far below; a file without line breaks is not a feed.
const LINE_BYTES_MAX: u64 = 1024 * 1024;

/// A reader that remembers where the lines it has read ahead end, so that a row's line is known
/// from its byte offset (the CSV reader's own line count drifts over blank lines and CRLF
/// endings), and refuses a line longer than [`LINE_BYTES_MAX`] (so a record, and the memory
/// the CSV reader gives it, stays bounded).
struct LineCounter<R> {
    inner: R,
    offset: u64,
    line_bytes: u64,
    newlines: std::rc::Rc<std::cell::RefCell<std::collections::VecDeque<u64>>>,
}

impl<R> LineCounter<R> {
    fn new(inner: R) -> LineCounter<R> {
        LineCounter {
            inner,
            offset: 0,
            line_bytes: 0,
            newlines: Default::default(),
        }
    }
}

impl<R: std::io::Read> std::io::Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut newlines = self.newlines.borrow_mut();
        for (i, b) in buf.iter().take(n).enumerate() {
            if *b == b'\n' {
                newlines.push_back(self.offset + u64::try_from(i).unwrap_or(u64::MAX));
                self.line_bytes = 0;
            } else {
                self.line_bytes += 1;
                if self.line_bytes > LINE_BYTES_MAX {
                    return Err(std::io::Error::other(format!(
                        "a line longer than {} KiB",
                        LINE_BYTES_MAX / 1024
                    )));
                }
            }
        }
        self.offset += u64::try_from(n).unwrap_or(u64::MAX);
        Ok(n)
    }
}

/// The field of each column of the header, or why the header is not one.
fn header_columns(record: &csv::ByteRecord) -> Result<Vec<Option<&'static str>>, String> {
    let columns: Vec<Option<&'static str>> = record
        .iter()
        .map(|h| std::str::from_utf8(h).ok().and_then(column_field))
        .collect();
    let has = |f: &str| columns.contains(&Some(f));
    let mut missing = Vec::new();
    for required in ["sku", "title"] {
        if !has(required) {
            missing.push(if required == "sku" {
                "id (or sku)"
            } else {
                "title"
            });
        }
    }
    if !(has("price") || has("price_minor") && has("currency")) {
        missing.push("price (or price_minor and currency)");
    }
    if !has("category") {
        missing.push("google_product_category (or category)");
    }
    if !missing.is_empty() {
        return Err(format!(
            "the first line must be a header naming the columns; missing: {}",
            missing.join(", ")
        ));
    }
    let mut seen = HashSet::new();
    if let Some(twice) = columns.iter().flatten().find(|c| !seen.insert(**c)) {
        return Err(format!("the header names the column {twice} twice"));
    }
    Ok(columns)
}
