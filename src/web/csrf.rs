//! CSRF protection of every form (sign-in included): a double-submit token. A random token
//! lives in the `csrf` cookie (`HttpOnly`, `SameSite=Lax`, set on the first page that shows a
//! form, renewed at sign-in) and in a hidden field of each form; a POST is accepted only when
//! both are present and equal (compared in constant time through ring's HMAC verification),
//! and when the browser's `Origin` and `Sec-Fetch-Site`, if sent, say it comes from this site.
//! Another site can make a browser send the cookie, never read it, so it cannot forge the
//! field.

use actix_web::HttpRequest;
use ring::hmac;

/// The cookie holding the token.
pub const CSRF_COOKIE: &str = "csrf";
/// The form field holding the token.
pub const CSRF_FIELD: &str = "csrf";
/// Length of a token, in hex characters.
const TOKEN_HEX_LEN: usize = 64;

/// A new random token.
pub fn new_token() -> String {
    partner_sdk::signing::random_token_hex(32)
}

/// The token of the request's cookie, when it is well formed.
pub fn cookie_token(req: &HttpRequest) -> Option<String> {
    req.cookie(CSRF_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|t| t.len() == TOKEN_HEX_LEN && t.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Whether two tokens are equal, in time that does not depend on where they differ: the
/// HMAC of one under a one-off random key is verified against the other (ring compares tags
/// in constant time).
fn same(a: &str, b: &str) -> bool {
    let rng = ring::rand::SystemRandom::new();
    let Ok(key) = hmac::Key::generate(hmac::HMAC_SHA256, &rng) else {
        return false;
    };
    let tag = hmac::sign(&key, a.as_bytes());
    hmac::verify(&key, b.as_bytes(), tag.as_ref()).is_ok()
}

/// Whether the request's headers allow a cross-site origin to be ruled out: a foreign or
/// opaque `Origin`, or a `Sec-Fetch-Site` other than `same-origin` or `none`, is refused.
fn same_site_headers(req: &HttpRequest) -> bool {
    let text = |name: &str| req.headers().get(name).map(|v| v.to_str().unwrap_or("?"));
    if let Some(site) = text("Sec-Fetch-Site") {
        if !matches!(site, "same-origin" | "none") {
            return false;
        }
    }
    match text("Origin") {
        None => true,
        Some(origin) => {
            let host = text("Host").unwrap_or("");
            let origin_host = origin
                .strip_prefix("https://")
                .or_else(|| origin.strip_prefix("http://"));
            origin_host.is_some_and(|h| !host.is_empty() && h.eq_ignore_ascii_case(host))
        }
    }
}

/// Whether a form post carries the right token from this site.
pub fn check(req: &HttpRequest, field: Option<&str>) -> bool {
    let (Some(cookie), Some(field)) = (cookie_token(req), field) else {
        return false;
    };
    same_site_headers(req) && same(&cookie, field)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn equal_tokens_match_and_others_do_not() {
        let t = new_token();
        assert!(same(&t, &t.clone()));
        assert!(!same(&t, &new_token()));
        assert!(!same(&t, ""));
    }

    #[test]
    fn a_foreign_origin_or_a_cross_site_fetch_is_refused() {
        let ok = TestRequest::default()
            .insert_header(("Host", "shop.example:8080"))
            .insert_header(("Origin", "http://shop.example:8080"))
            .insert_header(("Sec-Fetch-Site", "same-origin"))
            .to_http_request();
        assert!(same_site_headers(&ok));
        let foreign = TestRequest::default()
            .insert_header(("Host", "shop.example"))
            .insert_header(("Origin", "https://evil.example"))
            .to_http_request();
        assert!(!same_site_headers(&foreign));
        let cross = TestRequest::default()
            .insert_header(("Sec-Fetch-Site", "cross-site"))
            .to_http_request();
        assert!(!same_site_headers(&cross));
        let opaque = TestRequest::default()
            .insert_header(("Host", "shop.example"))
            .insert_header(("Origin", "null"))
            .to_http_request();
        assert!(!same_site_headers(&opaque));
    }
}
