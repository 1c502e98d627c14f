//! The partner's promotions, its dry run and the urgency lists for its site.

use reqwest::Method;

use crate::client::{Client, Error, RequestOptions, PREFIX};
use crate::promotions::{
    DryRunRequest, DryRunResponse, EndingPromotions, ExpiringPoints, Promotion, PromotionList,
    PromotionRequest,
};

impl Client {
    /// Creates a promotion the partner funds (`POST /v1/partner/promotions`), with a fresh
    /// idempotency key reused across retries.
    pub async fn create_promotion(&self, req: &PromotionRequest) -> Result<Promotion, Error> {
        let path = format!("{PREFIX}/promotions");
        Ok(self
            .moving(Method::POST, &path, req, &RequestOptions::new())
            .await?
            .value)
    }

    /// The partner's promotions, newest first (`GET /v1/partner/promotions`).
    pub async fn promotions(&self) -> Result<PromotionList, Error> {
        self.get(&format!("{PREFIX}/promotions")).await
    }

    /// One of the partner's promotions (`GET /v1/partner/promotions/{id}`).
    pub async fn promotion(&self, id: i64) -> Result<Promotion, Error> {
        self.get(&format!("{PREFIX}/promotions/{id}")).await
    }

    /// Ends one of the partner's promotions now (`POST /v1/partner/promotions/{id}/end`).
    pub async fn end_promotion(&self, id: i64) -> Result<Promotion, Error> {
        Ok(self
            .send_json::<(), _>(
                Method::POST,
                &format!("{PREFIX}/promotions/{id}/end"),
                None,
                None,
            )
            .await?
            .value)
    }

    /// What a sale would earn, bonuses included, without earning it
    /// (`POST /v1/partner/promotions/dry-run`).
    pub async fn dry_run(&self, req: &DryRunRequest) -> Result<DryRunResponse, Error> {
        Ok(self
            .send_json(
                Method::POST,
                &format!("{PREFIX}/promotions/dry-run"),
                Some(req),
                None,
            )
            .await?
            .value)
    }

    /// Promotions running here that end within `days` (`GET /v1/partner/urgency/promotions`).
    pub async fn ending_promotions(&self, days: i64) -> Result<EndingPromotions, Error> {
        self.get(&format!("{PREFIX}/urgency/promotions?within_days={days}"))
            .await
    }

    /// The partner's members whose points expire within `days`, a page after `cursor`
    /// (`GET /v1/partner/urgency/expiring-points`).
    pub async fn expiring_points(
        &self,
        days: i64,
        cursor: Option<&str>,
    ) -> Result<ExpiringPoints, Error> {
        let mut path = format!("{PREFIX}/urgency/expiring-points?within_days={days}");
        if let Some(c) = cursor {
            path.push_str(&format!(
                "&cursor={}",
                crate::client::transport::encode_component(c)
            ));
        }
        self.get(&path).await
    }
}
