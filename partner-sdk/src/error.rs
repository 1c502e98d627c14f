//! What a call can fail with, and the raw and parsed answers.

use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;

use crate::client::HEADER_IDEMPOTENT_REPLAYED;
use crate::types::Problem;

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
