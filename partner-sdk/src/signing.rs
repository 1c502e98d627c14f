//! Partner request signing, scheme v1 (see the README, "Signing a request").
//!
//! ```text
//! string_to_sign = "v1\n" + METHOD + "\n" + path_and_query_as_sent + "\n"
//!                  + timestamp + "\n" + nonce + "\n" + lowercase_hex(SHA-256(body))
//! signature      = HMAC-SHA256(secret, string_to_sign)
//! ```
//!
//! The server verifies with the same functions, so the two sides cannot drift apart; the fixed
//! vector in the tests below pins the scheme itself.

use ring::{digest, hmac};

/// Header carrying the key id (`lk_...`).
pub const HEADER_KEY_ID: &str = "Loyalty-Key-Id";
/// Header carrying the Unix time of signing, in seconds.
pub const HEADER_TIMESTAMP: &str = "Loyalty-Timestamp";
/// Header carrying a fresh random nonce, 16 to 64 characters of `[A-Za-z0-9_-]`.
pub const HEADER_NONCE: &str = "Loyalty-Nonce";
/// Header carrying `v1=<lowercase hex HMAC-SHA256>`.
pub const HEADER_SIGNATURE: &str = "Loyalty-Signature";
/// Header carrying the idempotency key of a request that moves points.
pub const HEADER_IDEMPOTENCY_KEY: &str = "Idempotency-Key";

/// Shortest accepted nonce.
pub const NONCE_LEN_MIN: usize = 16;
/// Longest accepted nonce.
pub const NONCE_LEN_MAX: usize = 64;

/// Lowercase hex SHA-256 of a request body (of the empty string for a request without body).
pub fn body_sha256_hex(body: &[u8]) -> String {
    hex::encode(digest::digest(&digest::SHA256, body))
}

/// The exact text that is signed.
pub fn string_to_sign(
    method: &str,
    path_and_query: &str,
    timestamp_s: i64,
    nonce: &str,
    body: &[u8],
) -> String {
    string_to_sign_for_hash(
        method,
        path_and_query,
        timestamp_s,
        nonce,
        &body_sha256_hex(body),
    )
}

/// The exact text that is signed, from the body's lowercase hex SHA-256 (for a body streamed
/// from or to a file rather than held in memory).
pub fn string_to_sign_for_hash(
    method: &str,
    path_and_query: &str,
    timestamp_s: i64,
    nonce: &str,
    body_sha256_hex: &str,
) -> String {
    format!(
        "v1\n{}\n{}\n{}\n{}\n{}",
        method.to_ascii_uppercase(),
        path_and_query,
        timestamp_s,
        nonce,
        body_sha256_hex
    )
}

/// The value of the `Loyalty-Signature` header: `v1=` and the lowercase hex HMAC-SHA256 of the
/// string to sign, keyed with the secret's UTF-8 bytes.
pub fn signature_header(
    secret: &str,
    method: &str,
    path_and_query: &str,
    timestamp_s: i64,
    nonce: &str,
    body: &[u8],
) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    let text = string_to_sign(method, path_and_query, timestamp_s, nonce, body);
    format!("v1={}", hex::encode(hmac::sign(&key, text.as_bytes())))
}

/// Checks a `Loyalty-Signature` header value in constant time.
pub fn verify_signature_header(
    secret: &str,
    header: &str,
    method: &str,
    path_and_query: &str,
    timestamp_s: i64,
    nonce: &str,
    body: &[u8],
) -> bool {
    let text = string_to_sign(method, path_and_query, timestamp_s, nonce, body);
    verify_text(secret, header, &text)
}

/// Checks a `Loyalty-Signature` header value in constant time, from the body's lowercase hex
/// SHA-256.
pub fn verify_signature_header_for_hash(
    secret: &str,
    header: &str,
    method: &str,
    path_and_query: &str,
    timestamp_s: i64,
    nonce: &str,
    body_sha256_hex: &str,
) -> bool {
    let text = string_to_sign_for_hash(method, path_and_query, timestamp_s, nonce, body_sha256_hex);
    verify_text(secret, header, &text)
}

fn verify_text(secret: &str, header: &str, text: &str) -> bool {
    let Some(hex_sig) = header.strip_prefix("v1=") else {
        return false;
    };
    let Ok(sig) = hex::decode(hex_sig) else {
        return false;
    };
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    hmac::verify(&key, text.as_bytes(), &sig).is_ok()
}

/// Whether a nonce has the accepted length and alphabet.
pub fn nonce_is_well_formed(nonce: &str) -> bool {
    (NONCE_LEN_MIN..=NONCE_LEN_MAX).contains(&nonce.len())
        && nonce
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// A fresh random nonce of 32 characters.
pub fn new_nonce() -> String {
    random_token_hex(16)
}

/// Lowercase hex of `bytes_len` random bytes from the operating system's generator.
pub fn random_token_hex(bytes_len: usize) -> String {
    use ring::rand::SecureRandom;
    let mut buf = vec![0u8; bytes_len];
    // The system generator only fails when the operating system cannot supply randomness at
    // all; falling back to a weaker source would be worse than a predictable panic.
    #[expect(
        clippy::expect_used,
        reason = "no safe fallback exists for missing OS randomness"
    )]
    ring::rand::SystemRandom::new()
        .fill(&mut buf)
        .expect("operating system randomness unavailable");
    hex::encode(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked example of the README, pinned so the scheme never changes silently.
    #[test]
    fn worked_example_matches_the_readme() {
        let body = br#"{"member_number":"1000000016","order_id":"A-1001","amount_minor":4250,"currency":"EUR"}"#;
        let text = string_to_sign(
            "post",
            "/v1/partner/earns",
            1_700_000_000,
            "n0nce-0123456789abcdef",
            body,
        );
        assert_eq!(
            text,
            format!(
                "v1\nPOST\n/v1/partner/earns\n1700000000\nn0nce-0123456789abcdef\n{}",
                body_sha256_hex(body)
            )
        );
        assert_eq!(
            body_sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let header = signature_header(
            "ls_secret",
            "POST",
            "/v1/partner/earns",
            1_700_000_000,
            "n0nce-0123456789abcdef",
            body,
        );
        assert_eq!(
            body_sha256_hex(body),
            "ac8976ca52cd64c2d2efa0912da620bd9fa7d26e5e50dffff15b6414db381710"
        );
        assert_eq!(
            header,
            "v1=435a4b3b939228db1b8c4c3ca9156725e04b520f180e6db5994087555327beb4"
        );
        assert!(verify_signature_header(
            "ls_secret",
            &header,
            "POST",
            "/v1/partner/earns",
            1_700_000_000,
            "n0nce-0123456789abcdef",
            body
        ));
        assert!(!verify_signature_header(
            "ls_other",
            &header,
            "POST",
            "/v1/partner/earns",
            1_700_000_000,
            "n0nce-0123456789abcdef",
            body
        ));
    }

    #[test]
    fn nonce_alphabet_and_length_are_enforced() {
        assert!(nonce_is_well_formed("abcdefghij_-1234"));
        assert!(!nonce_is_well_formed("short"));
        assert!(!nonce_is_well_formed("abcdefghij+-1234"));
        assert!(!nonce_is_well_formed(&"a".repeat(65)));
        assert!(nonce_is_well_formed(&new_nonce()));
    }
}
