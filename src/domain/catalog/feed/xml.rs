//! Merchant Center RSS 2.0 feeds, read as a stream of events, one `<item>` at a time into the
//! [`Checker`].

use std::io::BufRead;

use super::{column_field, set_field, Checker, Next, RawProduct};

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
            Event::GeneralRef(r)
                if reading_field(&item, depth) && current_field(&item).is_some() =>
            {
                match resolve_reference(&r) {
                    Some(s) => text.push_str(&s),
                    None => {
                        checker.problem(
                            position,
                            current_field(&item).unwrap_or(""),
                            "holds an unknown entity reference",
                        );
                        return Ok(());
                    }
                }
            }
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
