//! Handlers: extract, parse into domain types, call a service, map to a response. Grouped by
//! capability and then by resource (`settlement/payments.rs`), the same names as `service/`
//! and `db/queries/`; every route is registered in [`register`], the one router table, through
//! utoipa-actix-web so the OpenAPI document cannot miss one.

pub mod analytics;
pub mod auth;
pub mod branding;
pub mod catalog;
pub mod earning;
pub mod extract;
pub mod ledger;
pub mod local_programs;
pub mod members;
pub mod partners;
pub mod platform;
pub mod promotions;
pub mod redemption;
pub mod settlement;
mod strict_json;
pub mod tiers;

use std::sync::atomic::Ordering;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::CONTENT_TYPE;
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers};
use actix_web::ResponseError;
use actix_web::{web, HttpResponse};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::{scope, UtoipaApp};

use crate::domain::input::check_url_text;
use crate::domain::limits::BODY_BYTES_MAX;
use crate::error::{problem_response, ApiError, ApiResult, Code};
use crate::service::AppState;

/// The OpenAPI document's fixed parts.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Coalition loyalty network",
        version = "1.0.0",
        description = "Shared points ledger and clearing for a coalition of merchants. Partner \
requests are signed with HMAC-SHA256 (see the README, \"Signing a request\"); operators and \
members use bearer tokens. Every error is an RFC 9457 problem with a stable `code`.",
        license(name = "Apache-2.0")
    ),
    modifiers(&SecuritySchemes),
    tags(
        (name = "partner", description = "Signed partner API: members, earn, refund, redeem"),
        (name = "member", description = "Member API: sign-in, balance, history, one-time codes"),
        (name = "operator", description = "Operator API: partners, keys, settings, adjustments, verification"),
        (name = "catalog", description = "Categories, catalogs and compatibility reports: the Google product taxonomy with restricted subtrees, catalog uploads, the reports the operator admits partners on"),
        (name = "branding", description = "Partners' brands over the shared points, as their member pages show them"),
        (name = "settlement", description = "Clearing: periods, statements, payments, disputes, liability; the network's public keys"),
        (name = "system", description = "Health and metrics")
    )
)]
struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "partner_signature",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "Loyalty-Signature",
                "v1=<lowercase hex HMAC-SHA256(secret, string_to_sign)>, sent with \
Loyalty-Key-Id, Loyalty-Timestamp (Unix seconds, within 300 s) and Loyalty-Nonce (16 to 64 of \
[A-Za-z0-9_-], single use). string_to_sign = \"v1\\n\" + METHOD + \"\\n\" + path_and_query + \
\"\\n\" + timestamp + \"\\n\" + nonce + \"\\n\" + lowercase_hex(SHA-256(body)).",
            ))),
        );
        for name in ["operator_token", "member_token"] {
            components.add_security_scheme(
                name,
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

/// The router table: every route, its scope and its handler, in one place. The audience of a
/// route is its handler's caller argument ([`auth::OperatorCaller`], [`auth::MemberCaller`],
/// [`auth::Signed`]); the scope only names it.
fn register(cfg: &mut ServiceConfig) {
    cfg.service(platform::health::get_health)
        .service(platform::health::get_liveness)
        .service(platform::metrics::get_metrics)
        .service(
            scope("/v1/partner")
                .service(members::enrolment::enrol_member)
                .service(members::enrolment::link_member)
                .service(members::balances::get_member_balance)
                .service(earning::earns::create_earn)
                .service(earning::batches::create_earn_batch)
                .service(earning::refunds::create_refund)
                .service(redemption::redemptions::create_redemption)
                .service(redemption::redemptions::get_redemption)
                .service(redemption::redemptions::capture_redemption)
                .service(redemption::redemptions::void_redemption)
                .service(redemption::redemptions::reverse_redemption)
                .service(partners::entries::list_partner_entries)
                .service(settlement::statements::list_partner_statements)
                .service(settlement::statements::get_partner_statement)
                .service(settlement::disputes::create_dispute)
                .service(settlement::reconciliation::create_reconciliation)
                .service(catalog::catalogs::put_partner_catalog)
                .service(catalog::catalogs::get_partner_catalog)
                .service(catalog::catalogs::list_partner_products)
                .service(catalog::reports::create_partner_compatibility_report)
                .service(catalog::reports::list_partner_compatibility_reports)
                .service(branding::brands::put_partner_brand)
                .service(branding::brands::put_partner_brand_logo)
                .service(branding::brands::get_partner_brand)
                .service(branding::views::get_member_view)
                .service(local_programs::programs::put_local_program)
                .service(local_programs::programs::get_local_program)
                .service(local_programs::conversions::create_local_conversion)
                .service(local_programs::tiers::put_local_tiers)
                .service(local_programs::tiers::get_local_tiers)
                .service(analytics::segments::get_partner_segments)
                .service(analytics::segments::list_partner_segment_members)
                .service(analytics::summary::get_partner_analytics)
                .service(tiers::paid::create_paid_tier)
                .service(promotions::partner::create_partner_promotion)
                .service(promotions::partner::list_partner_promotions)
                .service(promotions::partner::dry_run_earn)
                .service(promotions::partner::get_partner_promotion)
                .service(promotions::partner::end_partner_promotion)
                .service(promotions::partner::list_ending_promotions)
                .service(promotions::partner::list_expiring_points),
        )
        .service(
            scope("/v1/operator")
                .service(partners::admission::create_partner)
                .service(partners::admission::list_partners)
                .service(partners::admission::get_partner)
                .service(partners::admission::create_contract)
                .service(partners::lifecycle::change_partner_status)
                .service(partners::lifecycle::list_partner_events)
                .service(catalog::catalogs::put_operator_catalog)
                .service(catalog::catalogs::get_operator_catalog)
                .service(catalog::catalogs::list_operator_products)
                .service(catalog::reports::create_compatibility_report)
                .service(catalog::reports::list_compatibility_reports)
                .service(catalog::reports::get_compatibility_report)
                .service(catalog::reports::get_compatibility_thresholds)
                .service(catalog::reports::put_compatibility_thresholds)
                .service(catalog::reports::list_compatibility_alerts)
                .service(catalog::reports::acknowledge_compatibility_alert)
                .service(catalog::categories::create_category)
                .service(catalog::categories::list_category_restrictions)
                .service(catalog::categories::put_category_restriction)
                .service(catalog::categories::delete_category_restriction)
                .service(analytics::segments::recompute_segments)
                .service(analytics::segments::get_segments)
                .service(analytics::segments::list_segment_members)
                .service(analytics::segments::get_partner_segments_of)
                .service(analytics::segments::list_partner_segment_members_of)
                .service(analytics::summary::get_analytics)
                .service(analytics::summary::get_partner_analytics_of)
                .service(branding::brands::list_brand_versions)
                .service(branding::brands::put_brand_suspension)
                .service(branding::brands::delete_brand_suspension)
                .service(partners::keys::create_key)
                .service(partners::keys::list_keys)
                .service(partners::keys::delete_key)
                .service(platform::settings::get_settings)
                .service(platform::settings::put_settings)
                .service(tiers::table::get_tiers)
                .service(tiers::table::put_tiers)
                .service(tiers::table::suggest_tier_threshold)
                .service(promotions::operator::create_promotion)
                .service(promotions::operator::list_promotions)
                .service(promotions::operator::get_promotion)
                .service(promotions::operator::end_promotion)
                .service(members::adjustments::create_adjustment)
                .service(members::balances::get_operator_member_balance)
                .service(ledger::verify::verify_ledger)
                .service(platform::clock::get_clock)
                .service(platform::clock::advance_clock)
                .service(settlement::runs::close_period)
                .service(settlement::runs::list_settlement_runs)
                .service(settlement::runs::get_settlement_run)
                .service(settlement::runs::get_flow_matrix)
                .service(settlement::runs::list_run_statements)
                .service(settlement::statements::get_statement)
                .service(settlement::payments::create_payment)
                .service(settlement::disputes::resolve_dispute)
                .service(settlement::liability::get_liability),
        )
        .service(
            scope("/v1/network")
                .service(settlement::network_keys::list_network_keys)
                .service(catalog::categories::list_categories)
                .service(catalog::categories::get_category)
                .service(branding::brands::get_brand)
                .service(branding::brands::get_brand_logo)
                .service(branding::brands::list_directory),
        )
        .service(
            scope("/v1/member")
                .service(members::sessions::sign_up)
                .service(members::sessions::sign_in)
                .service(members::account::get_balance)
                .service(members::account::list_history)
                .service(tiers::table::get_tier)
                .service(promotions::member::get_referral)
                .service(promotions::member::set_referrer)
                .service(redemption::codes::create_code),
        );
}

/// Adds every documented route to an app and returns the OpenAPI document beside it.
pub fn documented<T>(app: UtoipaApp<T>) -> UtoipaApp<T>
where
    T: actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Error = actix_web::Error,
        InitError = (),
    >,
{
    app.openapi(ApiDoc::openapi()).configure(register)
}

/// The OpenAPI document, built without starting a server.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    use utoipa_actix_web::AppExt;
    let (_, api) = documented(actix_web::App::new().into_utoipa_app()).split_for_parts();
    api
}

/// Limits and error shapes of the extractors: every refusal is a problem document.
pub fn extractor_configs(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::PayloadConfig::new(BODY_BYTES_MAX))
        .app_data(
            web::JsonConfig::default()
                .limit(BODY_BYTES_MAX)
                .error_handler(|err, _| {
                    let code = match err {
                        actix_web::error::JsonPayloadError::Overflow { .. }
                        | actix_web::error::JsonPayloadError::OverflowKnownLength { .. } => {
                            Code::PayloadTooLarge
                        }
                        _ => Code::InvalidRequest,
                    };
                    ApiError::new(code, format!("invalid JSON body: {err}")).into()
                }),
        )
        .app_data(web::PathConfig::default().error_handler(|err, _| {
            ApiError::new(Code::InvalidRequest, format!("invalid path: {err}")).into()
        }))
        .app_data(web::QueryConfig::default().error_handler(|err, _| {
            ApiError::new(Code::InvalidRequest, format!("invalid query: {err}")).into()
        }));
}

/// Runs around every request: refuses a path or query whose percent-decoded text holds control
/// characters (before any handler or query sees it), and counts the internal errors answered.
pub async fn guard(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let checked = check_url_text("path", req.path())
        .and_then(|()| check_url_text("query", req.query_string()));
    if let Err(e) = checked {
        let response = ApiError::from(e).error_response();
        return Ok(req.into_response(response));
    }
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let started = std::time::Instant::now();
    let method = req.method().clone();
    let res = next.call(req).await?;
    // The route's pattern, not its path: ids would multiply the series without end.
    let route = res.request().match_pattern();
    crate::service::platform::metrics::http_request(
        route.as_deref().unwrap_or("unmatched"),
        // Only the methods the API knows: any other word would be a new series.
        match method.as_str() {
            m @ ("GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS") => m,
            _ => "other",
        },
        res.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    if res.status() == StatusCode::INTERNAL_SERVER_ERROR {
        if let Some(state) = state {
            state.internal_errors.fetch_add(1, Ordering::SeqCst);
        }
    }
    Ok(res.map_into_boxed_body())
}

/// Turns any error answer that is not already a problem document (unknown route, wrong method,
/// body too large, a framework refusal) into one, keeping its status. The member pages' own
/// error pages (`text/html`) are left as they are.
pub fn problem_errors<B: 'static>() -> ErrorHandlers<B> {
    ErrorHandlers::new().default_handler(|res: ServiceResponse<B>| {
        let already = res.headers().get(CONTENT_TYPE).is_some_and(|v| {
            v.as_bytes().starts_with(b"application/problem+json")
                || v.as_bytes().starts_with(b"text/html")
        });
        if already {
            return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
        }
        let status = res.status();
        let code = match status {
            StatusCode::NOT_FOUND => Code::NotFound,
            StatusCode::METHOD_NOT_ALLOWED => Code::MethodNotAllowed,
            StatusCode::PAYLOAD_TOO_LARGE => Code::PayloadTooLarge,
            s if s.is_server_error() => Code::Internal,
            _ => Code::InvalidRequest,
        };
        let mut problem = ApiError::new(code, code.title()).problem();
        problem.status = status.as_u16();
        let (req, _) = res.into_parts();
        let response = problem_response(&problem);
        Ok(ErrorHandlerResponse::Response(
            ServiceResponse::new(req, response).map_into_right_body::<B>(),
        ))
    })
}

/// The answer to a route nobody serves.
pub async fn not_found() -> ApiResult<HttpResponse> {
    crate::error::fail(Code::NotFound, "no such route")
}
