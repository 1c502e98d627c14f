//! Who is calling, as typed handler arguments: [`OperatorCaller`] and [`MemberCaller`] (bearer
//! tokens), [`Signed`], [`SignedUpload`] and [`SignedFile`] (a partner's HMAC-signed request
//! with its body, in memory or spooled to a file).
//! Each is an extractor: a handler that takes one cannot run for a caller who is not one, so no
//! route can forget its check. actix runs a handler's extractors concurrently, so JSON bodies
//! are refused in the handler, after the caller's check (`extract::Json`): an unauthenticated
//! request with a bad body meets 401 first. A malformed path or query may still answer 400
//! before the caller's 401.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use partner_sdk::signing;

use crate::domain::ids::MemberId;
use crate::domain::limits::{CATALOG_BYTES_MAX, RECONCILIATION_BYTES_MAX};
use crate::error::{fail, ApiError, ApiResult, Code};
use crate::service::platform::auth::{self, PartnerCaller, SignedRequest};
use crate::service::{members, AppState};

/// Longest bearer token accepted.
const BEARER_LEN_MAX: usize = 200;

pub(super) type Extracted<T> = Pin<Box<dyn Future<Output = Result<T, actix_web::Error>>>>;

/// A header as text, if present and visible ASCII.
pub fn header<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

fn app_state(req: &HttpRequest) -> ApiResult<web::Data<AppState>> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::internal("the application state is not registered"))
}

fn bearer(req: &HttpRequest) -> ApiResult<String> {
    header(req, "Authorization")
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty() && t.len() <= BEARER_LEN_MAX)
        .ok_or_else(|| ApiError::new(Code::Unauthenticated, "send Authorization: Bearer <token>"))
}

/// An operator, by bearer token.
#[derive(Debug, Clone)]
pub struct OperatorCaller {
    /// The token's name, for the audit trail.
    pub name: String,
}

impl FromRequest for OperatorCaller {
    type Error = actix_web::Error;
    type Future = Extracted<OperatorCaller>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let checked = app_state(req).and_then(|state| Ok((state, bearer(req)?)));
        Box::pin(async move {
            let (state, token) = checked?;
            let name = state
                .run(move |conn, _| auth::verify_operator(conn, &token))
                .await?;
            Ok(OperatorCaller { name })
        })
    }
}

/// A signed-in member, by bearer token (sessions expire on the network clock).
#[derive(Debug, Clone, Copy)]
pub struct MemberCaller {
    /// The member.
    pub member_id: MemberId,
}

impl FromRequest for MemberCaller {
    type Error = actix_web::Error;
    type Future = Extracted<MemberCaller>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let checked = app_state(req).and_then(|state| Ok((state, bearer(req)?)));
        Box::pin(async move {
            let (state, token) = checked?;
            let member_id = state
                .run(move |conn, s| members::session_member(conn, &token, s.clock.now_naive()))
                .await?;
            Ok(MemberCaller { member_id })
        })
    }
}

/// A partner's signed request: the verified caller and the exact body it signed (at most the
/// API's body limit).
#[derive(Debug, Clone)]
pub struct Signed {
    /// The partner and the key that signed.
    pub caller: PartnerCaller,
    /// The body as signed.
    pub body: web::Bytes,
}

impl FromRequest for Signed {
    type Error = actix_web::Error;
    type Future = Extracted<Signed>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let read = signed_body(req, payload);
        Box::pin(async move {
            let (state, signed, body, hash) = read.await?;
            let caller = verify_partner(&state, signed, hash).await?;
            Ok(Signed { caller, body })
        })
    }
}

/// What a signed request with its body in memory brings: the server's state, the signature
/// headers, the body (up to the JSON limit) and its SHA-256 (lowercase hex).
pub(super) type SignedBody = (web::Data<AppState>, SignedRequest, web::Bytes, String);

/// Reads a signed request's headers and body (see [`SignedBody`]).
pub(super) fn signed_body(
    req: &HttpRequest,
    payload: &mut Payload,
) -> impl Future<Output = Result<SignedBody, actix_web::Error>> {
    let bytes = web::Bytes::from_request(req, payload);
    let signed = signed_request(req);
    let state = app_state(req);
    async move {
        let (state, signed) = (state?, signed?);
        let body = bytes.await?;
        let hash = signing::body_sha256_hex(&body);
        Ok((state, signed, body, hash))
    }
}

/// A partner's signed upload of up to 8 MiB (reconciliation files). The signature headers, the
/// timestamp, an active key and an open partner are checked before the body is read, so a
/// large body is only buffered for a plausible caller; the full check runs on the whole body
/// afterwards.
#[derive(Debug, Clone)]
pub struct SignedUpload(pub Signed);

impl FromRequest for SignedUpload {
    type Error = actix_web::Error;
    type Future = Extracted<SignedUpload>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let payload = web::Payload::from_request(req, payload);
        let signed = signed_request(req);
        let state = app_state(req);
        Box::pin(async move {
            let (state, signed) = (state?, signed?);
            plausible_partner(&state, &signed).await?;
            let body = read_limited(payload.await?, RECONCILIATION_BYTES_MAX).await?;
            let hash = signing::body_sha256_hex(&body);
            let caller = verify_partner(&state, signed, hash).await?;
            Ok(SignedUpload(Signed { caller, body }))
        })
    }
}

/// A partner's signed file upload (catalogs, up to 256 MiB), spooled to a temporary file while
/// its SHA-256 is computed: the body is never held in memory whole. As for [`SignedUpload`],
/// the caller is checked as far as it can be before the body is read; the timestamp is judged
/// at the request's arrival, so a slow upload is not refused for taking minutes.
#[derive(Debug)]
pub struct SignedFile {
    /// The partner and the key that signed.
    pub caller: PartnerCaller,
    /// The body, in a file removed when this is dropped.
    pub body: Spooled,
}

impl FromRequest for SignedFile {
    type Error = actix_web::Error;
    type Future = Extracted<SignedFile>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let payload = web::Payload::from_request(req, payload);
        let signed = signed_request(req);
        let state = app_state(req);
        Box::pin(async move {
            let (state, signed) = (state?, signed?);
            plausible_partner(&state, &signed).await?;
            let body = spool(payload.await?, CATALOG_BYTES_MAX).await?;
            let caller = verify_partner(&state, signed, body.sha256_hex.clone()).await?;
            Ok(SignedFile { caller, body })
        })
    }
}

/// The signature headers of a partner request, as received, stamped with its arrival.
fn signed_request(req: &HttpRequest) -> ApiResult<SignedRequest> {
    let get = |name: &str| {
        header(req, name)
            .map(str::to_owned)
            .ok_or_else(|| ApiError::new(Code::Unauthenticated, format!("missing {name} header")))
    };
    Ok(SignedRequest {
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
        received_at_s: chrono::Utc::now().timestamp(),
    })
}

async fn verify_partner(
    state: &AppState,
    signed: SignedRequest,
    body_sha256_hex: String,
) -> ApiResult<PartnerCaller> {
    state
        .run(move |conn, state| auth::verify_partner(conn, state, &signed, &body_sha256_hex))
        .await
}

async fn plausible_partner(state: &AppState, signed: &SignedRequest) -> ApiResult<()> {
    let signed = signed.clone();
    state
        .run(move |conn, _| auth::precheck_partner(conn, &signed))
        .await
}

/// A request body written to a temporary file.
#[derive(Debug)]
pub struct Spooled {
    /// The file; removed when dropped.
    pub path: tempfile::TempPath,
    /// Lowercase hex SHA-256 of the body.
    pub sha256_hex: String,
    /// Its length.
    pub bytes: u64,
}

/// Writes a request body of up to `limit` bytes to a temporary file, hashing it on the way;
/// beyond the limit, a `payload_too_large` problem (and the file is removed).
pub async fn spool(mut payload: web::Payload, limit: usize) -> ApiResult<Spooled> {
    use futures_util::StreamExt as _;
    use std::io::Write as _;
    let failed = |e: std::io::Error| ApiError::internal(format!("spooling an upload: {e}"));
    let file = tempfile::NamedTempFile::new().map_err(failed)?;
    let (file, path) = file.into_parts();
    let mut out = std::io::BufWriter::with_capacity(256 * 1024, file);
    let mut digest = ring::digest::Context::new(&ring::digest::SHA256);
    let mut bytes: usize = 0;
    while let Some(chunk) = payload.next().await {
        let chunk = chunk
            .map_err(|e| ApiError::new(Code::InvalidRequest, format!("reading the body: {e}")))?;
        bytes = bytes.saturating_add(chunk.len());
        if bytes > limit {
            return fail(
                Code::PayloadTooLarge,
                format!("the upload exceeds {limit} bytes"),
            );
        }
        digest.update(&chunk);
        out.write_all(&chunk).map_err(failed)?;
    }
    out.flush().map_err(failed)?;
    Ok(Spooled {
        path,
        sha256_hex: hex::encode(digest.finish()),
        bytes: u64::try_from(bytes).unwrap_or(u64::MAX),
    })
}

/// Reads a request body of up to `limit` bytes; beyond it, a `payload_too_large` problem.
async fn read_limited(payload: web::Payload, limit: usize) -> ApiResult<web::Bytes> {
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
