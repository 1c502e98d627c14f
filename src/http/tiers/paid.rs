//! Paid tiers sold by a partner (partner).

use crate::error::ApiResult;
use crate::http::extract::{moving, Partners, SignedMove};
use crate::service::tiers::paid;
use crate::service::AppState;
use actix_web::http::StatusCode;
use actix_web::{post, web, HttpRequest, HttpResponse};
use partner_sdk::tiers::{PaidTier, PaidTierRequest};
use partner_sdk::types::Problem;

/// Sells a member a paid tier (the partner collected its price): the tier runs at once for its
/// months, extending one running; the fee is recorded as money and, when it is the operator's,
/// billed on the partner's next statement.
#[utoipa::path(tag = "partner", operation_id = "create_paid_tier", request_body = PaidTierRequest,
    params(("Idempotency-Key" = String, Header, description = "Required: a retry with the same key returns the first answer")),
    responses((status = 201, body = PaidTier), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[post("/paid-tiers")]
pub(crate) async fn create_paid_tier(
    signed: SignedMove,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    moving(
        &state,
        &req,
        (signed, Partners::Active),
        StatusCode::CREATED,
        move |conn, now, partner_id, input: &PaidTierRequest| {
            paid::buy(conn, now, partner_id, input)
        },
    )
    .await
}
