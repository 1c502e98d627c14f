//! Sending a request: signing each attempt anew, retrying network errors, `429` and `5xx` with
//! exponential back-off, reusing the idempotency key across retries, bounding the answer.

use reqwest::header::{HeaderValue, ACCEPT, CONTENT_TYPE};
use reqwest::{Method, Url};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::client::{
    Answer, Client, Error, RawResponse, RequestOptions, MAX_BACKOFF, MAX_RESPONSE_BYTES,
};
use crate::signing;

impl Client {
    pub(crate) async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, Error> {
        Ok(self
            .send_json::<(), T>(Method::GET, path, None, None)
            .await?
            .value)
    }

    /// A GET answer's exact bytes (a 2xx answer; anything else is an error).
    pub(crate) async fn get_bytes(&self, path: &str) -> Result<Vec<u8>, Error> {
        let res = self.execute(Method::GET, path, None, None, None).await?;
        if !res.is_success() {
            return Err(res.into_error());
        }
        Ok(res.body)
    }

    /// A POST that moves no points (no idempotency key), its 2xx answer parsed.
    pub(crate) async fn post<B, T>(&self, path: &str, body: &B) -> Result<T, Error>
    where
        B: Serialize + ?Sized,
        T: DeserializeOwned,
    {
        Ok(self
            .send_json(Method::POST, path, Some(body), None)
            .await?
            .value)
    }

    /// Sends a request that moves points, under the options' idempotency key (or a fresh
    /// one), with the options' retries.
    pub(crate) async fn moving<B, T>(
        &self,
        method: Method,
        path: &str,
        body: &B,
        options: &RequestOptions,
    ) -> Result<Answer<T>, Error>
    where
        B: Serialize + ?Sized,
        T: DeserializeOwned,
    {
        let body = to_json_bytes(body)?;
        let key = options.key_or_new();
        self.execute(method, path, Some(body), Some(&key), options.max_retries)
            .await?
            .into_answer()
    }

    /// Sends the request, retrying network errors, `429` and `5xx` answers with back-off.
    /// Each attempt is signed anew (fresh timestamp and nonce); the body bytes and the
    /// idempotency key are the same on every attempt.
    pub(crate) async fn execute(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<Vec<u8>>,
        idempotency_key: Option<&str>,
        max_retries: Option<u32>,
    ) -> Result<RawResponse, Error> {
        let body = body.map(|bytes| OutBody {
            bytes,
            content_type: "application/json",
            progress: None,
        });
        self.execute_typed(method, path_and_query, body, idempotency_key, max_retries)
            .await
    }

    /// [`Client::execute`] with a body of any type (a catalog file), its progress followed.
    pub(crate) async fn execute_typed(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<OutBody<'_>>,
        idempotency_key: Option<&str>,
        max_retries: Option<u32>,
    ) -> Result<RawResponse, Error> {
        let max_retries = max_retries.unwrap_or(self.max_retries);
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
                .attempt(&method, &url, &signed_path, body.as_ref(), key.as_ref())
                .await;
            let retryable = match &result {
                Ok(res) => res.status == 429 || res.status >= 500,
                Err(Error::Transport(e)) => is_retryable(e),
                Err(_) => false,
            };
            if !retryable || retries >= max_retries {
                return result;
            }
            retries = retries.saturating_add(1);
            tokio::time::sleep(backoff).await;
            backoff = backoff.saturating_mul(2).min(MAX_BACKOFF);
        }
    }

    /// One signed attempt.
    pub(crate) async fn attempt(
        &self,
        method: &Method,
        url: &Url,
        signed_path: &str,
        body: Option<&OutBody<'_>>,
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
            body.map(|b| b.bytes.as_slice()).unwrap_or_default(),
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
            req = req.header(CONTENT_TYPE, body.content_type);
            req = match body.progress {
                None => req.body(body.bytes.clone()),
                Some(progress) => req.body(counted_body(&body.bytes, progress)),
            };
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

/// A request body: its bytes, their type, and who follows their sending.
pub(crate) struct OutBody<'a> {
    pub(crate) bytes: Vec<u8>,
    pub(crate) content_type: &'a str,
    pub(crate) progress: Option<&'a Progress>,
}

/// Told how many bytes of a body were sent, of how many.
pub type Progress = std::sync::Arc<dyn Fn(u64, u64) + Send + Sync>;

/// Bytes of a body handed to the connection at a time when its progress is followed.
const PROGRESS_CHUNK: usize = 256 * 1024;

/// A body sent in chunks, telling `progress` as each one goes.
fn counted_body(body: &[u8], progress: &Progress) -> reqwest::Body {
    let total = u64::try_from(body.len()).unwrap_or(u64::MAX);
    let progress = std::sync::Arc::clone(progress);
    let chunks: Vec<Vec<u8>> = body.chunks(PROGRESS_CHUNK).map(<[u8]>::to_vec).collect();
    let mut sent = 0_u64;
    let stream = futures_util::stream::iter(chunks.into_iter().map(move |chunk| {
        sent = sent.saturating_add(u64::try_from(chunk.len()).unwrap_or(0));
        progress(sent, total);
        Ok::<Vec<u8>, std::io::Error>(chunk)
    }));
    reqwest::Body::wrap_stream(stream)
}

/// Whether a transport error may go away on a retry (not a malformed request).
pub(crate) fn is_retryable(e: &reqwest::Error) -> bool {
    !(e.is_builder() || e.is_redirect() || e.is_decode())
        && (e.is_connect() || e.is_timeout() || e.is_request() || e.is_body())
}

pub(crate) fn to_json_bytes<B: Serialize + ?Sized>(body: &B) -> Result<Vec<u8>, Error> {
    serde_json::to_vec(body).map_err(|e| Error::Config(format!("request body: {e}")))
}

/// Percent-encodes everything but the unreserved characters of RFC 3986.
pub(crate) fn encode_component(s: &str) -> String {
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
