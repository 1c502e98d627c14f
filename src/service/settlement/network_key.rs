//! The network's Ed25519 statement-signing key: created on first need, the private half sealed
//! with the master key (AES-256-GCM), the public half published at `GET /v1/network/keys`.

use chrono::NaiveDateTime;
use partner_sdk::statement::NetworkKey;
use ring::rand::SystemRandom;
use ring::signature::{Ed25519KeyPair, KeyPair};

use crate::crypto::MasterKey;
use crate::db::queries::settlement as rows;
use crate::db::DbConn;
use crate::domain::clock::utc;
use crate::error::{ApiError, ApiResult};

/// A key ready to sign.
pub struct SigningKey {
    /// Its id, named in each signature.
    pub key_id: String,
    pair: Ed25519KeyPair,
}

impl SigningKey {
    /// The signature of `message`, lowercase hex.
    pub fn sign_hex(&self, message: &[u8]) -> String {
        hex::encode(self.pair.sign(message).as_ref())
    }
}

fn context(key_id: &str) -> String {
    format!("network_key:{key_id}")
}

/// The current signing key, created (in the caller's transaction) if the network has none.
pub fn current_or_create(
    conn: &mut DbConn,
    master_key: &MasterKey,
    now: NaiveDateTime,
) -> ApiResult<SigningKey> {
    if let Some(row) = rows::current_network_key(conn)? {
        let pkcs8 = hex::decode(master_key.open(&context(&row.key_id), &row.private_sealed)?)
            .map_err(|_| ApiError::internal("sealed network key is not hex"))?;
        let pair = Ed25519KeyPair::from_pkcs8(&pkcs8)
            .map_err(|_| ApiError::internal("stored network key does not parse"))?;
        return Ok(SigningKey {
            key_id: row.key_id,
            pair,
        });
    }
    let rng = SystemRandom::new();
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng)
        .map_err(|_| ApiError::internal("could not generate the network key"))?;
    let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref())
        .map_err(|_| ApiError::internal("generated network key does not parse"))?;
    let key_id = format!("nk_{}", partner_sdk::signing::random_token_hex(8));
    let sealed = master_key.seal(&context(&key_id), &hex::encode(pkcs8.as_ref()))?;
    let public = hex::encode(pair.public_key().as_ref());
    rows::insert_network_key(conn, &key_id, &public, &sealed, now)?;
    tracing::info!(key.id = %key_id, "network signing key created");
    Ok(SigningKey { key_id, pair })
}

/// Every published key, oldest first.
pub fn published(conn: &mut DbConn) -> ApiResult<Vec<NetworkKey>> {
    Ok(rows::network_keys(conn)?
        .into_iter()
        .map(|k| NetworkKey {
            key_id: k.key_id,
            algorithm: "ed25519".into(),
            public_key_hex: k.public_key,
            created_at: utc(k.created_at),
        })
        .collect())
}
