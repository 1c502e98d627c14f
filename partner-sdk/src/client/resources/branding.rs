//! The partner's brand over the shared points.

use reqwest::Method;

use crate::branding::{Brand, BrandRequest};
use crate::client::transport::OutBody;
use crate::client::{Client, Error, PREFIX};

impl Client {
    /// Sets the partner's brand, a new version (`PUT /v1/partner/brand`).
    pub async fn set_brand(&self, req: &BrandRequest) -> Result<Brand, Error> {
        Ok(self
            .send_json(Method::PUT, &format!("{PREFIX}/brand"), Some(req), None)
            .await?
            .value)
    }

    /// Sets the partner's logo, a PNG (`PUT /v1/partner/brand/logo`).
    pub async fn set_logo(&self, png: Vec<u8>) -> Result<Brand, Error> {
        let body = OutBody {
            bytes: png,
            content_type: "image/png",
            progress: None,
        };
        Ok(self
            .execute_typed(
                Method::PUT,
                &format!("{PREFIX}/brand/logo"),
                Some(body),
                None,
                None,
            )
            .await?
            .into_answer()?
            .value)
    }

    /// The partner's brand (`GET /v1/partner/brand`).
    pub async fn brand(&self) -> Result<Brand, Error> {
        self.get(&format!("{PREFIX}/brand")).await
    }
}

impl Client {
    /// What the partner's site shows a member linked to it
    /// (`GET /v1/partner/members/{member_number}/view`).
    pub async fn member_view(
        &self,
        member_number: &str,
    ) -> Result<crate::branding::MemberView, Error> {
        self.get(&format!(
            "{PREFIX}/members/{}/view",
            crate::client::transport::encode_component(member_number)
        ))
        .await
    }
}
