//! Redemptions: authorize with the member's code, read, capture, void, reverse.

use reqwest::Method;

use crate::client::{Answer, Client, Error, RequestOptions, PREFIX};
use crate::types::{AuthorizeRequest, CaptureRequest, Redemption, ReverseRequest};

impl Client {
    /// Holds points with the member's one-time code (`POST /v1/partner/redemptions`), with a
    /// fresh idempotency key.
    pub async fn authorize(&self, req: &AuthorizeRequest) -> Result<Redemption, Error> {
        Ok(self
            .authorize_with(req, &RequestOptions::new())
            .await?
            .value)
    }

    /// Holds points with the member's one-time code, with these options.
    pub async fn authorize_with(
        &self,
        req: &AuthorizeRequest,
        options: &RequestOptions,
    ) -> Result<Answer<Redemption>, Error> {
        let path = format!("{PREFIX}/redemptions");
        self.moving(Method::POST, &path, req, options).await
    }

    /// A redemption of the partner (`GET /v1/partner/redemptions/{id}`).
    pub async fn redemption(&self, id: i64) -> Result<Redemption, Error> {
        self.get(&format!("{PREFIX}/redemptions/{id}")).await
    }

    /// Captures an authorized redemption (`POST /v1/partner/redemptions/{id}/capture`), with a
    /// fresh idempotency key.
    pub async fn capture(&self, id: i64, req: &CaptureRequest) -> Result<Redemption, Error> {
        Ok(self
            .capture_with(id, req, &RequestOptions::new())
            .await?
            .value)
    }

    /// Captures an authorized redemption with these options.
    pub async fn capture_with(
        &self,
        id: i64,
        req: &CaptureRequest,
        options: &RequestOptions,
    ) -> Result<Answer<Redemption>, Error> {
        let path = format!("{PREFIX}/redemptions/{id}/capture");
        self.moving(Method::POST, &path, req, options).await
    }

    /// Releases an authorized redemption's hold (`POST /v1/partner/redemptions/{id}/void`),
    /// with a fresh idempotency key.
    pub async fn void(&self, id: i64) -> Result<Redemption, Error> {
        Ok(self.void_with(id, &RequestOptions::new()).await?.value)
    }

    /// Releases an authorized redemption's hold with these options.
    pub async fn void_with(
        &self,
        id: i64,
        options: &RequestOptions,
    ) -> Result<Answer<Redemption>, Error> {
        let path = format!("{PREFIX}/redemptions/{id}/void");
        self.moving(Method::POST, &path, &serde_json::json!({}), options)
            .await
    }

    /// Gives back (part of) the points of a captured redemption
    /// (`POST /v1/partner/redemptions/{id}/reversals`), with a fresh idempotency key.
    pub async fn reverse(&self, id: i64, req: &ReverseRequest) -> Result<Redemption, Error> {
        Ok(self
            .reverse_with(id, req, &RequestOptions::new())
            .await?
            .value)
    }

    /// Gives back (part of) the points of a captured redemption with these options.
    pub async fn reverse_with(
        &self,
        id: i64,
        req: &ReverseRequest,
        options: &RequestOptions,
    ) -> Result<Answer<Redemption>, Error> {
        let path = format!("{PREFIX}/redemptions/{id}/reversals");
        self.moving(Method::POST, &path, req, options).await
    }
}
