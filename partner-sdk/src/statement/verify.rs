//! The canonical JSON of a statement and its offline Ed25519 verification.

use serde_json::Value;

use super::{NetworkKey, SignedStatement};

/// Why a statement did not verify.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum StatementError {
    /// The bytes are not a statement envelope.
    #[error("not a statement envelope: {0}")]
    Malformed(String),
    /// The signature is not by the given key over this content.
    #[error("the signature does not match the statement (altered, or another key)")]
    BadSignature,
    /// The envelope names another key than the one given.
    #[error("signed by key {found}, not {expected}")]
    WrongKey {
        /// The key named by the envelope.
        found: String,
        /// The key the caller trusts.
        expected: String,
    },
}

/// The canonical JSON of a value: keys sorted, no whitespace.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                if let Some(v) = map.get(key) {
                    write_canonical(v, out);
                }
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// Verifies a served statement envelope offline against a network key (`key_id` and the
/// public key in hex) and returns the statement.
pub fn verify_statement(
    envelope: &[u8],
    key: &NetworkKey,
) -> Result<SignedStatement, StatementError> {
    let raw: Value =
        serde_json::from_slice(envelope).map_err(|e| StatementError::Malformed(e.to_string()))?;
    let content = raw
        .get("statement")
        .ok_or_else(|| StatementError::Malformed("no `statement`".into()))?;
    let signed: SignedStatement = serde_json::from_value(raw.clone())
        .map_err(|e| StatementError::Malformed(e.to_string()))?;
    if signed.signature.key_id != key.key_id {
        return Err(StatementError::WrongKey {
            found: signed.signature.key_id,
            expected: key.key_id.clone(),
        });
    }
    if signed.signature.algorithm != "ed25519" || key.algorithm != "ed25519" {
        return Err(StatementError::Malformed(
            "unknown signature algorithm".into(),
        ));
    }
    let public = hex::decode(&key.public_key_hex)
        .map_err(|_| StatementError::Malformed("public key is not hex".into()))?;
    let signature =
        hex::decode(&signed.signature.value_hex).map_err(|_| StatementError::BadSignature)?;
    ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, public)
        .verify(canonical_json(content).as_bytes(), &signature)
        .map_err(|_| StatementError::BadSignature)?;
    Ok(signed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_form_sorts_keys_and_drops_whitespace() {
        let v: Value = serde_json::from_str(r#"{ "b": [1, {"z": "é\n", "a": null}], "a": -2 }"#)
            .expect("json");
        assert_eq!(
            canonical_json(&v),
            r#"{"a":-2,"b":[1,{"a":null,"z":"é\n"}]}"#
        );
    }
}
