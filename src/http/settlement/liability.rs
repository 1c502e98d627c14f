//! Outstanding liability (operator).

use super::json::Liability;
use crate::error::ApiResult;
use crate::http::auth::OperatorCaller;
use crate::http::extract::json_response;
use crate::service::settlement::liability::{self};
use crate::service::AppState;
use actix_web::http::StatusCode;
use actix_web::{get, web, HttpResponse};
use partner_sdk::types::Problem;

/// Points the network owes members now, by the party that funded them, valued at the highest
/// redemption price in force; and the points at risk in negative balances.
#[utoipa::path(tag = "settlement", operation_id = "get_liability",
    responses((status = 200, body = Liability), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[get("/liability")]
pub(crate) async fn get_liability(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    let out = state
        .run(move |conn, s| liability::liability(conn, s.clock.now_naive()))
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}
