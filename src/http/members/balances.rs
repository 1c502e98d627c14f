//! A member's balance as a linked partner sees it, and as the operator does.

use actix_web::http::StatusCode;
use actix_web::{get, web, HttpResponse};
use partner_sdk::types::{Balance, Problem};

use crate::error::ApiResult;
use crate::http::auth::{OperatorCaller, Signed};
use crate::http::extract::{json_response, reading};
use crate::service::{members, AppState};

/// Any member's balance.
#[utoipa::path(tag = "operator", operation_id = "get_operator_member_balance",
    params(("member_number" = String, Path, description = "Member number")),
    responses((status = 200, body = Balance), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[get("/members/{member_number}/balance")]
pub(crate) async fn get_operator_member_balance(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let number = path.into_inner();
    let out = state
        .run(move |conn, s| {
            let member = members::find(conn, &number)?;
            members::balance(conn, s.clock.now_naive(), member.id, None)
        })
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}

/// The network balance of a member linked to this partner.
#[utoipa::path(tag = "partner", operation_id = "get_member_balance",
    params(("member_number" = String, Path, description = "Network-wide member number")),
    responses((status = 200, body = Balance), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[get("/members/{member_number}/balance")]
pub(crate) async fn get_member_balance(
    signed: Signed,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let number = path.into_inner();
    reading(&state, signed, move |conn, now, partner_id| {
        let member = members::find_linked(conn, partner_id, &number)?;
        members::balance(conn, now, member.id, Some(partner_id))
    })
    .await
}
