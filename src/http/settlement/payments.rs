//! Payments recorded against statements (operator).

use super::json::PaymentRequest;
use crate::domain::ids::StatementId;
use crate::error::ApiResult;
use crate::http::auth::OperatorCaller;
use crate::http::extract::{json_response, Json};
use crate::service::settlement::payments::{self};
use crate::service::AppState;
use actix_web::http::StatusCode;
use actix_web::{post, web, HttpResponse};
use partner_sdk::statement::StatementStatus;
use partner_sdk::types::Problem;

/// Records a bank payment against a statement (posted to the ledger); answers the statement's
/// new status.
#[utoipa::path(tag = "settlement", operation_id = "create_payment", request_body = PaymentRequest,
    params(("statement_id" = i64, Path, description = "Statement id")),
    responses((status = 201, body = StatementStatus), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[post("/statements/{statement_id}/payments")]
pub(crate) async fn create_payment(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
    path: web::Path<StatementId>,
    body: Json<PaymentRequest>,
) -> ApiResult<HttpResponse> {
    let input = body.into_inner()?;
    let id = path.into_inner();
    let out = state
        .run(move |conn, s| payments::record_payment(conn, s.clock.now_naive(), id, &input))
        .await?;
    Ok(json_response(StatusCode::CREATED, &out))
}
