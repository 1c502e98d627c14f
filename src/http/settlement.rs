//! Settlement over HTTP: the operator closes periods, reads the summary, the flow matrix and
//! the liability, records payments and resolves disputes; a partner reads and disputes its own
//! statements and reconciles its records; anyone reads the network's public signing keys.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use partner_sdk::statement::{
    Dispute, DisputeRequest, NetworkKey, ReconciliationReport, ReconciliationRow, SignedStatement,
    StatementStatus,
};
use partner_sdk::types::Problem;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use super::auth::{OperatorCaller, Signed, SignedUpload};
use super::extract::{self, json_body, json_response, Json, PageQuery};
use crate::db::queries::settlement as rows;
use crate::error::{fail, ApiResult, Code};
use crate::service::settlement::reconcile;
use crate::service::settlement::statements::{self, Liability, PaymentRequest, ResolutionRequest};
use crate::service::settlement::{self, CloseRequest, FlowMatrix, Run};
use crate::service::{settlement::network_key, AppState};

/// Operator routes (under `/v1/operator`).
pub fn operator_routes(cfg: &mut ServiceConfig) {
    cfg.service(close_period)
        .service(list_settlement_runs)
        .service(get_settlement_run)
        .service(get_flow_matrix)
        .service(list_run_statements)
        .service(get_statement)
        .service(create_payment)
        .service(resolve_dispute)
        .service(get_liability);
}

/// Partner routes (under `/v1/partner`).
pub fn partner_routes(cfg: &mut ServiceConfig) {
    cfg.service(list_partner_statements)
        .service(get_partner_statement)
        .service(create_dispute)
        .service(create_reconciliation);
}

/// Public routes (under `/v1/network`).
pub fn public_routes(cfg: &mut ServiceConfig) {
    cfg.service(list_network_keys);
}

/// How to export a statement.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FormatQuery {
    /// `json` (default: the signed envelope) or `csv`.
    pub format: Option<String>,
}

fn statement_response(row: &rows::StatementRow, format: Option<&str>) -> ApiResult<HttpResponse> {
    match format.unwrap_or("json") {
        "json" => Ok(HttpResponse::Ok()
            .content_type("application/json")
            .body(statements::envelope(row)?)),
        "csv" => Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                "Content-Disposition",
                format!("attachment; filename=\"statement-{}.csv\"", row.id),
            ))
            .body(statements::csv(&statements::content(row)?))),
        _ => fail(Code::InvalidRequest, "format must be json or csv"),
    }
}

/// Closes the settlement period ending at `until`: 201 with the new run, or 200 with the run
/// already closed at that cut-off.
#[utoipa::path(tag = "settlement", operation_id = "close_period", request_body = CloseRequest,
    responses((status = 201, body = Run), (status = 200, body = Run), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[post("/settlement/runs")]
async fn close_period(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
    body: Json<CloseRequest>,
) -> ApiResult<HttpResponse> {
    let input = body.into_inner()?;
    let until = input.until.naive_utc();
    let (run, created) = state
        .run(move |conn, s| settlement::close(conn, &s.master_key, s.clock.now_naive(), until))
        .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(json_response(status, &run))
}

/// Closed periods, newest first (the cursor is the last run id of the previous page).
#[utoipa::path(tag = "settlement", operation_id = "list_settlement_runs", params(PageQuery),
    responses((status = 200, body = Vec<Run>), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[get("/settlement/runs")]
async fn list_settlement_runs(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let (cursor, limit) = query.parse()?;
    let out = state
        .run(move |conn, _| settlement::list_runs(conn, cursor, limit))
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}

/// A closed period: each partner's net, the operator's margin, breakage and the flow matrix.
#[utoipa::path(tag = "settlement", operation_id = "get_settlement_run",
    params(("run_id" = i64, Path, description = "Settlement run id")),
    responses((status = 200, body = Run), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[get("/settlement/runs/{run_id}")]
async fn get_settlement_run(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let out = state
        .run(move |conn, _| settlement::get_run(conn, id))
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}

/// The flow matrix of a period: points funded by each row's party redeemed at each column's
/// shop, net of reversals.
#[utoipa::path(tag = "settlement", operation_id = "get_flow_matrix",
    params(("run_id" = i64, Path, description = "Settlement run id")),
    responses((status = 200, body = FlowMatrix), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[get("/settlement/runs/{run_id}/matrix")]
async fn get_flow_matrix(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let out = state
        .run(move |conn, _| settlement::get_run(conn, id).map(|r| r.summary.matrix))
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}

/// The statements of a period with their payment status.
#[utoipa::path(tag = "settlement", operation_id = "list_run_statements",
    params(("run_id" = i64, Path, description = "Settlement run id")),
    responses((status = 200, body = Vec<StatementStatus>), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[get("/settlement/runs/{run_id}/statements")]
async fn list_run_statements(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let out = state
        .run(move |conn, _| {
            settlement::get_run(conn, id)?;
            let list = rows::run_statements(conn, id)?;
            statements::statuses(conn, list)
        })
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}

/// Any partner's statement: the signed envelope (JSON) or CSV.
#[utoipa::path(tag = "settlement", operation_id = "get_statement",
    params(("statement_id" = i64, Path, description = "Statement id"), FormatQuery),
    responses((status = 200, body = SignedStatement, description = "The signed envelope; with format=csv, text/csv"),
              (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[get("/statements/{statement_id}")]
async fn get_statement(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    query: web::Query<FormatQuery>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let row = state
        .run(move |conn, _| statements::readable(conn, id, None))
        .await?;
    statement_response(&row, query.format.as_deref())
}

/// Records a bank payment against a statement (posted to the ledger); answers the statement's
/// new status.
#[utoipa::path(tag = "settlement", operation_id = "create_payment", request_body = PaymentRequest,
    params(("statement_id" = i64, Path, description = "Statement id")),
    responses((status = 201, body = StatementStatus), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[post("/statements/{statement_id}/payments")]
async fn create_payment(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    body: Json<PaymentRequest>,
) -> ApiResult<HttpResponse> {
    let input = body.into_inner()?;
    let id = path.into_inner();
    let out = state
        .run(move |conn, s| statements::record_payment(conn, s.clock.now_naive(), id, &input))
        .await?;
    Ok(json_response(StatusCode::CREATED, &out))
}

/// Resolves a partner's dispute; the adjustment lands on the partner's next statement.
#[utoipa::path(tag = "settlement", operation_id = "resolve_dispute", request_body = ResolutionRequest,
    params(("dispute_id" = i64, Path, description = "Dispute id")),
    responses((status = 200, body = Dispute), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[post("/disputes/{dispute_id}/resolution")]
async fn resolve_dispute(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    body: Json<ResolutionRequest>,
) -> ApiResult<HttpResponse> {
    let input = body.into_inner()?;
    let id = path.into_inner();
    let out = state
        .run(move |conn, s| statements::resolve_dispute(conn, s.clock.now_naive(), id, &input))
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}

/// Points the network owes members now, by the party that funded them, valued at the highest
/// redemption price in force; and the points at risk in negative balances.
#[utoipa::path(tag = "settlement", operation_id = "get_liability",
    responses((status = 200, body = Liability), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[get("/liability")]
async fn get_liability(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    let out = state
        .run(move |conn, s| statements::liability(conn, s.clock.now_naive()))
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}

/// This partner's statements, newest first, with their payment status.
#[utoipa::path(tag = "partner", operation_id = "list_partner_statements", params(PageQuery),
    responses((status = 200, body = Vec<StatementStatus>), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[get("/statements")]
async fn list_partner_statements(
    signed: Signed,
    state: web::Data<AppState>,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let (cursor, limit) = query.parse()?;
    extract::reading(&state, signed, move |conn, _, partner_id| {
        let list = rows::partner_statements(conn, partner_id, cursor.unwrap_or(i64::MAX), limit)?;
        statements::statuses(conn, list)
    })
    .await
}

/// One of this partner's statements: the signed envelope (verify it with a key from
/// `GET /v1/network/keys`) or CSV. Another partner's statement answers as missing.
#[utoipa::path(tag = "partner", operation_id = "get_partner_statement",
    params(("statement_id" = i64, Path, description = "Statement id"), FormatQuery),
    responses((status = 200, body = SignedStatement, description = "The signed envelope; with format=csv, text/csv"),
              (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[get("/statements/{statement_id}")]
async fn get_partner_statement(
    Signed { caller, .. }: Signed,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    query: web::Query<FormatQuery>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let row = state
        .run(move |conn, _| statements::readable(conn, id, Some(caller.partner_id)))
        .await?;
    statement_response(&row, query.format.as_deref())
}

/// Disputes one of this partner's statements (one open dispute at a time).
#[utoipa::path(tag = "partner", operation_id = "create_dispute", request_body = DisputeRequest,
    params(("statement_id" = i64, Path, description = "Statement id")),
    responses((status = 201, body = Dispute), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[post("/statements/{statement_id}/disputes")]
async fn create_dispute(
    Signed { caller, body }: Signed,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let input: DisputeRequest = json_body(&req, &body)?;
    let id = path.into_inner();
    let out = state
        .run(move |conn, s| {
            statements::open_dispute(conn, s.clock.now_naive(), caller.partner_id, id, &input)
        })
        .await?;
    Ok(json_response(StatusCode::CREATED, &out))
}

/// Reconciles this partner's own records of a statement's period: a JSON array of rows, or CSV
/// (`Content-Type: text/csv`, header `order_id,kind,points`), up to 8 MiB and 200,000 rows.
#[utoipa::path(tag = "partner", operation_id = "create_reconciliation",
    request_body(content = Vec<ReconciliationRow>, description = "JSON rows, or the same as CSV with Content-Type text/csv"),
    params(("statement_id" = i64, Path, description = "Statement id")),
    responses((status = 200, body = ReconciliationReport), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[post("/statements/{statement_id}/reconciliation")]
async fn create_reconciliation(
    SignedUpload(Signed { caller, body }): SignedUpload,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let is_csv = extract::content_type_is(&req, "text/csv");
    if !is_csv && !extract::content_type_is(&req, "application/json") {
        return fail(
            Code::UnsupportedMediaType,
            "send the file as Content-Type: text/csv or application/json",
        );
    }
    let id = path.into_inner();
    let out = state
        .run(move |conn, _| {
            let file = reconcile::parse(&body, is_csv)?;
            reconcile::reconcile(conn, caller.partner_id, id, file)
        })
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}

/// The network's statement-signing public keys (no authentication).
#[utoipa::path(tag = "settlement", operation_id = "list_network_keys",
    responses((status = 200, body = Vec<NetworkKey>), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
#[get("/keys")]
async fn list_network_keys(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let out = state.run(|conn, _| network_key::published(conn)).await?;
    Ok(json_response(StatusCode::OK, &out))
}
