//! A partner's own journal entries.

use crate::error::ApiResult;
use crate::http::auth::Signed;
use crate::http::extract::{reading, PageQuery};
use crate::service::{partners, AppState};
use actix_web::{get, web, HttpResponse};
use partner_sdk::types::{Problem, TransactionPage};

/// This partner's movements, oldest first, by cursor.
#[utoipa::path(tag = "partner", operation_id = "list_transactions", params(PageQuery),
    responses((status = 200, body = TransactionPage), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[get("/transactions")]
pub(crate) async fn list_transactions(
    signed: Signed,
    state: web::Data<AppState>,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let (cursor, limit) = query.parse()?;
    reading(&state, signed, move |conn, _, partner_id| {
        partners::transactions(conn, partner_id, cursor, limit)
    })
    .await
}
