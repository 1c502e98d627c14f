//! Ledger verification on demand (operator).

use super::json::VerifyReport;
use crate::error::ApiResult;
use crate::http::auth::OperatorCaller;
use crate::http::extract::json_response;
use crate::service::{ledger::verify, AppState};
use actix_web::http::StatusCode;
use actix_web::{post, web, HttpResponse};
use partner_sdk::types::Problem;

/// Verifies every ledger invariant and the hash chains (as `loyalty-server verify` does).
#[utoipa::path(tag = "operator", operation_id = "verify_ledger",
    responses((status = 200, body = VerifyReport), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[post("/ledger/verify")]
pub(crate) async fn verify_ledger(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    let out = state.run(|conn, _| verify::run(conn)).await?;
    Ok(json_response(StatusCode::OK, &out))
}
