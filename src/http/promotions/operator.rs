//! The operator's promotions: network-wide, funded by the operator; and every partner's, to
//! read and to end (operator).

use crate::domain::ids::PromotionId;
use crate::error::ApiResult;
use crate::http::auth::OperatorCaller;
use crate::http::extract::{json_response, Json};
use crate::service::promotions::{self, Owner};
use crate::service::AppState;
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use partner_sdk::promotions::{Promotion, PromotionList, PromotionRequest};
use partner_sdk::types::Problem;

/// Creates a network-wide promotion, funded by the operator, on every partner's sales.
#[utoipa::path(tag = "operator", operation_id = "create_promotion", request_body = PromotionRequest,
    responses((status = 201, body = Promotion), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[post("/promotions")]
pub(crate) async fn create_promotion(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
    body: Json<PromotionRequest>,
) -> ApiResult<HttpResponse> {
    let input = body.into_inner()?;
    let categories = state.categories.clone();
    let out = state
        .run(move |conn, s| {
            promotions::create(
                conn,
                &categories,
                s.clock.now_naive(),
                Owner::Operator,
                &input,
            )
        })
        .await?;
    Ok(json_response(StatusCode::CREATED, &out))
}

/// Every promotion, the operator's and the partners', newest first (at most 200).
#[utoipa::path(tag = "operator", operation_id = "list_promotions",
    responses((status = 200, body = PromotionList), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[get("/promotions")]
pub(crate) async fn list_promotions(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    let categories = state.categories.clone();
    let out = state
        .run(move |conn, _| promotions::list(conn, &categories, Owner::Operator))
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}

/// A promotion, with what it has given and what is left of its budget.
#[utoipa::path(tag = "operator", operation_id = "get_promotion",
    params(("promotion_id" = i64, Path, description = "Promotion id")),
    responses((status = 200, body = Promotion), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[get("/promotions/{promotion_id}")]
pub(crate) async fn get_promotion(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
    path: web::Path<PromotionId>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let categories = state.categories.clone();
    let out = state
        .run(move |conn, _| promotions::get(conn, &categories, Owner::Operator, id))
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}

/// Ends a promotion now, the operator's or a partner's (one not started never runs).
#[utoipa::path(tag = "operator", operation_id = "end_promotion",
    params(("promotion_id" = i64, Path, description = "Promotion id")),
    responses((status = 200, body = Promotion), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[post("/promotions/{promotion_id}/end")]
pub(crate) async fn end_promotion(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
    path: web::Path<PromotionId>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let categories = state.categories.clone();
    let out = state
        .run(move |conn, s| {
            promotions::end(conn, &categories, s.clock.now_naive(), Owner::Operator, id)
        })
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}
