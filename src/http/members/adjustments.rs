//! Operator adjustments of a member's points.

use super::json::{AdjustmentRequest, AdjustmentResponse};
use crate::error::ApiResult;
use crate::http::auth::OperatorCaller;
use crate::http::extract::{json_response, Json};
use crate::service::{members, AppState};
use actix_web::http::StatusCode;
use actix_web::{post, web, HttpResponse};
use partner_sdk::types::Problem;

/// Credits or withdraws points with a mandatory reason (goodwill or correction).
#[utoipa::path(tag = "operator", operation_id = "create_adjustment", request_body = AdjustmentRequest,
    params(("member_number" = String, Path, description = "Member number")),
    responses((status = 201, body = AdjustmentResponse), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[post("/members/{member_number}/adjustments")]
pub(crate) async fn create_adjustment(
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
