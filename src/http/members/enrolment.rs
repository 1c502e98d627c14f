//! Enrolment at a partner's till, and links of existing members to a partner.

use actix_web::http::StatusCode;
use actix_web::{post, web, HttpRequest, HttpResponse};
use partner_sdk::types::{EnrolMemberRequest, LinkMemberRequest, MemberLink, Problem};

use crate::error::ApiResult;
use crate::http::auth::Signed;
use crate::http::extract::{self, moving, reading, Partners, SignedMove};
use crate::service::{members, AppState};

/// Enrols a new member at the till and links them to this partner.
#[utoipa::path(tag = "partner", operation_id = "enrol_member", request_body = EnrolMemberRequest,
    params(("Idempotency-Key" = String, Header, description = "Required: a retry with the same key returns the first answer")),
    responses((status = 201, body = MemberLink), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[post("/members")]
pub(crate) async fn enrol_member(
    signed: SignedMove,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    moving(
        &state,
        &req,
        (signed, Partners::Active),
        StatusCode::CREATED,
        |conn, now, partner_id, input: &EnrolMemberRequest| {
            members::enrol(conn, now, partner_id, input)
        },
    )
    .await
}

/// Links an existing member (who showed their card or app) to this partner. Linking again
/// returns the existing link.
#[utoipa::path(tag = "partner", operation_id = "link_member", request_body = LinkMemberRequest,
    responses((status = 200, body = MemberLink), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[post("/members/links")]
pub(crate) async fn link_member(
    signed: Signed,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    signed.caller.require_active()?;
    // Parsed after authentication (inside `reading`): an unsigned caller learns nothing of
    // the body's rules.
    let input: ApiResult<LinkMemberRequest> = extract::json_body(&req, &signed.body);
    reading(&state, signed, move |conn, now, partner_id| {
        members::link(conn, now, partner_id, &input?)
    })
    .await
}
