//! A member's referral code, and naming who referred them (member).

use crate::error::ApiResult;
use crate::http::auth::MemberCaller;
use crate::http::extract::{json_response, Json};
use crate::service::promotions::referrals;
use crate::service::AppState;
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use partner_sdk::promotions::{ReferralStatus, ReferrerRequest};
use partner_sdk::types::Problem;

/// The member's referral code (drawn on first asking), how many members joined with it and
/// how many of them brought both sides their bonus.
#[utoipa::path(tag = "member", operation_id = "get_referral",
    responses((status = 200, body = ReferralStatus), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("member_token" = [])))]
#[get("/referral")]
pub(crate) async fn get_referral(
    caller: MemberCaller,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    let member_id = caller.member_id;
    let out = state
        .run(move |conn, s| referrals::status(conn, s.clock.now_naive(), member_id))
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}

/// Names the member who referred the caller: once, before the caller's first purchase; never
/// oneself, never a loop.
#[utoipa::path(tag = "member", operation_id = "set_referrer", request_body = ReferrerRequest,
    responses((status = 200, body = ReferralStatus), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("member_token" = [])))]
#[post("/referrer")]
pub(crate) async fn set_referrer(
    caller: MemberCaller,
    state: web::Data<AppState>,
    body: Json<ReferrerRequest>,
) -> ApiResult<HttpResponse> {
    let member_id = caller.member_id;
    let input = body.into_inner()?;
    let out = state
        .run(move |conn, s| {
            referrals::name_referrer(conn, s.clock.now_naive(), member_id, &input.code)
        })
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}
