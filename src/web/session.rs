//! The member's session on the pages: a cookie holding the member session token that the JSON
//! sign-in also issues (so it expires on the network clock like any token), `HttpOnly`,
//! `SameSite=Lax`, `Path=/`, and `Secure` when the request came over TLS (see
//! [`is_tls`]). The token is checked by `service::members::session_member` on every page.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::{web, HttpRequest};

use super::WebSettings;
use crate::domain::ids::MemberId;
use crate::error::ApiResult;
use crate::service::{members, AppState};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "member_session";
/// Longest session token read from a cookie.
const TOKEN_LEN_MAX: usize = 200;

/// Whether the request came over TLS: always when the settings say the server is only reached
/// over HTTPS, or when a trusted proxy says so with `X-Forwarded-Proto: https`.
pub fn is_tls(req: &HttpRequest, settings: &WebSettings) -> bool {
    if settings.secure_cookies || req.uri().scheme_str() == Some("https") {
        return true;
    }
    settings.trust_proxy
        && req
            .headers()
            .get("X-Forwarded-Proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"))
}

/// A cookie of the pages with the flags they all carry.
pub fn cookie(name: &'static str, value: String, secure: bool) -> Cookie<'static> {
    Cookie::build(name, value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .finish()
}

/// A cookie that removes `name` from the browser.
pub fn removal(name: &'static str, secure: bool) -> Cookie<'static> {
    let mut c = cookie(name, String::new(), secure);
    c.make_removal();
    c
}

/// The session token of the request's cookie, if it has a plausible one.
pub fn token(req: &HttpRequest) -> Option<String> {
    req.cookie(SESSION_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|t| !t.is_empty() && t.len() <= TOKEN_LEN_MAX && t.is_ascii())
}

/// The signed-in member, if the cookie holds a token that has not expired; an invalid or
/// expired token is simply no session.
pub async fn member(req: &HttpRequest, state: &web::Data<AppState>) -> ApiResult<Option<MemberId>> {
    let Some(token) = token(req) else {
        return Ok(None);
    };
    let found = state
        .run(move |conn, s| members::session_member(conn, &token, s.clock.now_naive()))
        .await;
    match found {
        Ok(member) => Ok(Some(member)),
        Err(e) if e.code() == crate::error::Code::InvalidToken => Ok(None),
        Err(e) => Err(e),
    }
}
