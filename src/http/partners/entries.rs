//! A partner's own journal entries.

use crate::error::ApiResult;
use crate::http::auth::Signed;
use crate::http::extract::{reading, PageQuery};
use crate::service::{partners, AppState};
use actix_web::{get, web, HttpResponse};
use partner_sdk::types::{PartnerEntryPage, Problem};

/// This partner's journal entries, oldest first, by cursor.
#[utoipa::path(tag = "partner", operation_id = "list_partner_entries", params(PageQuery),
    responses((status = 200, body = PartnerEntryPage), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[get("/entries")]
pub(crate) async fn list_partner_entries(
    signed: Signed,
    state: web::Data<AppState>,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let (cursor, limit) = query.parse()?;
    reading(&state, signed, move |conn, _, partner_id| {
        partners::entries(conn, partner_id, cursor, limit)
    })
    .await
}
