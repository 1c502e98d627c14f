//! The signed partner API under `/v1/partner`.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use partner_sdk::types::{
    AuthoriseRequest, Balance, CaptureRequest, EarnRequest, EarnResponse, EnrolMemberRequest,
    LinkMemberRequest, MemberLink, Problem, Redemption, RefundRequest, RefundResponse,
    ReverseRequest, TransactionPage,
};
use utoipa_actix_web::service_config::ServiceConfig;

use super::auth::Signed;
use super::extract::{self, moving, reading, PageQuery};
use crate::error::ApiResult;
use crate::service::{earning, members, partners, redemption, AppState};

/// Registers the partner routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(enrol_member)
        .service(link_member)
        .service(get_member_balance)
        .service(create_earn)
        .service(create_refund)
        .service(create_redemption)
        .service(get_redemption)
        .service(capture_redemption)
        .service(void_redemption)
        .service(reverse_redemption)
        .service(list_transactions);
}

/// Enrols a new member at the till and links them to this partner.
#[utoipa::path(tag = "partner", operation_id = "enrol_member", request_body = EnrolMemberRequest,
    params(("Idempotency-Key" = String, Header, description = "Required: a retry with the same key returns the first answer")),
    responses((status = 201, body = MemberLink), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[post("/members")]
async fn enrol_member(
    signed: Signed,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    moving(
        &state,
        &req,
        signed,
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
async fn link_member(
    signed: Signed,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    // Parsed after authentication (inside `reading`): an unsigned caller learns nothing of
    // the body's rules.
    let input: ApiResult<LinkMemberRequest> = extract::json_body(&req, &signed.body);
    reading(&state, signed, move |conn, now, partner_id| {
        members::link(conn, now, partner_id, &input?)
    })
    .await
}

/// The network balance of a member linked to this partner.
#[utoipa::path(tag = "partner", operation_id = "get_member_balance",
    params(("member_number" = String, Path, description = "Network-wide member number")),
    responses((status = 200, body = Balance), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[get("/members/{member_number}/balance")]
async fn get_member_balance(
    signed: Signed,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let number = path.into_inner();
    reading(&state, signed, move |conn, now, partner_id| {
        let member = members::find_linked(conn, partner_id, &number)?;
        members::balance(conn, now, member.id)
    })
    .await
}

/// Credits the points of a sale. One order earns once, whatever the idempotency key.
#[utoipa::path(tag = "partner", operation_id = "create_earn", request_body = EarnRequest,
    params(("Idempotency-Key" = String, Header, description = "Required: a retry with the same key returns the first answer")),
    responses((status = 201, body = EarnResponse), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[post("/earns")]
async fn create_earn(
    signed: Signed,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    moving(
        &state,
        &req,
        signed,
        StatusCode::CREATED,
        |conn, now, partner_id, input: &EarnRequest| earning::earn(conn, now, partner_id, input),
    )
    .await
}

/// Claws back points for a full or partial return of an order.
#[utoipa::path(tag = "partner", operation_id = "create_refund", request_body = RefundRequest,
    params(("Idempotency-Key" = String, Header, description = "Required")),
    responses((status = 201, body = RefundResponse), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[post("/refunds")]
async fn create_refund(
    signed: Signed,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    moving(
        &state,
        &req,
        signed,
        StatusCode::CREATED,
        |conn, now, partner_id, input: &RefundRequest| {
            earning::refund(conn, now, partner_id, input)
        },
    )
    .await
}

/// Authorises a redemption: holds points with the member's one-time code.
#[utoipa::path(tag = "partner", operation_id = "create_redemption", request_body = AuthoriseRequest,
    params(("Idempotency-Key" = String, Header, description = "Required")),
    responses((status = 201, body = Redemption), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[post("/redemptions")]
async fn create_redemption(
    signed: Signed,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    moving(
        &state,
        &req,
        signed,
        StatusCode::CREATED,
        |conn, now, partner_id, input: &AuthoriseRequest| {
            redemption::authorise(conn, now, partner_id, input)
        },
    )
    .await
}

/// One redemption of this partner.
#[utoipa::path(tag = "partner", operation_id = "get_redemption",
    params(("redemption_id" = i64, Path, description = "Redemption id")),
    responses((status = 200, body = Redemption), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[get("/redemptions/{redemption_id}")]
async fn get_redemption(
    signed: Signed,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    reading(&state, signed, move |conn, now, partner_id| {
        redemption::get(conn, now, partner_id, id)
    })
    .await
}

/// Captures all of a hold or part of it; the rest goes back to the member.
#[utoipa::path(tag = "partner", operation_id = "capture_redemption", request_body = CaptureRequest,
    params(("redemption_id" = i64, Path, description = "Redemption id"), ("Idempotency-Key" = String, Header, description = "Required")),
    responses((status = 200, body = Redemption), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[post("/redemptions/{redemption_id}/capture")]
async fn capture_redemption(
    signed: Signed,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    moving(
        &state,
        &req,
        signed,
        StatusCode::OK,
        move |conn, now, partner_id, input: &CaptureRequest| {
            redemption::capture(conn, now, partner_id, id, input.points)
        },
    )
    .await
}

/// Releases a hold without spending.
#[utoipa::path(tag = "partner", operation_id = "void_redemption",
    params(("redemption_id" = i64, Path, description = "Redemption id"), ("Idempotency-Key" = String, Header, description = "Required")),
    responses((status = 200, body = Redemption), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[post("/redemptions/{redemption_id}/void")]
async fn void_redemption(
    signed: Signed,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    moving(
        &state,
        &req,
        signed,
        StatusCode::OK,
        move |conn, now, partner_id, _: &serde_json::Map<String, serde_json::Value>| {
            redemption::void(conn, now, partner_id, id)
        },
    )
    .await
}

/// Gives points back for goods bought with points that were returned.
#[utoipa::path(tag = "partner", operation_id = "reverse_redemption", request_body = ReverseRequest,
    params(("redemption_id" = i64, Path, description = "Redemption id"), ("Idempotency-Key" = String, Header, description = "Required")),
    responses((status = 200, body = Redemption), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[post("/redemptions/{redemption_id}/reversals")]
async fn reverse_redemption(
    signed: Signed,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    moving(
        &state,
        &req,
        signed,
        StatusCode::OK,
        move |conn, now, partner_id, input: &ReverseRequest| {
            redemption::reverse(conn, now, partner_id, id, input.points)
        },
    )
    .await
}

/// This partner's movements, oldest first, by cursor.
#[utoipa::path(tag = "partner", operation_id = "list_transactions", params(PageQuery),
    responses((status = 200, body = TransactionPage), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[get("/transactions")]
async fn list_transactions(
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
