//! A partner's promotions, its dry run, and what its site shows to create urgency (partner).

use crate::domain::ids::PromotionId;
use crate::error::ApiResult;
use crate::http::auth::Signed;
use crate::http::extract::{self, moving, reading, PageQuery, Partners, SignedMove};
use crate::service::promotions::{self, urgency, Owner};
use crate::service::{earning, AppState};
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use partner_sdk::promotions::{
    DryRunRequest, DryRunResponse, EndingPromotions, ExpiringPoints, Promotion, PromotionList,
    PromotionRequest,
};
use partner_sdk::types::Problem;
use serde::Deserialize;
use utoipa::IntoParams;

/// Creates a promotion the partner funds at its issuance price, on its own sales.
#[utoipa::path(tag = "partner", operation_id = "create_partner_promotion", request_body = PromotionRequest,
    params(("Idempotency-Key" = String, Header, description = "Required: a retry with the same key returns the first answer")),
    responses((status = 201, body = Promotion), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[post("/promotions")]
pub(crate) async fn create_partner_promotion(
    signed: SignedMove,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let categories = state.categories.clone();
    moving(
        &state,
        &req,
        (signed, Partners::Active),
        StatusCode::CREATED,
        move |conn, now, partner_id, input: &PromotionRequest| {
            promotions::create(conn, &categories, now, Owner::Partner(partner_id), input)
        },
    )
    .await
}

/// The partner's promotions, newest first (at most 200).
#[utoipa::path(tag = "partner", operation_id = "list_partner_promotions",
    responses((status = 200, body = PromotionList), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[get("/promotions")]
pub(crate) async fn list_partner_promotions(
    signed: Signed,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    let categories = state.categories.clone();
    reading(&state, signed, move |conn, _, partner_id| {
        promotions::list(conn, &categories, Owner::Partner(partner_id))
    })
    .await
}

/// One of the partner's promotions, with what it has given and what is left of its budget.
#[utoipa::path(tag = "partner", operation_id = "get_partner_promotion",
    params(("promotion_id" = i64, Path, description = "Promotion id")),
    responses((status = 200, body = Promotion), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[get("/promotions/{promotion_id}")]
pub(crate) async fn get_partner_promotion(
    signed: Signed,
    state: web::Data<AppState>,
    path: web::Path<PromotionId>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let categories = state.categories.clone();
    reading(&state, signed, move |conn, _, partner_id| {
        promotions::get(conn, &categories, Owner::Partner(partner_id), id)
    })
    .await
}

/// Ends one of the partner's promotions now (one not started never runs); the bonuses it gave
/// stay. Ending an ended promotion changes nothing.
#[utoipa::path(tag = "partner", operation_id = "end_partner_promotion",
    params(("promotion_id" = i64, Path, description = "Promotion id")),
    responses((status = 200, body = Promotion), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[post("/promotions/{promotion_id}/end")]
pub(crate) async fn end_partner_promotion(
    signed: Signed,
    state: web::Data<AppState>,
    path: web::Path<PromotionId>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let categories = state.categories.clone();
    reading(&state, signed, move |conn, now, partner_id| {
        promotions::end(conn, &categories, now, Owner::Partner(partner_id), id)
    })
    .await
}

/// What a sale would earn now, the running promotions' bonuses included, without earning it
/// (budgets are read, not taken).
#[utoipa::path(tag = "partner", operation_id = "dry_run_earn", request_body = DryRunRequest,
    responses((status = 200, body = DryRunResponse), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[post("/promotions/dry-run")]
pub(crate) async fn dry_run_earn(
    signed: Signed,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let input: DryRunRequest = extract::json_body(&req, &signed.body)?;
    let categories = state.categories.clone();
    reading(&state, signed, move |conn, now, partner_id| {
        earning::dry_run(conn, &categories, now, partner_id, &input)
    })
    .await
}

/// How far ahead an urgency list looks.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WithinDays {
    /// Days ahead, 1 to 366 (default 7).
    pub within_days: Option<i64>,
}

/// The promotions running now at this partner (its own and the network's) that end within the
/// given days, soonest first: for the partner's site ("ends Sunday").
#[utoipa::path(tag = "partner", operation_id = "list_ending_promotions",
    params(WithinDays),
    responses((status = 200, body = EndingPromotions), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[get("/urgency/promotions")]
pub(crate) async fn list_ending_promotions(
    signed: Signed,
    state: web::Data<AppState>,
    query: web::Query<WithinDays>,
) -> ApiResult<HttpResponse> {
    let days = query.within_days.unwrap_or(7);
    reading(&state, signed, move |conn, now, partner_id| {
        urgency::ending(conn, now, partner_id, days)
    })
    .await
}

/// The partner's members whose network points expire within the given days (fixed-date
/// expiry), with how many and the first date, by cursor: for its reminders.
#[utoipa::path(tag = "partner", operation_id = "list_expiring_points",
    params(WithinDays, PageQuery),
    responses((status = 200, body = ExpiringPoints), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[get("/urgency/expiring-points")]
pub(crate) async fn list_expiring_points(
    signed: Signed,
    state: web::Data<AppState>,
    days: web::Query<WithinDays>,
    page: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let days = days.within_days.unwrap_or(30);
    let page = page.parse()?;
    reading(&state, signed, move |conn, now, partner_id| {
        urgency::expiring(conn, now, partner_id, days, page)
    })
    .await
}
