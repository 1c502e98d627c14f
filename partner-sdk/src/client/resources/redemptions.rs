//! Redemptions: authorise with the member's code, read, capture, void, reverse.

use crate::client::{Client, Error, PREFIX};
use crate::types::{AuthoriseRequest, CaptureRequest, Redemption, ReverseRequest};

impl Client {
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
}
