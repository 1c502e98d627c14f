//! One-time codes a member creates to authorize a spend at a till.

use super::json::OneTimeCode;
use crate::error::ApiResult;
use crate::http::auth::MemberCaller;
use crate::http::extract::json_response;
use crate::service::members;
use crate::service::AppState;
use actix_web::http::StatusCode;
use actix_web::{post, web, HttpResponse};
use partner_sdk::types::Problem;

/// Creates a one-time code to authorize a redemption at a till (single use, short-lived).
#[utoipa::path(tag = "member", operation_id = "create_code",
    responses((status = 201, body = OneTimeCode), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("member_token" = [])))]
#[post("/codes")]
pub(crate) async fn create_code(
    caller: MemberCaller,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    let member_id = caller.member_id;
    let out = state
        .run(move |conn, s| members::create_code(conn, s.clock.now_naive(), member_id))
        .await?;
    Ok(json_response(StatusCode::CREATED, &out))
}
