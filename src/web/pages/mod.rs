//! The pages, one module each, and what they share: [`Site`] (who is asking, in which
//! language, under which brand), [`Chrome`] (the frame every template draws: header,
//! navigation, language switch, sign-out form) and [`PageError`] (the 403, 404, 429 and 5xx
//! pages). Pages call services through `AppState::run`, never the database.

pub mod account;
pub mod assets;
pub mod codes;
pub mod directory;
pub mod home;
pub mod rules;
pub mod sign_in;

use std::collections::HashMap;

use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use partner_sdk::branding::Brand;

use super::i18n::{Locale, Strings, LANG_COOKIE};
use super::{csrf, page_builder, session, WebState};
use crate::domain::ids::MemberId;
use crate::domain::input::check_slug;
use crate::error::{ApiError, Code};
use crate::service::{branding, AppState};

/// Who is asking, in which language, under which brand.
pub struct Site {
    /// The page's language.
    pub locale: Locale,
    lang_chosen: bool,
    /// The partner's brand on `/p/{slug}/` pages.
    pub brand: Option<Brand>,
    /// `""` on the network's pages, `/p/{slug}` on a partner's.
    pub base: String,
    /// The CSRF token the page's forms carry.
    pub csrf: String,
    csrf_new: bool,
    /// The signed-in member.
    pub member: Option<MemberId>,
    secure: bool,
    path: String,
}

/// Everything a page handler receives from actix.
pub struct Ctx {
    /// The request.
    pub req: HttpRequest,
    /// The services' state.
    pub state: web::Data<AppState>,
    /// The pages' own state.
    pub web: web::Data<WebState>,
}

impl Site {
    /// The site of a request: its brand (a 404 for a slug that is not an active, unsuspended
    /// partner's, whatever the reason), language, CSRF token and signed-in member.
    pub async fn load(ctx: &Ctx) -> Result<Site, PageError> {
        let brand = match ctx.req.match_info().get("slug") {
            None => None,
            Some(slug) => Some(load_brand(&ctx.state, slug).await?),
        };
        let (locale, lang_chosen) =
            Locale::of_request(&ctx.req, brand.as_ref().map(|b| b.default_locale.as_str()));
        let existing = csrf::cookie_token(&ctx.req);
        let csrf_new = existing.is_none();
        let member = session::member(&ctx.req, &ctx.state).await?;
        Ok(Site {
            locale,
            lang_chosen,
            base: brand
                .as_ref()
                .map_or_else(String::new, |b| format!("/p/{}", b.slug)),
            brand,
            csrf: existing.unwrap_or_else(csrf::new_token),
            csrf_new,
            member,
            secure: session::is_tls(&ctx.req, &ctx.web.settings),
            path: ctx.req.path().to_owned(),
        })
    }

    /// The page's strings.
    pub fn t(&self) -> &'static Strings {
        self.locale.strings()
    }

    /// The partner's name for the network's points in this language, or the network's word.
    pub fn points_label(&self) -> String {
        match (&self.brand, self.locale) {
            (Some(b), Locale::Fr) => b.points_label.fr_fr.clone(),
            (Some(b), Locale::En) => b.points_label.en_gb.clone(),
            (None, _) => self.t().points_word.to_owned(),
        }
    }

    /// The frame of a page titled `title`.
    pub fn chrome(&self, title: &str) -> Chrome {
        let other = self.locale.other();
        Chrome {
            t: self.t(),
            lang: self.locale.bcp47(),
            title: title.to_owned(),
            site_name: self.brand.as_ref().map_or_else(
                || self.t().network_name.to_owned(),
                |b| b.display_name.clone(),
            ),
            base: self.base.clone(),
            brand: self.brand.as_ref().map(|b| BrandChrome {
                slug: b.slug.clone(),
                display_name: b.display_name.clone(),
                logo_url: b.logo_url.clone(),
            }),
            signed_in: self.member.is_some(),
            csrf: self.csrf.clone(),
            switch_href: format!("{}?lang={}", self.path, other.tag()),
            switch_name: other.strings().language_name,
            switch_lang: other.bcp47(),
        }
    }

    /// A page: the template rendered with the headers every page carries and the cookies this
    /// request earned (a new CSRF token, a chosen language).
    pub fn render(
        &self,
        status: StatusCode,
        page: &impl Template,
    ) -> Result<HttpResponse, PageError> {
        let html = page
            .render()
            .map_err(|e| PageError::from(ApiError::internal(format!("rendering a page: {e}"))))?;
        let mut builder = page_builder(status);
        self.add_cookies(&mut builder);
        Ok(builder.body(html))
    }

    /// A `303 See Other` to `location` (after a form), with this request's cookies.
    pub fn redirect(&self, location: &str) -> actix_web::HttpResponseBuilder {
        let mut builder = page_builder(StatusCode::SEE_OTHER);
        builder.insert_header((header::LOCATION, location.to_owned()));
        self.add_cookies(&mut builder);
        builder
    }

    /// Whether cookies are marked `Secure`.
    pub fn secure(&self) -> bool {
        self.secure
    }

    fn add_cookies(&self, builder: &mut actix_web::HttpResponseBuilder) {
        if self.csrf_new {
            builder.cookie(session::cookie(
                csrf::CSRF_COOKIE,
                self.csrf.clone(),
                self.secure,
            ));
        }
        if self.lang_chosen {
            builder.cookie(session::cookie(
                LANG_COOKIE,
                self.locale.tag().to_owned(),
                self.secure,
            ));
        }
    }
}

async fn load_brand(state: &web::Data<AppState>, slug: &str) -> Result<Brand, PageError> {
    if check_slug("slug", slug).is_err() {
        return Err(PageError::NotFound);
    }
    let slug = slug.to_owned();
    let (brand, _) = state
        .run(move |conn, _| branding::public(conn, &slug))
        .await?;
    Ok(brand)
}

/// The brand in a page's frame.
pub struct BrandChrome {
    /// The slug (its stylesheet is `/p/{slug}/brand.css`).
    pub slug: String,
    /// The name members see.
    pub display_name: String,
    /// Where its logo is served, if it has one.
    pub logo_url: Option<String>,
}

/// The frame every template draws (`templates/base.html`).
pub struct Chrome {
    /// The strings.
    pub t: &'static Strings,
    /// The page's `lang`.
    pub lang: &'static str,
    /// The page's title.
    pub title: String,
    /// The brand's or the network's name.
    pub site_name: String,
    /// `""` or `/p/{slug}`.
    pub base: String,
    /// The brand, on a partner's pages.
    pub brand: Option<BrandChrome>,
    /// Whether a member is signed in.
    pub signed_in: bool,
    /// The CSRF token of the page's forms.
    pub csrf: String,
    /// This page in the other language.
    pub switch_href: String,
    /// The other language's name.
    pub switch_name: &'static str,
    /// The other language's tag.
    pub switch_lang: &'static str,
}

/// A page that cannot be shown: each is answered with its own page, never a stack trace.
#[derive(Debug)]
pub enum PageError {
    /// 404: no such page or no such brand (the same for every reason).
    NotFound,
    /// 403: a form without the right CSRF token, or from another site.
    Forbidden,
    /// 429: too many failed sign-ins; retry after this many seconds.
    TooMany(u64),
    /// 503: the database is unavailable.
    Unavailable,
    /// 500: a bug (logged with an error id).
    Internal,
}

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> PageError {
        match e.code() {
            Code::NotFound | Code::BrandNotFound => PageError::NotFound,
            Code::DatabaseUnavailable => PageError::Unavailable,
            _ => {
                // Logs the error once, with its id.
                let _ = e.problem();
                PageError::Internal
            }
        }
    }
}

/// The template of the error pages.
#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    c: Chrome,
    heading: &'static str,
    text: String,
}

impl PageError {
    fn status(&self) -> StatusCode {
        match self {
            PageError::NotFound => StatusCode::NOT_FOUND,
            PageError::Forbidden => StatusCode::FORBIDDEN,
            PageError::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
            PageError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            PageError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The error's page, on the network's frame (an unknown slug shows no brand), in the
    /// request's language.
    pub fn page(&self, req: &HttpRequest) -> HttpResponse {
        let locale = Locale::of_request(req, None).0;
        let t = locale.strings();
        let (heading, text) = match self {
            PageError::NotFound => (t.not_found_title, t.not_found_text.to_owned()),
            PageError::Forbidden => (t.forbidden_title, t.forbidden_text.to_owned()),
            PageError::TooMany(s) => (
                t.too_many_title,
                format!("{} {} {}.", t.too_many_text, s.div_ceil(60), t.minutes),
            ),
            PageError::Unavailable | PageError::Internal => {
                (t.error_title, t.error_text.to_owned())
            }
        };
        let site = Site {
            locale,
            lang_chosen: false,
            brand: None,
            base: String::new(),
            csrf: String::new(),
            csrf_new: false,
            member: None,
            secure: false,
            path: req.path().to_owned(),
        };
        let page = ErrorPage {
            c: site.chrome(heading),
            heading,
            text,
        };
        let mut builder = page_builder(self.status());
        match self {
            PageError::TooMany(s) => {
                builder.insert_header((header::RETRY_AFTER, s.to_string()));
            }
            PageError::Unavailable => {
                builder.insert_header((header::RETRY_AFTER, "1"));
            }
            _ => {}
        }
        builder.body(page.render().unwrap_or_else(|_| heading.to_owned()))
    }
}

/// A page handler's outcome as the response: its page, or its error's.
pub fn respond(req: &HttpRequest, outcome: Result<HttpResponse, PageError>) -> HttpResponse {
    outcome.unwrap_or_else(|e| e.page(req))
}

/// The answer to an address under `/p/{slug}/` that no page has.
pub async fn not_found(req: HttpRequest) -> HttpResponse {
    PageError::NotFound.page(&req)
}

/// The fields of a form post (`application/x-www-form-urlencoded`); a malformed body has none,
/// and its CSRF check then fails.
pub fn form_fields(body: &[u8]) -> HashMap<String, String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .map(|pairs| pairs.into_iter().take(20).collect())
        .unwrap_or_default()
}

/// Whether any field holds a control character (refused with a friendly message).
pub fn has_control_characters(fields: &HashMap<String, String>) -> bool {
    fields.values().any(|v| v.chars().any(char::is_control))
}

/// Refuses a form post without the right CSRF token or from another site.
pub fn check_csrf(req: &HttpRequest, fields: &HashMap<String, String>) -> Result<(), PageError> {
    if csrf::check(req, fields.get(csrf::CSRF_FIELD).map(String::as_str)) {
        Ok(())
    } else {
        tracing::warn!(path = req.path(), "form post refused: CSRF check failed");
        Err(PageError::Forbidden)
    }
}
