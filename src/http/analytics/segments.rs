//! RFM segments: the operator recomputes them and reads any scope; a partner reads its own
//! (its customers' purchases at its shops only).

use super::json::RecomputeReport;
use crate::domain::ids::PartnerId;
use crate::error::ApiResult;
use crate::http::auth::{OperatorCaller, Signed};
use crate::http::extract::{json_response, reading, PageQuery};
use crate::service::{analytics::segments, partners, AppState};
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use partner_sdk::analytics::{SegmentPage, SegmentSummary};
use partner_sdk::types::Problem;

/// Recomputes every RFM score now (the background job also does, daily).
#[utoipa::path(tag = "operator", operation_id = "recompute_segments",
    responses((status = 200, body = RecomputeReport), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[post("/segments/recompute")]
pub(crate) async fn recompute_segments(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    let out = state
        .run(|conn, s| segments::recompute(conn, s.clock.now_naive()))
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}

/// The network-wide segments and their sizes.
#[utoipa::path(tag = "operator", operation_id = "get_segments",
    responses((status = 200, body = SegmentSummary), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[get("/segments")]
pub(crate) async fn get_segments(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    let out = state
        .run(|conn, _| segments::summary(conn, segments::network()))
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}

/// The members of a network-wide segment, by cursor.
#[utoipa::path(tag = "operator", operation_id = "list_segment_members",
    params(("segment" = String, Path, description = "champions, loyal, new, potential, at_risk, hibernating or lost"), PageQuery),
    responses((status = 200, body = SegmentPage), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[get("/segments/{segment}")]
pub(crate) async fn list_segment_members(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let segment = path.into_inner();
    let (cursor, limit) = query.parse()?;
    let out = state
        .run(move |conn, _| segments::members(conn, segments::network(), &segment, cursor, limit))
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}

/// A partner's segments (its customers, scored on their purchases at its shops).
#[utoipa::path(tag = "operator", operation_id = "get_partner_segments_of",
    params(("partner_id" = i64, Path, description = "Partner id")),
    responses((status = 200, body = SegmentSummary), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[get("/partners/{partner_id}/segments")]
pub(crate) async fn get_partner_segments_of(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
    path: web::Path<PartnerId>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let out = state
        .run(move |conn, s| {
            partners::get(conn, s.clock.now_naive(), id)?;
            segments::summary(conn, id)
        })
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}

/// The members of one of a partner's segments, by cursor.
#[utoipa::path(tag = "operator", operation_id = "list_partner_segment_members_of",
    params(("partner_id" = i64, Path, description = "Partner id"),
        ("segment" = String, Path, description = "champions, loyal, new, potential, at_risk, hibernating or lost"), PageQuery),
    responses((status = 200, body = SegmentPage), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[get("/partners/{partner_id}/segments/{segment}")]
pub(crate) async fn list_partner_segment_members_of(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
    path: web::Path<(PartnerId, String)>,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let (id, segment) = path.into_inner();
    let (cursor, limit) = query.parse()?;
    let out = state
        .run(move |conn, s| {
            partners::get(conn, s.clock.now_naive(), id)?;
            segments::members(conn, id, &segment, cursor, limit)
        })
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}

/// The partner's own segments: its customers, scored on their purchases at its shops.
#[utoipa::path(tag = "partner", operation_id = "get_partner_segments",
    responses((status = 200, body = SegmentSummary), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[get("/segments")]
pub(crate) async fn get_partner_segments(
    signed: Signed,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    reading(&state, signed, |conn, _, partner_id| {
        segments::summary(conn, partner_id)
    })
    .await
}

/// The members of one of the partner's own segments, by cursor.
#[utoipa::path(tag = "partner", operation_id = "list_partner_segment_members",
    params(("segment" = String, Path, description = "champions, loyal, new, potential, at_risk, hibernating or lost"), PageQuery),
    responses((status = 200, body = SegmentPage), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[get("/segments/{segment}")]
pub(crate) async fn list_partner_segment_members(
    signed: Signed,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let segment = path.into_inner();
    let (cursor, limit) = query.parse()?;
    reading(&state, signed, move |conn, _, partner_id| {
        segments::members(conn, partner_id, &segment, cursor, limit)
    })
    .await
}
