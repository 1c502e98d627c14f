//! Disputes: a partner opens one on its statement, the operator resolves it.

use super::json::ResolutionRequest;
use crate::domain::ids::{DisputeId, StatementId};
use crate::error::ApiResult;
use crate::http::auth::{OperatorCaller, Signed};
use crate::http::extract::{json_body, json_response, Json};
use crate::service::settlement::disputes::{self};
use crate::service::AppState;
use actix_web::http::StatusCode;
use actix_web::{post, web, HttpRequest, HttpResponse};
use partner_sdk::statement::{Dispute, DisputeRequest};
use partner_sdk::types::Problem;

/// Resolves a partner's dispute; the adjustment lands on the partner's next statement.
#[utoipa::path(tag = "settlement", operation_id = "resolve_dispute", request_body = ResolutionRequest,
    params(("dispute_id" = i64, Path, description = "Dispute id")),
    responses((status = 200, body = Dispute), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[post("/disputes/{dispute_id}/resolution")]
pub(crate) async fn resolve_dispute(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
    path: web::Path<DisputeId>,
    body: Json<ResolutionRequest>,
) -> ApiResult<HttpResponse> {
    let input = body.into_inner()?;
    let id = path.into_inner();
    let out = state
        .run(move |conn, s| disputes::resolve_dispute(conn, s.clock.now_naive(), id, &input))
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}

/// Disputes one of this partner's statements (one open dispute at a time).
#[utoipa::path(tag = "partner", operation_id = "create_dispute", request_body = DisputeRequest,
    params(("statement_id" = i64, Path, description = "Statement id")),
    responses((status = 201, body = Dispute), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[post("/statements/{statement_id}/disputes")]
pub(crate) async fn create_dispute(
    Signed { caller, body }: Signed,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<StatementId>,
) -> ApiResult<HttpResponse> {
    let input: DisputeRequest = json_body(&req, &body)?;
    let id = path.into_inner();
    let out = state
        .run(move |conn, s| {
            disputes::open_dispute(conn, s.clock.now_naive(), caller.partner_id, id, &input)
        })
        .await?;
    Ok(json_response(StatusCode::CREATED, &out))
}
