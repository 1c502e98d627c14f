//! The partner's own tiers on its local program (partner).

use crate::error::ApiResult;
use crate::http::auth::Signed;
use crate::http::extract::{self, reading};
use crate::service::{local_programs, AppState};
use actix_web::{get, put, web, HttpRequest, HttpResponse};
use partner_sdk::local_program::LocalTierTable;
use partner_sdk::types::Problem;

/// Replaces the partner's own tiers on its local program (an empty list removes them): on the
/// local points a member earned at the partner over the window, multiplying the local points
/// of their next sales there.
#[utoipa::path(tag = "partner", operation_id = "put_local_tiers", request_body = LocalTierTable,
    responses((status = 200, body = LocalTierTable), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[put("/local-program/tiers")]
pub(crate) async fn put_local_tiers(
    signed: Signed,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    signed.caller.require_active()?;
    let input: LocalTierTable = extract::json_body(&req, &signed.body)?;
    reading(&state, signed, move |conn, _, partner_id| {
        local_programs::tiers::set_table(conn, partner_id, &input)
    })
    .await
}

/// The partner's own tiers on its local program.
#[utoipa::path(tag = "partner", operation_id = "get_local_tiers",
    responses((status = 200, body = LocalTierTable), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[get("/local-program/tiers")]
pub(crate) async fn get_local_tiers(
    signed: Signed,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    reading(&state, signed, |conn, _, partner_id| {
        local_programs::tiers::table(conn, partner_id)
    })
    .await
}
