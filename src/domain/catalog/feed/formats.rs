//! The four formats, each read one product at a time into the [`Checker`].

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
    let line_of = |byte: u64| {
        let before = newlines.borrow().partition_point(|n| *n < byte);
        u64::try_from(before).unwrap_or(u64::MAX).saturating_add(1)
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

/// A reader that remembers where each line ends, so that a row's line is known from its byte
/// offset (the CSV reader's own line count drifts over blank lines and CRLF endings). Eight
/// bytes per line: 1.6 MB for the largest upload.
struct LineCounter<R> {
    inner: R,
    offset: u64,
    newlines: std::rc::Rc<std::cell::RefCell<Vec<u64>>>,
}

impl<R> LineCounter<R> {
    fn new(inner: R) -> LineCounter<R> {
        LineCounter {
            inner,
            offset: 0,
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
                newlines.push(self.offset + u64::try_from(i).unwrap_or(u64::MAX));
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

/// A JSON array of products, read one element at a time.
pub(super) fn read_json<R: BufRead, E>(reader: R, checker: &mut Checker<'_, E>) -> Result<(), E> {
    use serde::de::{Deserializer as _, SeqAccess, Visitor};

    struct Items<'c, 'a, E> {
        checker: &'c mut Checker<'a, E>,
        failure: Option<E>,
        position: u64,
    }

    impl<'de, E> Visitor<'de> for &mut Items<'_, '_, E> {
        type Value = ();

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an array of products")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            loop {
                self.position += 1;
                let Some(item) = seq.next_element::<serde_json::Value>()? else {
                    return Ok(());
                };
                let raw = match json_product(item) {
                    Ok(raw) => raw,
                    Err((field, reason)) => {
                        self.checker.summary.products += 1;
                        self.checker.problem(self.position, field, reason);
                        continue;
                    }
                };
                match self.checker.accept(self.position, raw) {
                    Ok(Next::Continue) => {}
                    Ok(Next::Stop) => return Err(serde::de::Error::custom(STOPPED)),
                    Err(e) => {
                        self.failure = Some(e);
                        return Err(serde::de::Error::custom(STOPPED));
                    }
                }
            }
        }
    }

    const STOPPED: &str = "reading stopped";
    let mut items = Items {
        checker,
        failure: None,
        position: 0,
    };
    let mut de = serde_json::Deserializer::from_reader(reader);
    let result = (&mut de)
        .deserialize_seq(&mut items)
        .and_then(|()| de.end());
    if let Some(e) = items.failure {
        return Err(e);
    }
    if let Err(e) = result {
        if e.to_string().starts_with(STOPPED) {
            return Ok(());
        }
        let row = if e.is_data() && items.position <= 1 {
            0
        } else {
            items.position
        };
        let reason = if e.is_data() && items.position <= 1 {
            "the file must be a JSON array of products".to_owned()
        } else {
            format!("not valid JSON: {e}")
        };
        items.checker.problem(row, "", reason);
    }
    Ok(())
}

/// One JSON product's fields; numbers are accepted for `price_minor` and `category` (an id).
fn json_product(item: serde_json::Value) -> Result<RawProduct, (&'static str, String)> {
    let serde_json::Value::Object(map) = item else {
        return Err(("", "each product must be a JSON object".into()));
    };
    let mut raw = RawProduct::default();
    for (key, value) in map {
        let Some(field) = column_field(&key) else {
            continue;
        };
        let text = match value {
            serde_json::Value::String(s) => s,
            serde_json::Value::Number(n) if matches!(field, "price_minor" | "category") => {
                n.to_string()
            }
            serde_json::Value::Null => continue,
            _ => return Err((field, "has the wrong type".into())),
        };
        set_field(&mut raw, field, text);
    }
    Ok(raw)
}

/// Merchant Center's RSS 2.0 feed.
pub(super) fn read_xml<R: BufRead, E>(reader: R, checker: &mut Checker<'_, E>) -> Result<(), E> {
    use quick_xml::events::Event;

    let mut xml = quick_xml::Reader::from_reader(reader);
    let mut buf = Vec::new();
    let mut depth = 0_usize;
    // Inside an item: its depth, its fields so far, and the field being read.
    let mut item: Option<(usize, RawProduct, Option<String>)> = None;
    let mut text = String::new();
    let mut position = 0_u64;
    let mut bad_encoding: Option<&'static str> = None;
    loop {
        let event = match xml.read_event_into(&mut buf) {
            Ok(event) => event,
            Err(e) => {
                checker.problem(position.max(1), "", format!("not valid XML: {e}"));
                return Ok(());
            }
        };
        match event {
            Event::Start(start) => {
                depth += 1;
                let name = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
                match &mut item {
                    None if name == "item" => {
                        position += 1;
                        item = Some((depth, RawProduct::default(), None));
                        bad_encoding = None;
                    }
                    Some((d, _, field)) if depth == *d + 1 => {
                        *field = Some(name);
                        text.clear();
                    }
                    _ => {}
                }
            }
            Event::End(_) => {
                if let Some((d, raw, field)) = &mut item {
                    if depth == *d + 1 {
                        if let Some(name) = field.take() {
                            if let Some(f) = column_field(&name) {
                                set_field(raw, f, std::mem::take(&mut text));
                            }
                        }
                    } else if depth == *d {
                        let (_, raw, _) = item.take().unwrap_or_default();
                        match bad_encoding.take() {
                            Some(f) => {
                                checker.summary.products += 1;
                                checker.problem(position, f, "is not UTF-8 text");
                            }
                            None => {
                                if checker.accept(position, raw)? == Next::Stop {
                                    return Ok(());
                                }
                            }
                        }
                    }
                }
                depth = depth.saturating_sub(1);
            }
            Event::Text(t) if reading_field(&item, depth) => match t.decode() {
                Ok(s) => text.push_str(&s),
                Err(_) => bad_encoding = bad_encoding.or(current_field(&item)),
            },
            Event::CData(t) if reading_field(&item, depth) => match t.decode() {
                Ok(s) => text.push_str(&s),
                Err(_) => bad_encoding = bad_encoding.or(current_field(&item)),
            },
            Event::GeneralRef(r) if reading_field(&item, depth) => match resolve_reference(&r) {
                Some(s) => text.push_str(&s),
                None => {
                    checker.problem(
                        position,
                        current_field(&item).unwrap_or(""),
                        "holds an unknown entity reference",
                    );
                    return Ok(());
                }
            },
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if depth != 0 || item.is_some() {
        checker.problem(
            position.max(1),
            "",
            "the XML ends before its elements are closed",
        );
    }
    Ok(())
}

/// Whether text at this depth belongs to a field of the item being read.
fn reading_field(item: &Option<(usize, RawProduct, Option<String>)>, depth: usize) -> bool {
    matches!(item, Some((d, _, Some(_))) if depth == *d + 1)
}

/// The product field being read, if it is one the catalog uses.
fn current_field(item: &Option<(usize, RawProduct, Option<String>)>) -> Option<&'static str> {
    match item {
        Some((_, _, Some(name))) => column_field(name),
        _ => None,
    }
}

/// `&amp;`, `&#233;`, `&#xE9;`: the text an entity reference stands for.
fn resolve_reference(r: &quick_xml::events::BytesRef<'_>) -> Option<String> {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        return Some(c.to_string());
    }
    let name = r.decode().ok()?;
    quick_xml::escape::resolve_xml_entity(&name).map(str::to_owned)
}
