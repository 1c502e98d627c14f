//! Idempotency keys: a retry with the same key and body gets the original answer; the same key
//! with another request is refused. The key is claimed in the same transaction as the work, so
//! of concurrent duplicates exactly one does the work: the others wait on the key's unique index
//! (PostgreSQL) or on the write lock (SQLite), then read the stored answer.

use chrono::NaiveDateTime;

use crate::db::queries::platform::idempotency as idempotency_rows;
use crate::db::{write_tx, DbConn};
use crate::domain::ids::PartnerId;
use crate::error::{fail, ApiError, ApiResult, Code};

/// Longest idempotency key.
pub const KEY_LEN_MAX: usize = 128;

/// An answer, fresh or replayed.
#[derive(Debug)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// JSON body.
    pub body: String,
    /// Whether it is the stored answer of an earlier request.
    pub replayed: bool,
}

/// Checks the key's form: 1 to 128 printable ASCII characters (0x20 to 0x7E: spaces are
/// allowed, control characters are not).
pub fn check_key(key: Option<&[u8]>) -> ApiResult<&str> {
    let Some(key) = key else {
        return fail(
            Code::IdempotencyKeyRequired,
            "send an Idempotency-Key header (a UUID is fine)",
        );
    };
    let printable = key.iter().all(|b| (0x20..=0x7E).contains(b));
    match std::str::from_utf8(key) {
        Ok(k) if printable && !k.is_empty() && k.len() <= KEY_LEN_MAX => Ok(k),
        _ => fail(
            Code::InvalidRequest,
            "Idempotency-Key must be 1 to 128 printable ASCII characters (0x20 to 0x7E)",
        ),
    }
}

/// Runs `work` once per (partner, key). `request_sha256` identifies the request (method, path
/// and body); a stored answer is replayed only for the same request. A refusal the work
/// records ([`ApiError::Recorded`]) commits with its problem document as the stored answer; any
/// other refusal rolls everything back, the key included. `work` may run more than once when
/// the transaction meets a concurrent one (see [`write_tx`]).
pub fn run(
    conn: &mut DbConn,
    now: NaiveDateTime,
    partner_id: PartnerId,
    key: &str,
    request_sha256: &str,
    mut work: impl FnMut(&mut DbConn) -> ApiResult<(u16, String)>,
) -> ApiResult<Answer> {
    write_tx(conn, |conn| {
        if !idempotency_rows::claim_idempotency_key(conn, partner_id, key, request_sha256, now)? {
            let stored = idempotency_rows::idempotency_record(conn, partner_id, key)?
                .ok_or_else(|| ApiError::internal("claimed idempotency key vanished"))?;
            if stored.request_sha256 != request_sha256 {
                return fail(
                    Code::IdempotencyKeyReused,
                    "this Idempotency-Key was used with another request",
                );
            }
            return Ok(Answer {
                status: u16::try_from(stored.status_code).unwrap_or(200),
                body: stored.response_body,
                replayed: true,
            });
        }
        let (status, body) = match work(conn) {
            Ok(answer) => answer,
            Err(refusal @ ApiError::Recorded { .. }) => {
                let problem = refusal.problem();
                let body = serde_json::to_string(&problem).map_err(ApiError::internal)?;
                (problem.status, body)
            }
            Err(e) => return Err(e),
        };
        idempotency_rows::store_idempotent_answer(conn, partner_id, key, i32::from(status), &body)?;
        Ok(Answer {
            status,
            body,
            replayed: false,
        })
    })
}
