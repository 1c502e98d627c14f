//! Member sign-up and sign-in.

use super::json::{Session, SignInRequest, SignUpRequest};
use crate::error::ApiResult;
use crate::http::extract::{json_response, Json};
use crate::service::members;
use crate::service::AppState;
use actix_web::http::StatusCode;
use actix_web::{post, web, HttpResponse};
use partner_sdk::types::Problem;

/// Creates a member account and signs in.
#[utoipa::path(tag = "member", operation_id = "sign_up", request_body = SignUpRequest,
    responses((status = 201, body = Session), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
#[post("/signup")]
pub(crate) async fn sign_up(
    state: web::Data<AppState>,
    body: Json<SignUpRequest>,
) -> ApiResult<HttpResponse> {
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
pub(crate) async fn sign_in(
    state: web::Data<AppState>,
    body: Json<SignInRequest>,
) -> ApiResult<HttpResponse> {
    let input = body.into_inner()?;
    let out = state
        .run(move |conn, s| members::sign_in(conn, s, &input))
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}
