//! The member API under `/v1/member` (sign-up and sign-in open, the rest by bearer token).

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use partner_sdk::types::{Balance, Problem};
use utoipa_actix_web::service_config::ServiceConfig;

use super::auth::MemberCaller;
use super::extract::{json_response, Json, PageQuery};
use crate::error::ApiResult;
use crate::service::members::{
    self, HistoryPage, OneTimeCode, Session, SignInRequest, SignUpRequest,
};
use crate::service::AppState;

/// Registers the member routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(sign_up)
        .service(sign_in)
        .service(get_balance)
        .service(list_history)
        .service(create_code);
}

/// Creates a member account and signs in.
#[utoipa::path(tag = "member", operation_id = "sign_up", request_body = SignUpRequest,
    responses((status = 201, body = Session), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
#[post("/signup")]
async fn sign_up(state: web::Data<AppState>, body: Json<SignUpRequest>) -> ApiResult<HttpResponse> {
    let input = body.into_inner()?;
    let out = state
        .run(move |conn, s| members::sign_up(conn, s, &input))
        .await?;
    Ok(json_response(StatusCode::CREATED, &out))
}

/// Signs in with email and password.
#[utoipa::path(tag = "member", operation_id = "sign_in", request_body = SignInRequest,
    responses((status = 200, body = Session), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
#[post("/signin")]
async fn sign_in(state: web::Data<AppState>, body: Json<SignInRequest>) -> ApiResult<HttpResponse> {
    let input = body.into_inner()?;
    let out = state
        .run(move |conn, s| members::sign_in(conn, s, &input))
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}

/// The member's balance: available, pending, held, expiring within 30 days.
#[utoipa::path(tag = "member", operation_id = "get_balance",
    responses((status = 200, body = Balance), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("member_token" = [])))]
#[get("/balance")]
async fn get_balance(caller: MemberCaller, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let member_id = caller.member_id;
    let out = state
        .run(move |conn, s| members::balance(conn, s.clock.now_naive(), member_id))
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}

/// The member's history, newest first.
#[utoipa::path(tag = "member", operation_id = "list_history", params(PageQuery),
    responses((status = 200, body = HistoryPage), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("member_token" = [])))]
#[get("/history")]
async fn list_history(
    caller: MemberCaller,
    state: web::Data<AppState>,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let member_id = caller.member_id;
    let (cursor, limit) = query.parse()?;
    let out = state
        .run(move |conn, _| members::history(conn, member_id, cursor, limit))
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}

/// Creates a one-time code to authorise a redemption at a till (single use, short-lived).
#[utoipa::path(tag = "member", operation_id = "create_code",
    responses((status = 201, body = OneTimeCode), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("member_token" = [])))]
#[post("/codes")]
async fn create_code(caller: MemberCaller, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let member_id = caller.member_id;
    let out = state
        .run(move |conn, s| members::create_code(conn, s.clock.now_naive(), member_id))
        .await?;
    Ok(json_response(StatusCode::CREATED, &out))
}
