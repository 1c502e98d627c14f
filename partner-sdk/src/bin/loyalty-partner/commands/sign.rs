//! `sign`: the four signature headers of a hand-made request.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use partner_sdk::signing;

use chrono::Utc;

use crate::{Failure, MAX_SIGN_BODY_BYTES};

/// Prints the four signature headers of a request.
pub(crate) fn sign(
    key_id: &str,
    secret: &str,
    method: &str,
    path: &str,
    body_file: Option<&Path>,
) -> Result<(), Failure> {
    if !path.starts_with('/') {
        return Err(Failure::Other(format!(
            "--path {path:?} must start with '/' (such as /v1/partner/earns)"
        )));
    }
    let body = match body_file {
        None => Vec::new(),
        Some(file) => read_bounded(file, MAX_SIGN_BODY_BYTES)?,
    };
    let timestamp = Utc::now().timestamp();
    let nonce = signing::new_nonce();
    let signature = signing::signature_header(
        secret,
        &method.to_ascii_uppercase(),
        path,
        timestamp,
        &nonce,
        &body,
    );
    println!("{}: {key_id}", signing::HEADER_KEY_ID);
    println!("{}: {timestamp}", signing::HEADER_TIMESTAMP);
    println!("{}: {nonce}", signing::HEADER_NONCE);
    println!("{}: {signature}", signing::HEADER_SIGNATURE);
    Ok(())
}

/// Reads a whole file of at most `max` bytes.
pub(crate) fn read_bounded(path: &Path, max: u64) -> Result<Vec<u8>, Failure> {
    let file = File::open(path).map_err(|e| Failure::Other(format!("{}: {e}", path.display())))?;
    let mut body = Vec::new();
    file.take(max.saturating_add(1))
        .read_to_end(&mut body)
        .map_err(|e| Failure::Other(format!("{}: {e}", path.display())))?;
    if u64::try_from(body.len()).map_or(true, |len| len > max) {
        return Err(Failure::Other(format!(
            "{}: longer than {max} bytes",
            path.display()
        )));
    }
    Ok(body)
}
