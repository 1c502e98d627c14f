//! A signed-in member's own balance and history.

use super::json::HistoryPage;
use crate::error::ApiResult;
use crate::http::auth::MemberCaller;
use crate::http::extract::{json_response, PageQuery};
use crate::service::members;
use crate::service::AppState;
use actix_web::http::StatusCode;
use actix_web::{get, web, HttpResponse};
use partner_sdk::types::{Balance, Problem};

/// The member's balance: available, pending, held, expiring within 30 days.
#[utoipa::path(tag = "member", operation_id = "get_balance",
    responses((status = 200, body = Balance), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("member_token" = [])))]
#[get("/balance")]
pub(crate) async fn get_balance(
    caller: MemberCaller,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    let member_id = caller.member_id;
    let out = state
        .run(move |conn, s| members::balance(conn, s.clock.now_naive(), member_id, None))
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}

/// The member's history, newest first.
#[utoipa::path(tag = "member", operation_id = "list_history", params(PageQuery),
    responses((status = 200, body = HistoryPage), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("member_token" = [])))]
#[get("/history")]
pub(crate) async fn list_history(
    caller: MemberCaller,
    state: web::Data<AppState>,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let member_id = caller.member_id;
    let (cursor, limit) = query.parse()?;
    let out = state
        .run(move |conn, _| members::history(conn, member_id, None, cursor, limit))
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}
