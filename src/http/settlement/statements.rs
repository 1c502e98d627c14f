//! Statements: the operator reads any, a partner its own (signed JSON or CSV).

use crate::domain::ids::StatementId;
use crate::error::{fail, ApiResult, Code};
use crate::http::auth::{OperatorCaller, Signed};
use crate::http::extract::{self, PageQuery};
use crate::service::settlement::statements::{self, Export};
use crate::service::AppState;
use actix_web::{get, web, HttpResponse};
use partner_sdk::statement::{SignedStatement, StatementStatus};
use partner_sdk::types::Problem;
use serde::Deserialize;
use utoipa::IntoParams;

/// How to export a statement.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FormatQuery {
    /// `json` (default: the signed envelope) or `csv`.
    pub format: Option<String>,
}

impl FormatQuery {
    /// Whether CSV is asked for (JSON by default); anything else is refused.
    fn wants_csv(&self) -> ApiResult<bool> {
        match self.format.as_deref().unwrap_or("json") {
            "json" => Ok(false),
            "csv" => Ok(true),
            _ => fail(Code::InvalidRequest, "format must be json or csv"),
        }
    }
}

fn export_response(export: Export) -> HttpResponse {
    match export {
        Export::Json(body) => HttpResponse::Ok()
            .content_type("application/json")
            .body(body),
        Export::Csv { statement_id, text } => HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                "Content-Disposition",
                format!("attachment; filename=\"statement-{statement_id}.csv\""),
            ))
            .body(text),
    }
}

/// Any partner's statement: the signed envelope (JSON) or CSV.
#[utoipa::path(tag = "settlement", operation_id = "get_statement",
    params(("statement_id" = i64, Path, description = "Statement id"), FormatQuery),
    responses((status = 200, body = SignedStatement, description = "The signed envelope; with format=csv, text/csv"),
              (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("operator_token" = [])))]
#[get("/statements/{statement_id}")]
pub(crate) async fn get_statement(
    _caller: OperatorCaller,
    state: web::Data<AppState>,
    path: web::Path<StatementId>,
    query: web::Query<FormatQuery>,
) -> ApiResult<HttpResponse> {
    let (id, csv) = (path.into_inner(), query.wants_csv()?);
    let export = state
        .run(move |conn, _| statements::export(conn, id, None, csv))
        .await?;
    Ok(export_response(export))
}

/// This partner's statements, newest first, with their payment status.
#[utoipa::path(tag = "partner", operation_id = "list_partner_statements", params(PageQuery),
    responses((status = 200, body = Vec<StatementStatus>), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[get("/statements")]
pub(crate) async fn list_partner_statements(
    signed: Signed,
    state: web::Data<AppState>,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let (cursor, limit) = query.parse()?;
    extract::reading(&state, signed, move |conn, _, partner_id| {
        statements::partner_statuses(conn, partner_id, cursor, limit)
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
pub(crate) async fn get_partner_statement(
    Signed { caller, .. }: Signed,
    state: web::Data<AppState>,
    path: web::Path<StatementId>,
    query: web::Query<FormatQuery>,
) -> ApiResult<HttpResponse> {
    let (id, csv) = (path.into_inner(), query.wants_csv()?);
    let export = state
        .run(move |conn, _| statements::export(conn, id, Some(caller.partner_id), csv))
        .await?;
    Ok(export_response(export))
}
