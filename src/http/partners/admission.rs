//! Partners and their contracts (operator).

use super::json::{ContractTerms, CreatePartnerRequest, Partner, PartnerPage};
use crate::domain::ids::PartnerId;
use crate::error::ApiResult;
use crate::http::auth::OperatorCaller;
use crate::http::extract::{json_response, Json, PageQuery};
use crate::service::{partners, AppState};
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use partner_sdk::types::Problem;

/// Admits a partner with its first contract.
#[utoipa::path(tag = "operator", operation_id = "create_partner", request_body = CreatePartnerRequest,
    responses((status = 201, body = Partner), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[post("/partners")]
pub(crate) async fn create_partner(
    caller: OperatorCaller,
    state: web::Data<AppState>,
    body: Json<CreatePartnerRequest>,
) -> ApiResult<HttpResponse> {
    let input = body.into_inner()?;
    let out = state
        .run(move |conn, s| partners::create(conn, s.clock.now_naive(), &caller.name, &input))
        .await?;
    Ok(json_response(StatusCode::CREATED, &out))
}

/// Partners in id order, by cursor.
#[utoipa::path(tag = "operator", operation_id = "list_partners", params(PageQuery),
    responses((status = 200, body = PartnerPage), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[get("/partners")]
pub(crate) async fn list_partners(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let (cursor, limit) = query.parse()?;
    let out = state
        .run(move |conn, s| partners::list(conn, s.clock.now_naive(), cursor, limit))
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}

/// One partner with its contract history.
#[utoipa::path(tag = "operator", operation_id = "get_partner", params(("partner_id" = i64, Path, description = "Partner id")),
    responses((status = 200, body = Partner), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[get("/partners/{partner_id}")]
pub(crate) async fn get_partner(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
    path: web::Path<PartnerId>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let out = state
        .run(move |conn, s| partners::get(conn, s.clock.now_naive(), id))
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}

/// Adds a contract version, in force from `effective_from` (default now). Points already issued
/// keep the price stamped on them.
#[utoipa::path(tag = "operator", operation_id = "create_contract", request_body = ContractTerms,
    params(("partner_id" = i64, Path, description = "Partner id")),
    responses((status = 201, body = Partner), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[post("/partners/{partner_id}/contracts")]
pub(crate) async fn create_contract(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
    path: web::Path<PartnerId>,
    body: Json<ContractTerms>,
) -> ApiResult<HttpResponse> {
    let input = body.into_inner()?;
    let (id, terms) = (path.into_inner(), input);
    let out = state
        .run(move |conn, s| partners::change_contract(conn, s.clock.now_naive(), id, &terms))
        .await?;
    Ok(json_response(StatusCode::CREATED, &out))
}
