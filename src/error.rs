//! The one error type a client sees, rendered as RFC 9457 `application/problem+json` with a
//! stable machine-readable `code`.
//!
//! Policy: services and handlers return [`ApiError`]. A client mistake is a [`Code`] with a
//! detail sentence; an unreachable or overloaded database is `database_unavailable` (503, with
//! `Retry-After`, logged as a warning); anything else (a bug) is `Internal`: logged once here
//! with its cause and an error id, and answered as an opaque 500 that quotes the id. `anyhow`
//! lives only in `main`, start-up, `db::conn`'s pool and migration helpers, and tests.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use partner_sdk::types::Problem;

macro_rules! codes {
    ($($variant:ident => ($status:expr, $code:literal, $title:literal),)*) => {
        /// Every stable error code, with its HTTP status and title.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Code { $($variant,)* }

        impl Code {
            /// The stable snake_case code.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }
            /// The HTTP status.
            pub fn status(self) -> StatusCode {
                match self { $(Code::$variant => $status,)* }
            }
            /// The short title of the problem type.
            pub fn title(self) -> &'static str {
                match self { $(Code::$variant => $title,)* }
            }
            /// Every code (the unit tests check that each is unique, snake case, and the name
            /// of its variant).
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];
        }
    };
}

codes! {
    InvalidRequest => (StatusCode::BAD_REQUEST, "invalid_request", "The request is malformed"),
    InvalidBody => (StatusCode::BAD_REQUEST, "invalid_body", "The request body is not a JSON object of the expected shape"),
    InvalidMemberNumber => (StatusCode::BAD_REQUEST, "invalid_member_number", "The member number is not well formed"),
    InvalidAmount => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_amount", "A number is out of its range"),
    CurrencyMismatch => (StatusCode::UNPROCESSABLE_ENTITY, "currency_mismatch", "The currency is not the expected one"),
    InvalidOccurredAt => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_occurred_at", "The sale time is out of range"),
    UnsupportedMediaType => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "The body must be sent as application/json"),
    PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "The request body is too large"),
    NotFound => (StatusCode::NOT_FOUND, "not_found", "No such resource"),
    MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "Method not allowed"),
    MemberNotFound => (StatusCode::NOT_FOUND, "member_not_found", "No such member"),
    PartnerNotFound => (StatusCode::NOT_FOUND, "partner_not_found", "No such partner"),
    PartnerSuspended => (StatusCode::FORBIDDEN, "partner_suspended", "The partner is suspended"),
    KeyNotFound => (StatusCode::NOT_FOUND, "key_not_found", "No such API key"),
    OrderNotFound => (StatusCode::NOT_FOUND, "order_not_found", "No earn for this order id"),
    OrderAlreadyEarned => (StatusCode::CONFLICT, "order_already_earned", "This order has already earned points"),
    RefundIdReused => (StatusCode::CONFLICT, "refund_id_reused", "This refund id was already used"),
    RefundExceedsOrder => (StatusCode::UNPROCESSABLE_ENTITY, "refund_exceeds_order", "Refunds would exceed the order amount"),
    InsufficientPoints => (StatusCode::UNPROCESSABLE_ENTITY, "insufficient_points", "The member does not have enough available points"),
    InvalidCode => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_code", "The one-time code is wrong, used or expired"),
    CodeLocked => (StatusCode::TOO_MANY_REQUESTS, "code_locked", "Too many wrong codes: redemptions are locked for a while"),
    TooManyCodes => (StatusCode::TOO_MANY_REQUESTS, "too_many_codes", "Too many unused one-time codes"),
    RedemptionNotFound => (StatusCode::NOT_FOUND, "redemption_not_found", "No such redemption"),
    CaptureExceedsHold => (StatusCode::UNPROCESSABLE_ENTITY, "capture_exceeds_hold", "The capture exceeds the held points"),
    RedemptionVoided => (StatusCode::CONFLICT, "redemption_voided", "The redemption was voided"),
    RedemptionCaptured => (StatusCode::CONFLICT, "redemption_captured", "The redemption was already captured"),
    RedemptionNotCaptured => (StatusCode::CONFLICT, "redemption_not_captured", "The redemption has not been captured"),
    HoldExpired => (StatusCode::CONFLICT, "hold_expired", "The hold expired and its points were released"),
    ReversalExceedsCapture => (StatusCode::UNPROCESSABLE_ENTITY, "reversal_exceeds_capture", "Reversals would exceed the captured points"),
    IdempotencyKeyRequired => (StatusCode::BAD_REQUEST, "idempotency_key_required", "This request needs an Idempotency-Key header"),
    IdempotencyKeyReused => (StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused", "This Idempotency-Key was used with another request"),
    Unauthenticated => (StatusCode::UNAUTHORIZED, "unauthenticated", "Authentication is required"),
    InvalidSignature => (StatusCode::UNAUTHORIZED, "invalid_signature", "The request signature does not match"),
    TimestampOutOfWindow => (StatusCode::UNAUTHORIZED, "timestamp_out_of_window", "The request timestamp is too far from the server's clock"),
    NonceReplayed => (StatusCode::UNAUTHORIZED, "nonce_replayed", "This nonce was already used"),
    UnknownKey => (StatusCode::UNAUTHORIZED, "unknown_key", "Unknown or revoked API key"),
    InvalidToken => (StatusCode::UNAUTHORIZED, "invalid_token", "The bearer token is invalid or expired"),
    InvalidCredentials => (StatusCode::UNAUTHORIZED, "invalid_credentials", "Wrong email or password"),
    Conflict => (StatusCode::CONFLICT, "conflict", "The resource already exists"),
    TooManyKeys => (StatusCode::CONFLICT, "too_many_keys", "A partner holds at most two active keys"),
    ClockNotAdjustable => (StatusCode::CONFLICT, "clock_not_adjustable", "This server's clock cannot be moved"),
    PeriodAlreadyClosed => (StatusCode::CONFLICT, "period_already_closed", "A later cut-off is already closed"),
    CutoffTooRecent => (StatusCode::UNPROCESSABLE_ENTITY, "cutoff_too_recent", "The cut-off must be in the past by the settlement grace"),
    SettlementRunNotFound => (StatusCode::NOT_FOUND, "settlement_run_not_found", "No such settlement run"),
    StatementNotFound => (StatusCode::NOT_FOUND, "statement_not_found", "No such statement"),
    DisputeNotFound => (StatusCode::NOT_FOUND, "dispute_not_found", "No such dispute"),
    DisputeAlreadyOpen => (StatusCode::CONFLICT, "dispute_already_open", "The statement already has an open dispute"),
    DisputeNotOpen => (StatusCode::CONFLICT, "dispute_not_open", "The dispute is already resolved"),
    BankReferenceReused => (StatusCode::CONFLICT, "bank_reference_reused", "This bank reference is already recorded for the partner"),
    InvalidReconciliationFile => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_reconciliation_file", "The reconciliation file cannot be read"),
    SettlementOverflow => (StatusCode::UNPROCESSABLE_ENTITY, "settlement_overflow", "The period's amounts exceed what a statement can carry"),
    CategoryNotFound => (StatusCode::NOT_FOUND, "category_not_found", "No such category"),
    InvalidCatalog => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_catalog", "The catalog file has bad rows; nothing was applied"),
    CatalogNotFound => (StatusCode::NOT_FOUND, "catalog_not_found", "The partner has no catalog"),
    ReportNotFound => (StatusCode::NOT_FOUND, "report_not_found", "No such compatibility report"),
    AlertNotFound => (StatusCode::NOT_FOUND, "alert_not_found", "No such open alert"),
    PartnerNotActive => (StatusCode::FORBIDDEN, "partner_not_active", "The partner is not active: it may not earn or redeem"),
    TransitionRefused => (StatusCode::CONFLICT, "transition_refused", "The partner cannot move to this status from its current one"),
    OverrideRequired => (StatusCode::CONFLICT, "override_required", "The compatibility report says conflict or restricted: admitting needs an explicit override with a reason"),
    BrandNotFound => (StatusCode::NOT_FOUND, "brand_not_found", "No such brand"),
    ContrastTooLow => (StatusCode::UNPROCESSABLE_ENTITY, "contrast_too_low", "Text on the brand's colours would be hard to read"),
    LocalProgramNotFound => (StatusCode::NOT_FOUND, "local_program_not_found", "This partner runs no local program"),
    ConversionNotOffered => (StatusCode::UNPROCESSABLE_ENTITY, "conversion_not_offered", "This partner's local points do not convert"),
    ConversionReferenceReused => (StatusCode::CONFLICT, "conversion_reference_reused", "This conversion reference was already used"),
    InvalidLogo => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_logo", "The logo is not an acceptable PNG"),
    PromotionNotFound => (StatusCode::NOT_FOUND, "promotion_not_found", "No such promotion"),
    ReferralRefused => (StatusCode::CONFLICT, "referral_refused", "This referral is not allowed (oneself, a loop, a second referrer, or a member who has already bought)"),
    DatabaseUnavailable => (StatusCode::SERVICE_UNAVAILABLE, "database_unavailable", "The database is unavailable or overloaded; retry later"),
    Internal => (StatusCode::INTERNAL_SERVER_ERROR, "internal", "Internal error"),
}

/// What a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The client's mistake, or a state that forbids the operation: answered as is.
    #[error("{}: {detail}", code.as_str())]
    Client {
        /// The stable code.
        code: Code,
        /// What went wrong with this request, in a sentence.
        detail: String,
    },
    /// A refusal whose effects stand: the transaction commits what it wrote before refusing
    /// (a wrong one-time code counted towards the lock-out), and the refusal is the answer
    /// stored under the request's idempotency key.
    #[error("{}: {detail}", code.as_str())]
    Recorded {
        /// The stable code.
        code: Code,
        /// What went wrong with this request, in a sentence.
        detail: String,
    },
    /// A database error that is not the client's fault.
    #[error("database error: {0}")]
    Database(#[from] diesel::result::Error),
    /// No database connection could be had in time.
    #[error("database pool error: {0}")]
    Pool(#[from] r2d2::Error),
    /// Anything else that is not the client's fault.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<crate::domain::input::InputError> for ApiError {
    fn from(err: crate::domain::input::InputError) -> ApiError {
        let code = if err.out_of_range {
            Code::InvalidAmount
        } else {
            Code::InvalidRequest
        };
        ApiError::new(code, err.to_string())
    }
}

impl From<crate::domain::earning::sale::SaleError> for ApiError {
    fn from(err: crate::domain::earning::sale::SaleError) -> ApiError {
        use crate::domain::earning::sale::SaleError;
        let code = match &err {
            SaleError::Input(input) => return ApiError::from(input.clone()),
            SaleError::UnknownCurrency | SaleError::TooManyLines => Code::InvalidRequest,
            SaleError::LinesExceedAmount => Code::InvalidAmount,
            SaleError::OccurredAtOutOfWindow => Code::InvalidOccurredAt,
        };
        ApiError::new(code, err.to_string())
    }
}

impl crate::db::TxError for ApiError {
    fn is_transient(&self) -> bool {
        matches!(self, ApiError::Database(e) if crate::db::is_transient(e))
    }

    fn keeps_effects(&self) -> bool {
        matches!(self, ApiError::Recorded { .. })
    }
}

/// The result type of services and handlers.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// A client error with its code and detail.
    pub fn new(code: Code, detail: impl Into<String>) -> ApiError {
        ApiError::Client {
            code,
            detail: detail.into(),
        }
    }

    /// A refusal whose effects stand (see [`ApiError::Recorded`]).
    pub fn recorded(code: Code, detail: impl Into<String>) -> ApiError {
        ApiError::Recorded {
            code,
            detail: detail.into(),
        }
    }

    /// An internal error (logged, answered as an opaque 500).
    pub fn internal(what: impl std::fmt::Display) -> ApiError {
        ApiError::Internal(what.to_string())
    }

    /// The code of this error.
    pub fn code(&self) -> Code {
        match self {
            ApiError::Client { code, .. } | ApiError::Recorded { code, .. } => *code,
            ApiError::Pool(_) => Code::DatabaseUnavailable,
            // A conflict that outlasted its retries (a deadlock with other writers' batches)
            // is not a bug: the client retries with the same Idempotency-Key.
            ApiError::Database(e) if crate::db::is_unavailable(e) || crate::db::is_transient(e) => {
                Code::DatabaseUnavailable
            }
            ApiError::Database(_) | ApiError::Internal(_) => Code::Internal,
        }
    }

    /// The problem document of this error.
    pub fn problem(&self) -> Problem {
        let code = self.code();
        let (detail, request_id) = match self {
            ApiError::Client { detail, .. } | ApiError::Recorded { detail, .. } => {
                (Some(detail.clone()), None)
            }
            other if code == Code::DatabaseUnavailable => {
                // Not a bug: logged as a warning, once per refused request, with the cause.
                tracing::warn!(error = %other, "database unavailable");
                (
                    Some(
                        "the database is unavailable or overloaded right now; retry shortly \
                         with the same Idempotency-Key"
                            .to_owned(),
                    ),
                    None,
                )
            }
            other => {
                let error_id = format!("err_{}", partner_sdk::signing::random_token_hex(8));
                tracing::error!(error.id = %error_id, error = %other, "request failed");
                (
                    Some(format!("quote {error_id} to the network operator")),
                    Some(error_id),
                )
            }
        };
        Problem {
            type_uri: format!("urn:loyalty:problem:{}", code.as_str()),
            title: code.title().to_owned(),
            status: code.status().as_u16(),
            detail,
            code: code.as_str().to_owned(),
            request_id,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.code().status()
    }

    fn error_response(&self) -> HttpResponse {
        problem_response(&self.problem())
    }
}

/// A problem document as an HTTP response.
pub fn problem_response(problem: &Problem) -> HttpResponse {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut builder = HttpResponse::build(status);
    builder.content_type("application/problem+json");
    // Only an unavailable database is worth retrying within a second; a lock-out lasts
    // minutes (its detail says how long).
    if status == StatusCode::SERVICE_UNAVAILABLE {
        builder.insert_header(("Retry-After", "1"));
    }
    builder.json(problem)
}

/// Shorthand for a client error result.
pub fn fail<T>(code: Code, detail: impl Into<String>) -> ApiResult<T> {
    Err(ApiError::new(code, detail))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_variant_is_named_as_its_code() {
        for code in Code::ALL {
            let camel: String = code
                .as_str()
                .split('_')
                .map(|w| {
                    let mut c = w.chars();
                    c.next()
                        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                        .unwrap_or_default()
                })
                .collect();
            assert_eq!(
                format!("{code:?}"),
                camel,
                "the variant of {}",
                code.as_str()
            );
        }
    }

    #[test]
    fn codes_are_unique_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::ALL {
            assert!(seen.insert(code.as_str()), "duplicate {}", code.as_str());
            assert!(code
                .as_str()
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'_'));
        }
    }
}
