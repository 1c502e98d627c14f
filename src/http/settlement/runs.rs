//! Settlement runs (operator): close a period, read runs, their matrix and statements.

use super::json::{CloseRequest, FlowMatrix, Run};
use crate::domain::ids::RunId;
use crate::error::ApiResult;
use crate::http::auth::OperatorCaller;
use crate::http::extract::{json_response, Json, PageQuery};
use crate::service::settlement::statements::{self};
use crate::service::settlement::{self};
use crate::service::AppState;
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use partner_sdk::statement::StatementStatus;
use partner_sdk::types::Problem;

/// Closes the settlement period ending at `until`: 201 with the new run, or 200 with the run
/// already closed at that cut-off.
#[utoipa::path(tag = "settlement", operation_id = "close_period", request_body = CloseRequest,
    responses((status = 201, body = Run), (status = 200, body = Run), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[post("/settlement/runs")]
pub(crate) async fn close_period(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
    body: Json<CloseRequest>,
) -> ApiResult<HttpResponse> {
    let input = body.into_inner()?;
    let until = input.until.naive_utc();
    let (run, created) = state
        .run(move |conn, s| settlement::close(conn, &s.master_key, s.clock.now_naive(), until))
        .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(json_response(status, &run))
}

/// Closed periods, newest first (the cursor is the last run id of the previous page).
#[utoipa::path(tag = "settlement", operation_id = "list_settlement_runs", params(PageQuery),
    responses((status = 200, body = Vec<Run>), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[get("/settlement/runs")]
pub(crate) async fn list_settlement_runs(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let (cursor, limit) = query.parse()?;
    let out = state
        .run(move |conn, _| settlement::list_runs(conn, cursor, limit))
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}

/// A closed period: each partner's net, the operator's margin, breakage and the flow matrix.
#[utoipa::path(tag = "settlement", operation_id = "get_settlement_run",
    params(("run_id" = i64, Path, description = "Settlement run id")),
    responses((status = 200, body = Run), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[get("/settlement/runs/{run_id}")]
pub(crate) async fn get_settlement_run(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
    path: web::Path<RunId>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let out = state
        .run(move |conn, _| settlement::get_run(conn, id))
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}

/// The flow matrix of a period: points funded by each row's party redeemed at each column's
/// shop, net of reversals.
#[utoipa::path(tag = "settlement", operation_id = "get_flow_matrix",
    params(("run_id" = i64, Path, description = "Settlement run id")),
    responses((status = 200, body = FlowMatrix), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[get("/settlement/runs/{run_id}/matrix")]
pub(crate) async fn get_flow_matrix(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
    path: web::Path<RunId>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let out = state
        .run(move |conn, _| settlement::get_run(conn, id).map(|r| r.summary.matrix))
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}

/// The statements of a period with their payment status.
#[utoipa::path(tag = "settlement", operation_id = "list_run_statements",
    params(("run_id" = i64, Path, description = "Settlement run id")),
    responses((status = 200, body = Vec<StatementStatus>), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[get("/settlement/runs/{run_id}/statements")]
pub(crate) async fn list_run_statements(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
    path: web::Path<RunId>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let out = state
        .run(move |conn, _| {
            settlement::get_run(conn, id)?;
            statements::run_statuses(conn, id)
        })
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}
