//! Earning: credit a sale, refund it.

use reqwest::Method;

use crate::client::{Answer, Client, Error, PREFIX};
use crate::types::{EarnRequest, EarnResponse, RefundRequest, RefundResponse};

impl Client {
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
}
