//! The embedded static files (`/static/site.css`, `/static/countdown.js`) and each brand's
//! stylesheet, `/p/{slug}/brand.css`, which only defines the brand's colours as CSS custom
//! properties: the pages keep a CSP without `unsafe-inline`.

use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use super::{Ctx, PageError, Site};
use crate::domain::branding::colors::Rgb;
use crate::service::AppState;
use crate::web::WebState;

const SITE_CSS: &str = include_str!("../static/site.css");
const COUNTDOWN_JS: &str = include_str!("../static/countdown.js");

fn asset(content_type: &'static str, body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, content_type))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(body)
}

/// `GET /static/site.css`: the one stylesheet.
pub async fn site_css() -> HttpResponse {
    asset("text/css; charset=utf-8", SITE_CSS)
}

/// `GET /static/countdown.js`: the code page's countdown.
pub async fn countdown_js() -> HttpResponse {
    asset("text/javascript; charset=utf-8", COUNTDOWN_JS)
}

/// A colour as CSS writes it, re-parsed so that only `#rrggbb` can reach the stylesheet.
fn css_color(text: &str) -> String {
    Rgb::parse(text).map_or_else(|| "#000000".to_owned(), Rgb::to_hex)
}

/// The brand's colours as custom properties.
pub fn brand_stylesheet(
    primary: &str,
    primary_text: &str,
    accent: &str,
    accent_text: &str,
) -> String {
    format!(
        ":root{{--primary:{};--primary-text:{};--accent:{};--accent-text:{}}}\n",
        css_color(primary),
        css_color(primary_text),
        css_color(accent),
        css_color(accent_text)
    )
}

/// `GET /p/{slug}/brand.css`.
pub async fn brand_css(
    req: HttpRequest,
    state: web::Data<AppState>,
    web: web::Data<WebState>,
) -> HttpResponse {
    let ctx = Ctx { req, state, web };
    match Site::load(&ctx).await {
        Ok(Site { brand: Some(b), .. }) => HttpResponse::build(StatusCode::OK)
            .insert_header((header::CONTENT_TYPE, "text/css; charset=utf-8"))
            .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
            // A new brand version shows within a minute.
            .insert_header((header::CACHE_CONTROL, "public, max-age=60"))
            .body(brand_stylesheet(
                &b.primary_color,
                &b.text_color,
                &b.accent_color,
                &b.accent_text_color,
            )),
        Ok(_) => PageError::NotFound.page(&ctx.req),
        Err(e) => e.page(&ctx.req),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hex_colours_reach_the_stylesheet() {
        let css = brand_stylesheet("#003366", "#FFFFFF", "red;}body{x:y", "#000000");
        assert_eq!(
            css,
            ":root{--primary:#003366;--primary-text:#ffffff;--accent:#000000;--accent-text:#000000}\n"
        );
    }
}
