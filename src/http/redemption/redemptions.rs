//! Two-phase redemptions at a partner: authorize, read, capture, void, reverse.

use crate::domain::ids::RedemptionId;
use crate::error::ApiResult;
use crate::http::auth::Signed;
use crate::http::extract::{moving, reading, Partners, SignedMove};
use crate::service::{redemption, AppState};
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use partner_sdk::types::{AuthorizeRequest, CaptureRequest, Problem, Redemption, ReverseRequest};

/// Authorizes a redemption: holds points with the member's one-time code.
#[utoipa::path(tag = "partner", operation_id = "create_redemption", request_body = AuthorizeRequest,
    params(("Idempotency-Key" = String, Header, description = "Required")),
    responses((status = 201, body = Redemption), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[post("/redemptions")]
pub(crate) async fn create_redemption(
    signed: SignedMove,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    moving(
        &state,
        &req,
        (signed, Partners::Active),
        StatusCode::CREATED,
        |conn, now, partner_id, input: &AuthorizeRequest| {
            redemption::authorize(conn, now, partner_id, input)
        },
    )
    .await
}

/// One redemption of this partner.
#[utoipa::path(tag = "partner", operation_id = "get_redemption",
    params(("redemption_id" = i64, Path, description = "Redemption id")),
    responses((status = 200, body = Redemption), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[get("/redemptions/{redemption_id}")]
pub(crate) async fn get_redemption(
    signed: Signed,
    state: web::Data<AppState>,
    path: web::Path<RedemptionId>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    reading(&state, signed, move |conn, now, partner_id| {
        redemption::get(conn, now, partner_id, id)
    })
    .await
}

/// Captures all of a hold or part of it; the rest goes back to the member.
#[utoipa::path(tag = "partner", operation_id = "capture_redemption", request_body = CaptureRequest,
    params(("redemption_id" = i64, Path, description = "Redemption id"), ("Idempotency-Key" = String, Header, description = "Required")),
    responses((status = 200, body = Redemption), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[post("/redemptions/{redemption_id}/capture")]
pub(crate) async fn capture_redemption(
    signed: SignedMove,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<RedemptionId>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    moving(
        &state,
        &req,
        (signed, Partners::Open),
        StatusCode::OK,
        move |conn, now, partner_id, input: &CaptureRequest| {
            redemption::capture(conn, now, partner_id, id, input.points)
        },
    )
    .await
}

/// Releases a hold without spending.
#[utoipa::path(tag = "partner", operation_id = "void_redemption",
    params(("redemption_id" = i64, Path, description = "Redemption id"), ("Idempotency-Key" = String, Header, description = "Required")),
    responses((status = 200, body = Redemption), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[post("/redemptions/{redemption_id}/void")]
pub(crate) async fn void_redemption(
    signed: SignedMove,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<RedemptionId>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    moving(
        &state,
        &req,
        (signed, Partners::Open),
        StatusCode::OK,
        move |conn, now, partner_id, _: &serde_json::Map<String, serde_json::Value>| {
            redemption::void(conn, now, partner_id, id)
        },
    )
    .await
}

/// Gives points back for goods bought with points that were returned.
#[utoipa::path(tag = "partner", operation_id = "reverse_redemption", request_body = ReverseRequest,
    params(("redemption_id" = i64, Path, description = "Redemption id"), ("Idempotency-Key" = String, Header, description = "Required")),
    responses((status = 200, body = Redemption), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[post("/redemptions/{redemption_id}/reversals")]
pub(crate) async fn reverse_redemption(
    signed: SignedMove,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<RedemptionId>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    moving(
        &state,
        &req,
        (signed, Partners::Open),
        StatusCode::OK,
        move |conn, now, partner_id, input: &ReverseRequest| {
            redemption::reverse(conn, now, partner_id, id, input.points)
        },
    )
    .await
}
