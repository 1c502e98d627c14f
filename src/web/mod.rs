//! Server-rendered member pages: the network's own pages under `/` and each partner's branded
//! pages under `/p/{slug}/` (issue 10 builds them). Not part of the JSON API nor of its OpenAPI
//! document.
//!
//! The home is laid out before the pages arrive so that they land beside the code that renders
//! them, embedded in the binary (the pages must work offline, under a strict
//! Content-Security-Policy):
//!
//! - `web/session.rs` and `web/csrf.rs`: the member's cookie session (`HttpOnly`,
//!   `SameSite=Lax`, `Secure` behind TLS) and the CSRF token every form carries;
//! - `web/i18n.rs` with `web/locales/`: French and English strings, compiled in, so that a
//!   missing translation fails the build;
//! - `web/pages/`: one module per page, calling `service/` like the JSON handlers do;
//! - `web/templates/` and `web/static/`: the templates (escaped by the engine) and the one
//!   stylesheet, with the brand's colours as CSS custom properties.
//!
//! The same layering rules hold here as in `http/` (a test checks): no query, no diesel, only
//! services.
