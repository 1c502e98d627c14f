//! The partner lifecycle (operator): status changes with their reason, and the audit trail.

use super::json::{Partner, PartnerEventList, StatusChangeRequest};
use crate::domain::ids::PartnerId;
use crate::error::ApiResult;
use crate::http::auth::OperatorCaller;
use crate::http::extract::{json_response, Json};
use crate::service::partners::lifecycle;
use crate::service::AppState;
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use partner_sdk::types::Problem;

/// Moves a partner along its lifecycle: applied -> active | rejected; active -> suspended ->
/// active | terminated. Admitting an applicant computes its compatibility report; over a
/// conflict it needs `override_conflict`.
#[utoipa::path(tag = "operator", operation_id = "change_partner_status", request_body = StatusChangeRequest,
    params(("partner_id" = i64, Path, description = "Partner id")),
    responses((status = 200, body = Partner), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[post("/partners/{partner_id}/status")]
pub(crate) async fn change_partner_status(
    caller: OperatorCaller,
    state: web::Data<AppState>,
    path: web::Path<PartnerId>,
    body: Json<StatusChangeRequest>,
) -> ApiResult<HttpResponse> {
    let input = body.into_inner()?;
    let id = path.into_inner();
    let out = state
        .run(move |conn, s| {
            lifecycle::change_status(
                conn,
                &s.categories,
                s.clock.now_naive(),
                &caller.name,
                id,
                &input,
            )
        })
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}

/// A partner's lifecycle: every status change, who made it and why.
#[utoipa::path(tag = "operator", operation_id = "list_partner_events",
    params(("partner_id" = i64, Path, description = "Partner id")),
    responses((status = 200, body = PartnerEventList), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[get("/partners/{partner_id}/events")]
pub(crate) async fn list_partner_events(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
    path: web::Path<PartnerId>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let out = state
        .run(move |conn, _| lifecycle::events(conn, id))
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}
