//! French and English: which one a page speaks, and every string it shows. The strings are a
//! typed [`Strings`] per locale (`locales/en.rs`, `locales/fr.rs`), compiled in: a string
//! missing in one locale is a missing struct field, so the build fails.
//!
//! A page's locale is, in order: `?lang=fr|en` (which also sets the `lang` cookie), the `lang`
//! cookie, the first French or English tag of `Accept-Language`, the brand's default locale on
//! a partner's pages, and English.

use actix_web::HttpRequest;
use partner_sdk::types::EntryKind;

use super::locales;

/// The cookie that keeps a member's choice of language.
pub const LANG_COOKIE: &str = "lang";

/// A language the pages speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    /// French (`fr-FR`).
    Fr,
    /// English (`en-GB`).
    En,
}

impl Locale {
    /// The short tag used in `?lang=` and the `lang` cookie.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::Fr => "fr",
            Locale::En => "en",
        }
    }

    /// The BCP 47 tag of the page's `lang` attribute.
    pub fn bcp47(self) -> &'static str {
        match self {
            Locale::Fr => "fr-FR",
            Locale::En => "en-GB",
        }
    }

    /// The other language (the switch offers it).
    pub fn other(self) -> Locale {
        match self {
            Locale::Fr => Locale::En,
            Locale::En => Locale::Fr,
        }
    }

    /// Every string of the pages in this language.
    pub fn strings(self) -> &'static Strings {
        match self {
            Locale::Fr => &locales::fr::STRINGS,
            Locale::En => &locales::en::STRINGS,
        }
    }

    /// A tag (`fr`, `fr-FR`, `en-GB`, `EN`...) as a locale, if it is French or English.
    pub fn parse(tag: &str) -> Option<Locale> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or("");
        if primary.eq_ignore_ascii_case("fr") {
            Some(Locale::Fr)
        } else if primary.eq_ignore_ascii_case("en") {
            Some(Locale::En)
        } else {
            None
        }
    }

    /// The locale of a request (see the module documentation), and whether it was chosen by
    /// `?lang=` (the answer then sets the cookie).
    pub fn of_request(req: &HttpRequest, brand_default: Option<&str>) -> (Locale, bool) {
        if let Some(chosen) = query_lang(req) {
            return (chosen, true);
        }
        let cookie = req.cookie(LANG_COOKIE);
        let from_cookie = cookie.as_ref().and_then(|c| Locale::parse(c.value()));
        let found = from_cookie
            .or_else(|| accept_language(req))
            .or_else(|| brand_default.and_then(Locale::parse))
            .unwrap_or(Locale::En);
        (found, false)
    }
}

fn query_lang(req: &HttpRequest) -> Option<Locale> {
    req.query_string()
        .split('&')
        .filter_map(|pair| pair.strip_prefix("lang="))
        .find_map(Locale::parse)
}

/// The first French or English language of `Accept-Language`, by quality.
fn accept_language(req: &HttpRequest) -> Option<Locale> {
    let header = req.headers().get("Accept-Language")?.to_str().ok()?;
    let mut best: Option<(u16, Locale)> = None;
    for item in header.split(',').take(20) {
        let mut parts = item.split(';');
        let Some(locale) = parts.next().and_then(Locale::parse) else {
            continue;
        };
        let quality = parts
            .find_map(|p| p.trim().strip_prefix("q="))
            .map_or(1000, quality_permille);
        if quality > 0 && best.is_none_or(|(q, _)| quality > q) {
            best = Some((quality, locale));
        }
    }
    best.map(|(_, locale)| locale)
}

/// A quality value (`1`, `0.8`, `0.125`) in thousandths; anything malformed counts as 0.
fn quality_permille(q: &str) -> u16 {
    let q = q.trim();
    if q.starts_with('1') {
        return 1000;
    }
    let Some(fraction) = q.strip_prefix("0.").or_else(|| (q == "0").then_some("")) else {
        return 0;
    };
    let digits: String = fraction.chars().chain("000".chars()).take(3).collect();
    digits.parse().unwrap_or(0)
}

/// Every string the pages show, in one language. A field missing in a locale fails the build.
#[derive(Debug)]
pub struct Strings {
    /// The network's name, in page titles and the unbranded header.
    pub network_name: &'static str,
    /// The network's own word for its points (unbranded pages).
    pub points_word: &'static str,
    /// The skip link's text.
    pub skip_to_content: &'static str,
    /// The main navigation's accessible name.
    pub nav_label: &'static str,
    /// Navigation: the home page.
    pub nav_home: &'static str,
    /// Navigation: the member's account.
    pub nav_account: &'static str,
    /// Navigation: the directory of partners.
    pub nav_directory: &'static str,
    /// Navigation: the program rules.
    pub nav_rules: &'static str,
    /// Navigation and button: sign in.
    pub nav_sign_in: &'static str,
    /// Button: sign out.
    pub nav_sign_out: &'static str,
    /// The language switch's accessible name.
    pub language_label: &'static str,
    /// The name of this language, in this language (the switch shows the other's).
    pub language_name: &'static str,
    /// Home: the heading.
    pub home_title: &'static str,
    /// Home: what the network is.
    pub home_intro: &'static str,
    /// A partner's home: what these pages are (after the partner's name).
    pub home_branded_intro: &'static str,
    /// Sign-in: the heading.
    pub sign_in_title: &'static str,
    /// Sign-in: the email field.
    pub email_label: &'static str,
    /// Sign-in: the password field.
    pub password_label: &'static str,
    /// Sign-in: wrong email or password.
    pub sign_in_failed: &'static str,
    /// Sign-in: a field held control characters.
    pub bad_characters: &'static str,
    /// Account: the heading.
    pub account_title: &'static str,
    /// Account: the member number's label.
    pub member_number: &'static str,
    /// Account: the balance heading.
    pub balance_heading: &'static str,
    /// Balance: points that can be spent.
    pub available: &'static str,
    /// Balance: points waiting for the end of a return window.
    pub pending: &'static str,
    /// Balance: points held for a redemption under way.
    pub held: &'static str,
    /// Balance: the same balance at every partner.
    pub balance_note: &'static str,
    /// Tier: the heading.
    pub tier_heading: &'static str,
    /// Tier: the multiplier, before it ("Points multiplied by").
    pub tier_multiplier: &'static str,
    /// Tier: what the next needs, after the amount ("still to spend to reach").
    pub tier_next: &'static str,
    /// Tier qualified on points: what the next needs, after the points ("points still to earn
    /// to reach").
    pub tier_next_points: &'static str,
    /// A partner's own tier, before its name and multiplier ("Your level here:").
    pub local_tier: &'static str,
    /// A partner's own currency: the heading's start, before its name ("Your stars").
    pub local_heading: &'static str,
    /// A partner's own currency: spent only at that partner.
    pub local_note: &'static str,
    /// A partner's own currency: points expiring within 30 days.
    pub local_expiring: &'static str,
    /// Expiring points: the heading.
    pub expiring_heading: &'static str,
    /// Expiring points: nothing expires.
    pub expiring_none: &'static str,
    /// Expiring points: the date column.
    pub expiring_on: &'static str,
    /// Expiring points: the whole balance expires after inactivity.
    pub expiring_inactivity: &'static str,
    /// History: the heading.
    pub history_heading: &'static str,
    /// History: nothing yet.
    pub history_none: &'static str,
    /// History: the date column.
    pub col_date: &'static str,
    /// History: the kind column.
    pub col_what: &'static str,
    /// History: the reference column.
    pub col_reference: &'static str,
    /// History: the change column.
    pub col_change: &'static str,
    /// Codes: the heading on the account page.
    pub code_heading: &'static str,
    /// Codes: what a code is for.
    pub code_intro: &'static str,
    /// Codes: the button.
    pub code_button: &'static str,
    /// Code page: the heading.
    pub code_title: &'static str,
    /// Code page: what to do with it.
    pub code_show: &'static str,
    /// Code page: before the expiry time.
    pub code_valid_until: &'static str,
    /// Code page: before the countdown.
    pub code_expires_in: &'static str,
    /// Code page: after the countdown reached zero.
    pub code_expired: &'static str,
    /// Codes: too many unused codes.
    pub code_too_many: &'static str,
    /// Codes: locked after wrong codes.
    pub code_locked: &'static str,
    /// Code page: back to the account.
    pub back_to_account: &'static str,
    /// Rules: the heading.
    pub rules_title: &'static str,
    /// Rules: the network's rules heading.
    pub network_rules_heading: &'static str,
    /// Rules: the network's rules, one paragraph each.
    pub network_rules: &'static [&'static str],
    /// Rules: the partner's rules heading (after the partner's name).
    pub partner_rules_heading: &'static str,
    /// Rules: the partner wrote none.
    pub rules_none: &'static str,
    /// Directory: the heading.
    pub directory_title: &'static str,
    /// Directory: what it lists.
    pub directory_intro: &'static str,
    /// Directory: nobody yet.
    pub directory_empty: &'static str,
    /// Directory: before the partner's name for its points.
    pub directory_points_called: &'static str,
    /// Directory: the link to a partner's pages.
    pub directory_visit: &'static str,
    /// 404: the heading.
    pub not_found_title: &'static str,
    /// 404: the text.
    pub not_found_text: &'static str,
    /// 403: the heading.
    pub forbidden_title: &'static str,
    /// 403: the text.
    pub forbidden_text: &'static str,
    /// 429: the heading.
    pub too_many_title: &'static str,
    /// 429: the text (followed by the minutes to wait).
    pub too_many_text: &'static str,
    /// 429: after the number of minutes.
    pub minutes: &'static str,
    /// 500 or 503: the heading.
    pub error_title: &'static str,
    /// 500 or 503: the text.
    pub error_text: &'static str,
    /// Entry kinds, as the history names them.
    pub kinds: EntryKinds,
}

/// The name of each kind of journal entry in the member's history.
#[derive(Debug)]
pub struct EntryKinds {
    /// Points credited for a purchase.
    pub earn: &'static str,
    /// Points taken back after a refund.
    pub refund: &'static str,
    /// Pending points that became available.
    pub maturation: &'static str,
    /// Points that expired.
    pub expiry: &'static str,
    /// Points held for a redemption.
    pub redemption_hold: &'static str,
    /// Points spent.
    pub redemption_capture: &'static str,
    /// Held points released.
    pub redemption_release: &'static str,
    /// Spent points given back.
    pub redemption_reversal: &'static str,
    /// An operator's adjustment.
    pub adjustment: &'static str,
    /// A settlement movement.
    pub settlement: &'static str,
    /// A payment.
    pub payment: &'static str,
    /// Local points converted into network points.
    pub local_conversion: &'static str,
    /// A promotion's bonus outside a sale.
    pub promotion_bonus: &'static str,
    /// A paid tier bought.
    pub tier_purchase: &'static str,
}

impl EntryKinds {
    /// The name of a kind (every kind must have one: the match is exhaustive).
    pub fn of(&self, kind: EntryKind) -> &'static str {
        match kind {
            EntryKind::Earn => self.earn,
            EntryKind::Refund => self.refund,
            EntryKind::Maturation => self.maturation,
            EntryKind::Expiry => self.expiry,
            EntryKind::RedemptionHold => self.redemption_hold,
            EntryKind::RedemptionCapture => self.redemption_capture,
            EntryKind::RedemptionRelease => self.redemption_release,
            EntryKind::RedemptionReversal => self.redemption_reversal,
            EntryKind::Adjustment => self.adjustment,
            EntryKind::Settlement => self.settlement,
            EntryKind::Payment => self.payment,
            EntryKind::LocalConversion => self.local_conversion,
            EntryKind::PromotionBonus => self.promotion_bonus,
            EntryKind::TierPurchase => self.tier_purchase,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_are_grouped_by_thousands_in_each_language() {
        assert_eq!(Locale::En.points(1_234_567), "1,234,567");
        assert_eq!(Locale::Fr.points(1_234), "1\u{202f}234");
        assert_eq!(Locale::En.change(-40), "−40");
        assert_eq!(Locale::En.change(120), "+120");
        assert_eq!(Locale::En.points(999), "999");
    }

    #[test]
    fn tags_are_read_loosely() {
        assert_eq!(Locale::parse("fr-CA"), Some(Locale::Fr));
        assert_eq!(Locale::parse("EN_gb"), Some(Locale::En));
        assert_eq!(Locale::parse("de"), None);
        assert_eq!(quality_permille("0.8"), 800);
        assert_eq!(quality_permille("1.0"), 1000);
        assert_eq!(quality_permille("bogus"), 0);
    }
}
