//! Partners' API keys (operator): issue, list, revoke.

use super::json::{IssuedKey, KeyInfo};
use crate::domain::ids::PartnerId;
use crate::error::ApiResult;
use crate::http::auth::OperatorCaller;
use crate::http::extract::json_response;
use crate::service::{partners, AppState};
use actix_web::http::StatusCode;
use actix_web::{delete, get, post, web, HttpResponse};
use partner_sdk::types::Problem;

/// Issues an API key. The secret is in this answer only; at most two keys are active at once.
#[utoipa::path(tag = "operator", operation_id = "create_key", params(("partner_id" = i64, Path, description = "Partner id")),
    responses((status = 201, body = IssuedKey), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[post("/partners/{partner_id}/keys")]
pub(crate) async fn create_key(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
    path: web::Path<PartnerId>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let out = state
        .run(move |conn, s| partners::issue_key(conn, &s.master_key, s.clock.now_naive(), id))
        .await?;
    Ok(json_response(StatusCode::CREATED, &out))
}

/// A partner's keys, without secrets.
#[utoipa::path(tag = "operator", operation_id = "list_keys", params(("partner_id" = i64, Path, description = "Partner id")),
    responses((status = 200, body = Vec<KeyInfo>), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[get("/partners/{partner_id}/keys")]
pub(crate) async fn list_keys(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
    path: web::Path<PartnerId>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let out = state
        .run(move |conn, _| partners::list_keys(conn, id))
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}

/// Revokes a key at once.
#[utoipa::path(tag = "operator", operation_id = "delete_key",
    params(("partner_id" = i64, Path, description = "Partner id"), ("key_id" = String, Path, description = "Key id")),
    responses((status = 204), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[delete("/partners/{partner_id}/keys/{key_id}")]
pub(crate) async fn delete_key(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
    path: web::Path<(PartnerId, String)>,
) -> ApiResult<HttpResponse> {
    let (id, key_id) = path.into_inner();
    state
        .run(move |conn, s| partners::revoke_key(conn, s.clock.now_naive(), id, &key_id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
