//! Options of one call: the idempotency key and the retries, instead of a twin of every method
//! per option. The `*_with` methods take them; the plain methods use the defaults.

/// How to send one call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestOptions {
    /// The idempotency key of a call that moves points (a fresh one when absent). It is sent
    /// on every retry of the call, so a retry can never move points twice; reuse it yourself to
    /// retry a call after a crash.
    pub idempotency_key: Option<String>,
    /// Retries after the first attempt (the client's setting when absent).
    pub max_retries: Option<u32>,
}

impl RequestOptions {
    /// The defaults: a fresh key, the client's retries.
    pub fn new() -> RequestOptions {
        RequestOptions::default()
    }

    /// With this idempotency key.
    pub fn idempotency_key(mut self, key: impl Into<String>) -> RequestOptions {
        self.idempotency_key = Some(key.into());
        self
    }

    /// With this many retries after the first attempt.
    pub fn max_retries(mut self, retries: u32) -> RequestOptions {
        self.max_retries = Some(retries);
        self
    }

    /// The key to send: the one given, or a fresh one.
    pub(crate) fn key_or_new(&self) -> String {
        self.idempotency_key
            .clone()
            .unwrap_or_else(super::Client::new_idempotency_key)
    }
}
