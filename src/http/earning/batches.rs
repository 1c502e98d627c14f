//! A day's sales in one signed request (partner).

use actix_web::http::StatusCode;
use actix_web::{post, web, HttpRequest, HttpResponse};
use partner_sdk::batch::{EarnBatchRequest, EarnBatchResponse, SaleOutcome, BATCH_SALES_MAX};
use partner_sdk::types::{EarnRequest, Problem};

use crate::error::{fail, ApiError, ApiResult, Code};
use crate::http::auth::SignedUpload;
use crate::http::extract::{json_response, json_value};
use crate::service::earning::batch::{earn_chunk, not_kept, BatchSale};
use crate::service::AppState;

/// Sales earned in one transaction (one writer's job); the chunks of a batch run in parallel
/// on the writers.
const CHUNK_SALES: usize = 100;

/// Earns up to 1,000 sales, each as `POST /v1/partner/earns` would, in the order given, and
/// answers one result per sale: `earned`, `already_earned` (its order earned before) or
/// `refused` with its problem. Signed once (up to 8 MiB); no `Idempotency-Key` is needed:
/// each sale earns once by its order id, so the same batch sent again earns only what did not
/// earn. A sale refused with status 503 was not kept: send it again.
#[utoipa::path(tag = "partner", operation_id = "create_earn_batch",
    request_body = EarnBatchRequest,
    responses((status = 200, body = EarnBatchResponse),
        (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("partner_signature" = [])))]
#[post("/earns/batch")]
pub(crate) async fn create_earn_batch(
    upload: SignedUpload,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let signed = upload.0;
    signed.caller.require_active()?;
    let partner_id = signed.caller.partner_id;
    let sales = read_sales(&req, &signed.body)?;
    let chunks = sales.chunks(CHUNK_SALES).map(|chunk| {
        let (state, chunk) = (state.clone(), std::sync::Arc::<[BatchSale]>::from(chunk));
        // Chunks are spread over the writers at random: placed by their index, every batch's
        // first chunk would queue on the same writer.
        let partition = format!("batch:{}", partner_sdk::signing::random_token_hex(8));
        async move {
            let categories = state.categories.clone();
            let work_chunk = chunk.clone();
            let done = state
                .writers
                .submit(
                    &state,
                    (&partition, chunk.len(), None),
                    move |conn, state| {
                        let now = state.clock.now_naive();
                        earn_chunk(conn, &categories, now, partner_id, &work_chunk)
                    },
                )
                .await;
            done.unwrap_or_else(|e| not_kept(&chunk, &e))
        }
    });
    let results = futures_util::future::join_all(chunks).await.concat();
    let count = |outcome| {
        let n = results.iter().filter(|r| r.outcome == outcome).count();
        u64::try_from(n).unwrap_or(u64::MAX)
    };
    let internal = results
        .iter()
        .filter(|r| {
            r.problem
                .as_ref()
                .is_some_and(|p| p.status >= 500 && p.status != 503)
        })
        .count();
    if internal > 0 {
        // Counted as the 500 answers they would have been alone.
        let internal = u64::try_from(internal).unwrap_or(u64::MAX);
        state
            .internal_errors
            .fetch_add(internal, std::sync::atomic::Ordering::SeqCst);
    }
    let answer = EarnBatchResponse {
        earned: count(SaleOutcome::Earned),
        already_earned: count(SaleOutcome::AlreadyEarned),
        refused: count(SaleOutcome::Refused),
        results,
    };
    Ok(json_response(StatusCode::OK, &answer))
}

/// The sales of a batch body: an object with one member, `sales`, a list of 1 to 1,000. A sale
/// that cannot be read is refused alone (`invalid_body`), the others are earned.
fn read_sales(req: &HttpRequest, body: &[u8]) -> ApiResult<Vec<BatchSale>> {
    let value = json_value(req, body)?;
    let serde_json::Value::Object(mut fields) = value else {
        return fail(Code::InvalidBody, "the body must be a JSON object");
    };
    let Some(serde_json::Value::Array(sales)) = fields.remove("sales") else {
        return fail(Code::InvalidBody, "`sales` must be a list of sales");
    };
    if let Some(other) = fields.keys().next() {
        return fail(Code::InvalidBody, format!("unknown field `{other}`"));
    }
    if sales.is_empty() || sales.len() > BATCH_SALES_MAX {
        return fail(
            Code::InvalidRequest,
            format!("a batch has 1 to {BATCH_SALES_MAX} sales; split larger files"),
        );
    }
    Ok(sales
        .into_iter()
        .enumerate()
        .map(|(index, sale)| {
            let order_id = sale
                .get("order_id")
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned);
            let sale = serde_json::from_value::<EarnRequest>(sale).map_err(|e| {
                ApiError::new(Code::InvalidBody, format!("invalid sale: {e}")).problem()
            });
            BatchSale {
                index,
                order_id,
                sale,
            }
        })
        .collect())
}
