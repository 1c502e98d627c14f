//! Brands: the partner's own (signed), any partner's for the operator (read, suspend), and an
//! active partner's by its slug for anyone (as member pages show it).

use super::json::{
    Brand, BrandRequest, BrandSuspensionRequest, BrandVersions, Directory, NetworkRules,
};
use crate::domain::ids::PartnerId;
use crate::error::ApiResult;
use crate::http::auth::{OperatorCaller, Signed, SignedUpload};
use crate::http::extract::{self, json_response, reading, Json, PageQuery};
use crate::service::{branding, AppState};
use actix_web::http::StatusCode;
use actix_web::{delete, get, put, web, HttpRequest, HttpResponse};
use partner_sdk::types::Problem;

/// Sets the partner's brand: a new version (the logo is kept). Refused, with the measured
/// ratio, when text would not reach a 4.5:1 contrast on its colours.
#[utoipa::path(tag = "partner", operation_id = "put_partner_brand", request_body = BrandRequest,
    responses((status = 200, body = Brand), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[put("/brand")]
pub(crate) async fn put_partner_brand(
    signed: Signed,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let input: BrandRequest = extract::json_body(&req, &signed.body)?;
    let by = format!("partner:{}", signed.caller.key_id);
    reading(&state, signed, move |conn, now, partner_id| {
        branding::set_brand(conn, now, partner_id, &by, &input)
    })
    .await
}

/// Sets the partner's logo: the body is a PNG (at most 256 KiB, 16 to 2048 px a side). SVG
/// is refused.
#[utoipa::path(tag = "partner", operation_id = "put_partner_brand_logo",
    request_body(content = String, description = "The PNG file", content_type = "image/png"),
    responses((status = 200, body = Brand), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[put("/brand/logo")]
pub(crate) async fn put_partner_brand_logo(
    upload: SignedUpload,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    let signed = upload.0;
    let by = format!("partner:{}", signed.caller.key_id);
    let png = signed.body.clone();
    reading(&state, signed, move |conn, now, partner_id| {
        branding::set_logo(conn, now, partner_id, &by, &png)
    })
    .await
}

/// The partner's brand.
#[utoipa::path(tag = "partner", operation_id = "get_partner_brand",
    responses((status = 200, body = Brand), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[get("/brand")]
pub(crate) async fn get_partner_brand(
    signed: Signed,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    reading(&state, signed, |conn, _, partner_id| {
        branding::get(conn, partner_id)
    })
    .await
}

/// Every version of a partner's brand, newest first, with who made each.
#[utoipa::path(tag = "operator", operation_id = "list_brand_versions",
    params(("partner_id" = i64, Path, description = "Partner id")),
    responses((status = 200, body = BrandVersions), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[get("/partners/{partner_id}/brand/versions")]
pub(crate) async fn list_brand_versions(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
    path: web::Path<PartnerId>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let items = state
        .run(move |conn, _| branding::versions(conn, id))
        .await?;
    Ok(json_response(StatusCode::OK, &BrandVersions { items }))
}

/// Suspends a brand: members see the network's own pages instead.
#[utoipa::path(tag = "operator", operation_id = "put_brand_suspension", request_body = BrandSuspensionRequest,
    params(("partner_id" = i64, Path, description = "Partner id")),
    responses((status = 200, body = Brand), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[put("/partners/{partner_id}/brand/suspension")]
pub(crate) async fn put_brand_suspension(
    caller: OperatorCaller,
    state: web::Data<AppState>,
    path: web::Path<PartnerId>,
    body: Json<BrandSuspensionRequest>,
) -> ApiResult<HttpResponse> {
    let input = body.into_inner()?;
    let id = path.into_inner();
    let out = state
        .run(move |conn, s| {
            branding::suspend(
                conn,
                s.clock.now_naive(),
                id,
                &caller.name,
                Some(&input.reason),
            )
        })
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}

/// Lifts a brand's suspension.
#[utoipa::path(tag = "operator", operation_id = "delete_brand_suspension",
    params(("partner_id" = i64, Path, description = "Partner id")),
    responses((status = 200, body = Brand), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[delete("/partners/{partner_id}/brand/suspension")]
pub(crate) async fn delete_brand_suspension(
    caller: OperatorCaller,
    state: web::Data<AppState>,
    path: web::Path<PartnerId>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let out = state
        .run(move |conn, s| branding::suspend(conn, s.clock.now_naive(), id, &caller.name, None))
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}

/// An active partner's brand, by its slug, as its member pages show it.
#[utoipa::path(tag = "branding", operation_id = "get_brand",
    params(("slug" = String, Path, description = "The brand's slug")),
    responses((status = 200, body = Brand), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
#[get("/brands/{slug}")]
pub(crate) async fn get_brand(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let slug = path.into_inner();
    let (brand, _) = state
        .run(move |conn, _| branding::public(conn, &slug))
        .await?;
    Ok(json_response(StatusCode::OK, &brand))
}

/// An active partner's logo, by its brand's slug (a PNG).
#[utoipa::path(tag = "branding", operation_id = "get_brand_logo",
    params(("slug" = String, Path, description = "The brand's slug")),
    responses((status = 200, content_type = "image/png"), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
#[get("/brands/{slug}/logo")]
pub(crate) async fn get_brand_logo(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let slug = path.into_inner();
    let png = state
        .run(move |conn, _| branding::public_logo(conn, &slug))
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("image/png")
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("Content-Security-Policy", "default-src 'none'"))
        .insert_header(("Cache-Control", "public, max-age=300"))
        .body(png))
}

/// The network's directory: every active partner with its brand (where members can earn and
/// spend), by cursor, and the network's own program rules.
#[utoipa::path(tag = "branding", operation_id = "list_directory", params(PageQuery),
    responses((status = 200, body = Directory), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
#[get("/directory")]
pub(crate) async fn list_directory(
    state: web::Data<AppState>,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let (cursor, limit) = query.parse()?;
    let (items, next_cursor) = state
        .run(move |conn, _| branding::directory(conn, cursor, limit))
        .await?;
    Ok(json_response(
        StatusCode::OK,
        &Directory {
            items,
            next_cursor,
            network_rules: NetworkRules::published(),
        },
    ))
}
