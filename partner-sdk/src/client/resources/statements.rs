//! Statements: the network's keys, statements (verified), CSV, disputes, reconciliation.

use crate::client::pagination::page_path;
use crate::client::{Client, Error, PREFIX};
use crate::statement::{
    verify_statement, Dispute, DisputeRequest, NetworkKey, ReconciliationReport, ReconciliationRow,
    SignedStatement, StatementStatus,
};

impl Client {
    /// The network's statement-signing public keys (`GET /v1/network/keys`).
    pub async fn network_keys(&self) -> Result<Vec<NetworkKey>, Error> {
        self.get("/v1/network/keys").await
    }

    /// The partner's statements, newest first, with their payment status
    /// (`GET /v1/partner/statements`); pass the last id as `before` for older ones.
    pub async fn statements(
        &self,
        before: Option<i64>,
        limit: Option<u32>,
    ) -> Result<Vec<StatementStatus>, Error> {
        let before = before.map(|id| id.to_string());
        let path = page_path(&format!("{PREFIX}/statements"), before.as_deref(), limit);
        self.get(&path).await
    }

    /// A statement's signed envelope, as the exact bytes served: check it with
    /// [`crate::statement::verify_statement`] before trusting it.
    pub async fn statement_envelope(&self, statement_id: i64) -> Result<Vec<u8>, Error> {
        self.get_bytes(&format!("{PREFIX}/statements/{statement_id}"))
            .await
    }

    /// A statement fetched and verified against the network's published key that signed it.
    /// This trusts the keys the same server publishes; to guard against a compromised server,
    /// pin the key you fetched once and use [`verify_statement`] with it.
    pub async fn verified_statement(&self, statement_id: i64) -> Result<SignedStatement, Error> {
        let envelope = self.statement_envelope(statement_id).await?;
        let keys = self.network_keys().await?;
        let named: serde_json::Value = serde_json::from_slice(&envelope)
            .map_err(|e| Error::Decode(format!("statement: {e}")))?;
        let key_id = named
            .pointer("/signature/key_id")
            .and_then(|k| k.as_str())
            .unwrap_or_default();
        let key = keys
            .iter()
            .find(|k| k.key_id == key_id)
            .ok_or_else(|| Error::Decode(format!("the network publishes no key {key_id:?}")))?;
        let signed = verify_statement(&envelope, key).map_err(|e| Error::Decode(e.to_string()))?;
        // A validly signed statement, but not the one asked for, is not an answer.
        if signed.statement.statement_id != statement_id {
            return Err(Error::Decode(format!(
                "asked for statement {statement_id}, got {}",
                signed.statement.statement_id
            )));
        }
        Ok(signed)
    }

    /// A statement as CSV (`GET /v1/partner/statements/{id}?format=csv`).
    pub async fn statement_csv(&self, statement_id: i64) -> Result<String, Error> {
        let bytes = self
            .get_bytes(&format!("{PREFIX}/statements/{statement_id}?format=csv"))
            .await?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// Disputes a statement (`POST /v1/partner/statements/{id}/disputes`).
    pub async fn dispute_statement(
        &self,
        statement_id: i64,
        req: &DisputeRequest,
    ) -> Result<Dispute, Error> {
        self.post(&format!("{PREFIX}/statements/{statement_id}/disputes"), req)
            .await
    }

    /// Reconciles the partner's records of a statement's period
    /// (`POST /v1/partner/statements/{id}/reconciliation`).
    pub async fn reconcile(
        &self,
        statement_id: i64,
        rows: &[ReconciliationRow],
    ) -> Result<ReconciliationReport, Error> {
        self.post(
            &format!("{PREFIX}/statements/{statement_id}/reconciliation"),
            rows,
        )
        .await
    }
}
