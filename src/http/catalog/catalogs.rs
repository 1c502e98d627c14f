//! Catalog uploads and products: a partner's own (signed), or any partner's by the operator
//! (on behalf of an applicant). The body is the feed file itself, spooled to disk.

use super::json::{CatalogUploaded, CatalogVersion, InvalidCatalog, ProductPage};
use crate::domain::catalog::feed::FeedFormat;
use crate::domain::ids::{CategoryId, PartnerId};
use crate::domain::limits::{CATALOG_BYTES_MAX, PAGE_SIZE_DEFAULT};
use crate::error::{fail, ApiResult, Code};
use crate::http::auth::{header, spool, OperatorCaller, Signed, SignedFile, Spooled};
use crate::http::extract::{json_response, reading};
use crate::service::catalog::catalogs::{self, ProductFilter, Upload, UploadOutcome};
use crate::service::AppState;
use actix_web::http::StatusCode;
use actix_web::{get, put, web, HttpRequest, HttpResponse};
use partner_sdk::types::Problem;
use serde::Deserialize;
use utoipa::IntoParams;

/// How the file is written.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FormatQuery {
    /// `tsv` (Merchant Center tab-separated), `xml` (Merchant Center RSS 2.0), `csv` or `json`;
    /// by default taken from the Content-Type (`text/tab-separated-values`, `application/xml`,
    /// `text/csv`, `application/json`).
    pub format: Option<String>,
}

fn format_of(req: &HttpRequest, query: &FormatQuery) -> ApiResult<FeedFormat> {
    if let Some(name) = &query.format {
        return FeedFormat::parse(name).ok_or_else(|| {
            crate::error::ApiError::new(
                Code::InvalidRequest,
                "format must be tsv, xml, csv or json",
            )
        });
    }
    let content_type = header(req, "Content-Type").unwrap_or_default();
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    match mime.as_str() {
        "text/tab-separated-values" => Ok(FeedFormat::Tsv),
        "application/xml" | "text/xml" | "application/rss+xml" => Ok(FeedFormat::Xml),
        "text/csv" => Ok(FeedFormat::Csv),
        "application/json" => Ok(FeedFormat::Json),
        _ => fail(
            Code::UnsupportedMediaType,
            "say the file's format: ?format=tsv|xml|csv|json, or a Content-Type such as text/tab-separated-values",
        ),
    }
}

async fn upload(
    state: &AppState,
    partner_id: PartnerId,
    format: FeedFormat,
    body: Spooled,
    by: String,
    own_view: bool,
) -> ApiResult<HttpResponse> {
    let outcome = state
        .run(move |conn, s| {
            let upload = Upload {
                partner_id,
                format,
                file: &body.path,
                by: &by,
                own_view,
            };
            catalogs::upload(conn, &s.categories, s.clock.now_naive(), upload)
        })
        .await?;
    Ok(match outcome {
        UploadOutcome::Applied(done) => json_response(StatusCode::OK, &done),
        UploadOutcome::Refused(problem) => HttpResponse::build(StatusCode::UNPROCESSABLE_ENTITY)
            .content_type("application/problem+json")
            .json(problem),
    })
}

/// Replaces the partner's catalog with a feed file (up to 200,000 products, 256 MiB): every
/// row is checked and nothing is applied when one is bad. Answers the new version and the
/// compatibility report, as the partner sees it.
#[utoipa::path(tag = "partner", operation_id = "put_partner_catalog", params(FormatQuery),
    request_body(content = String, description = "The feed file", content_type = "text/tab-separated-values"),
    responses((status = 200, body = CatalogUploaded),
        (status = 422, body = InvalidCatalog, content_type = "application/problem+json"),
        (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[put("/catalog")]
pub(crate) async fn put_partner_catalog(
    signed: SignedFile,
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<FormatQuery>,
) -> ApiResult<HttpResponse> {
    let format = format_of(&req, &query)?;
    let SignedFile { caller, body } = signed;
    upload(
        &state,
        caller.partner_id,
        format,
        body,
        "partner".into(),
        true,
    )
    .await
}

/// Replaces a partner's catalog on its behalf (an applicant that sent its feed by other means).
#[utoipa::path(tag = "catalog", operation_id = "put_operator_catalog", params(FormatQuery,
        ("partner_id" = i64, Path, description = "Partner id")),
    request_body(content = String, description = "The feed file", content_type = "text/tab-separated-values"),
    responses((status = 200, body = CatalogUploaded),
        (status = 422, body = InvalidCatalog, content_type = "application/problem+json"),
        (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[put("/partners/{partner_id}/catalog")]
pub(crate) async fn put_operator_catalog(
    caller: OperatorCaller,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<PartnerId>,
    query: web::Query<FormatQuery>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let format = format_of(&req, &query)?;
    let body = spool(payload, CATALOG_BYTES_MAX).await?;
    let by = format!("operator:{}", caller.name);
    upload(&state, path.into_inner(), format, body, by, false).await
}

/// The partner's current catalog version.
#[utoipa::path(tag = "partner", operation_id = "get_partner_catalog",
    responses((status = 200, body = CatalogVersion), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[get("/catalog")]
pub(crate) async fn get_partner_catalog(
    signed: Signed,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    reading(&state, signed, |conn, _, partner_id| {
        catalogs::current(conn, partner_id, true)
    })
    .await
}

/// A partner's current catalog version.
#[utoipa::path(tag = "catalog", operation_id = "get_operator_catalog",
    params(("partner_id" = i64, Path, description = "Partner id")),
    responses((status = 200, body = CatalogVersion), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[get("/partners/{partner_id}/catalog")]
pub(crate) async fn get_operator_catalog(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
    path: web::Path<PartnerId>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let out = state
        .run(move |conn, _| catalogs::current(conn, id, false))
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}

/// Which products.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProductQuery {
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Items per page, 1 to 200 (default 50).
    pub limit: Option<i64>,
    /// The exact SKU, or text in the title (case-insensitive; at most 100 characters).
    pub search: Option<String>,
    /// Only products in this category's subtree.
    pub category_id: Option<i64>,
}

impl ProductQuery {
    fn filter(self) -> ApiResult<ProductFilter> {
        Ok(ProductFilter {
            after_sku: self
                .cursor
                .as_deref()
                .map(catalogs::parse_cursor)
                .transpose()?,
            search: self.search,
            category: self.category_id.map(CategoryId::from),
            limit: self.limit.unwrap_or(PAGE_SIZE_DEFAULT),
        })
    }
}

/// The partner's products, in SKU order, by cursor.
#[utoipa::path(tag = "partner", operation_id = "list_partner_products", params(ProductQuery),
    responses((status = 200, body = ProductPage), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[get("/catalog/products")]
pub(crate) async fn list_partner_products(
    signed: Signed,
    state: web::Data<AppState>,
    query: web::Query<ProductQuery>,
) -> ApiResult<HttpResponse> {
    let filter = query.into_inner().filter()?;
    let cache = state.categories.clone();
    reading(&state, signed, move |conn, _, partner_id| {
        catalogs::products(conn, &cache, partner_id, &filter)
    })
    .await
}

/// A partner's products, in SKU order, by cursor.
#[utoipa::path(tag = "catalog", operation_id = "list_operator_products",
    params(ProductQuery, ("partner_id" = i64, Path, description = "Partner id")),
    responses((status = 200, body = ProductPage), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[get("/partners/{partner_id}/catalog/products")]
pub(crate) async fn list_operator_products(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
    path: web::Path<PartnerId>,
    query: web::Query<ProductQuery>,
) -> ApiResult<HttpResponse> {
    let filter = query.into_inner().filter()?;
    let id = path.into_inner();
    let out = state
        .run(move |conn, s| catalogs::products(conn, &s.categories, id, &filter))
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}
