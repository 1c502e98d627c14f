//! Server-rendered member pages: the network's own pages under `/` and each partner's branded
//! pages under `/p/{slug}/` (sign-in, account with balance, history and expiring points, the
//! one-time code, the rules) and the public directory. Not part of the JSON API nor of its
//! OpenAPI document: [`routes`] registers them with plain actix services.
//!
//! Everything is embedded in the binary, so the pages work offline and under a strict
//! Content-Security-Policy (no inline script or style, nothing from elsewhere):
//!
//! - `session.rs` and `csrf.rs`: the member's cookie session (`HttpOnly`, `SameSite=Lax`,
//!   `Secure` behind TLS) and the CSRF token every form carries; `throttle.rs`: the sign-in
//!   rate limit;
//! - `i18n.rs` with `locales/`: French and English strings, compiled in, so that a missing
//!   translation fails the build;
//! - `pages/`: one module per page, calling `service/` like the JSON handlers do;
//! - `templates/` (askama, compiled and escaped by the engine) and `static/`: the one
//!   stylesheet, with the brand's colours as CSS custom properties from `/p/{slug}/brand.css`,
//!   and the countdown script.
//!
//! The same layering rules hold here as in `http/` (a test checks): no query, no diesel, only
//! services.

pub mod csrf;
mod format;
pub mod i18n;
mod locales;
pub mod pages;
pub mod session;
pub mod throttle;

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse, HttpResponseBuilder};

/// The Content-Security-Policy of every page: nothing inline, nothing from elsewhere.
pub const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; \
                       form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// How the pages decide that a request came over TLS, from the settings.
#[derive(Debug, Clone, Copy, Default)]
pub struct WebSettings {
    /// Always mark cookies `Secure` (the server is only reached over HTTPS).
    pub secure_cookies: bool,
    /// A reverse proxy in front is trusted: its `X-Forwarded-Proto: https` marks cookies
    /// `Secure`, and the first address of `X-Forwarded-For` is the client for the sign-in
    /// rate limit.
    pub trust_proxy: bool,
}

/// What the pages share across requests: their settings and the sign-in rate limit.
#[derive(Debug, Default)]
pub struct WebState {
    /// The settings.
    pub settings: WebSettings,
    /// Failed sign-ins, by email and by client address.
    pub throttle: throttle::SignInThrottle,
}

/// Registers every page, the static files and the brand stylesheets (before the API's
/// default service). Each page of a partner answers under `/p/{slug}` what the network's
/// answers under `/`.
pub fn routes(cfg: &mut web::ServiceConfig) {
    use pages::{account, assets, codes, directory, home, rules, sign_in};
    cfg.route("/static/site.css", web::get().to(assets::site_css))
        .route("/static/countdown.js", web::get().to(assets::countdown_js))
        .route("/directory", web::get().to(directory::directory))
        .route("/p/{slug}/brand.css", web::get().to(assets::brand_css));
    for base in ["", "/p/{slug}"] {
        cfg.route(&format!("{base}/"), web::get().to(home::home))
            .route(&format!("{base}/sign-in"), web::get().to(sign_in::form))
            .route(&format!("{base}/sign-in"), web::post().to(sign_in::submit))
            .route(
                &format!("{base}/sign-out"),
                web::post().to(sign_in::sign_out),
            )
            .route(&format!("{base}/account"), web::get().to(account::account))
            .route(&format!("{base}/codes"), web::post().to(codes::create))
            .route(&format!("{base}/rules"), web::get().to(rules::rules));
    }
    cfg.route("/p/{slug}", web::get().to(home::to_slash))
        .route("/p/{slug}/{rest:.*}", web::to(pages::not_found));
}

/// A response builder with the headers every page carries: the CSP, `nosniff`,
/// `Referrer-Policy: same-origin`, and `Cache-Control: no-store` (pages may show member data,
/// and a shared computer's back button must not show them after signing out).
pub fn page_builder(status: StatusCode) -> HttpResponseBuilder {
    let mut builder = HttpResponse::build(status);
    builder
        .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "same-origin"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        ));
    builder
}
