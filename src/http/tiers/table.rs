//! The tier table (operator) and a member's own tier (member).

use super::json::{TierSuggestion, TierTable};
use crate::error::ApiResult;
use crate::http::auth::{MemberCaller, OperatorCaller};
use crate::http::extract::{json_response, Json};
use crate::service::{tiers, AppState};
use actix_web::http::StatusCode;
use actix_web::{get, put, web, HttpResponse};
use partner_sdk::tiers::TierStatus;
use partner_sdk::types::Problem;

/// The network's tiers: thresholds, multipliers, window and grace.
#[utoipa::path(tag = "operator", operation_id = "get_tiers",
    responses((status = 200, body = TierTable), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[get("/tiers")]
pub(crate) async fn get_tiers(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    let out = state.run(|conn, _| tiers::table(conn)).await?;
    Ok(json_response(StatusCode::OK, &out))
}

/// Replaces the network's tiers. Each member is placed by the new table at their next
/// evaluation (their next sale or reading of their tier).
#[utoipa::path(tag = "operator", operation_id = "put_tiers", request_body = TierTable,
    responses((status = 200, body = TierTable), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[put("/tiers")]
pub(crate) async fn put_tiers(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
    body: Json<TierTable>,
) -> ApiResult<HttpResponse> {
    let input = body.into_inner()?;
    let out = state
        .run(move |conn, s| tiers::set_table(conn, s.clock.now_naive(), &input))
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}

/// How far ahead a threshold suggestion reads.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ShareQuery {
    /// The share of revenue (or of points, as the table qualifies) the tier's members should
    /// bring, in percent (1 to 100; default 40).
    pub share_percent: Option<i64>,
}

/// Where to set a tier's threshold so that its members bring a share of the revenue: the
/// smallest set of best members over the tier window, their number and their actual share.
#[utoipa::path(tag = "operator", operation_id = "suggest_tier_threshold",
    params(ShareQuery),
    responses((status = 200, body = TierSuggestion), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[get("/tiers/suggestion")]
pub(crate) async fn suggest_tier_threshold(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
    query: web::Query<ShareQuery>,
) -> ApiResult<HttpResponse> {
    let share = query.share_percent.unwrap_or(40);
    let out = state
        .run(move |conn, s| tiers::suggest(conn, s.clock.now_naive(), share))
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}

/// The member's tier, its multiplier, the qualifying spend and what the next tier needs.
#[utoipa::path(tag = "member", operation_id = "get_tier",
    responses((status = 200, body = TierStatus), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("member_token" = [])))]
#[get("/tier")]
pub(crate) async fn get_tier(
    caller: MemberCaller,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    let member_id = caller.member_id;
    let out = state
        .run(move |conn, s| tiers::status(conn, s.clock.now_naive(), member_id))
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}
