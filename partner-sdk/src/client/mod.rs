//! The async client of the partner API.
//!
//! Every request is signed (see [`crate::signing`]) with a fresh timestamp and nonce on every
//! attempt. Requests that move points carry an `Idempotency-Key`, one per logical call, reused on
//! each of its retries, so a retry can never move points twice. Network errors, `429` and `5xx`
//! answers are retried with exponential back-off; other `4xx` answers never are.

use std::fmt;
use std::time::Duration;

use reqwest::header::HeaderValue;
use reqwest::{Method, Url};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::signing;

mod options;
mod pagination;
mod resources;
#[cfg(test)]
mod tests;
mod transport;

pub use crate::error::{Answer, Error, RawResponse};
pub use options::RequestOptions;
pub use resources::{CatalogUpload, ProductQuery};
pub use transport::Progress;
pub(crate) use transport::{encode_component, to_json_bytes};

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
/// Most journal entries [`Client::all_entries`] collects before giving up.
pub const MAX_ALL_ENTRIES: usize = 100_000;
/// Header the server sets (`true`) on an answer replayed for a repeated idempotency key.
pub const HEADER_IDEMPOTENT_REPLAYED: &str = "Idempotent-Replayed";

/// Where the server mounts the partner API.
pub(crate) const PREFIX: &str = "/v1/partner";

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
        self.execute(method, path_and_query, body, idempotency_key, None)
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
        self.execute(method, path_and_query, body, idempotency_key, None)
            .await?
            .into_answer()
    }
}
