//! Liveness and readiness probes.

use crate::error::ApiResult;
use crate::service::{platform, AppState};
use actix_web::{get, web, HttpResponse};
use partner_sdk::types::Problem;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Readiness: the server and its database answer.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Health {
    /// `ok`.
    pub status: String,
    /// `postgres` or `sqlite`.
    pub database: String,
}

/// Liveness: the process serves requests.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Liveness {
    /// `ok`.
    pub status: String,
}

/// Liveness: 200 whenever the process serves HTTP, whatever the database's state (a
/// supervisor restarts the process only when this fails; a restart does not mend a database).
#[utoipa::path(tag = "system", operation_id = "get_liveness",
    responses((status = 200, body = Liveness)))]
#[get("/livez")]
pub(crate) async fn get_liveness() -> HttpResponse {
    HttpResponse::Ok().json(Liveness {
        status: "ok".into(),
    })
}

/// Readiness: 200 when the database answers, 503 `database_unavailable` (with `Retry-After`)
/// when it does not, so that a load balancer sends traffic elsewhere until it is back.
#[utoipa::path(tag = "system", operation_id = "get_health",
    responses((status = 200, body = Health), (status = 503, body = Problem, content_type = "application/problem+json")))]
#[get("/healthz")]
pub(crate) async fn get_health(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let database = state
        .run(|conn, _| platform::health::database(conn))
        .await?;
    Ok(HttpResponse::Ok().json(Health {
        status: "ok".into(),
        database: database.into(),
    }))
}
