//! Catalog feeds as merchants already produce them, read as a stream: one product at a time
//! goes to a sink, so an upload of 200,000 products never sits in memory whole.
//!
//! Formats:
//! - `tsv`: the Google Merchant Center product feed as tab-separated text with a header row
//!   (`id`, `title`, `price` as `15.00 EUR`, `google_product_category`; other columns ignored);
//! - `xml`: the Merchant Center RSS 2.0 feed, one `<item>` per product, with the `g:`
//!   namespace (`g:id`, `title` or `g:title`, `g:price`, `g:google_product_category`);
//! - `csv`: plain comma-separated text with a header row `sku,title,category,price_minor,currency`
//!   (the Merchant Center names `id` and `price` are understood too);
//! - `json`: an array of objects with the same fields as the CSV.
//!
//! Every row is checked, and every bad row is reported (its row, field and reason): a missing
//! or duplicate SKU, a title that is empty, too long or holds control characters, a category
//! that names nothing in the tree, a malformed, negative or too large price, an unknown
//! currency, text that is not UTF-8. A product without a category is *unmapped*: allowed, but
//! counted, since it cannot be placed in the network. Once a row is bad the sink receives
//! nothing more, since nothing of a bad upload is applied.

mod json;
mod price;
mod tabular;
#[cfg(test)]
mod tests;
mod xml;

use std::collections::{BTreeMap, HashSet};
use std::io::BufRead;

pub use price::parse_price;
use price::parse_price_minor;

use crate::domain::ids::CategoryId;
use crate::domain::money::MoneyMinor;

/// Most products in one upload.
pub const PRODUCTS_MAX: u64 = 200_000;
/// Most problems listed in a report (the total counts them all).
pub const PROBLEMS_LISTED_MAX: usize = 1_000;
/// Longest SKU, in characters (Merchant Center's limit for `id`).
pub const SKU_LEN_MAX: usize = 50;
/// Longest title, in characters (Merchant Center's limit).
pub const TITLE_LEN_MAX: usize = 150;
/// Longest category text, in characters.
pub const CATEGORY_LEN_MAX: usize = 750;

/// The formats a catalog comes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedFormat {
    /// Merchant Center, tab-separated.
    Tsv,
    /// Merchant Center, RSS 2.0 XML.
    Xml,
    /// Plain CSV.
    Csv,
    /// A JSON array.
    Json,
}

impl FeedFormat {
    /// The format named `tsv`, `xml`, `csv` or `json`.
    pub fn parse(name: &str) -> Option<FeedFormat> {
        Some(match name {
            "tsv" => FeedFormat::Tsv,
            "xml" => FeedFormat::Xml,
            "csv" => FeedFormat::Csv,
            "json" => FeedFormat::Json,
            _ => return None,
        })
    }

    /// Its name.
    pub const fn as_str(self) -> &'static str {
        match self {
            FeedFormat::Tsv => "tsv",
            FeedFormat::Xml => "xml",
            FeedFormat::Csv => "csv",
            FeedFormat::Json => "json",
        }
    }
}

/// A checked product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    /// Where it was in the file (see [`Problem::row`]).
    pub row: u64,
    /// The partner's SKU, unique in the catalog.
    pub sku: String,
    /// Its title.
    pub title: String,
    /// Its category, None when the feed gives none.
    pub category: Option<CategoryId>,
    /// Its price in minor units of `currency`.
    pub price: MoneyMinor,
    /// ISO 4217.
    pub currency: String,
}

/// A bad row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// For text formats the line of the file (the header is line 1); for JSON and XML the
    /// position of the product (1 for the first); 0 for the file as a whole.
    pub row: u64,
    /// The column or field at fault, empty for the row or the file as a whole.
    pub field: String,
    /// What is wrong, for a person.
    pub reason: String,
}

/// What reading a feed found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedSummary {
    /// Products read (good and bad).
    pub products: u64,
    /// Good products per category.
    pub counts: BTreeMap<CategoryId, u64>,
    /// Good products without a category.
    pub unmapped: u64,
    /// Bad rows, the first [`PROBLEMS_LISTED_MAX`] of them.
    pub problems: Vec<Problem>,
    /// Every problem, listed or not.
    pub problems_total: u64,
}

impl FeedSummary {
    /// Whether the feed can be applied.
    pub fn is_clean(&self) -> bool {
        self.problems_total == 0
    }

    fn problem(&mut self, row: u64, field: &str, reason: impl Into<String>) {
        self.problems_total += 1;
        if self.problems.len() < PROBLEMS_LISTED_MAX {
            self.problems.push(Problem {
                row,
                field: field.to_owned(),
                reason: reason.into(),
            });
        }
    }
}

/// A product's fields as the file gives them, before any check.
#[derive(Debug, Default)]
struct RawProduct {
    sku: Option<String>,
    title: Option<String>,
    category: Option<String>,
    /// Merchant Center's `15.00 EUR`.
    price: Option<String>,
    price_minor: Option<String>,
    currency: Option<String>,
}

/// Reads a feed. `resolve` names a category from a feed's text (a Google id or a full path);
/// `sink` receives each good product while no row has been bad. The sink's error stops the
/// reading and is returned as is.
pub fn read_feed<R: BufRead, E>(
    format: FeedFormat,
    reader: R,
    resolve: &dyn Fn(&str) -> Option<CategoryId>,
    sink: &mut dyn FnMut(Product) -> Result<(), E>,
) -> Result<FeedSummary, E> {
    let mut checker = Checker {
        summary: FeedSummary::default(),
        seen: HashSet::new(),
        resolve,
        sink,
    };
    match format {
        FeedFormat::Tsv => tabular::read_tabular(reader, b'\t', &mut checker)?,
        FeedFormat::Csv => tabular::read_tabular(reader, b',', &mut checker)?,
        FeedFormat::Json => json::read_json(reader, &mut checker)?,
        FeedFormat::Xml => xml::read_xml(reader, &mut checker)?,
    }
    let mut summary = checker.summary;
    if summary.products == 0 && summary.problems_total == 0 {
        summary.problem(0, "", "the file holds no product");
    }
    Ok(summary)
}

/// Checks each product and passes the good ones on.
struct Checker<'a, E> {
    summary: FeedSummary,
    seen: HashSet<String>,
    resolve: &'a dyn Fn(&str) -> Option<CategoryId>,
    sink: &'a mut dyn FnMut(Product) -> Result<(), E>,
}

/// What the caller of [`Checker::accept`] does next.
#[derive(Debug, PartialEq, Eq)]
enum Next {
    Continue,
    /// Too many products: the rest of the file is not read.
    Stop,
}

impl<E> Checker<'_, E> {
    fn problem(&mut self, row: u64, field: &str, reason: impl Into<String>) {
        self.summary.problem(row, field, reason);
    }

    fn accept(&mut self, row: u64, raw: RawProduct) -> Result<Next, E> {
        self.summary.products += 1;
        if self.summary.products > PRODUCTS_MAX {
            self.problem(
                row,
                "",
                format!("more than {PRODUCTS_MAX} products: split the catalog"),
            );
            return Ok(Next::Stop);
        }
        let before = self.summary.problems_total;
        let sku = self.check_sku(row, raw.sku);
        let title = self.check_line(row, "title", raw.title, TITLE_LEN_MAX);
        let category = self.check_category(row, raw.category);
        let price = self.check_price(row, raw.price, raw.price_minor, raw.currency);
        if self.summary.problems_total > before {
            return Ok(Next::Continue);
        }
        let (Some(sku), Some(title), Some(category), Some((price, currency))) =
            (sku, title, category, price)
        else {
            return Ok(Next::Continue);
        };
        match category {
            Some(c) => *self.summary.counts.entry(c).or_insert(0) += 1,
            None => self.summary.unmapped += 1,
        }
        if self.summary.is_clean() {
            (self.sink)(Product {
                row,
                sku,
                title,
                category,
                price,
                currency,
            })?;
        }
        Ok(Next::Continue)
    }

    /// A mandatory one-line text of at most `max` characters, trimmed.
    fn check_line(
        &mut self,
        row: u64,
        field: &str,
        value: Option<String>,
        max: usize,
    ) -> Option<String> {
        let value = value.map(|s| s.trim().to_owned()).unwrap_or_default();
        if value.is_empty() {
            self.problem(row, field, "is missing");
            return None;
        }
        if value.chars().count() > max || value.chars().any(char::is_control) {
            self.problem(
                row,
                field,
                format!("must be 1 to {max} characters without control characters"),
            );
            return None;
        }
        Some(value)
    }

    fn check_sku(&mut self, row: u64, sku: Option<String>) -> Option<String> {
        let sku = self.check_line(row, "sku", sku, SKU_LEN_MAX)?;
        if !self.seen.insert(sku.clone()) {
            self.problem(row, "sku", format!("duplicate SKU {sku:?}"));
            return None;
        }
        Some(sku)
    }

    /// Some(None) for a product without a category; None when the category is bad.
    fn check_category(&mut self, row: u64, text: Option<String>) -> Option<Option<CategoryId>> {
        let text = text.unwrap_or_default();
        let text = text.trim();
        if text.is_empty() {
            return Some(None);
        }
        if text.chars().count() > CATEGORY_LEN_MAX || text.chars().any(char::is_control) {
            self.problem(row, "category", "is not a category id or path");
            return None;
        }
        match (self.resolve)(text) {
            Some(id) => Some(Some(id)),
            None => {
                self.problem(
                    row,
                    "category",
                    format!("unknown category {text:?}: give a Google product category id or its full path"),
                );
                None
            }
        }
    }

    fn check_price(
        &mut self,
        row: u64,
        price: Option<String>,
        price_minor: Option<String>,
        currency: Option<String>,
    ) -> Option<(MoneyMinor, String)> {
        let parsed = match (price, price_minor) {
            (Some(text), None) => parse_price(text.trim()).map_err(|e| ("price", e)),
            (None, Some(minor)) => {
                parse_price_minor(minor.trim(), currency.as_deref().map(str::trim))
            }
            (Some(_), Some(_)) => {
                Err(("price", "give either price or price_minor, not both".into()))
            }
            (None, None) => Err(("price", "is missing".into())),
        };
        match parsed {
            Ok(ok) => Some(ok),
            Err((field, reason)) => {
                self.problem(row, field, reason);
                None
            }
        }
    }
}

/// The field a column header names, if any: Merchant Center's names, the plain CSV names, with
/// a `g:` prefix, quotes or a byte-order mark tolerated.
fn column_field(header: &str) -> Option<&'static str> {
    let name = header
        .trim_start_matches('\u{feff}')
        .trim()
        .trim_matches('"')
        .to_ascii_lowercase();
    let name = name.strip_prefix("g:").unwrap_or(&name);
    Some(match name {
        "id" | "sku" => "sku",
        "title" => "title",
        "google_product_category" | "google product category" | "category" => "category",
        "price" => "price",
        "price_minor" => "price_minor",
        "currency" => "currency",
        _ => return None,
    })
}

fn set_field(raw: &mut RawProduct, field: &str, value: String) {
    let slot = match field {
        "sku" => &mut raw.sku,
        "title" => &mut raw.title,
        "category" => &mut raw.category,
        "price" => &mut raw.price,
        "price_minor" => &mut raw.price_minor,
        "currency" => &mut raw.currency,
        _ => return,
    };
    *slot = Some(value);
}
