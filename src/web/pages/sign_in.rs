//! Signing in and out: email and password through `service::members::sign_in` (the JSON
//! sign-in's service), the session token kept in the session cookie; rate-limited per email
//! and per client address (`web::throttle`); every post checked against CSRF.

use std::collections::HashMap;
use std::time::Instant;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::{
    check_csrf, form_fields, has_control_characters, respond, Chrome, Ctx, PageError, Site,
};
use crate::error::Code;
use crate::http::members::json::SignInRequest;
use crate::service::{members, AppState};
use crate::web::throttle::Key;
use crate::web::{csrf, session, WebState};

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    c: Chrome,
    email: String,
    error: Option<&'static str>,
}

/// `GET /sign-in` and `GET /p/{slug}/sign-in`.
pub async fn form(
    req: HttpRequest,
    state: web::Data<AppState>,
    web: web::Data<WebState>,
) -> HttpResponse {
    let ctx = Ctx { req, state, web };
    respond(&ctx.req, show(&ctx).await)
}

async fn show(ctx: &Ctx) -> Result<HttpResponse, PageError> {
    let site = Site::load(ctx).await?;
    if site.member.is_some() {
        return Ok(site.redirect(&format!("{}/account", site.base)).finish());
    }
    render(&site, StatusCode::OK, String::new(), None)
}

fn render(
    site: &Site,
    status: StatusCode,
    email: String,
    error: Option<&'static str>,
) -> Result<HttpResponse, PageError> {
    let page = SignInPage {
        c: site.chrome(site.t().sign_in_title),
        email,
        error,
    };
    site.render(status, &page)
}

/// `POST /sign-in` and `POST /p/{slug}/sign-in`.
pub async fn submit(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<AppState>,
    web: web::Data<WebState>,
) -> HttpResponse {
    let ctx = Ctx { req, state, web };
    respond(&ctx.req, sign_in(&ctx, &form_fields(&body)).await)
}

/// The client's address for the rate limit: the peer, or behind a trusted proxy the first
/// address of `X-Forwarded-For`.
fn client_address(ctx: &Ctx) -> String {
    let forwarded = ctx
        .req
        .headers()
        .get("X-Forwarded-For")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .and_then(|a| a.trim().parse::<std::net::IpAddr>().ok());
    match forwarded {
        Some(address) if ctx.web.settings.trust_proxy => address.to_string(),
        _ => ctx
            .req
            .peer_addr()
            .map_or_else(|| "unknown".to_owned(), |a| a.ip().to_string()),
    }
}

async fn sign_in(ctx: &Ctx, fields: &HashMap<String, String>) -> Result<HttpResponse, PageError> {
    let site = Site::load(ctx).await?;
    check_csrf(&ctx.req, fields)?;
    let field = |name: &str| fields.get(name).cloned().unwrap_or_default();
    let (email, password) = (field("email"), field("password"));
    if has_control_characters(fields) {
        let t = site.t();
        return render(
            &site,
            StatusCode::UNPROCESSABLE_ENTITY,
            String::new(),
            Some(t.bad_characters),
        );
    }
    let keys = [Key::email(&email), Key::address(&client_address(ctx))];
    if let Some(wait_s) = ctx.web.throttle.retry_after_s(&keys, Instant::now()) {
        tracing::warn!("member page sign-in throttled");
        return Err(PageError::TooMany(wait_s));
    }
    let request = SignInRequest {
        email: email.clone(),
        password,
    };
    let signed = ctx
        .state
        .run(move |conn, s| members::sign_in(conn, s, &request))
        .await;
    let session = match signed {
        Ok(session) => session,
        Err(e) if e.code() == Code::InvalidCredentials => {
            ctx.web.throttle.failed(&keys, Instant::now());
            let t = site.t();
            return render(
                &site,
                StatusCode::UNAUTHORIZED,
                email,
                Some(t.sign_in_failed),
            );
        }
        Err(e) => return Err(e.into()),
    };
    if let Some(email_key) = keys.first() {
        ctx.web.throttle.succeeded(email_key);
    }
    let secure = site.secure();
    Ok(site
        .redirect(&format!("{}/account", site.base))
        .cookie(session::cookie(
            session::SESSION_COOKIE,
            session.token,
            secure,
        ))
        // A new CSRF token with the new session: a token planted before sign-in is useless.
        .cookie(session::cookie(
            csrf::CSRF_COOKIE,
            csrf::new_token(),
            secure,
        ))
        .finish())
}

/// `POST /sign-out` and `POST /p/{slug}/sign-out`: the session ends on the server and its
/// cookie is removed.
pub async fn sign_out(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<AppState>,
    web: web::Data<WebState>,
) -> HttpResponse {
    let ctx = Ctx { req, state, web };
    respond(&ctx.req, end(&ctx, &form_fields(&body)).await)
}

async fn end(ctx: &Ctx, fields: &HashMap<String, String>) -> Result<HttpResponse, PageError> {
    let site = Site::load(ctx).await?;
    check_csrf(&ctx.req, fields)?;
    if let Some(token) = session::token(&ctx.req) {
        ctx.state
            .run(move |conn, _| members::sign_out(conn, &token))
            .await?;
    }
    Ok(site
        .redirect(&format!("{}/", site.base))
        .cookie(session::removal(session::SESSION_COOKIE, site.secure()))
        .finish())
}
