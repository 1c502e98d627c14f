//! The network's clock (operator; movable on demo and test servers).

use crate::error::ApiResult;
use crate::http::auth::OperatorCaller;
use crate::http::extract::{json_response, Json};
use crate::service::AppState;
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use partner_sdk::types::Problem;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The network's clock.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ClockState {
    /// The network's now.
    pub now: chrono::DateTime<chrono::Utc>,
    /// Seconds ahead of the real time.
    pub offset_s: i64,
    /// Whether it can be moved (demo and test servers only).
    pub adjustable: bool,
}

/// Moves the clock forward.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdvanceClock {
    /// Seconds to move forward, 1 to 3,153,600,000 (100 years); every instance on the same
    /// database moves with it.
    pub advance_s: i64,
}

pub(crate) fn clock_state(state: &AppState) -> ClockState {
    ClockState {
        now: state.clock.now(),
        offset_s: state.clock.offset_s(),
        adjustable: state.clock.is_adjustable(),
    }
}

/// The network's clock.
#[utoipa::path(tag = "operator", operation_id = "get_clock",
    responses((status = 200, body = ClockState), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[get("/clock")]
pub(crate) async fn get_clock(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    Ok(json_response(StatusCode::OK, &clock_state(&state)))
}

/// Moves the network's clock forward (only on a server started with an adjustable clock, such
/// as the demo): return windows end, holds time out and points expire as they would later.
#[utoipa::path(tag = "operator", operation_id = "advance_clock", request_body = AdvanceClock,
    responses((status = 200, body = ClockState), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[post("/clock")]
pub(crate) async fn advance_clock(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
    body: Json<AdvanceClock>,
) -> ApiResult<HttpResponse> {
    let input = body.into_inner()?;
    state
        .run(move |conn, s| {
            crate::service::platform::clock::advance(conn, &s.clock, input.advance_s)
        })
        .await?;
    Ok(json_response(StatusCode::OK, &clock_state(&state)))
}
