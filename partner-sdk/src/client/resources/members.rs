//! Members: enrol at the till, link, read a balance.

use crate::client::{encode_component, Client, Error, PREFIX};
use crate::types::{Balance, EnrolMemberRequest, LinkMemberRequest, MemberLink};

impl Client {
    /// Enrols a new member and links them to the partner (`POST /v1/partner/members`).
    pub async fn enrol_member(&self, req: &EnrolMemberRequest) -> Result<MemberLink, Error> {
        let key = Self::new_idempotency_key();
        self.post(&format!("{PREFIX}/members"), req, Some(&key))
            .await
    }

    /// Enrols a new member with the caller's idempotency key.
    pub async fn enrol_member_with_key(
        &self,
        req: &EnrolMemberRequest,
        idempotency_key: &str,
    ) -> Result<MemberLink, Error> {
        self.post(&format!("{PREFIX}/members"), req, Some(idempotency_key))
            .await
    }

    /// Links an existing member to the partner (`POST /v1/partner/members/links`).
    pub async fn link_member(&self, req: &LinkMemberRequest) -> Result<MemberLink, Error> {
        self.post(&format!("{PREFIX}/members/links"), req, None)
            .await
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
