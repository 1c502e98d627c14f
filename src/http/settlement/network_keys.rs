//! The network's statement-signing public keys (anyone).

use crate::error::ApiResult;
use crate::http::extract::json_response;
use crate::service::{settlement::network_key, AppState};
use actix_web::http::StatusCode;
use actix_web::{get, web, HttpResponse};
use partner_sdk::statement::NetworkKey;
use partner_sdk::types::Problem;

/// The network's statement-signing public keys (no authentication).
#[utoipa::path(tag = "settlement", operation_id = "list_network_keys",
    responses((status = 200, body = Vec<NetworkKey>), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
#[get("/keys")]
pub(crate) async fn list_network_keys(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let out = state.run(|conn, _| network_key::published(conn)).await?;
    Ok(json_response(StatusCode::OK, &out))
}
