//! Earning points on a sale (partner).

use crate::error::ApiResult;
use crate::http::extract::{moving, Partners, SignedMove};
use crate::service::{earning, AppState};
use actix_web::http::StatusCode;
use actix_web::{post, web, HttpRequest, HttpResponse};
use partner_sdk::types::{EarnRequest, EarnResponse, Problem};

/// Credits the points of a sale. One order earns once, whatever the idempotency key.
#[utoipa::path(tag = "partner", operation_id = "create_earn", request_body = EarnRequest,
    params(("Idempotency-Key" = String, Header, description = "Required: a retry with the same key returns the first answer")),
    responses((status = 201, body = EarnResponse), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[post("/earns")]
pub(crate) async fn create_earn(
    signed: SignedMove,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let categories = state.categories.clone();
    moving(
        &state,
        &req,
        (signed, Partners::Active),
        StatusCode::CREATED,
        move |conn, now, partner_id, input: &EarnRequest| {
            earning::earn_within(conn, &categories, now, partner_id, input)
        },
    )
    .await
}
