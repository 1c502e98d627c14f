//! Converting a member's local points into network points (partner).

use crate::error::ApiResult;
use crate::http::extract::{moving, Partners, SignedMove};
use crate::service::{local_programs, AppState};
use actix_web::http::StatusCode;
use actix_web::{post, web, HttpRequest, HttpResponse};
use partner_sdk::local_program::{Conversion, ConversionRequest};
use partner_sdk::types::Problem;

/// Converts local points of a member linked to the partner into network points, at the
/// program's rate. The partner issues the network points and is billed for them at its
/// issuance price: they appear on its statement as issuance.
#[utoipa::path(tag = "partner", operation_id = "create_local_conversion", request_body = ConversionRequest,
    params(("Idempotency-Key" = String, Header, description = "Required: a retry with the same key returns the first answer")),
    responses((status = 201, body = Conversion), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[post("/local-program/conversions")]
pub(crate) async fn create_local_conversion(
    signed: SignedMove,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    moving(
        &state,
        &req,
        (signed, Partners::Active),
        StatusCode::CREATED,
        move |conn, now, partner_id, input: &ConversionRequest| {
            local_programs::conversions::convert(conn, now, partner_id, input)
        },
    )
    .await
}
