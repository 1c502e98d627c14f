//! The async client of the partner API.
//!
//! Every request is signed (see [`crate::signing`]) with a fresh timestamp and nonce on every
//! attempt. Requests that move points carry an `Idempotency-Key`, one per logical call, reused on
//! each of its retries, so a retry can never move points twice. Network errors, `429` and `5xx`
//! answers are retried with exponential back-off; `4xx` answers never are.

use std::fmt;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, CONTENT_TYPE};
use reqwest::{Method, Url};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::signing;
use crate::statement::{
    verify_statement, Dispute, DisputeRequest, NetworkKey, ReconciliationReport, ReconciliationRow,
    SignedStatement, StatementStatus,
};
use crate::types::{
    AuthoriseRequest, Balance, CaptureRequest, EarnRequest, EarnResponse, EnrolMemberRequest,
    LinkMemberRequest, MemberLink, PartnerTransaction, Problem, Redemption, RefundRequest,
    RefundResponse, ReverseRequest, TransactionPage,
};

/// Default time limit of one attempt (connect, send and read the whole answer).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default number of retries after the first attempt.
pub const DEFAULT_MAX_RETRIES: u32 = 3;
/// Default wait before the first retry; it doubles on each further retry.
pub const DEFAULT_INITIAL_BACKOFF: Duration = Duration::from_millis(200);
/// Longest wait between two attempts.
pub const MAX_BACKOFF: Duration = Duration::from_secs(5);
/// Largest answer body the client reads; a longer one is an error.
pub const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;
/// Most transactions [`Client::all_transactions`] collects before giving up.
pub const MAX_ALL_TRANSACTIONS: usize = 100_000;
/// Header the server sets (`true`) on an answer replayed for a repeated idempotency key.
pub const HEADER_IDEMPOTENT_REPLAYED: &str = "Idempotent-Replayed";

/// Where the server mounts the partner API.
const PREFIX: &str = "/v1/partner";

/// How to reach and authenticate to the partner API.
#[derive(Clone)]
pub struct ClientConfig {
    /// Scheme, host and port of the server (and an optional path prefix), such as
    /// `http://127.0.0.1:8080`; the client appends `/v1/partner/...`.
    pub base_url: String,
    /// The key id (`lk_...`).
    pub key_id: String,
    /// The key's secret (`ls_...`).
    pub secret: String,
    /// Time limit of one attempt.
    pub timeout: Duration,
    /// Retries after the first attempt, for network errors, `429` and `5xx` answers.
    pub max_retries: u32,
    /// Wait before the first retry; doubles on each further retry, capped at [`MAX_BACKOFF`].
    pub initial_backoff: Duration,
}

impl ClientConfig {
    /// A configuration with the default timeout, retries and back-off.
    pub fn new(base_url: &str, key_id: &str, secret: &str) -> Self {
        Self {
            base_url: base_url.to_owned(),
            key_id: key_id.to_owned(),
            secret: secret.to_owned(),
            timeout: DEFAULT_TIMEOUT,
            max_retries: DEFAULT_MAX_RETRIES,
            initial_backoff: DEFAULT_INITIAL_BACKOFF,
        }
    }
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("base_url", &self.base_url)
            .field("key_id", &self.key_id)
            .field("secret", &"<redacted>")
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .field("initial_backoff", &self.initial_backoff)
            .finish()
    }
}

/// Everything that can go wrong with a call.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The server refused the request with a problem answer (RFC 9457).
    #[error("{status} {}: {}", problem.code, problem.detail.as_deref().unwrap_or(&problem.title))]
    Problem {
        /// The HTTP status.
        status: u16,
        /// The problem the server answered (boxed: it is much larger than the other variants).
        problem: Box<Problem>,
    },
    /// A non-2xx answer that is not a problem (a proxy's error page, say).
    #[error("HTTP {status}: {}", snippet(body))]
    Http {
        /// The HTTP status.
        status: u16,
        /// The answer body, as text.
        body: String,
    },
    /// The request could not be sent or the answer not received (after all retries).
    #[error("transport error: {0}")]
    Transport(#[from] reqwest::Error),
    /// A 2xx answer whose body is not what the endpoint documents.
    #[error("undecodable answer: {0}")]
    Decode(String),
    /// The client was configured or called with an unusable value.
    #[error("configuration error: {0}")]
    Config(String),
    /// A size bound of the client was exceeded (answer body or number of listed items).
    #[error("limit exceeded: {0}")]
    Limit(String),
}

impl Error {
    /// The problem's machine-readable code (such as `insufficient_points`), if the server
    /// answered with a problem.
    pub fn code(&self) -> Option<&str> {
        self.problem().map(|p| p.code.as_str())
    }

    /// The problem the server answered, if any.
    pub fn problem(&self) -> Option<&Problem> {
        match self {
            Self::Problem { problem, .. } => Some(problem.as_ref()),
            _ => None,
        }
    }

    /// The HTTP status of the answer, if one was received.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Problem { status, .. } | Self::Http { status, .. } => Some(*status),
            Self::Transport(e) => e.status().map(|s| s.as_u16()),
            Self::Decode(_) | Self::Config(_) | Self::Limit(_) => None,
        }
    }
}

/// At most 300 characters of a body, for error messages.
fn snippet(body: &str) -> String {
    const MAX_CHARS: usize = 300;
    if body.chars().count() <= MAX_CHARS {
        body.to_owned()
    } else {
        let mut s: String = body.chars().take(MAX_CHARS).collect();
        s.push('…');
        s
    }
}

/// An answer as received, whatever its status.
#[derive(Debug, Clone)]
pub struct RawResponse {
    /// The HTTP status.
    pub status: u16,
    /// The answer headers.
    pub headers: HeaderMap,
    /// The answer body.
    pub body: Vec<u8>,
}

impl RawResponse {
    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// Whether the server replayed the stored answer of an earlier request with the same
    /// idempotency key (header `Idempotent-Replayed: true`).
    pub fn replayed(&self) -> bool {
        self.headers
            .get(HEADER_IDEMPOTENT_REPLAYED)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body parsed as JSON, whatever the status.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        serde_json::from_slice(&self.body).map_err(|e| {
            Error::Decode(format!(
                "{e} (status {}, body: {})",
                self.status,
                snippet(&self.text())
            ))
        })
    }

    /// The problem in the body, if the body is JSON with a `code` (as every problem of the
    /// network has). Missing problem fields are filled in from the status and the code.
    pub fn problem(&self) -> Option<Problem> {
        if let Ok(problem) = serde_json::from_slice::<Problem>(&self.body) {
            return Some(problem);
        }
        let value: serde_json::Value = serde_json::from_slice(&self.body).ok()?;
        let obj = value.as_object()?;
        let code = obj.get("code")?.as_str()?.to_owned();
        let text = |name: &str| obj.get(name).and_then(|v| v.as_str()).map(str::to_owned);
        Some(Problem {
            type_uri: text("type").unwrap_or_else(|| format!("urn:loyalty:problem:{code}")),
            title: text("title").unwrap_or_else(|| code.clone()),
            status: obj
                .get("status")
                .and_then(serde_json::Value::as_u64)
                .and_then(|s| u16::try_from(s).ok())
                .unwrap_or(self.status),
            detail: text("detail"),
            request_id: text("request_id"),
            code,
        })
    }

    /// The error a non-2xx answer stands for: [`Error::Problem`] when the body is a problem,
    /// [`Error::Http`] otherwise.
    pub fn into_error(self) -> Error {
        match self.problem() {
            Some(problem) => Error::Problem {
                status: self.status,
                problem: Box::new(problem),
            },
            None => Error::Http {
                status: self.status,
                body: self.text(),
            },
        }
    }

    /// The parsed body of a 2xx answer, or the error a non-2xx answer stands for.
    pub fn into_answer<T: DeserializeOwned>(self) -> Result<Answer<T>, Error> {
        if !self.is_success() {
            return Err(self.into_error());
        }
        let value = self.json()?;
        Ok(Answer {
            status: self.status,
            replayed: self.replayed(),
            value,
        })
    }
}

/// A successful answer with its status and whether it was replayed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer<T> {
    /// The HTTP status (2xx).
    pub status: u16,
    /// Whether the server replayed the answer of an earlier request with the same idempotency
    /// key instead of doing the work again.
    pub replayed: bool,
    /// The parsed body.
    pub value: T,
}

/// The partner API client. Cheap to clone; clones share the connection pool.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    /// The base URL without trailing slash.
    base: String,
    key_id: HeaderValue,
    secret: String,
    max_retries: u32,
    initial_backoff: Duration,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base)
            .field("key_id", &self.key_id)
            .field("secret", &"<redacted>")
            .field("max_retries", &self.max_retries)
            .field("initial_backoff", &self.initial_backoff)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client with the default timeout, retries and back-off.
    pub fn new(base_url: &str, key_id: &str, secret: &str) -> Result<Self, Error> {
        Self::with_config(ClientConfig::new(base_url, key_id, secret))
    }

    /// A client with the given configuration.
    pub fn with_config(config: ClientConfig) -> Result<Self, Error> {
        let url = Url::parse(config.base_url.trim())
            .map_err(|e| Error::Config(format!("base URL {:?}: {e}", config.base_url)))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Error::Config(format!(
                "base URL {:?}: scheme must be http or https",
                config.base_url
            )));
        }
        if url.query().is_some() || url.fragment().is_some() || url.cannot_be_a_base() {
            return Err(Error::Config(format!(
                "base URL {:?}: must not have a query or fragment",
                config.base_url
            )));
        }
        if config.key_id.is_empty() {
            return Err(Error::Config("key id is empty".into()));
        }
        let key_id = HeaderValue::from_str(&config.key_id)
            .map_err(|_| Error::Config("key id is not a valid header value".into()))?;
        if config.secret.is_empty() {
            return Err(Error::Config("secret is empty".into()));
        }
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            // A redirect would change the signed path: never follow one.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("loyalty-partner-sdk/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Config(format!("HTTP client: {e}")))?;
        Ok(Self {
            http,
            base: url.as_str().trim_end_matches('/').to_owned(),
            key_id,
            secret: config.secret,
            max_retries: config.max_retries,
            initial_backoff: config.initial_backoff.min(MAX_BACKOFF),
        })
    }

    /// The base URL requests are sent to (without trailing slash).
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// A fresh idempotency key (`sdk-` and 32 random hex digits), as the client generates for
    /// each call that moves points when the caller gives none.
    pub fn new_idempotency_key() -> String {
        format!("sdk-{}", signing::random_token_hex(16))
    }

    /// Sends a signed request and returns the answer whatever its status (a non-2xx answer is
    /// not an error here). `path_and_query` is relative to the base URL and starts with `/`,
    /// such as `/v1/partner/earns`. The body, if any, is sent as JSON. Network errors, `429`
    /// and `5xx` answers are retried like every other call, with the same idempotency key.
    pub async fn send_raw(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<&serde_json::Value>,
        idempotency_key: Option<&str>,
    ) -> Result<RawResponse, Error> {
        let body = body.map(to_json_bytes).transpose()?;
        self.execute(method, path_and_query, body, idempotency_key)
            .await
    }

    /// Sends a signed request with an optional JSON body and parses a 2xx answer as `T`,
    /// telling whether it was replayed; a non-2xx answer becomes an [`Error`].
    pub async fn send_json<B, T>(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<&B>,
        idempotency_key: Option<&str>,
    ) -> Result<Answer<T>, Error>
    where
        B: Serialize + ?Sized,
        T: DeserializeOwned,
    {
        let body = body.map(to_json_bytes).transpose()?;
        self.execute(method, path_and_query, body, idempotency_key)
            .await?
            .into_answer()
    }

    /// Enrols a new member and links them to the partner (`POST /v1/partner/members`).
    pub async fn enrol_member(&self, req: &EnrolMemberRequest) -> Result<MemberLink, Error> {
        let key = Self::new_idempotency_key();
        self.post(&format!("{PREFIX}/members"), req, Some(&key))
            .await
    }

    /// Enrols a new member with the caller's idempotency key.
    pub async fn enrol_member_with_key(
        &self,
        req: &EnrolMemberRequest,
        idempotency_key: &str,
    ) -> Result<MemberLink, Error> {
        self.post(&format!("{PREFIX}/members"), req, Some(idempotency_key))
            .await
    }

    /// Links an existing member to the partner (`POST /v1/partner/members/links`).
    pub async fn link_member(&self, req: &LinkMemberRequest) -> Result<MemberLink, Error> {
        self.post(&format!("{PREFIX}/members/links"), req, None)
            .await
    }

    /// A linked member's balance (`GET /v1/partner/members/{member_number}/balance`).
    pub async fn member_balance(&self, member_number: &str) -> Result<Balance, Error> {
        let path = format!(
            "{PREFIX}/members/{}/balance",
            encode_component(member_number)
        );
        self.get(&path).await
    }

    /// Credits the points of a sale (`POST /v1/partner/earns`), with a fresh idempotency key.
    pub async fn earn(&self, req: &EarnRequest) -> Result<EarnResponse, Error> {
        self.earn_with_key(req, &Self::new_idempotency_key()).await
    }

    /// Credits the points of a sale with the caller's idempotency key.
    pub async fn earn_with_key(
        &self,
        req: &EarnRequest,
        idempotency_key: &str,
    ) -> Result<EarnResponse, Error> {
        Ok(self.earn_answer(req, idempotency_key).await?.value)
    }

    /// Credits the points of a sale with the caller's idempotency key, telling whether the
    /// answer was replayed from an earlier request with the same key.
    pub async fn earn_answer(
        &self,
        req: &EarnRequest,
        idempotency_key: &str,
    ) -> Result<Answer<EarnResponse>, Error> {
        self.send_json(
            Method::POST,
            &format!("{PREFIX}/earns"),
            Some(req),
            Some(idempotency_key),
        )
        .await
    }

    /// Claws back the points of a returned sale (`POST /v1/partner/refunds`), with a fresh
    /// idempotency key.
    pub async fn refund(&self, req: &RefundRequest) -> Result<RefundResponse, Error> {
        self.refund_with_key(req, &Self::new_idempotency_key())
            .await
    }

    /// Claws back the points of a returned sale with the caller's idempotency key.
    pub async fn refund_with_key(
        &self,
        req: &RefundRequest,
        idempotency_key: &str,
    ) -> Result<RefundResponse, Error> {
        self.post(&format!("{PREFIX}/refunds"), req, Some(idempotency_key))
            .await
    }

    /// Holds points with the member's one-time code (`POST /v1/partner/redemptions`), with a
    /// fresh idempotency key.
    pub async fn authorise(&self, req: &AuthoriseRequest) -> Result<Redemption, Error> {
        self.authorise_with_key(req, &Self::new_idempotency_key())
            .await
    }

    /// Holds points with the member's one-time code, with the caller's idempotency key.
    pub async fn authorise_with_key(
        &self,
        req: &AuthoriseRequest,
        idempotency_key: &str,
    ) -> Result<Redemption, Error> {
        self.post(&format!("{PREFIX}/redemptions"), req, Some(idempotency_key))
            .await
    }

    /// A redemption of the partner (`GET /v1/partner/redemptions/{id}`).
    pub async fn redemption(&self, id: i64) -> Result<Redemption, Error> {
        self.get(&format!("{PREFIX}/redemptions/{id}")).await
    }

    /// Captures an authorised redemption (`POST /v1/partner/redemptions/{id}/capture`), with a
    /// fresh idempotency key.
    pub async fn capture(&self, id: i64, req: &CaptureRequest) -> Result<Redemption, Error> {
        self.capture_with_key(id, req, &Self::new_idempotency_key())
            .await
    }

    /// Captures an authorised redemption with the caller's idempotency key.
    pub async fn capture_with_key(
        &self,
        id: i64,
        req: &CaptureRequest,
        idempotency_key: &str,
    ) -> Result<Redemption, Error> {
        let path = format!("{PREFIX}/redemptions/{id}/capture");
        self.post(&path, req, Some(idempotency_key)).await
    }

    /// Releases an authorised redemption's hold (`POST /v1/partner/redemptions/{id}/void`),
    /// with a fresh idempotency key.
    pub async fn void(&self, id: i64) -> Result<Redemption, Error> {
        self.void_with_key(id, &Self::new_idempotency_key()).await
    }

    /// Releases an authorised redemption's hold with the caller's idempotency key.
    pub async fn void_with_key(&self, id: i64, idempotency_key: &str) -> Result<Redemption, Error> {
        let path = format!("{PREFIX}/redemptions/{id}/void");
        self.post(&path, &serde_json::json!({}), Some(idempotency_key))
            .await
    }

    /// Gives back (part of) the points of a captured redemption
    /// (`POST /v1/partner/redemptions/{id}/reversals`), with a fresh idempotency key.
    pub async fn reverse(&self, id: i64, req: &ReverseRequest) -> Result<Redemption, Error> {
        self.reverse_with_key(id, req, &Self::new_idempotency_key())
            .await
    }

    /// Gives back (part of) the points of a captured redemption with the caller's
    /// idempotency key.
    pub async fn reverse_with_key(
        &self,
        id: i64,
        req: &ReverseRequest,
        idempotency_key: &str,
    ) -> Result<Redemption, Error> {
        let path = format!("{PREFIX}/redemptions/{id}/reversals");
        self.post(&path, req, Some(idempotency_key)).await
    }

    /// One page of the partner's transactions (`GET /v1/partner/transactions`); pass the
    /// page's `next_cursor` as `cursor` for the next one.
    pub async fn transactions(
        &self,
        cursor: Option<&str>,
        limit: Option<u32>,
    ) -> Result<TransactionPage, Error> {
        let mut params = Vec::new();
        if let Some(cursor) = cursor {
            params.push(format!("cursor={}", encode_component(cursor)));
        }
        if let Some(limit) = limit {
            params.push(format!("limit={limit}"));
        }
        let mut path = format!("{PREFIX}/transactions");
        if !params.is_empty() {
            path.push('?');
            path.push_str(&params.join("&"));
        }
        self.get(&path).await
    }

    /// All of the partner's transactions, following the cursors to the last page. Fails with
    /// [`Error::Limit`] beyond [`MAX_ALL_TRANSACTIONS`] items.
    pub async fn all_transactions(&self) -> Result<Vec<PartnerTransaction>, Error> {
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        // Bounds the loop even if the server kept answering empty pages with new cursors.
        for _ in 0..=MAX_ALL_TRANSACTIONS {
            let page = self.transactions(cursor.as_deref(), None).await?;
            if items.len().saturating_add(page.items.len()) > MAX_ALL_TRANSACTIONS {
                return Err(Error::Limit(format!(
                    "more than {MAX_ALL_TRANSACTIONS} transactions; page with `transactions`"
                )));
            }
            items.extend(page.items);
            match page.next_cursor {
                None => return Ok(items),
                Some(next) if cursor.as_deref() == Some(next.as_str()) => {
                    return Err(Error::Decode(format!("the server repeated cursor {next}")));
                }
                Some(next) => cursor = Some(next),
            }
        }
        Err(Error::Limit(format!(
            "more than {MAX_ALL_TRANSACTIONS} pages of transactions"
        )))
    }

    /// The network's statement-signing public keys (`GET /v1/network/keys`).
    pub async fn network_keys(&self) -> Result<Vec<NetworkKey>, Error> {
        self.get("/v1/network/keys").await
    }

    /// The partner's statements, newest first, with their payment status
    /// (`GET /v1/partner/statements`); pass the last id as `before` for older ones.
    pub async fn statements(
        &self,
        before: Option<i64>,
        limit: Option<u32>,
    ) -> Result<Vec<StatementStatus>, Error> {
        let mut params = Vec::new();
        if let Some(before) = before {
            params.push(format!("cursor={before}"));
        }
        if let Some(limit) = limit {
            params.push(format!("limit={limit}"));
        }
        let mut path = format!("{PREFIX}/statements");
        if !params.is_empty() {
            path.push('?');
            path.push_str(&params.join("&"));
        }
        self.get(&path).await
    }

    /// A statement's signed envelope, as the exact bytes served: check it with
    /// [`crate::statement::verify_statement`] before trusting it.
    pub async fn statement_envelope(&self, statement_id: i64) -> Result<Vec<u8>, Error> {
        let res = self
            .execute(
                Method::GET,
                &format!("{PREFIX}/statements/{statement_id}"),
                None,
                None,
            )
            .await?;
        if !res.is_success() {
            return Err(res.into_error());
        }
        Ok(res.body)
    }

    /// A statement fetched and verified against the network's published key that signed it.
    /// This trusts the keys the same server publishes; to guard against a compromised server,
    /// pin the key you fetched once and use [`verify_statement`] with it.
    pub async fn verified_statement(&self, statement_id: i64) -> Result<SignedStatement, Error> {
        let envelope = self.statement_envelope(statement_id).await?;
        let keys = self.network_keys().await?;
        let named: serde_json::Value = serde_json::from_slice(&envelope)
            .map_err(|e| Error::Decode(format!("statement: {e}")))?;
        let key_id = named
            .pointer("/signature/key_id")
            .and_then(|k| k.as_str())
            .unwrap_or_default();
        let key = keys
            .iter()
            .find(|k| k.key_id == key_id)
            .ok_or_else(|| Error::Decode(format!("the network publishes no key {key_id:?}")))?;
        let signed = verify_statement(&envelope, key).map_err(|e| Error::Decode(e.to_string()))?;
        // A validly signed statement, but not the one asked for, is not an answer.
        if signed.statement.statement_id != statement_id {
            return Err(Error::Decode(format!(
                "asked for statement {statement_id}, got {}",
                signed.statement.statement_id
            )));
        }
        Ok(signed)
    }

    /// A statement as CSV (`GET /v1/partner/statements/{id}?format=csv`).
    pub async fn statement_csv(&self, statement_id: i64) -> Result<String, Error> {
        let res = self
            .execute(
                Method::GET,
                &format!("{PREFIX}/statements/{statement_id}?format=csv"),
                None,
                None,
            )
            .await?;
        if !res.is_success() {
            return Err(res.into_error());
        }
        Ok(res.text())
    }

    /// Disputes a statement (`POST /v1/partner/statements/{id}/disputes`).
    pub async fn dispute_statement(
        &self,
        statement_id: i64,
        req: &DisputeRequest,
    ) -> Result<Dispute, Error> {
        self.post(
            &format!("{PREFIX}/statements/{statement_id}/disputes"),
            req,
            None,
        )
        .await
    }

    /// Reconciles the partner's records of a statement's period
    /// (`POST /v1/partner/statements/{id}/reconciliation`).
    pub async fn reconcile(
        &self,
        statement_id: i64,
        rows: &[ReconciliationRow],
    ) -> Result<ReconciliationReport, Error> {
        self.post(
            &format!("{PREFIX}/statements/{statement_id}/reconciliation"),
            rows,
            None,
        )
        .await
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, Error> {
        Ok(self
            .send_json::<(), T>(Method::GET, path, None, None)
            .await?
            .value)
    }

    async fn post<B, T>(&self, path: &str, body: &B, key: Option<&str>) -> Result<T, Error>
    where
        B: Serialize + ?Sized,
        T: DeserializeOwned,
    {
        Ok(self
            .send_json(Method::POST, path, Some(body), key)
            .await?
            .value)
    }

    /// Sends the request, retrying network errors, `429` and `5xx` answers with back-off.
    /// Each attempt is signed anew (fresh timestamp and nonce); the body bytes and the
    /// idempotency key are the same on every attempt.
    async fn execute(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<Vec<u8>>,
        idempotency_key: Option<&str>,
    ) -> Result<RawResponse, Error> {
        if !path_and_query.starts_with('/') {
            return Err(Error::Config(format!(
                "path {path_and_query:?} must start with '/'"
            )));
        }
        let url = Url::parse(&format!("{}{path_and_query}", self.base))
            .map_err(|e| Error::Config(format!("URL for {path_and_query:?}: {e}")))?;
        // Exactly what goes on the request line.
        let signed_path = match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        };
        let key = idempotency_key
            .map(|k| {
                // The server's rule: 1 to 128 characters of 0x20 to 0x7E. Surrounding spaces
                // are refused here because HTTP strips them: " k" would silently be "k".
                let well_formed = (1..=128).contains(&k.len())
                    && k.bytes().all(|b| (0x20..=0x7E).contains(&b))
                    && !k.starts_with(' ')
                    && !k.ends_with(' ');
                if !well_formed {
                    return Err(Error::Config(
                        "an idempotency key is 1 to 128 printable ASCII characters, without \
                         surrounding spaces"
                            .into(),
                    ));
                }
                HeaderValue::from_str(k).map_err(|_| {
                    Error::Config("idempotency key is not a valid header value".into())
                })
            })
            .transpose()?;
        let mut backoff = self.initial_backoff;
        let mut retries = 0u32;
        loop {
            let result = self
                .attempt(&method, &url, &signed_path, body.as_deref(), key.as_ref())
                .await;
            let retryable = match &result {
                Ok(res) => res.status == 429 || res.status >= 500,
                Err(Error::Transport(e)) => is_retryable(e),
                Err(_) => false,
            };
            if !retryable || retries >= self.max_retries {
                return result;
            }
            retries = retries.saturating_add(1);
            tokio::time::sleep(backoff).await;
            backoff = backoff.saturating_mul(2).min(MAX_BACKOFF);
        }
    }

    /// One signed attempt.
    async fn attempt(
        &self,
        method: &Method,
        url: &Url,
        signed_path: &str,
        body: Option<&[u8]>,
        idempotency_key: Option<&HeaderValue>,
    ) -> Result<RawResponse, Error> {
        let timestamp = chrono::Utc::now().timestamp();
        let nonce = signing::new_nonce();
        let signature = signing::signature_header(
            &self.secret,
            method.as_str(),
            signed_path,
            timestamp,
            &nonce,
            body.unwrap_or_default(),
        );
        let mut req = self
            .http
            .request(method.clone(), url.clone())
            .header(signing::HEADER_KEY_ID, self.key_id.clone())
            .header(signing::HEADER_TIMESTAMP, timestamp.to_string())
            .header(signing::HEADER_NONCE, nonce)
            .header(signing::HEADER_SIGNATURE, signature)
            .header(ACCEPT, "application/json, application/problem+json");
        if let Some(key) = idempotency_key {
            req = req.header(signing::HEADER_IDEMPOTENCY_KEY, key.clone());
        }
        if let Some(body) = body {
            req = req
                .header(CONTENT_TYPE, "application/json")
                .body(body.to_vec());
        }
        let mut res = req.send().await?;
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let mut buf = Vec::new();
        while let Some(chunk) = res.chunk().await? {
            if buf.len().saturating_add(chunk.len()) > MAX_RESPONSE_BYTES {
                return Err(Error::Limit(format!(
                    "answer body longer than {MAX_RESPONSE_BYTES} bytes"
                )));
            }
            buf.extend_from_slice(&chunk);
        }
        Ok(RawResponse {
            status,
            headers,
            body: buf,
        })
    }
}

/// Whether a transport error may go away on a retry (not a malformed request).
fn is_retryable(e: &reqwest::Error) -> bool {
    !(e.is_builder() || e.is_redirect() || e.is_decode())
        && (e.is_connect() || e.is_timeout() || e.is_request() || e.is_body())
}

fn to_json_bytes<B: Serialize + ?Sized>(body: &B) -> Result<Vec<u8>, Error> {
    serde_json::to_vec(body).map_err(|e| Error::Config(format!("request body: {e}")))
}

/// Percent-encodes everything but the unreserved characters of RFC 3986.
fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::TcpListener;
    use std::thread::JoinHandle;

    /// A request as the test server saw it.
    #[derive(Debug)]
    struct Seen {
        method: String,
        path: String,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    }

    impl Seen {
        fn header(&self, name: &str) -> Option<&str> {
            self.headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        }

        fn signature_verifies(&self, secret: &str) -> bool {
            signing::verify_signature_header(
                secret,
                self.header(signing::HEADER_SIGNATURE).unwrap(),
                &self.method,
                &self.path,
                self.header(signing::HEADER_TIMESTAMP)
                    .unwrap()
                    .parse()
                    .unwrap(),
                self.header(signing::HEADER_NONCE).unwrap(),
                &self.body,
            )
        }
    }

    /// Serves one connection per scripted answer `(status, content type, extra header, body)`,
    /// then stops listening.
    fn serve(
        answers: Vec<(u16, &'static str, &'static str, String)>,
    ) -> (String, JoinHandle<Vec<Seen>>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = format!("http://{}", listener.local_addr().unwrap());
        let handle = std::thread::spawn(move || {
            let mut seen = Vec::new();
            for (status, content_type, extra, body) in answers {
                let (stream, _) = listener.accept().unwrap();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                let mut parts = line.split_whitespace();
                let method = parts.next().unwrap().to_owned();
                let path = parts.next().unwrap().to_owned();
                let mut headers = Vec::new();
                loop {
                    let mut h = String::new();
                    reader.read_line(&mut h).unwrap();
                    let h = h.trim_end();
                    if h.is_empty() {
                        break;
                    }
                    let (n, v) = h.split_once(':').unwrap();
                    headers.push((n.trim().to_owned(), v.trim().to_owned()));
                }
                let len = headers
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
                    .map_or(0, |(_, v)| v.parse::<usize>().unwrap());
                let mut req_body = vec![0u8; len];
                reader.read_exact(&mut req_body).unwrap();
                seen.push(Seen {
                    method,
                    path,
                    headers,
                    body: req_body,
                });
                let mut stream = stream;
                write!(
                    stream,
                    "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                )
                .unwrap();
                stream.flush().unwrap();
            }
            seen
        });
        (addr, handle)
    }

    fn client(addr: &str) -> Client {
        let mut config = ClientConfig::new(addr, "lk_test", "ls_secret");
        config.initial_backoff = Duration::from_millis(1);
        Client::with_config(config).unwrap()
    }

    fn earn_request() -> EarnRequest {
        EarnRequest {
            member_number: "1000000016".into(),
            order_id: "A-1001".into(),
            occurred_at: None,
            amount_minor: 4250,
            currency: "EUR".into(),
            lines: None,
        }
    }

    fn earn_body() -> String {
        serde_json::json!({
            "earn_id": 7, "member_number": "1000000016", "order_id": "A-1001", "points": 42,
            "status": "pending", "available_at": "2024-01-01T00:00:00Z", "expires_at": null,
            "rules": [], "entry_id": 9
        })
        .to_string()
    }

    fn problem_body(code: &str, status: u16) -> String {
        serde_json::json!({
            "type": format!("urn:loyalty:problem:{code}"), "title": "Nope", "status": status,
            "detail": "it went wrong", "code": code, "request_id": "req-1"
        })
        .to_string()
    }

    #[test]
    fn a_problem_body_becomes_a_problem_error() {
        let mut headers = HeaderMap::new();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        let res = RawResponse {
            status: 409,
            headers,
            body: problem_body("order_already_earned", 409).into_bytes(),
        };
        let err = res.into_answer::<EarnResponse>().unwrap_err();
        assert_eq!(err.code(), Some("order_already_earned"));
        assert_eq!(err.status(), Some(409));
        assert_eq!(err.problem().unwrap().request_id.as_deref(), Some("req-1"));

        // JSON with only a code still counts as a problem.
        let res = RawResponse {
            status: 422,
            headers: HeaderMap::new(),
            body: br#"{"code":"invalid_amount"}"#.to_vec(),
        };
        let err = res.into_error();
        assert_eq!(err.code(), Some("invalid_amount"));
        assert_eq!(err.problem().unwrap().status, 422);

        // Anything else is a plain HTTP error.
        let res = RawResponse {
            status: 502,
            headers: HeaderMap::new(),
            body: b"<html>Bad gateway</html>".to_vec(),
        };
        let err = res.into_error();
        assert!(matches!(err, Error::Http { status: 502, .. }), "{err:?}");
        assert_eq!(err.code(), None);
    }

    #[test]
    fn a_2xx_body_that_does_not_parse_is_a_decode_error() {
        let res = RawResponse {
            status: 200,
            headers: HeaderMap::new(),
            body: b"{}".to_vec(),
        };
        assert!(matches!(
            res.into_answer::<Balance>(),
            Err(Error::Decode(_))
        ));
    }

    #[test]
    fn bad_configuration_is_refused() {
        assert!(matches!(
            Client::new("ftp://x", "lk", "ls"),
            Err(Error::Config(_))
        ));
        assert!(matches!(
            Client::new("not a url", "lk", "ls"),
            Err(Error::Config(_))
        ));
        assert!(matches!(
            Client::new("http://x", "", "ls"),
            Err(Error::Config(_))
        ));
        assert!(matches!(
            Client::new("http://x", "lk", ""),
            Err(Error::Config(_))
        ));
        let c = Client::new("http://127.0.0.1:8080/", "lk", "ls").unwrap();
        assert_eq!(c.base_url(), "http://127.0.0.1:8080");
        assert!(!format!("{c:?}").contains("ls\""));
    }

    #[test]
    fn components_are_percent_encoded() {
        assert_eq!(encode_component("1000000016"), "1000000016");
        assert_eq!(encode_component("a b/c?d&é"), "a%20b%2Fc%3Fd%26%C3%A9");
    }

    #[tokio::test]
    async fn retries_reuse_the_idempotency_key_with_fresh_nonces() {
        let (addr, server) = serve(vec![
            (503, "text/plain", "", "busy".into()),
            (503, "text/plain", "", "busy".into()),
            (201, "application/json", "", earn_body()),
        ]);
        let earned = client(&addr).earn(&earn_request()).await.unwrap();
        assert_eq!(earned.points, 42);
        let seen = server.join().unwrap();
        assert_eq!(seen.len(), 3);
        let keys: Vec<_> = seen
            .iter()
            .map(|s| s.header(signing::HEADER_IDEMPOTENCY_KEY).unwrap())
            .collect();
        assert!(keys[0].starts_with("sdk-"), "{keys:?}");
        assert!(keys.iter().all(|k| *k == keys[0]), "{keys:?}");
        let mut nonces: Vec<_> = seen
            .iter()
            .map(|s| s.header(signing::HEADER_NONCE).unwrap())
            .collect();
        nonces.sort_unstable();
        nonces.dedup();
        assert_eq!(nonces.len(), 3);
        let sent = serde_json::to_vec(&earn_request()).unwrap();
        for s in &seen {
            assert_eq!(s.method, "POST");
            assert_eq!(s.path, "/v1/partner/earns");
            assert_eq!(s.header("content-type"), Some("application/json"));
            assert_eq!(s.header(signing::HEADER_KEY_ID), Some("lk_test"));
            assert_eq!(s.body, sent);
            assert!(s.signature_verifies("ls_secret"));
            assert!(!s.signature_verifies("ls_other"));
        }
    }

    #[tokio::test]
    async fn retries_stop_after_max_retries() {
        let answers = (0..4)
            .map(|_| (500, "text/plain", "", "boom".to_owned()))
            .collect();
        let (addr, server) = serve(answers);
        let err = client(&addr)
            .earn_with_key(&earn_request(), "my-key")
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Http { status: 500, .. }), "{err:?}");
        let seen = server.join().unwrap();
        assert_eq!(seen.len(), 4);
        assert!(seen
            .iter()
            .all(|s| s.header(signing::HEADER_IDEMPOTENCY_KEY) == Some("my-key")));
    }

    #[tokio::test]
    async fn client_errors_are_not_retried() {
        let (addr, server) = serve(vec![(
            409,
            "application/problem+json",
            "",
            problem_body("order_already_earned", 409),
        )]);
        let err = client(&addr).earn(&earn_request()).await.unwrap_err();
        assert_eq!(err.code(), Some("order_already_earned"));
        assert_eq!(err.status(), Some(409));
        assert_eq!(server.join().unwrap().len(), 1);
    }

    #[tokio::test]
    async fn get_signs_the_empty_body_and_the_query() {
        let page = serde_json::json!({"items": [], "next_cursor": null}).to_string();
        let (addr, server) = serve(vec![(200, "application/json", "", page)]);
        let page = client(&addr)
            .transactions(Some("12"), Some(5))
            .await
            .unwrap();
        assert!(page.items.is_empty());
        let seen = server.join().unwrap();
        assert_eq!(seen[0].method, "GET");
        assert_eq!(seen[0].path, "/v1/partner/transactions?cursor=12&limit=5");
        assert!(seen[0].body.is_empty());
        assert_eq!(seen[0].header(signing::HEADER_IDEMPOTENCY_KEY), None);
        assert!(seen[0].signature_verifies("ls_secret"));
    }

    #[tokio::test]
    async fn send_raw_keeps_non_2xx_answers_and_reports_replays() {
        let (addr, server) = serve(vec![
            (
                400,
                "application/problem+json",
                "",
                problem_body("idempotency_key_required", 400),
            ),
            (
                201,
                "application/json",
                "Idempotent-Replayed: true\r\n",
                earn_body(),
            ),
        ]);
        let c = client(&addr);
        let body = serde_json::to_value(earn_request()).unwrap();
        let res = c
            .send_raw(Method::POST, "/v1/partner/earns", Some(&body), None)
            .await
            .unwrap();
        assert_eq!(res.status, 400);
        assert_eq!(res.problem().unwrap().code, "idempotency_key_required");
        let answer = c.earn_answer(&earn_request(), "k-1").await.unwrap();
        assert!(answer.replayed);
        assert_eq!(answer.status, 201);
        let seen = server.join().unwrap();
        assert_eq!(seen[0].header(signing::HEADER_IDEMPOTENCY_KEY), None);
        assert_eq!(seen[1].header(signing::HEADER_IDEMPOTENCY_KEY), Some("k-1"));
    }

    #[tokio::test]
    async fn void_sends_an_empty_object() {
        let redemption = serde_json::json!({
            "redemption_id": 5, "member_number": "1000000016", "status": "voided",
            "points_authorized": 10, "points_captured": 0, "points_reversed": 0,
            "expires_at": "2024-01-01T00:00:00Z", "order_id": null,
            "created_at": "2024-01-01T00:00:00Z"
        })
        .to_string();
        let (addr, server) = serve(vec![(200, "application/json", "", redemption)]);
        let r = client(&addr).void(5).await.unwrap();
        assert_eq!(r.redemption_id, 5);
        let seen = server.join().unwrap();
        assert_eq!(seen[0].path, "/v1/partner/redemptions/5/void");
        assert_eq!(seen[0].body, b"{}");
        assert!(seen[0].signature_verifies("ls_secret"));
    }

    #[tokio::test]
    async fn connection_refused_is_retried_then_reported() {
        // Bind then drop: nothing listens on the port any more.
        let addr = {
            let l = TcpListener::bind("127.0.0.1:0").unwrap();
            format!("http://{}", l.local_addr().unwrap())
        };
        let err = client(&addr).redemption(1).await.unwrap_err();
        assert!(matches!(err, Error::Transport(_)), "{err:?}");
        assert_eq!(err.status(), None);
    }
}
