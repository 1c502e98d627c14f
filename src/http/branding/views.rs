//! The branded view of a member, for the partner's own website (partner).

use crate::error::ApiResult;
use crate::http::auth::Signed;
use crate::http::extract::reading;
use crate::service::{branding, AppState};
use actix_web::{get, web, HttpResponse};
use partner_sdk::branding::MemberView;
use partner_sdk::types::Problem;

/// What the partner's site shows a member: the network balance under the partner's label, its
/// local currency, the next expiries and the member's recent activity at this partner. Only
/// for a member linked to the partner.
#[utoipa::path(tag = "partner", operation_id = "get_member_view",
    params(("member_number" = String, Path, description = "Network-wide member number")),
    responses((status = 200, body = MemberView), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[get("/members/{member_number}/view")]
pub(crate) async fn get_member_view(
    signed: Signed,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let number = path.into_inner();
    reading(&state, signed, move |conn, now, partner_id| {
        branding::views::member_view(conn, now, partner_id, &number)
    })
    .await
}
