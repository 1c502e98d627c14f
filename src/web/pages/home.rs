//! The home: the network's at `/`, a partner's at `/p/{slug}/` (its logo, name and colours
//! over the same network).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::{respond, Chrome, Ctx, PageError, Site};
use crate::service::AppState;
use crate::web::WebState;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    c: Chrome,
    intro: &'static str,
}

/// `GET /` and `GET /p/{slug}/`.
pub async fn home(
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
    let (title, intro) = match &site.brand {
        Some(b) => (b.display_name.clone(), t.home_branded_intro),
        None => (t.home_title.to_owned(), t.home_intro),
    };
    site.render(
        StatusCode::OK,
        &HomePage {
            c: site.chrome(&title),
            intro,
        },
    )
}

/// `GET /p/{slug}`: the partner's home is `/p/{slug}/`.
pub async fn to_slash(req: HttpRequest) -> HttpResponse {
    let location = format!("{}/", req.path());
    crate::web::page_builder(StatusCode::PERMANENT_REDIRECT)
        .insert_header((actix_web::http::header::LOCATION, location))
        .finish()
}
