//! A partner's reconciliation of its own records against a statement.

use crate::domain::ids::StatementId;
use crate::error::{fail, ApiResult, Code};
use crate::http::auth::{Signed, SignedUpload};
use crate::http::extract::{self, json_response};
use crate::service::settlement::reconcile;
use crate::service::AppState;
use actix_web::http::StatusCode;
use actix_web::{post, web, HttpRequest, HttpResponse};
use partner_sdk::statement::{ReconciliationReport, ReconciliationRow};
use partner_sdk::types::Problem;

/// Reconciles this partner's own records of a statement's period: a JSON array of rows, or CSV
/// (`Content-Type: text/csv`, header `order_id,kind,points`), up to 8 MiB and 200,000 rows.
#[utoipa::path(tag = "partner", operation_id = "create_reconciliation",
    request_body(content = Vec<ReconciliationRow>, description = "JSON rows, or the same as CSV with Content-Type text/csv"),
    params(("statement_id" = i64, Path, description = "Statement id")),
    responses((status = 200, body = ReconciliationReport), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[post("/statements/{statement_id}/reconciliation")]
pub(crate) async fn create_reconciliation(
    SignedUpload(Signed { caller, body }): SignedUpload,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<StatementId>,
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
