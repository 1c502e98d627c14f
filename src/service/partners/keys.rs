//! Partners' API keys: issued with a secret shown once and kept sealed, at most two active at
//! once so a partner can rotate, revoked at once.

use chrono::NaiveDateTime;

use super::find;
use crate::crypto::MasterKey;
use crate::db::queries::partners::{self as rows};
use crate::db::{write_tx, DbConn};
use crate::domain::clock::utc;
use crate::domain::ids::PartnerId;
use crate::error::{fail, ApiResult, Code};
use crate::http::partners::json::{IssuedKey, KeyInfo};

/// Issues a key; a partner holds at most two active keys, so it can rotate without downtime.
pub fn issue_key(
    conn: &mut DbConn,
    master_key: &MasterKey,
    now: NaiveDateTime,
    partner_id: PartnerId,
) -> ApiResult<IssuedKey> {
    let key_id = format!("lk_{}", partner_sdk::signing::random_token_hex(8));
    let secret = format!("ls_{}", partner_sdk::signing::random_token_hex(32));
    let sealed = master_key.seal(&key_id, &secret)?;
    write_tx(conn, |conn| {
        find(conn, partner_id)?;
        // Two concurrent issues must not both see one active key and make three.
        rows::lock_partner(conn, partner_id)?;
        let active = rows::keys(conn, partner_id)?
            .iter()
            .filter(|k| k.revoked_at.is_none())
            .count();
        if active >= 2 {
            return fail(Code::TooManyKeys, "revoke one of the two active keys first");
        }
        rows::insert_key(conn, partner_id, &key_id, &sealed, now)?;
        tracing::info!(partner.id = %partner_id, key.id = %key_id, "partner key issued");
        Ok(IssuedKey {
            key_id: key_id.clone(),
            secret: secret.clone(),
            created_at: utc(now),
        })
    })
}

/// A partner's keys, without secrets.
pub fn list_keys(conn: &mut DbConn, partner_id: PartnerId) -> ApiResult<Vec<KeyInfo>> {
    find(conn, partner_id)?;
    Ok(rows::keys(conn, partner_id)?
        .into_iter()
        .map(|k| KeyInfo {
            key_id: k.key_id,
            created_at: utc(k.created_at),
            revoked_at: k.revoked_at.map(utc),
        })
        .collect())
}

/// Revokes a key at once: requests signed with it are refused from now on.
pub fn revoke_key(
    conn: &mut DbConn,
    now: NaiveDateTime,
    partner_id: PartnerId,
    key_id: &str,
) -> ApiResult<()> {
    write_tx(conn, |conn| {
        find(conn, partner_id)?;
        if rows::revoke_key(conn, partner_id, key_id, now)? == 0 {
            return fail(
                Code::KeyNotFound,
                "no active key with this id for this partner",
            );
        }
        tracing::info!(partner.id = %partner_id, key.id = %key_id, "partner key revoked");
        Ok(())
    })
}
