//! A one-time redemption code, created from the account page (`service::members::create_code`)
//! and shown large with its expiry time and a countdown (`/static/countdown.js`; without
//! script the expiry time stays).

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::{check_csrf, form_fields, respond, Chrome, Ctx, PageError, Site};
use crate::error::Code;
use crate::service::{members, AppState};
use crate::web::WebState;

#[derive(Template)]
#[template(path = "code.html")]
struct CodePage {
    c: Chrome,
    /// The code, its expiry (ISO 8601 and as the locale writes it) and the seconds left.
    code: Option<(String, String, String, i64)>,
    error: Option<&'static str>,
}

/// `POST /codes` and `POST /p/{slug}/codes`.
pub async fn create(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<AppState>,
    web: web::Data<WebState>,
) -> HttpResponse {
    let ctx = Ctx { req, state, web };
    respond(&ctx.req, page(&ctx, &form_fields(&body)).await)
}

async fn page(ctx: &Ctx, fields: &HashMap<String, String>) -> Result<HttpResponse, PageError> {
    let site = Site::load(ctx).await?;
    check_csrf(&ctx.req, fields)?;
    let Some(member) = site.member else {
        return Ok(site.redirect(&format!("{}/sign-in", site.base)).finish());
    };
    let created = ctx
        .state
        .run(move |conn, s| {
            let now = s.clock.now_naive();
            let code = members::create_code(conn, now, member)?;
            let left_s = (code.expires_at - s.clock.now()).num_seconds().max(0);
            Ok((code, left_s))
        })
        .await;
    let t = site.t();
    let (status, code, error) = match created {
        Ok((code, left_s)) => (
            StatusCode::OK,
            Some((
                code.code,
                code.expires_at.to_rfc3339(),
                site.locale.time(code.expires_at),
                left_s,
            )),
            None,
        ),
        Err(e) if e.code() == Code::TooManyCodes => {
            (StatusCode::TOO_MANY_REQUESTS, None, Some(t.code_too_many))
        }
        Err(e) if e.code() == Code::CodeLocked => {
            (StatusCode::TOO_MANY_REQUESTS, None, Some(t.code_locked))
        }
        Err(e) => return Err(e.into()),
    };
    site.render(
        status,
        &CodePage {
            c: site.chrome(t.code_title),
            code,
            error,
        },
    )
}
