//! How each locale writes numbers, amounts, multipliers and times on the member pages.

use chrono::{DateTime, Utc};

use super::i18n::Locale;

impl Locale {
    /// A number of points as this locale writes it (`1,234` or `1 234`).
    pub fn points(self, value: i64) -> String {
        let separator = match self {
            Locale::Fr => '\u{202f}',
            Locale::En => ',',
        };
        let digits = value.unsigned_abs().to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(separator);
            }
            out.push(c);
        }
        if value < 0 {
            out.insert(0, '−');
        }
        out
    }

    /// A signed change of points (`+120`, `−40`).
    pub fn change(self, value: i64) -> String {
        if value > 0 {
            format!("+{}", self.points(value))
        } else {
            self.points(value)
        }
    }

    /// An amount of the settlement currency's minor units (two decimals), as this locale writes
    /// it: `1,234.50` or `1 234,50`.
    pub fn money(self, minor: i64) -> String {
        let units = self.points(minor / 100);
        let cents = (minor % 100).unsigned_abs();
        match self {
            Locale::Fr => format!("{units},{cents:02}"),
            Locale::En => format!("{units}.{cents:02}"),
        }
    }

    /// A multiplier in basis points, as this locale writes it: `×1.25` or `×1,25`.
    pub fn factor(self, bp: i64) -> String {
        let fraction = format!("{:04}", (bp % 10_000).unsigned_abs());
        let fraction = fraction.trim_end_matches('0');
        let mark = match self {
            Locale::Fr => ',',
            Locale::En => '.',
        };
        if fraction.is_empty() {
            format!("×{}", bp / 10_000)
        } else {
            format!("×{}{mark}{fraction}", bp / 10_000)
        }
    }

    /// A time, in UTC, as this locale writes it.
    pub fn time(self, at: DateTime<Utc>) -> String {
        match self {
            Locale::Fr => at.format("%d/%m/%Y à %H:%M UTC").to_string(),
            Locale::En => at.format("%d/%m/%Y at %H:%M UTC").to_string(),
        }
    }

    /// A date, in UTC, as this locale writes it.
    pub fn date(self, at: DateTime<Utc>) -> String {
        at.format("%d/%m/%Y").to_string()
    }
}
