//! Who is calling: partners by HMAC-signed requests (scheme v1), operators and members by
//! bearer tokens. A signature's timestamp is judged by the wall clock (the partner's clock is
//! real); member sessions expire on the network's clock, like every other lifetime.

use chrono::Utc;
use partner_sdk::signing;

use crate::crypto;
use crate::db::queries::partners as rows;
use crate::db::queries::platform::auth as auth_rows;
use crate::db::{is_unique_violation, DbConn};
use crate::domain::ids::PartnerId;
use crate::error::{fail, ApiError, ApiResult, Code};
use crate::service::AppState;

/// How far a request's timestamp may be from the server's clock, in seconds.
pub const SIGNATURE_WINDOW_S: i64 = 300;

/// The signature headers of a partner request, as received.
#[derive(Debug, Clone)]
pub struct SignedRequest {
    /// `Loyalty-Key-Id`.
    pub key_id: String,
    /// `Loyalty-Timestamp`.
    pub timestamp: String,
    /// `Loyalty-Nonce`.
    pub nonce: String,
    /// `Loyalty-Signature`.
    pub signature: String,
    /// The method.
    pub method: String,
    /// Path and query exactly as sent.
    pub path_and_query: String,
    /// When the request arrived (Unix seconds): its timestamp is judged against this, so an
    /// upload that takes minutes to send is not refused for it.
    pub received_at_s: i64,
}

/// An authenticated partner.
#[derive(Debug, Clone)]
pub struct PartnerCaller {
    /// The partner.
    pub partner_id: PartnerId,
    /// The key that signed.
    pub key_id: String,
    /// The partner's status: an applied or suspended partner may read, upload its catalog and
    /// finish what it started, but only an active one earns and redeems.
    pub status: String,
}

impl PartnerCaller {
    /// Refuses a partner that is not active (for earning and redeeming).
    pub fn require_active(&self) -> ApiResult<()> {
        match self.status.as_str() {
            "active" => Ok(()),
            "suspended" => fail(Code::PartnerSuspended, "the partner is suspended"),
            other => fail(
                Code::PartnerNotActive,
                format!("the partner is {other}: it may not earn or redeem until admitted"),
            ),
        }
    }
}

/// The checks that need neither the body nor the secret: a well-formed nonce, a timestamp
/// within the window of the request's arrival. Returns the timestamp.
fn check_headers(req: &SignedRequest) -> ApiResult<i64> {
    if !signing::nonce_is_well_formed(&req.nonce) {
        return fail(
            Code::Unauthenticated,
            "Loyalty-Nonce must be 16 to 64 of [A-Za-z0-9_-]",
        );
    }
    let timestamp: i64 = req.timestamp.parse().map_err(|_| {
        ApiError::new(
            Code::Unauthenticated,
            "Loyalty-Timestamp must be Unix seconds",
        )
    })?;
    // abs_diff: a timestamp near i64::MIN must not overflow the subtraction.
    if req.received_at_s.abs_diff(timestamp) > SIGNATURE_WINDOW_S.unsigned_abs() {
        return fail(
            Code::TimestampOutOfWindow,
            format!("the timestamp is more than {SIGNATURE_WINDOW_S} s from the server's clock"),
        );
    }
    Ok(timestamp)
}

/// The checks run before a large upload is read: the headers (nonce, timestamp), an active
/// key, a partner that is neither rejected nor terminated. The signature and the nonce's
/// novelty are checked on the whole body afterwards.
pub fn precheck_partner(conn: &mut DbConn, req: &SignedRequest) -> ApiResult<()> {
    check_headers(req)?;
    let (_, status) = rows::active_key_and_status(conn, &req.key_id)?
        .ok_or_else(|| ApiError::new(Code::UnknownKey, "unknown or revoked key"))?;
    refuse_closed(&status)
}

/// A rejected or terminated partner's keys open nothing.
fn refuse_closed(status: &str) -> ApiResult<()> {
    if matches!(status, "rejected" | "terminated") {
        return fail(Code::PartnerNotActive, format!("the partner is {status}"));
    }
    Ok(())
}

/// Verifies a partner request: fresh timestamp, known active key, valid signature over the
/// body's SHA-256 (constant time), unseen nonce (recorded in the database, so replays are
/// caught across instances), a partner neither rejected nor terminated.
pub fn verify_partner(
    conn: &mut DbConn,
    state: &AppState,
    req: &SignedRequest,
    body_sha256_hex: &str,
) -> ApiResult<PartnerCaller> {
    let (caller, nonce) = authenticate(conn, state, req, body_sha256_hex)?;
    burn_nonce(conn, &nonce)?;
    refuse_closed(&caller.status)?;
    Ok(caller)
}

/// A nonce of a verified request, not recorded yet.
#[derive(Debug, Clone)]
pub struct Nonce {
    /// The key that signed.
    pub key_id: String,
    /// `Loyalty-Nonce`.
    pub nonce: String,
    /// When its request arrived (Unix seconds).
    pub received_at_s: i64,
}

/// Longest a request that moves points may wait for its writer to record its nonce, in
/// seconds; past it the request is answered 503 without running (its client gave up long ago).
pub const NONCE_WAIT_MAX_S: i64 = 60;

/// How long a recorded nonce is kept, in seconds: a replay must arrive within the signature
/// window of the same timestamp (so at most twice the window after the original), and is
/// recorded at most [`NONCE_WAIT_MAX_S`] after it arrives; the rest is margin.
pub const NONCE_KEPT_S: i64 = 2 * SIGNATURE_WINDOW_S + 2 * NONCE_WAIT_MAX_S;

/// The checks of [`verify_partner`] but the nonce's: fresh timestamp, known active key, valid
/// signature. The caller (whose partner may still be closed) and the nonce to record before
/// anything of the request is done.
pub fn authenticate(
    conn: &mut DbConn,
    state: &AppState,
    req: &SignedRequest,
    body_sha256_hex: &str,
) -> ApiResult<(PartnerCaller, Nonce)> {
    let timestamp = check_headers(req)?;
    // The key and its partner's status in one query; the key must be active now (a revoked
    // key is refused at once, whatever is cached).
    let (key, status) = rows::active_key_and_status(conn, &req.key_id)?
        .ok_or_else(|| ApiError::new(Code::UnknownKey, "unknown or revoked key"))?;
    let secret = state.secrets.open(state, &key.key_id, &key.secret_sealed)?;
    if !signing::verify_signature_header_for_hash(
        &secret,
        &req.signature,
        &req.method,
        &req.path_and_query,
        timestamp,
        &req.nonce,
        body_sha256_hex,
    ) {
        return fail(
            Code::InvalidSignature,
            "the signature does not match the request",
        );
    }
    let nonce = Nonce {
        key_id: key.key_id.clone(),
        nonce: req.nonce.clone(),
        received_at_s: req.received_at_s,
    };
    let caller = PartnerCaller {
        partner_id: key.partner_id,
        key_id: key.key_id,
        status,
    };
    Ok((caller, nonce))
}

/// Records a nonce; a nonce seen before is a replay.
pub fn burn_nonce(conn: &mut DbConn, nonce: &Nonce) -> ApiResult<()> {
    match auth_rows::insert_nonce(conn, &nonce.key_id, &nonce.nonce, Utc::now().naive_utc()) {
        Ok(_) => Ok(()),
        Err(e) if is_unique_violation(&e) => Err(nonce_replayed()),
        Err(e) => Err(e.into()),
    }
}

/// Records the nonces of a batch of requests in one statement; for each, whether it was new
/// (false: a replay, of an earlier request or of one before it in the same batch).
pub fn burn_nonces(conn: &mut DbConn, nonces: &[&Nonce]) -> ApiResult<Vec<bool>> {
    let mut firsts = std::collections::HashSet::new();
    let first: Vec<bool> = nonces
        .iter()
        .map(|n| firsts.insert((n.key_id.as_str(), n.nonce.as_str())))
        .collect();
    let mut pairs: Vec<(&str, &str)> = firsts.into_iter().collect();
    pairs.sort_unstable();
    let recorded: std::collections::HashSet<(String, String)> =
        auth_rows::insert_new_nonces(conn, &pairs, Utc::now().naive_utc())?
            .into_iter()
            .collect();
    Ok(nonces
        .iter()
        .zip(first)
        .map(|(n, first)| first && recorded.contains(&(n.key_id.clone(), n.nonce.clone())))
        .collect())
}

/// The refusal of a nonce seen before.
pub fn nonce_replayed() -> ApiError {
    ApiError::new(
        Code::NonceReplayed,
        "this nonce was already used with this key",
    )
}

/// Refuses a partner that is rejected or terminated (their keys open nothing).
pub fn require_open(caller: &PartnerCaller) -> ApiResult<()> {
    refuse_closed(&caller.status)
}

/// Most secrets kept opened; past it the cache starts again empty.
const SECRETS_KEPT_MAX: usize = 10_000;

/// Partner secrets already opened (an AES-GCM open per request otherwise), by key id and the
/// sealed form they were opened from: a rotated or re-sealed secret is opened again, and a
/// revoked key never reaches the cache (its row is no longer active).
#[derive(Clone, Default)]
pub struct SecretCache(
    std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, (String, String)>>>,
);

impl SecretCache {
    /// The secret of `key_id` sealed as `sealed`.
    pub fn open(&self, state: &AppState, key_id: &str, sealed: &str) -> ApiResult<String> {
        if let Ok(cache) = self.0.lock() {
            if let Some((s, secret)) = cache.get(key_id) {
                if s == sealed {
                    return Ok(secret.clone());
                }
            }
        }
        let secret = state.master_key.open(key_id, sealed)?;
        if let Ok(mut cache) = self.0.lock() {
            if cache.len() >= SECRETS_KEPT_MAX {
                cache.clear();
            }
            cache.insert(key_id.to_owned(), (sealed.to_owned(), secret.clone()));
        }
        Ok(secret)
    }
}

/// The name of the operator holding this bearer token.
pub fn verify_operator(conn: &mut DbConn, token: &str) -> ApiResult<String> {
    auth_rows::operator_token(conn, &crypto::sha256_hex(token))?.ok_or_else(|| {
        ApiError::new(
            Code::InvalidToken,
            "the operator token is invalid or revoked",
        )
    })
}

/// Creates an operator token and returns it (stored only as its hash).
pub fn create_operator_token(conn: &mut DbConn, name: &str) -> ApiResult<String> {
    let token = crypto::new_token("lop_");
    auth_rows::insert_operator_token(
        conn,
        name,
        &crypto::sha256_hex(&token),
        Utc::now().naive_utc(),
    )?;
    Ok(token)
}
