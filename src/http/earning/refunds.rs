//! Refunds of a sale, clawing its points back (partner).

use crate::error::ApiResult;
use crate::http::extract::{moving, Partners, SignedMove};
use crate::service::{earning, AppState};
use actix_web::http::StatusCode;
use actix_web::{post, web, HttpRequest, HttpResponse};
use partner_sdk::types::{Problem, RefundRequest, RefundResponse};

/// Claws back points for a full or partial return of an order.
#[utoipa::path(tag = "partner", operation_id = "create_refund", request_body = RefundRequest,
    params(("Idempotency-Key" = String, Header, description = "Required")),
    responses((status = 201, body = RefundResponse), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[post("/refunds")]
pub(crate) async fn create_refund(
    signed: SignedMove,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let categories = state.categories.clone();
    moving(
        &state,
        &req,
        (signed, Partners::Open),
        StatusCode::CREATED,
        move |conn, now, partner_id, input: &RefundRequest| {
            earning::refund(conn, &categories, now, partner_id, input)
        },
    )
    .await
}
