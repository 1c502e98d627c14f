//! Secrets at rest and credentials: partner API secrets sealed with AES-256-GCM (ring) under
//! the master key, bearer tokens stored only as SHA-256, member passwords hashed with Argon2id.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::digest;
use ring::rand::{SecureRandom, SystemRandom};

use crate::error::{ApiError, ApiResult};

/// The master key that seals partner secrets.
#[derive(Clone)]
pub struct MasterKey(std::sync::Arc<LessSafeKey>);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(..)")
    }
}

impl MasterKey {
    /// A key from 32 raw bytes.
    pub fn from_bytes(bytes: &[u8]) -> Option<MasterKey> {
        let unbound = UnboundKey::new(&AES_256_GCM, bytes).ok()?;
        Some(MasterKey(std::sync::Arc::new(LessSafeKey::new(unbound))))
    }

    /// Parses 64 hexadecimal characters.
    pub fn from_hex(text: &str) -> Option<MasterKey> {
        let bytes = hex::decode(text.trim()).ok()?;
        (bytes.len() == 32).then_some(())?;
        MasterKey::from_bytes(&bytes)
    }

    /// Seals `plaintext`, bound to `context` (the key id) so a sealed value copied onto another
    /// row does not open. Format: `v1:<hex nonce>:<hex ciphertext and tag>`.
    pub fn seal(&self, context: &str, plaintext: &str) -> ApiResult<String> {
        let mut nonce_bytes = [0u8; NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce_bytes)
            .map_err(|_| ApiError::internal("no randomness for a nonce"))?;
        let mut buf = plaintext.as_bytes().to_vec();
        self.0
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce_bytes),
                Aad::from(context.as_bytes()),
                &mut buf,
            )
            .map_err(|_| ApiError::internal("sealing failed"))?;
        Ok(format!(
            "v1:{}:{}",
            hex::encode(nonce_bytes),
            hex::encode(buf)
        ))
    }

    /// Opens a value sealed by [`MasterKey::seal`] with the same context.
    pub fn open(&self, context: &str, sealed: &str) -> ApiResult<String> {
        let bad = || ApiError::internal("a sealed secret does not open with the master key");
        let mut parts = sealed.splitn(3, ':');
        let (Some("v1"), Some(nonce_hex), Some(ct_hex)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        let nonce_vec = hex::decode(nonce_hex).map_err(|_| bad())?;
        let nonce_bytes: [u8; NONCE_LEN] = nonce_vec.try_into().map_err(|_| bad())?;
        let mut buf = hex::decode(ct_hex).map_err(|_| bad())?;
        let plain = self
            .0
            .open_in_place(
                Nonce::assume_unique_for_key(nonce_bytes),
                Aad::from(context.as_bytes()),
                &mut buf,
            )
            .map_err(|_| bad())?;
        String::from_utf8(plain.to_vec()).map_err(|_| bad())
    }
}

/// Generates a new master key as 64 hexadecimal characters.
pub fn new_master_key_hex() -> String {
    partner_sdk::signing::random_token_hex(32)
}

/// Lowercase hex SHA-256, used to store bearer tokens and one-time codes.
pub fn sha256_hex(text: &str) -> String {
    hex::encode(digest::digest(&digest::SHA256, text.as_bytes()))
}

/// A new bearer token with a readable prefix (`lop_` operator, `lms_` member session).
pub fn new_token(prefix: &str) -> String {
    format!("{prefix}{}", partner_sdk::signing::random_token_hex(32))
}

/// Hashes a password with Argon2id and a random salt (PHC string).
pub fn hash_password(password: &str) -> ApiResult<String> {
    let mut salt_bytes = [0u8; 16];
    SystemRandom::new()
        .fill(&mut salt_bytes)
        .map_err(|_| ApiError::internal("no randomness for a salt"))?;
    let salt = SaltString::encode_b64(&salt_bytes).map_err(ApiError::internal)?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(ApiError::internal)
}

/// Checks a password against its stored Argon2 hash.
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash of a password nobody has, checked when the email is unknown so that a sign-in takes
/// as long for an unknown email as for a wrong password.
pub fn dummy_password_hash() -> &'static str {
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2P8Zg3W1MkRJ1cu5Ui8bGBDtyW7rQF8xkGuaR3wL2Fs"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_with_their_context() {
        let key = MasterKey::from_hex(&new_master_key_hex()).unwrap();
        let sealed = key.seal("lk_1", "ls_secret").unwrap();
        assert!(!sealed.contains("ls_secret"));
        assert_eq!(key.open("lk_1", &sealed).unwrap(), "ls_secret");
        assert!(key.open("lk_2", &sealed).is_err());
        let other = MasterKey::from_hex(&new_master_key_hex()).unwrap();
        assert!(other.open("lk_1", &sealed).is_err());
    }

    #[test]
    fn passwords_verify() {
        let h = hash_password("correct horse").unwrap();
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", dummy_password_hash()));
    }
}
