//! The partner's local program (partner).

use crate::error::ApiResult;
use crate::http::auth::Signed;
use crate::http::extract::{self, reading};
use crate::service::{local_programs, AppState};
use actix_web::{get, put, web, HttpRequest, HttpResponse};
use partner_sdk::local_program::{LocalProgram, LocalProgramRequest};
use partner_sdk::types::Problem;

/// Starts or changes the partner's local program: its currency's name, earn rate, expiry and
/// conversion rate into network points. Points already earned keep their expiry.
#[utoipa::path(tag = "partner", operation_id = "put_local_program", request_body = LocalProgramRequest,
    responses((status = 200, body = LocalProgram), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[put("/local-program")]
pub(crate) async fn put_local_program(
    signed: Signed,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    signed.caller.require_active()?;
    let input: LocalProgramRequest = extract::json_body(&req, &signed.body)?;
    reading(&state, signed, move |conn, now, partner_id| {
        local_programs::set(conn, now, partner_id, &input)
    })
    .await
}

/// The partner's local program.
#[utoipa::path(tag = "partner", operation_id = "get_local_program",
    responses((status = 200, body = LocalProgram), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[get("/local-program")]
pub(crate) async fn get_local_program(
    signed: Signed,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    reading(&state, signed, |conn, _, partner_id| {
        local_programs::get(conn, partner_id)
    })
    .await
}
