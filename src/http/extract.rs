//! Turning a request into trusted inputs: JSON bodies and page parameters, each refused with a
//! problem answer when wrong; and the two shapes of a signed partner request (one that moves
//! points, under an idempotency key, and one that reads). Callers are in [`super::auth`].

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDateTime;
use partner_sdk::signing;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use crate::db::DbConn;
use crate::domain::ids::PartnerId;
use crate::domain::input::check_json_strings;
use crate::domain::limits::{PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX};
use crate::error::{fail, ApiError, ApiResult, Code};
use crate::http::auth::{header, signed_body, Extracted, Signed};
use crate::http::strict_json::StrictValue;
use crate::service::platform::auth::{self, PartnerCaller};
use crate::service::platform::idempotency;
use crate::service::AppState;

/// Parses a JSON request body: sent as `application/json`, it must be one JSON object (an
/// empty body counts as `{}`; an array, a string or a number is refused even where serde would
/// read a struct from an array) naming each member once, and no string in it may hold control
/// characters (the central text check of [`crate::domain::input`]). Every JSON body goes through
/// here except a reconciliation upload, whose rows `service::settlement::reconcile` checks
/// field by field (answering `invalid_reconciliation_file`).
pub fn json_body<T: DeserializeOwned>(req: &HttpRequest, body: &[u8]) -> ApiResult<T> {
    json_typed(json_value(req, body)?)
}

/// The checked JSON object of a body (see [`json_body`]), before it is read into its type.
pub fn json_value(req: &HttpRequest, body: &[u8]) -> ApiResult<serde_json::Value> {
    let value: serde_json::Value = if body.iter().all(u8::is_ascii_whitespace) {
        serde_json::Value::Object(serde_json::Map::new())
    } else {
        check_json_content_type(req)?;
        serde_json::from_slice::<StrictValue>(body)
            .map_err(|e| ApiError::new(Code::InvalidBody, format!("invalid JSON body: {e}")))?
            .0
    };
    if !value.is_object() {
        return fail(Code::InvalidBody, "the body must be a JSON object");
    }
    check_json_strings(&value)?;
    Ok(value)
}

/// A checked JSON object read into its type.
fn json_typed<T: DeserializeOwned>(value: serde_json::Value) -> ApiResult<T> {
    serde_json::from_value(value)
        .map_err(|e| ApiError::new(Code::InvalidBody, format!("invalid JSON body: {e}")))
}

/// Refuses a body that does not say it is JSON (`application/json` or `application/...+json`,
/// parameters allowed): a form post from a browser is never read as an API request.
fn check_json_content_type(req: &HttpRequest) -> ApiResult<()> {
    let is_json = content_type_is(req, "application/json") || {
        let essence = content_type_essence(req);
        essence.starts_with("application/") && essence.ends_with("+json")
    };
    if !is_json {
        return fail(
            Code::UnsupportedMediaType,
            "send the body as Content-Type: application/json",
        );
    }
    Ok(())
}

/// The media type of the request's body, lower-case, without parameters.
fn content_type_essence(req: &HttpRequest) -> String {
    header(req, "Content-Type")
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default()
}

/// Whether the request's body is of this media type (parameters such as `charset` aside).
pub fn content_type_is(req: &HttpRequest, media_type: &str) -> bool {
    content_type_essence(req) == media_type
}

/// A JSON object body of bearer-token routes, read through [`json_body`] (limited to
/// `BODY_BYTES_MAX` by the payload configuration). Its extraction never fails: a refusal of
/// the body is kept and given by [`Json::into_inner`] in the handler, so that the caller's
/// check (an extractor that runs concurrently with this one) is always answered first.
/// Handlers document their typed body in `request_body`.
pub struct Json<T>(ApiResult<T>);

impl<T> Json<T> {
    /// The parsed body, or why it was refused.
    pub fn into_inner(self) -> ApiResult<T> {
        self.0
    }
}

impl<T: DeserializeOwned + 'static> actix_web::FromRequest for Json<T> {
    type Error = actix_web::Error;
    type Future =
        std::pin::Pin<Box<dyn std::future::Future<Output = Result<Json<T>, actix_web::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let bytes = web::Bytes::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move {
            let parsed = match bytes.await {
                Ok(bytes) => json_body(&req, &bytes),
                Err(e) => {
                    let too_large =
                        e.as_response_error().status_code() == StatusCode::PAYLOAD_TOO_LARGE;
                    let code = if too_large {
                        Code::PayloadTooLarge
                    } else {
                        Code::InvalidRequest
                    };
                    Err(ApiError::new(code, format!("reading the body: {e}")))
                }
            };
            Ok(Json(parsed))
        })
    }
}

/// A JSON answer.
pub fn json_response<T: Serialize>(status: StatusCode, value: &T) -> HttpResponse {
    HttpResponse::build(status).json(value)
}

fn request_sha256(req: &HttpRequest, body: &[u8]) -> String {
    let mut text = format!("{}\n{}\n", req.method(), req.uri().path()).into_bytes();
    text.extend_from_slice(body);
    hex::encode(ring::digest::digest(&ring::digest::SHA256, &text))
}

/// A partner's signed request that moves points: checked as [`Signed`] is, but its nonce is
/// recorded by the writer that runs the request, in one statement and one commit with the
/// nonces of the other requests of its batch, before any of their work runs. Its fields are
/// private to this module: only [`moving`] can take it apart, so no handler can forget the
/// nonce.
#[derive(Debug, Clone)]
pub struct SignedMove {
    caller: PartnerCaller,
    body: web::Bytes,
    nonce: auth::Nonce,
}

impl actix_web::FromRequest for SignedMove {
    type Error = actix_web::Error;
    type Future = Extracted<SignedMove>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let read = signed_body(req, payload);
        Box::pin(async move {
            let (state, signed, body, hash) = read.await?;
            let (caller, nonce) = state
                .run(move |conn, state| auth::authenticate(conn, state, &signed, &hash))
                .await?;
            Ok(SignedMove {
                caller,
                body,
                nonce,
            })
        })
    }
}

/// Which partners may make a request that moves points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Partners {
    /// Only an active partner (earning, redeeming, enrolling).
    Active,
    /// Any partner whose keys open the API, such as a suspended one finishing what it started
    /// (refunds, captures, voids).
    Open,
}

/// Runs a signed partner request that moves points: authenticated, with a required
/// `Idempotency-Key`, the work done once per key, by the group-committing writer of the
/// request's member (its `member_number`; a request that names none is placed by its key).
/// The writer records the request's nonce, with those of its batch, before any work; a request
/// refused before it reaches a writer has its nonce recorded here.
pub async fn moving<I, O, F>(
    state: &AppState,
    req: &HttpRequest,
    (signed, partners): (SignedMove, Partners),
    status: StatusCode,
    work: F,
) -> ApiResult<HttpResponse>
where
    I: DeserializeOwned + Send + 'static,
    O: Serialize,
    F: Fn(&mut DbConn, NaiveDateTime, PartnerId, &I) -> ApiResult<O> + Send + 'static,
{
    let SignedMove {
        caller,
        body,
        nonce,
    } = signed;
    let prepared = (|| {
        auth::require_open(&caller)?;
        if partners == Partners::Active {
            caller.require_active()?;
        }
        let key = idempotency::check_key(
            req.headers()
                .get(signing::HEADER_IDEMPOTENCY_KEY)
                .map(|v| v.as_bytes()),
        )?
        .to_owned();
        let value = json_value(req, &body)?;
        let partition = match value.get("member_number") {
            Some(serde_json::Value::String(member)) => format!("member:{member}"),
            _ => format!("key:{key}"),
        };
        let input: I = json_typed(value)?;
        Ok::<_, ApiError>((key, partition, input))
    })();
    let (key, partition, input) = match prepared {
        Ok(prepared) => prepared,
        Err(e) => {
            // A replay is refused as such, before anything else.
            state
                .run(move |conn, _| auth::burn_nonce(conn, &nonce))
                .await?;
            return Err(e);
        }
    };
    let hash = request_sha256(req, &body);
    let submitted = state
        .writers
        .submit(
            state,
            (&partition, 1, Some(nonce.clone())),
            move |conn, state| {
                let now = state.clock.now_naive();
                idempotency::run(conn, now, caller.partner_id, &key, &hash, |conn| {
                    let out = work(conn, now, caller.partner_id, &input)?;
                    let json = serde_json::to_string(&out).map_err(ApiError::internal)?;
                    Ok((status.as_u16(), json))
                })
            },
        )
        .await;
    let answer = match submitted {
        Ok(answer) => answer,
        // Not run, and perhaps refused before its writer recorded the nonce (a full queue, no
        // connection, the nonces' commit failed): recorded now if it can be, so that the
        // request seen on the wire cannot run later under another Idempotency-Key. Recorded
        // already is as good.
        Err(e) if matches!(e.code(), Code::DatabaseUnavailable | Code::Internal) => {
            let _ = state
                .run(move |conn, _| auth::burn_nonce(conn, &nonce))
                .await;
            return Err(e);
        }
        Err(e) => return Err(e),
    };
    let answer_status = StatusCode::from_u16(answer.status).unwrap_or(status);
    let mut builder = HttpResponse::build(answer_status);
    builder.content_type(if answer_status.is_client_error() {
        "application/problem+json"
    } else {
        "application/json"
    });
    if answer.replayed {
        builder.insert_header(("Idempotent-Replayed", "true"));
    }
    Ok(builder.body(answer.body))
}

/// Runs a signed partner request that moves nothing.
pub async fn reading<O, F>(state: &AppState, signed: Signed, work: F) -> ApiResult<HttpResponse>
where
    O: Serialize + Send + 'static,
    F: FnOnce(&mut DbConn, NaiveDateTime, PartnerId) -> ApiResult<O> + Send + 'static,
{
    let partner_id = signed.caller.partner_id;
    let out = state
        .run(move |conn, state| work(conn, state.clock.now_naive(), partner_id))
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}

/// Cursor pagination parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Where the page starts: the previous page's `next_cursor` (for the statements of a
    /// partner, which come as a bare list newest first: the last statement id seen).
    pub cursor: Option<String>,
    /// Items per page, 1 to 200 (default 50).
    pub limit: Option<i64>,
}

impl PageQuery {
    /// The cursor as an id, and the page size, validated.
    pub fn parse(&self) -> ApiResult<(Option<i64>, i64)> {
        let cursor = match &self.cursor {
            None => None,
            Some(c) => Some(c.parse::<i64>().ok().filter(|v| *v >= 0).ok_or_else(|| {
                ApiError::new(Code::InvalidRequest, "cursor is not one this server gave")
            })?),
        };
        let limit = self.limit.unwrap_or(PAGE_SIZE_DEFAULT);
        if !(1..=PAGE_SIZE_MAX).contains(&limit) {
            return fail(
                Code::InvalidRequest,
                format!("limit must be 1 to {PAGE_SIZE_MAX}"),
            );
        }
        Ok((cursor, limit))
    }
}
