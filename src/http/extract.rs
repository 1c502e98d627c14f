//! Turning a request into trusted inputs: partner signatures, bearer tokens, JSON bodies and
//! page parameters, each refused with a problem answer when wrong.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDateTime;
use partner_sdk::signing;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use crate::db::DbConn;
use crate::domain::input::check_json_strings;
use crate::domain::limits::{PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX};
use crate::error::{fail, ApiError, ApiResult, Code};
use crate::http::strict_json::StrictValue;
use crate::service::auth::{self, PartnerCaller, SignedRequest};
use crate::service::{idempotency, members, AppState};

fn header<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

/// Authenticates a signed partner request.
pub async fn partner(
    state: &AppState,
    req: &HttpRequest,
    body: &web::Bytes,
) -> ApiResult<PartnerCaller> {
    let get = |name: &str| {
        header(req, name)
            .map(str::to_owned)
            .ok_or_else(|| ApiError::new(Code::Unauthenticated, format!("missing {name} header")))
    };
    let signed = SignedRequest {
        key_id: get(signing::HEADER_KEY_ID)?,
        timestamp: get(signing::HEADER_TIMESTAMP)?,
        nonce: get(signing::HEADER_NONCE)?,
        signature: get(signing::HEADER_SIGNATURE)?,
        method: req.method().as_str().to_owned(),
        path_and_query: req
            .uri()
            .path_and_query()
            .map(|pq| pq.as_str().to_owned())
            .unwrap_or_else(|| req.uri().path().to_owned()),
    };
    let body = body.clone();
    state
        .run(move |conn, state| auth::verify_partner(conn, state, &signed, &body))
        .await
}

fn bearer(req: &HttpRequest) -> ApiResult<String> {
    header(req, "Authorization")
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty() && t.len() <= 200)
        .ok_or_else(|| ApiError::new(Code::Unauthenticated, "send Authorization: Bearer <token>"))
}

/// Authenticates an operator; returns the token's name.
pub async fn operator(state: &AppState, req: &HttpRequest) -> ApiResult<String> {
    let token = bearer(req)?;
    state
        .run(move |conn, _| auth::verify_operator(conn, &token))
        .await
}

/// Authenticates a member; returns their id.
pub async fn member(state: &AppState, req: &HttpRequest) -> ApiResult<i64> {
    let token = bearer(req)?;
    state
        .run(move |conn, state| members::session_member(conn, &token, state.clock.now_naive()))
        .await
}

/// Parses a JSON request body: sent as `application/json`, it must be one JSON object (an
/// empty body counts as `{}`; an array, a string or a number is refused even where serde would
/// read a struct from an array) naming each member once, and no string in it may hold control
/// characters (the central text check of [`crate::domain::input`]). Every JSON body, signed or
/// not, goes through here.
pub fn json_body<T: DeserializeOwned>(req: &HttpRequest, body: &[u8]) -> ApiResult<T> {
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
    serde_json::from_value(value)
        .map_err(|e| ApiError::new(Code::InvalidBody, format!("invalid JSON body: {e}")))
}

/// Refuses a body that does not say it is JSON (`application/json` or `application/...+json`,
/// parameters allowed): a form post from a browser is never read as an API request.
fn check_json_content_type(req: &HttpRequest) -> ApiResult<()> {
    let essence = header(req, "Content-Type")
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let is_json = essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"));
    if !is_json {
        return fail(
            Code::UnsupportedMediaType,
            "send the body as Content-Type: application/json",
        );
    }
    Ok(())
}

/// A JSON object body of bearer-token routes, read through [`json_body`] (limited to
/// `BODY_BYTES_MAX` by the payload configuration). Handlers document their typed body in
/// `request_body`.
pub struct Json<T>(pub T);

impl<T: DeserializeOwned + 'static> actix_web::FromRequest for Json<T> {
    type Error = actix_web::Error;
    type Future =
        std::pin::Pin<Box<dyn std::future::Future<Output = Result<Json<T>, actix_web::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let bytes = web::Bytes::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move {
            let bytes = bytes.await?;
            json_body(&req, &bytes)
                .map(Json)
                .map_err(actix_web::Error::from)
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

/// Runs a signed partner request that moves points: authenticated, with a required
/// `Idempotency-Key`, the work done once per key.
pub async fn moving<I, O, F>(
    state: &AppState,
    req: &HttpRequest,
    body: web::Bytes,
    status: StatusCode,
    work: F,
) -> ApiResult<HttpResponse>
where
    I: DeserializeOwned + Send + 'static,
    O: Serialize,
    F: Fn(&mut DbConn, NaiveDateTime, i64, &I) -> ApiResult<O> + Send + 'static,
{
    let caller = partner(state, req, &body).await?;
    let key = idempotency::check_key(
        req.headers()
            .get(signing::HEADER_IDEMPOTENCY_KEY)
            .map(|v| v.as_bytes()),
    )?
    .to_owned();
    let input: I = json_body(req, &body)?;
    let hash = request_sha256(req, &body);
    let answer = state
        .run(move |conn, state| {
            let now = state.clock.now_naive();
            idempotency::run(conn, now, caller.partner_id, &key, &hash, |conn| {
                let out = work(conn, now, caller.partner_id, &input)?;
                let json = serde_json::to_string(&out).map_err(ApiError::internal)?;
                Ok((status.as_u16(), json))
            })
        })
        .await?;
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
pub async fn reading<O, F>(
    state: &AppState,
    req: &HttpRequest,
    body: web::Bytes,
    work: F,
) -> ApiResult<HttpResponse>
where
    O: Serialize + Send + 'static,
    F: FnOnce(&mut DbConn, NaiveDateTime, i64) -> ApiResult<O> + Send + 'static,
{
    let caller = partner(state, req, &body).await?;
    let out = state
        .run(move |conn, state| work(conn, state.clock.now_naive(), caller.partner_id))
        .await?;
    Ok(json_response(StatusCode::OK, &out))
}

/// Cursor pagination parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// The `next_cursor` of the previous page.
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

/// The raw request body. A plain `web::Bytes` argument would be documented as an untyped
/// body; partner handlers need the exact bytes to check the signature, and document their
/// typed body in `request_body` instead.
pub struct RawBody(pub web::Bytes);

impl actix_web::FromRequest for RawBody {
    type Error = actix_web::Error;
    type Future =
        std::pin::Pin<Box<dyn std::future::Future<Output = Result<RawBody, actix_web::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move { bytes.await.map(RawBody) })
    }
}

/// Refuses a partner request early, before its body is read, unless it carries the signature
/// headers and names an active key: a large upload is only buffered for a plausible caller.
/// The full check (signature, timestamp, nonce) still runs on the whole body afterwards.
pub async fn plausible_partner(state: &AppState, req: &HttpRequest) -> ApiResult<()> {
    for name in [
        signing::HEADER_KEY_ID,
        signing::HEADER_TIMESTAMP,
        signing::HEADER_NONCE,
        signing::HEADER_SIGNATURE,
    ] {
        if header(req, name).is_none() {
            return fail(Code::Unauthenticated, format!("missing {name} header"));
        }
    }
    let key_id = header(req, signing::HEADER_KEY_ID)
        .unwrap_or_default()
        .to_owned();
    let known = state
        .run(move |conn, _| Ok(crate::db::queries::partners::active_key(conn, &key_id)?.is_some()))
        .await?;
    if !known {
        return fail(Code::UnknownKey, "unknown or revoked key");
    }
    Ok(())
}

/// Reads a request body of up to `limit` bytes; beyond it, a `payload_too_large` problem.
pub async fn read_limited(payload: web::Payload, limit: usize) -> ApiResult<web::Bytes> {
    payload
        .to_bytes_limited(limit)
        .await
        .map_err(|_| {
            ApiError::new(
                Code::PayloadTooLarge,
                format!("the upload exceeds {limit} bytes"),
            )
        })?
        .map_err(|e| ApiError::new(Code::InvalidRequest, format!("reading the body: {e}")))
}
