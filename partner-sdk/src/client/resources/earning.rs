//! Earning: credit a sale, refund it.

use reqwest::Method;

use crate::batch::{EarnBatchRequest, EarnBatchResponse};
use crate::client::{Answer, Client, Error, RequestOptions, PREFIX};
use crate::types::{EarnRequest, EarnResponse, RefundRequest, RefundResponse};

impl Client {
    /// Credits the points of a sale (`POST /v1/partner/earns`), with a fresh idempotency key.
    pub async fn earn(&self, req: &EarnRequest) -> Result<EarnResponse, Error> {
        Ok(self.earn_with(req, &RequestOptions::new()).await?.value)
    }

    /// Credits the points of a sale with these options, telling whether the answer was
    /// replayed from an earlier request with the same idempotency key.
    pub async fn earn_with(
        &self,
        req: &EarnRequest,
        options: &RequestOptions,
    ) -> Result<Answer<EarnResponse>, Error> {
        let path = format!("{PREFIX}/earns");
        self.moving(Method::POST, &path, req, options).await
    }

    /// Earns up to 1,000 sales in one request (`POST /v1/partner/earns/batch`), one result per
    /// sale. Safe to send again (after a network error, or for the sales refused with a 503):
    /// each sale earns once by its order id.
    pub async fn earn_batch(&self, req: &EarnBatchRequest) -> Result<EarnBatchResponse, Error> {
        self.post(&format!("{PREFIX}/earns/batch"), req).await
    }

    /// Claws back the points of a returned sale (`POST /v1/partner/refunds`), with a fresh
    /// idempotency key.
    pub async fn refund(&self, req: &RefundRequest) -> Result<RefundResponse, Error> {
        Ok(self.refund_with(req, &RequestOptions::new()).await?.value)
    }

    /// Claws back the points of a returned sale with these options.
    pub async fn refund_with(
        &self,
        req: &RefundRequest,
        options: &RequestOptions,
    ) -> Result<Answer<RefundResponse>, Error> {
        let path = format!("{PREFIX}/refunds");
        self.moving(Method::POST, &path, req, options).await
    }
}
