//! Members: enrol at the till, link, read a balance.

use reqwest::Method;

use crate::client::{encode_component, Answer, Client, Error, RequestOptions, PREFIX};
use crate::types::{Balance, EnrolMemberRequest, LinkMemberRequest, MemberLink};

impl Client {
    /// Enrols a new member and links them to the partner (`POST /v1/partner/members`), with a
    /// fresh idempotency key.
    pub async fn enrol_member(&self, req: &EnrolMemberRequest) -> Result<MemberLink, Error> {
        Ok(self
            .enrol_member_with(req, &RequestOptions::new())
            .await?
            .value)
    }

    /// Enrols a new member with these options.
    pub async fn enrol_member_with(
        &self,
        req: &EnrolMemberRequest,
        options: &RequestOptions,
    ) -> Result<Answer<MemberLink>, Error> {
        let path = format!("{PREFIX}/members");
        self.moving(Method::POST, &path, req, options).await
    }

    /// Links an existing member to the partner (`POST /v1/partner/members/links`).
    pub async fn link_member(&self, req: &LinkMemberRequest) -> Result<MemberLink, Error> {
        self.post(&format!("{PREFIX}/members/links"), req).await
    }

    /// A linked member's balance (`GET /v1/partner/members/{member_number}/balance`).
    pub async fn member_balance(&self, member_number: &str) -> Result<Balance, Error> {
        let path = format!(
            "{PREFIX}/members/{}/balance",
            encode_component(member_number)
        );
        self.get(&path).await
    }
}

impl Client {
    /// Sells a member a paid tier (`POST /v1/partner/paid-tiers`), with a fresh idempotency key
    /// reused across retries.
    pub async fn sell_paid_tier(
        &self,
        req: &crate::tiers::PaidTierRequest,
    ) -> Result<crate::tiers::PaidTier, Error> {
        let path = format!("{PREFIX}/paid-tiers");
        Ok(self
            .moving(
                reqwest::Method::POST,
                &path,
                req,
                &crate::client::RequestOptions::new(),
            )
            .await?
            .value)
    }
}
