//! The one place that decides what text and numbers the network accepts, before anything reaches
//! a query or an arithmetic operation.
//!
//! Text policy:
//! - No text anywhere may hold NUL, another C0 control character, DEL or a C1 control character
//!   (PostgreSQL text cannot hold NUL, and control characters corrupt logs, CSV exports and
//!   terminals). Free text (reasons, resolutions) may hold tab and line breaks; nothing else
//!   may. [`check_json_strings`] applies this to every string of every JSON request body (the
//!   reconciliation upload's rows are checked one field at a time instead), and
//!   [`check_url_text`] to every path and query, so no field can be forgotten.
//! - Each field then has a kind ([`TextKind`]) with its length limit and its trimming rule:
//!   identifiers are exact (1 to 64 printable ASCII characters, no spaces, never trimmed); names
//!   and free text are trimmed of surrounding white space and must not be empty after it.
//!
//! Number policy: every amount is checked against its documented range with [`check_range`]
//! before any arithmetic, so `i64::MIN` and friends are refused instead of overflowing.

use crate::domain::limits::{NAME_LEN_MAX, REF_LEN_MAX, TEXT_LEN_MAX};

/// Longest sale line label (SKU, category).
pub const LABEL_LEN_MAX: usize = 64;
/// Longest email address (RFC 5321 path limit).
pub const EMAIL_LEN_MAX: usize = 254;
/// Most nested JSON containers (objects and arrays) a request body may have, the body itself
/// counting as one.
pub const JSON_DEPTH_MAX: usize = 16;
/// Shortest password a member may choose.
pub const PASSWORD_LEN_MIN: usize = 10;
/// Longest password (a longer one is never hashed).
pub const PASSWORD_LEN_MAX: usize = 128;

/// Why an input was refused: the field, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// The field, as a JSON path (`lines[2].sku`) or a parameter name.
    pub field: String,
    /// What is wrong, in a few words.
    pub reason: String,
    /// Whether the value is a number out of its range (rather than malformed text).
    pub out_of_range: bool,
}

impl InputError {
    fn text(field: &str, reason: impl Into<String>) -> InputError {
        InputError {
            field: field.to_owned(),
            reason: reason.into(),
            out_of_range: false,
        }
    }
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}

/// The kinds of text field, each with its own limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// Order ids, refund ids, customer references, bank references: 1 to 64 printable ASCII
    /// characters without spaces, compared exactly.
    Identifier,
    /// Display names, partner names: 1 to 100 characters, one line, trimmed.
    Name,
    /// Sale line SKUs and categories: 1 to 64 characters, one line, any script and spaces
    /// ("Home & Garden", "Épicerie"), compared exactly, never trimmed.
    Label,
    /// Free text (reasons, resolutions): 1 to 500 characters, line breaks and tabs allowed,
    /// trimmed.
    FreeText,
}

/// Whether a character is a control character no text may hold (everything but tab, line feed
/// and carriage return, which free text may hold).
fn is_forbidden_anywhere(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// Checks a text field of the given kind; returns the value to store (trimmed for names and
/// free text, as is for identifiers).
pub fn check_text<'a>(field: &str, value: &'a str, kind: TextKind) -> Result<&'a str, InputError> {
    match kind {
        TextKind::Identifier => {
            if value.is_empty()
                || value.len() > REF_LEN_MAX
                || !value.bytes().all(|b| b.is_ascii_graphic())
            {
                return Err(InputError::text(
                    field,
                    format!("must be 1 to {REF_LEN_MAX} printable ASCII characters without spaces"),
                ));
            }
            Ok(value)
        }
        TextKind::Name => {
            if value.chars().any(char::is_control) {
                return Err(InputError::text(
                    field,
                    "must not contain control characters",
                ));
            }
            let trimmed = value.trim();
            if trimmed.is_empty() || trimmed.chars().count() > NAME_LEN_MAX {
                return Err(InputError::text(
                    field,
                    format!("must be 1 to {NAME_LEN_MAX} characters"),
                ));
            }
            Ok(trimmed)
        }
        TextKind::Label => {
            let length = value.chars().count();
            if value.chars().any(char::is_control) || !(1..=LABEL_LEN_MAX).contains(&length) {
                return Err(InputError::text(
                    field,
                    format!("must be 1 to {LABEL_LEN_MAX} characters on one line"),
                ));
            }
            Ok(value)
        }
        TextKind::FreeText => {
            if value.chars().any(is_forbidden_anywhere) {
                return Err(InputError::text(
                    field,
                    "must not contain control characters other than tabs and line breaks",
                ));
            }
            let trimmed = value.trim();
            if trimmed.is_empty() || trimmed.chars().count() > TEXT_LEN_MAX {
                return Err(InputError::text(
                    field,
                    format!("is mandatory, 1 to {TEXT_LEN_MAX} characters"),
                ));
            }
            Ok(trimmed)
        }
    }
}

/// Checks a slug (a partner's, a brand's): 2 to 40 of `a-z`, `0-9` and `-`.
pub fn check_slug<'a>(field: &str, value: &'a str) -> Result<&'a str, InputError> {
    let ok = (2..=40).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !ok {
        return Err(InputError::text(field, "must be 2 to 40 of a-z, 0-9 and -"));
    }
    Ok(value)
}

/// Checks and normalises an email address (trimmed, lower-case, one `@`, a dotted domain, no
/// white space or control characters, at most 254 characters).
pub fn check_email(field: &str, value: &str) -> Result<String, InputError> {
    let email = value.trim().to_lowercase();
    let valid = email.len() <= EMAIL_LEN_MAX
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if !valid {
        return Err(InputError::text(field, "is not a valid email address"));
    }
    Ok(email)
}

/// Checks that a number is within `min..=max` (inclusive), before any arithmetic on it.
pub fn check_range(field: &str, value: i64, min: i64, max: i64) -> Result<i64, InputError> {
    if value < min || value > max {
        return Err(InputError {
            field: field.to_owned(),
            reason: format!("must be {} to {}", group(min), group(max)),
            out_of_range: true,
        });
    }
    Ok(value)
}

/// A number with thousands separators, as the README writes limits.
fn group(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// Checks that a partner-supplied reference is 1 to 64 printable ASCII characters without spaces
/// (the [`TextKind::Identifier`] rule).
pub fn is_valid_ref(value: &str) -> bool {
    check_text("", value, TextKind::Identifier).is_ok()
}

mod request;

pub use request::{check_json_strings, check_url_text};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_exact_printable_ascii() {
        assert_eq!(
            check_text("order_id", "A-1", TextKind::Identifier),
            Ok("A-1")
        );
        for bad in ["", " A-1", "A 1", "A\u{0}1", "é", &"x".repeat(65)] {
            assert!(
                check_text("order_id", bad, TextKind::Identifier).is_err(),
                "{bad:?}"
            );
        }
        assert!(check_text("sku", &"x".repeat(64), TextKind::Identifier).is_ok());
    }

    #[test]
    fn names_are_one_trimmed_line() {
        assert_eq!(check_text("name", "  Alice ", TextKind::Name), Ok("Alice"));
        for bad in ["   ", "Al\u{0}ice", "Al\nice", "A\u{85}", &"é".repeat(101)] {
            assert!(check_text("name", bad, TextKind::Name).is_err(), "{bad:?}");
        }
        assert!(check_text("name", &"é".repeat(100), TextKind::Name).is_ok());
    }

    #[test]
    fn labels_take_any_script_on_one_line() {
        assert_eq!(
            check_text("sku", " Épicerie & co ", TextKind::Label),
            Ok(" Épicerie & co ")
        );
        for bad in ["", "a\nb", "a\u{0}", &"é".repeat(65)] {
            assert!(check_text("sku", bad, TextKind::Label).is_err(), "{bad:?}");
        }
        assert!(check_text("sku", &"é".repeat(64), TextKind::Label).is_ok());
    }

    #[test]
    fn free_text_keeps_line_breaks_but_no_other_control() {
        assert_eq!(
            check_text("reason", " a\nb\tc ", TextKind::FreeText),
            Ok("a\nb\tc")
        );
        for bad in ["", "a\u{0}", "a\u{1b}[31m", "a\u{7f}", &"x".repeat(501)] {
            assert!(
                check_text("reason", bad, TextKind::FreeText).is_err(),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            check_email("email", " A@B.example ").as_deref(),
            Ok("a@b.example")
        );
        for bad in [
            "a@b",
            "@b.c",
            "a@.b",
            "a b@c.d",
            "a\u{0}@b.c",
            "a@b.c.",
            "a@b@c.d",
        ] {
            assert!(check_email("email", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn ranges_refuse_extremes_before_arithmetic() {
        let err = check_range("points", i64::MIN, -5, 5).unwrap_err();
        assert!(err.out_of_range);
        assert_eq!(err.to_string(), "points: must be -5 to 5");
        assert!(check_range("points", i64::MAX, 1, 1_000_000_000).is_err());
        assert_eq!(check_range("points", 7, 1, 1_000_000_000), Ok(7));
        assert_eq!(group(1_000_000_000), "1,000,000,000");
    }
}
