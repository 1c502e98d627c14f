//! The program's figures: network-wide and per partner for the operator, a partner's own for
//! itself.

use crate::domain::ids::PartnerId;
use crate::error::ApiResult;
use crate::http::auth::{OperatorCaller, Signed};
use crate::http::extract::{json_response, reading};
use crate::service::{analytics::summary, partners, AppState};
use actix_web::http::StatusCode;
use actix_web::{get, web, HttpResponse};
use partner_sdk::analytics::ProgramSummary;
use partner_sdk::types::Problem;

/// The network's figures over the last 365 days.
#[utoipa::path(tag = "operator", operation_id = "get_analytics",
    responses((status = 200, body = ProgramSummary), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[get("/analytics")]
pub(crate) async fn get_analytics(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    let out = state
        .run(|conn, s| summary::summary(conn, s.clock.now_naive(), None))
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}

/// One partner's figures over the last 365 days.
#[utoipa::path(tag = "operator", operation_id = "get_partner_analytics_of",
    params(("partner_id" = i64, Path, description = "Partner id")),
    responses((status = 200, body = ProgramSummary), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[get("/partners/{partner_id}/analytics")]
pub(crate) async fn get_partner_analytics_of(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
    path: web::Path<PartnerId>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let out = state
        .run(move |conn, s| {
            let now = s.clock.now_naive();
            partners::get(conn, now, id)?;
            summary::summary(conn, now, Some(id))
        })
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}

/// The partner's own figures over the last 365 days: its customers' purchases at its shops
/// and the points it issued.
#[utoipa::path(tag = "partner", operation_id = "get_partner_analytics",
    responses((status = 200, body = ProgramSummary), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[get("/analytics")]
pub(crate) async fn get_partner_analytics(
    signed: Signed,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    reading(&state, signed, |conn, now, partner_id| {
        summary::summary(conn, now, Some(partner_id))
    })
    .await
}
