//! The partner's local program: its settings and conversions into network points.

use reqwest::Method;

use crate::client::{Client, Error, RequestOptions, PREFIX};
use crate::local_program::{Conversion, ConversionRequest, LocalProgram, LocalProgramRequest};

impl Client {
    /// Starts or changes the partner's local program (`PUT /v1/partner/local-program`).
    pub async fn set_local_program(
        &self,
        req: &LocalProgramRequest,
    ) -> Result<LocalProgram, Error> {
        Ok(self
            .send_json(
                Method::PUT,
                &format!("{PREFIX}/local-program"),
                Some(req),
                None,
            )
            .await?
            .value)
    }

    /// The partner's local program (`GET /v1/partner/local-program`).
    pub async fn local_program(&self) -> Result<LocalProgram, Error> {
        self.get(&format!("{PREFIX}/local-program")).await
    }

    /// Converts a member's local points into network points the partner issues and pays for
    /// (`POST /v1/partner/local-program/conversions`), with a fresh idempotency key.
    pub async fn convert_local_points(&self, req: &ConversionRequest) -> Result<Conversion, Error> {
        let path = format!("{PREFIX}/local-program/conversions");
        Ok(self
            .moving(Method::POST, &path, req, &RequestOptions::new())
            .await?
            .value)
    }
}

impl Client {
    /// Replaces the partner's own tiers on its local program
    /// (`PUT /v1/partner/local-program/tiers`).
    pub async fn set_local_tiers(
        &self,
        req: &crate::local_program::LocalTierTable,
    ) -> Result<crate::local_program::LocalTierTable, Error> {
        Ok(self
            .send_json(
                Method::PUT,
                &format!("{PREFIX}/local-program/tiers"),
                Some(req),
                None,
            )
            .await?
            .value)
    }

    /// The partner's own tiers (`GET /v1/partner/local-program/tiers`).
    pub async fn local_tiers(&self) -> Result<crate::local_program::LocalTierTable, Error> {
        self.get(&format!("{PREFIX}/local-program/tiers")).await
    }
}
