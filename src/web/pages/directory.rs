//! The public directory, on the network's frame: every active partner with a brand that is
//! not suspended (where members earn and spend), with its logo, its name for the points and a
//! link to its pages, and the network's rules.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::{respond, Chrome, Ctx, PageError, Site};
use crate::service::{branding, AppState};
use crate::web::i18n::Locale;
use crate::web::WebState;

/// Most partners listed on the page.
const PARTNERS_MAX: i64 = 200;

/// A partner in the directory.
struct Entry {
    slug: String,
    display_name: String,
    logo_url: Option<String>,
    points_label: String,
}

#[derive(Template)]
#[template(path = "directory.html")]
struct DirectoryPage {
    c: Chrome,
    partners: Vec<Entry>,
    network_rules: &'static [&'static str],
}

/// `GET /directory`.
pub async fn directory(
    req: HttpRequest,
    state: web::Data<AppState>,
    web: web::Data<WebState>,
) -> HttpResponse {
    let ctx = Ctx { req, state, web };
    respond(&ctx.req, page(&ctx).await)
}

async fn page(ctx: &Ctx) -> Result<HttpResponse, PageError> {
    let site = Site::load(ctx).await?;
    let (brands, _) = ctx
        .state
        .run(|conn, _| branding::directory(conn, None, PARTNERS_MAX))
        .await?;
    let partners = brands
        .into_iter()
        .map(|b| Entry {
            points_label: match site.locale {
                Locale::Fr => b.points_label.fr_fr,
                Locale::En => b.points_label.en_gb,
            },
            slug: b.slug,
            display_name: b.display_name,
            logo_url: b.logo_url,
        })
        .collect();
    let t = site.t();
    site.render(
        StatusCode::OK,
        &DirectoryPage {
            c: site.chrome(t.directory_title),
            partners,
            network_rules: t.network_rules,
        },
    )
}
