//! The operator API under `/v1/operator` (bearer token).

use actix_web::http::StatusCode;
use actix_web::{delete, get, post, put, web, HttpResponse};
use partner_sdk::types::{Balance, Problem};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::auth::OperatorCaller;
use super::extract::{json_response, Json, PageQuery};
use crate::error::ApiResult;
use crate::service::ledger::verify::VerifyReport;
use crate::service::members::{AdjustmentRequest, AdjustmentResponse};
use crate::service::partners::{
    ContractTerms, CreatePartnerRequest, IssuedKey, KeyInfo, Partner, PartnerPage,
};
use crate::service::platform::settings::NetworkSettings;
use crate::service::{ledger::verify, members, partners, platform::settings, AppState};

/// Registers the operator routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(create_partner)
        .service(list_partners)
        .service(get_partner)
        .service(create_contract)
        .service(create_key)
        .service(list_keys)
        .service(delete_key)
        .service(get_settings)
        .service(put_settings)
        .service(create_adjustment)
        .service(get_operator_member_balance)
        .service(verify_ledger)
        .service(get_clock)
        .service(advance_clock);
}

/// Admits a partner with its first contract.
#[utoipa::path(tag = "operator", operation_id = "create_partner", request_body = CreatePartnerRequest,
    responses((status = 201, body = Partner), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[post("/partners")]
async fn create_partner(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
    body: Json<CreatePartnerRequest>,
) -> ApiResult<HttpResponse> {
    let input = body.into_inner()?;
    let out = state
        .run(move |conn, s| partners::create(conn, s.clock.now_naive(), &input))
        .await?;
    Ok(json_response(StatusCode::CREATED, &out))
}

/// Partners in id order, by cursor.
#[utoipa::path(tag = "operator", operation_id = "list_partners", params(PageQuery),
    responses((status = 200, body = PartnerPage), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[get("/partners")]
async fn list_partners(
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
async fn get_partner(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
    path: web::Path<i64>,
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
async fn create_contract(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    body: Json<ContractTerms>,
) -> ApiResult<HttpResponse> {
    let input = body.into_inner()?;
    let (id, terms) = (path.into_inner(), input);
    let out = state
        .run(move |conn, s| partners::change_contract(conn, s.clock.now_naive(), id, &terms))
        .await?;
    Ok(json_response(StatusCode::CREATED, &out))
}

/// Issues an API key. The secret is in this answer only; at most two keys are active at once.
#[utoipa::path(tag = "operator", operation_id = "create_key", params(("partner_id" = i64, Path, description = "Partner id")),
    responses((status = 201, body = IssuedKey), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[post("/partners/{partner_id}/keys")]
async fn create_key(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
    path: web::Path<i64>,
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
async fn list_keys(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
    path: web::Path<i64>,
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
async fn delete_key(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
    path: web::Path<(i64, String)>,
) -> ApiResult<HttpResponse> {
    let (id, key_id) = path.into_inner();
    state
        .run(move |conn, s| partners::revoke_key(conn, s.clock.now_naive(), id, &key_id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The network settings.
#[utoipa::path(tag = "operator", operation_id = "get_settings",
    responses((status = 200, body = NetworkSettings), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[get("/settings")]
async fn get_settings(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    let out = state.run(|conn, _| settings::load(conn)).await?;
    Ok(json_response(StatusCode::OK, &out))
}

/// Replaces the network settings.
#[utoipa::path(tag = "operator", operation_id = "put_settings", request_body = NetworkSettings,
    responses((status = 200, body = NetworkSettings), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[put("/settings")]
async fn put_settings(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
    body: Json<NetworkSettings>,
) -> ApiResult<HttpResponse> {
    let input = body.into_inner()?;
    let out = state
        .run(move |conn, s| settings::save(conn, &s.clock, &input))
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}

/// Credits or withdraws points with a mandatory reason (goodwill or correction).
#[utoipa::path(tag = "operator", operation_id = "create_adjustment", request_body = AdjustmentRequest,
    params(("member_number" = String, Path, description = "Member number")),
    responses((status = 201, body = AdjustmentResponse), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[post("/members/{member_number}/adjustments")]
async fn create_adjustment(
    caller: OperatorCaller,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: Json<AdjustmentRequest>,
) -> ApiResult<HttpResponse> {
    let input = body.into_inner()?;
    let who = caller.name;
    let number = path.into_inner();
    let out = state
        .run(move |conn, s| members::adjust(conn, s.clock.now_naive(), &number, &input, &who))
        .await?;
    Ok(json_response(StatusCode::CREATED, &out))
}

/// Any member's balance.
#[utoipa::path(tag = "operator", operation_id = "get_operator_member_balance",
    params(("member_number" = String, Path, description = "Member number")),
    responses((status = 200, body = Balance), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[get("/members/{member_number}/balance")]
async fn get_operator_member_balance(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let number = path.into_inner();
    let out = state
        .run(move |conn, s| {
            let member = members::find(conn, &number)?;
            members::balance(conn, s.clock.now_naive(), member.id)
        })
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}

/// Verifies every ledger invariant and the hash chains (as `loyalty-server verify` does).
#[utoipa::path(tag = "operator", operation_id = "verify_ledger",
    responses((status = 200, body = VerifyReport), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[post("/ledger/verify")]
async fn verify_ledger(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    let out = state.run(|conn, _| verify::run(conn)).await?;
    Ok(json_response(StatusCode::OK, &out))
}

/// The network's clock.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ClockState {
    /// The network's now.
    pub now: chrono::DateTime<chrono::Utc>,
    /// Seconds ahead of the real time.
    pub offset_s: i64,
    /// Whether it can be moved (demo and test servers only).
    pub adjustable: bool,
}

/// Moves the clock forward.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdvanceClock {
    /// Seconds to move forward, 1 to 3,153,600,000 (100 years); every instance on the same
    /// database moves with it.
    pub advance_s: i64,
}

fn clock_state(state: &AppState) -> ClockState {
    ClockState {
        now: state.clock.now(),
        offset_s: state.clock.offset_s(),
        adjustable: state.clock.is_adjustable(),
    }
}

/// The network's clock.
#[utoipa::path(tag = "operator", operation_id = "get_clock",
    responses((status = 200, body = ClockState), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[get("/clock")]
async fn get_clock(_caller: OperatorCaller, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    Ok(json_response(StatusCode::OK, &clock_state(&state)))
}

/// Moves the network's clock forward (only on a server started with an adjustable clock, such
/// as the demo): return windows end, holds time out and points expire as they would later.
#[utoipa::path(tag = "operator", operation_id = "advance_clock", request_body = AdvanceClock,
    responses((status = 200, body = ClockState), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[post("/clock")]
async fn advance_clock(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
    body: Json<AdvanceClock>,
) -> ApiResult<HttpResponse> {
    let input = body.into_inner()?;
    state
        .run(move |conn, s| {
            crate::service::platform::clock::advance(conn, &s.clock, input.advance_s)
        })
        .await?;
    Ok(json_response(StatusCode::OK, &clock_state(&state)))
}
