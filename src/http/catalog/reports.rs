//! Compatibility reports: the partner's own check (scores and categories, no other partner
//! named), the operator's reports on any partner with their history, the thresholds, and the
//! drift alerts.

use super::json::{AlertPage, CompatibilityReport, CompatibilityThresholds, ReportPage};
use crate::domain::ids::PartnerId;
use crate::error::ApiResult;
use crate::http::auth::{OperatorCaller, Signed};
use crate::http::extract::{json_response, reading, Json, PageQuery};
use crate::service::catalog::compatibility;
use crate::service::AppState;
use actix_web::http::StatusCode;
use actix_web::{get, post, put, web, HttpResponse};
use partner_sdk::types::Problem;
use serde::Deserialize;
use utoipa::IntoParams;

/// Checks the partner's current catalog against the network: verdict, scores and categories,
/// without naming any other partner.
#[utoipa::path(tag = "partner", operation_id = "create_partner_compatibility_report",
    responses((status = 201, body = CompatibilityReport), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[post("/compatibility-reports")]
pub(crate) async fn create_partner_compatibility_report(
    signed: Signed,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    let partner_id = signed.caller.partner_id;
    let out = state
        .run(move |conn, s| {
            compatibility::check_now(conn, &s.categories, s.clock.now_naive(), partner_id)
                .map(compatibility::own_view)
        })
        .await?;
    Ok(json_response(StatusCode::CREATED, &out))
}

/// The partner's own reports, newest first.
#[utoipa::path(tag = "partner", operation_id = "list_partner_compatibility_reports", params(PageQuery),
    responses((status = 200, body = ReportPage), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[get("/compatibility-reports")]
pub(crate) async fn list_partner_compatibility_reports(
    signed: Signed,
    state: web::Data<AppState>,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let (cursor, limit) = query.parse()?;
    reading(&state, signed, move |conn, _, partner_id| {
        compatibility::reports(conn, partner_id, cursor, limit, true)
    })
    .await
}

/// Computes a report on a partner's current catalog against the active partners now.
#[utoipa::path(tag = "catalog", operation_id = "create_compatibility_report",
    params(("partner_id" = i64, Path, description = "Partner id")),
    responses((status = 201, body = CompatibilityReport), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[post("/partners/{partner_id}/compatibility-reports")]
pub(crate) async fn create_compatibility_report(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
    path: web::Path<PartnerId>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let out = state
        .run(move |conn, s| compatibility::check_now(conn, &s.categories, s.clock.now_naive(), id))
        .await?;
    Ok(json_response(StatusCode::CREATED, &out))
}

/// A partner's reports, newest first.
#[utoipa::path(tag = "catalog", operation_id = "list_compatibility_reports",
    params(PageQuery, ("partner_id" = i64, Path, description = "Partner id")),
    responses((status = 200, body = ReportPage), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[get("/partners/{partner_id}/compatibility-reports")]
pub(crate) async fn list_compatibility_reports(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
    path: web::Path<PartnerId>,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let (cursor, limit) = query.parse()?;
    let id = path.into_inner();
    let out = state
        .run(move |conn, _| compatibility::reports(conn, id, cursor, limit, false))
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}

/// One report.
#[utoipa::path(tag = "catalog", operation_id = "get_compatibility_report",
    params(("report_id" = i64, Path, description = "Report id")),
    responses((status = 200, body = CompatibilityReport), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[get("/compatibility-reports/{report_id}")]
pub(crate) async fn get_compatibility_report(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let out = state
        .run(move |conn, _| compatibility::report(conn, id))
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}

/// The thresholds the reports use.
#[utoipa::path(tag = "catalog", operation_id = "get_compatibility_thresholds",
    responses((status = 200, body = CompatibilityThresholds), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[get("/compatibility-thresholds")]
pub(crate) async fn get_compatibility_thresholds(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    let out = state.run(|conn, _| compatibility::thresholds(conn)).await?;
    Ok(json_response(StatusCode::OK, &out))
}

/// Replaces the thresholds (each 1 to 1,000,000 ppm); reports computed later use them.
#[utoipa::path(tag = "catalog", operation_id = "put_compatibility_thresholds", request_body = CompatibilityThresholds,
    responses((status = 200, body = CompatibilityThresholds), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[put("/compatibility-thresholds")]
pub(crate) async fn put_compatibility_thresholds(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
    body: Json<CompatibilityThresholds>,
) -> ApiResult<HttpResponse> {
    let input = body.into_inner()?;
    let out = state
        .run(move |conn, s| compatibility::set_thresholds(conn, s.clock.now_naive(), &input))
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}

/// Which alerts.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertQuery {
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Items per page, 1 to 200 (default 50).
    pub limit: Option<i64>,
    /// Also the acknowledged ones (default: open only).
    #[serde(default)]
    pub all: bool,
}

/// Active partners whose catalog drifted into a conflict or into restricted categories.
#[utoipa::path(tag = "catalog", operation_id = "list_compatibility_alerts", params(AlertQuery),
    responses((status = 200, body = AlertPage), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[get("/compatibility-alerts")]
pub(crate) async fn list_compatibility_alerts(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
    query: web::Query<AlertQuery>,
) -> ApiResult<HttpResponse> {
    let AlertQuery { cursor, limit, all } = query.into_inner();
    let (cursor, limit) = PageQuery { cursor, limit }.parse()?;
    let out = state
        .run(move |conn, _| compatibility::alerts(conn, cursor, all, limit))
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}

/// Acknowledges an alert.
#[utoipa::path(tag = "catalog", operation_id = "acknowledge_compatibility_alert",
    params(("alert_id" = i64, Path, description = "Alert id")),
    responses((status = 204), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[post("/compatibility-alerts/{alert_id}/acknowledge")]
pub(crate) async fn acknowledge_compatibility_alert(
    caller: OperatorCaller,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    state
        .run(move |conn, s| compatibility::acknowledge(conn, s.clock.now_naive(), &caller.name, id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
