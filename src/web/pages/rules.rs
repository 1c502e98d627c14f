//! The program rules: the network's, and on a partner's pages the partner's own (its Markdown,
//! rendered and sanitised by the branding service when it was set).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::{respond, Chrome, Ctx, PageError, Site};
use crate::service::AppState;
use crate::web::WebState;

#[derive(Template)]
#[template(path = "rules.html")]
struct RulesPage {
    c: Chrome,
    network_rules: &'static [&'static str],
    /// The partner's name and its rules as sanitised HTML (the only field shown unescaped).
    partner: Option<(String, String)>,
}

/// `GET /rules` and `GET /p/{slug}/rules`.
pub async fn rules(
    req: HttpRequest,
    state: web::Data<AppState>,
    web: web::Data<WebState>,
) -> HttpResponse {
    let ctx = Ctx { req, state, web };
    respond(&ctx.req, page(&ctx).await)
}

async fn page(ctx: &Ctx) -> Result<HttpResponse, PageError> {
    let site = Site::load(ctx).await?;
    let t = site.t();
    let partner = site
        .brand
        .as_ref()
        .map(|b| (b.display_name.clone(), b.rules_html.clone()));
    site.render(
        StatusCode::OK,
        &RulesPage {
            c: site.chrome(t.rules_title),
            network_rules: t.network_rules,
            partner,
        },
    )
}
