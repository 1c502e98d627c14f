//! The Prometheus scrape target (see [`crate::service::platform::metrics`]).

use crate::error::ApiResult;
use crate::http::auth::OperatorCaller;
use crate::service::{platform, AppState};
use actix_web::{get, web, HttpResponse};
use partner_sdk::types::Problem;

/// The server's figures in the Prometheus text format (version 0.0.4): requests by route and
/// status with latency histograms, the writers' batch sizes and commit times, the pool's
/// connections and waits, background job runs and durations, journal entries posted by kind.
/// Operator-only: Prometheus sends the operator token (`authorization` with
/// `credentials_file`). Each server instance answers with its own figures.
#[utoipa::path(tag = "system", operation_id = "get_metrics",
    responses((status = 200, body = String, content_type = "text/plain; version=0.0.4"),
        (status = 401, body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[get("/metrics")]
pub(crate) async fn get_metrics(
    _operator: OperatorCaller,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    let text = platform::metrics::render(&state.pool)?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(text))
}
