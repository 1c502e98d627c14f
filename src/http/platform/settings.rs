//! The network settings (operator).

use crate::error::ApiResult;
use crate::http::auth::OperatorCaller;
use crate::http::extract::{json_response, Json};
use crate::service::platform::settings::NetworkSettings;
use crate::service::{platform::settings, AppState};
use actix_web::http::StatusCode;
use actix_web::{get, put, web, HttpResponse};
use partner_sdk::types::Problem;

/// The network settings.
#[utoipa::path(tag = "operator", operation_id = "get_settings",
    responses((status = 200, body = NetworkSettings), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[get("/settings")]
pub(crate) async fn get_settings(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    let out = state.run(|conn, _| settings::load(conn)).await?;
    Ok(json_response(StatusCode::OK, &out))
}

/// Replaces the network settings.
#[utoipa::path(tag = "operator", operation_id = "put_settings", request_body = NetworkSettings,
    responses((status = 200, body = NetworkSettings), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[put("/settings")]
pub(crate) async fn put_settings(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
    body: Json<NetworkSettings>,
) -> ApiResult<HttpResponse> {
    let input = body.into_inner()?;
    let out = state
        .run(move |conn, s| settings::save(conn, &s.clock, &input))
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}
